"""The commands that work on one workbook's sheets: new, validate, dedupe, merge, import, tag, summary, remind."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from .. import errors
from ..app import dedupe as dedupe_app
from ..app import importing, remind
from ..app import merge as merge_app
from ..app import summary as summary_app
from ..app import tag as tag_app
from ..app import validate as validate_app
from ..i18n import t
from ..stores.file import FileStore
from ._common import Lang, Today, fail, out, run, say

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


@commands.command("validate")
def validate_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）或客户表 CSV。 / Workbook or CSV export.")],
    *,
    today: Today,
    lang: Lang = "",
) -> None:
    """校验数据，写“校验结果”和“数据质量”，为新客户生成编号。 / Check the data, write 校验结果, assign ids."""
    outcome = run(lang, path, lambda progress: validate_app.run(FileStore(path, progress), today=today, lang=lang))
    say(outcome.lines(lang))
    raise typer.Exit(1 if len(outcome.result.problems) else 0)


@commands.command("dedupe")
def dedupe_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿，或客户表 CSV/xlsx 导出。 / Workbook or customer export.")],
    *,
    as_json: Annotated[bool, typer.Option("--json", help="只在标准输出打印 JSON 分组。 / Print only JSON clusters.")] = False,
    today: Today,
    lang: Lang = "",
) -> None:
    """查找重复客户，写“疑似重复”供核对。 / Check for duplicate customers and list them on 疑似重复."""
    outcome = run(lang, path, lambda progress: dedupe_app.run(FileStore(path, progress), today=today))
    if as_json:
        sys.stdout.write(json.dumps({"clusters": outcome.clusters}, ensure_ascii=False) + "\n")
    else:
        say(outcome.lines(lang))
    raise typer.Exit(1 if outcome.clusters else 0)


@commands.command("merge")
def merge_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    *,
    undo: Annotated[
        str | None, typer.Option("--undo", help="撤销这个合并编号。 / Undo the merge with this id.")
    ] = None,
    today: Today,
    lang: Lang = "",
) -> None:
    """合并“疑似重复”里确认的客户，或撤销一次合并。 / Check-and-merge confirmed duplicates, or undo a merge."""
    outcome = run(lang, path, lambda progress: merge_app.run(FileStore(path, progress), today=today, undo=undo))
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
    outcome = run(lang, path, lambda progress: importing.run(
        FileStore(path, progress), source, today=today, merge=merge, owner=owner, dry_run=dry_run, lang=lang))
    say(outcome.lines(lang, dry_run))
    plan = outcome.plan
    raise typer.Exit(1 if plan.rejected or plan.duplicates or len(plan.review) else 0)


@commands.command("tag")
def tag_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    *,
    today: Today,
    lang: Lang = "",
) -> None:
    """更新客户阶段、价值层级、自动标签和下次回访日期。 / Check stages, tiers and tags and update them."""
    outcome = run(lang, path, lambda progress: tag_app.run(FileStore(path, progress), today=today, lang=lang))
    say(outcome.lines(lang))
    raise typer.Exit(1 if len(outcome.result.problems) else 0)


@commands.command("summary")
def summary_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    *,
    month: Annotated[str | None, typer.Option("--month", help="汇总哪个月 YYYY-MM，默认上个月。 / Month, default last.")] = None,
    export: Annotated[Path | None, typer.Option("--export", help="另存为单独的 xlsx。 / Also save to this .xlsx.")] = None,
    today: Today,
    lang: Lang = "",
) -> None:
    """生成“月度汇总-YYYY-MM”（带图表）和“反馈统计”。 / Write the monthly summary sheet with charts."""
    outcome = run(lang, path, lambda progress: _summarize(
        FileStore(path, progress), today=today, month=_month(month), export=export))
    say(outcome.lines(lang))
    if export is not None:
        out.print(t("summary.exported", lang, path=export), markup=False)


def _summarize(store: FileStore, *, today: dt.datetime, month: pd.Period | None,
               export: Path | None) -> summary_app.SummaryOutcome:
    """The summary, and the same sheet alone in ``export`` (refused before anything is written if it exists)."""
    if export is not None and export.exists():
        raise errors.TargetExists(file=export.name)
    outcome = summary_app.run(store, today=today, month=month)
    if export is not None:
        with errors.after_writing(f"{store.name} 的“{outcome.sheet_name}”", outcome.backup):
            store.export(export, [outcome.output])
    return outcome


def _month(value: str | None) -> pd.Period | None:
    if value is None:
        return None
    try:
        return pd.Period(dt.datetime.strptime(value, "%Y-%m"), "M")
    except ValueError:
        raise errors.BadMonth(value=value) from None


@commands.command("remind")
def remind_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    *,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示，不写文件不发邮件。 / Show only.")] = False,
    test_chat: Annotated[bool, typer.Option(
        "--test-chat", help="只给每个群机器人发一条测试消息，报告各自的回答。 / Send each group robot a test message.")] = False,
    today: Today,
    lang: Lang = "",
) -> None:
    """生成“回访任务”，给每个人发今天的回访清单。 / Write 回访任务 and send today's reminders."""
    if test_chat:
        answers = run(lang, path, lambda progress: remind.test_chat(FileStore(path, progress), today, lang))
        say(line for _took, line in answers)
        raise typer.Exit(0 if all(took for took, _line in answers) else 1)
    outcome = run(lang, path, lambda progress: remind.run(FileStore(path, progress), today=today, dry_run=dry_run))
    say(outcome.lines(lang, dry_run))
    refused = outcome.chat["failed"] if outcome.chat else 0
    # done, and some mail or a group's message did not go
    raise typer.Exit(1 if outcome.skipped or outcome.delivery.get("failed") or refused else 0)
