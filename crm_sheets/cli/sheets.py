"""The commands that work on one workbook's sheets: new, validate, dedupe, merge, import, tag, summary, remind."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from .. import errors
from ..api import Workbook
from ..app.tag import TagOutcome
from ..app.validate import ValidateOutcome
from ..i18n import t
from ._common import Lang, Today, WorkbookPath, fail, on_workbook, out, say

commands = typer.Typer()


@commands.command("new")
def new_cmd(
    path: Annotated[Path, typer.Argument(help="新工作簿的路径（.xlsx）。 / Where to write the template.")],
    lang: Lang = "",
) -> None:
    """生成一个空白的客户管理模板。 / Write an empty CRM template workbook."""
    from ..templates import build_template

    try:
        if path.exists():
            raise errors.TargetExists(file=path.name)
        build_template(path)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and exit 2
        fail(exc, lang, path.name)
    out.print(t("new.done", lang, path=path), markup=False)


def _checking(name: str, what: str, path_help: str, command: Callable[[Workbook], ValidateOutcome | TagOutcome]
              ) -> None:
    """validate and tag: both end in 校验 and exit 1 when it found problems."""
    # The help differs per command, so the argument is declared here, not in a module-level Annotated.
    def checked(path: Path = typer.Argument(..., help=path_help), *, today: Today, lang: Lang = "") -> None:  # noqa: B008
        outcome = on_workbook(lang, path, today, command)
        say(outcome.lines(lang))
        raise typer.Exit(1 if len(outcome.problems) else 0)

    commands.command(name, help=what)(checked)


_checking("validate", "校验数据，写“校验结果”和“数据质量”，为新客户生成编号。 / Check the data, write 校验结果, assign ids.",
          "工作簿（.xlsx/.xlsm）或客户表 CSV。 / Workbook or CSV export.", Workbook.validate)


@commands.command("dedupe")
def dedupe_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿，或客户表 CSV/xlsx 导出。 / Workbook or customer export.")],
    *,
    as_json: Annotated[bool, typer.Option("--json", help="只在标准输出打印 JSON 分组。 / Print only JSON clusters.")] = False,
    today: Today,
    lang: Lang = "",
) -> None:
    """查找重复客户，写“疑似重复”供核对。 / Check for duplicate customers and list them on 疑似重复."""
    outcome = on_workbook(lang, path, today, Workbook.dedupe)
    if as_json:
        sys.stdout.write(json.dumps({"clusters": outcome.clusters, "sure": outcome.sure}, ensure_ascii=False) + "\n")
    else:
        say(outcome.lines(lang))
    raise typer.Exit(1 if outcome.clusters else 0)


@commands.command("merge")
def merge_cmd(
    path: WorkbookPath,
    *,
    undo: Annotated[
        str | None, typer.Option("--undo", help="撤销这个合并编号。 / Undo the merge with this id.")
    ] = None,
    today: Today,
    lang: Lang = "",
) -> None:
    """合并“疑似重复”里确认的客户，或撤销一次合并。 / Check-and-merge confirmed duplicates, or undo a merge."""
    outcome = on_workbook(lang, path, today, lambda book: book.merge(undo))
    say(outcome.lines(lang))


@commands.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="要导入到的工作簿。 / The workbook to import into.")],
    source: Annotated[Path, typer.Argument(help="客户表 CSV（UTF-8/GBK）或 xlsx。 / Customer CSV or xlsx.")],
    *,
    owner: Annotated[str | None, typer.Option(
        "--owner", help="没有负责人的行记到这个团队成员名下。 / Owner for rows without one.")] = None,
    merge: Annotated[bool, typer.Option("--merge", help="与已有客户重复的行更新那个客户。 / Update matching customers.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="只显示列的对应和会导入多少行，不写入。 / Show the mapping and counts; write nothing.")] = False,
    today: Today,
    lang: Lang = "",
) -> None:
    """导入客户：校验、查重、生成编号，全部成功或完全不变。 / Check and import customers: all or nothing."""
    outcome = on_workbook(lang, path, today, lambda book: book.import_customers(
        source, merge=merge, owner=owner, dry_run=dry_run))
    say(outcome.lines(lang, dry_run))
    plan = outcome.plan
    raise typer.Exit(1 if plan.rejected or plan.duplicates or len(plan.review) else 0)


_checking("tag", "更新客户阶段、价值层级、自动标签和下次回访日期。 / Check stages, tiers and tags and update them.",
          "工作簿（.xlsx/.xlsm）。 / The workbook.", Workbook.tag)


@commands.command("summary")
def summary_cmd(
    path: WorkbookPath,
    *,
    month: Annotated[str | None, typer.Option("--month", help="汇总哪个月 YYYY-MM，默认上个月。 / Month, default last.")] = None,
    export: Annotated[Path | None, typer.Option("--export", help="另存为单独的 xlsx。 / Also save to this .xlsx.")] = None,
    today: Today,
    lang: Lang = "",
) -> None:
    """生成“月度汇总-YYYY-MM”（带图表）和“反馈统计”。 / Write the monthly summary sheet with charts."""
    outcome = on_workbook(lang, path, today, lambda book: book.summary(month, export))
    say(outcome.lines(lang))
    if export is not None:
        out.print(t("summary.exported", lang, path=export), markup=False)


@commands.command("remind")
def remind_cmd(
    path: WorkbookPath,
    *,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示，不写文件不发邮件。 / Show only.")] = False,
    test_chat: Annotated[bool, typer.Option(
        "--test-chat", help="只给每个群机器人发一条测试消息，报告各自的回答。 / Send each group robot a test message.")] = False,
    today: Today,
    lang: Lang = "",
) -> None:
    """生成“回访任务”，给每个人发今天的回访清单。 / Write 回访任务 and send today's reminders."""
    if test_chat:
        answers = on_workbook(lang, path, today, lambda book: book.test_chat())
        say(line for _took, line in answers)
        raise typer.Exit(0 if all(took for took, _line in answers) else 1)
    outcome = on_workbook(lang, path, today, lambda book: book.remind(dry_run=dry_run))
    say(outcome.lines(lang, dry_run))
    refused = outcome.chat["failed"] if outcome.chat else 0
    # done, and some mail or a group's message did not go
    raise typer.Exit(1 if outcome.skipped or outcome.delivery.get("failed") or refused else 0)
