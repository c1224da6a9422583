"""The ``crm-sheets`` command: a thin layer over app/ (parse the input, call one app function, show the result).

Exit codes (docs/design.md "Data safety"): 0 done and clean, 1 done and problems found,
2 could not run (one clear line on stderr, the file untouched).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from typer.core import TyperGroup

from . import errors, excel_setup
from .app import dedupe as dedupe_app
from .app import export as export_app
from .app import importing, remind
from .app import merge as merge_app
from .app import restore as restore_app
from .app import summary as summary_app
from .app import tag as tag_app
from .app import validate as validate_app
from .console import replace_unprintable
from .i18n import language, t
from .reasons import quality_lines
from .stores.file import FileStore

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="crm-sheets：把 Excel 工作簿变成团队的客户管理系统。 / Turn an Excel workbook into a team CRM.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

LangOpt = Annotated[str | None, typer.Option("--lang", help="输出语言 zh/en。 / Output language.")]
TodayOpt = Annotated[
    str | None, typer.Option("--today", help="把“今天”设为 YYYY-MM-DD（结果可复现）。 / Treat this date as today.")
]


def _today(value: str | None) -> dt.datetime:
    if value is None:
        return dt.datetime.now().replace(second=0, microsecond=0)
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise errors.BadDate(value=value) from None


def _message(exc: BaseException, lang: str, file: str = "", unchanged: bool = False) -> str:
    if isinstance(exc, errors.CrmError):
        return exc.message(lang)
    key = "error.unexpected_unchanged" if unchanged else "error.unexpected"  # unchanged: found byte for byte
    return t(key, lang, file=file, detail=f"{type(exc).__name__}: {exc}"[:200])


def _fail(exc: BaseException, lang: str, file: str = "", unchanged: bool = False) -> None:
    err.print(_message(exc, lang, file, unchanged), markup=False)
    raise typer.Exit(2)


def _progress(lang: str, status):
    return lambda key: status.update(t(key, lang))


def _run(lang: str, target: Path | str, action):
    """Run an action with a progress line on stderr; a failure: one line, true about the file ``target``, exit 2."""
    before = errors.fingerprint(path := target if isinstance(target, Path) else None)
    try:
        with err.status(t("progress.read", lang)) as status:
            return action(_progress(lang, status))
    except Exception as exc:  # noqa: BLE001
        told, unchanged = errors.as_found(exc, path, before)
        _fail(told, lang, path.name if path else str(target), unchanged)


@app.command("new")
def new_cmd(
    path: Annotated[Path, typer.Argument(help="新工作簿的路径（.xlsx）。 / Where to write the template.")],
    lang: LangOpt = None,
) -> None:
    """生成一个空白的客户管理模板。 / Write an empty CRM template workbook."""
    from .templates import build_template

    lang = language(lang)
    try:
        if path.exists():
            raise errors.TargetExists(file=path.name)
        build_template(path)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and exit 2
        _fail(exc, lang, path.name)
    out.print(t("new.done", lang, path=path), markup=False)


@app.command("validate")
def validate_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）或客户表 CSV。 / Workbook or CSV export.")],
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """校验数据，写“校验结果”和“数据质量”，为新客户生成编号。 / Check the data, write 校验结果, assign ids."""
    lang = language(lang)
    outcome = _run(lang, path, lambda progress: validate_app.run(
        FileStore(path, progress), today=_today(today), lang=lang))
    _report_validation(outcome, lang)
    raise typer.Exit(1 if len(outcome.result.problems) else 0)


def _report_validation(outcome: validate_app.ValidateOutcome | tag_app.TagOutcome, lang: str) -> None:
    problems = outcome.result.problems
    name = outcome.book.path.name
    if len(outcome.assigned):
        out.print(t("validate.assigned", lang, count=len(outcome.assigned)), markup=False)
    if not len(problems):
        out.print(t("validate.clean", lang, file=name), markup=False)
    elif outcome.book.kind == "xlsx":
        out.print(t("validate.problems", lang, file=name, count=len(problems)), markup=False)
    else:
        out.print(t("validate.problems_csv", lang, file=name, count=len(problems)), markup=False)
        for p in problems.itertuples():
            out.print(f"  {p.sheet} 第{p.row}行 {p.column}: {p.value} — {p.problem}（{p.fix}）", markup=False)
    out.print(quality_lines(outcome.result, lang), markup=False)
    if outcome.backup:
        out.print(t("validate.backup", lang, path=outcome.backup), markup=False)


@app.command("dedupe")
def dedupe_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿，或客户表 CSV/xlsx 导出。 / Workbook or customer export.")],
    as_json: Annotated[bool, typer.Option("--json", help="只在标准输出打印 JSON 分组。 / Print only JSON clusters.")] = False,
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """查找重复客户，写“疑似重复”供核对。 / Check for duplicate customers and list them on 疑似重复."""
    lang = language(lang)
    outcome = _run(lang, path, lambda progress: dedupe_app.run(FileStore(path, progress), today=_today(today)))
    if as_json:
        sys.stdout.write(json.dumps({"clusters": outcome.clusters}, ensure_ascii=False) + "\n")
    else:
        _report_duplicates(outcome, lang)
    raise typer.Exit(1 if outcome.clusters else 0)


def _report_duplicates(outcome: dedupe_app.DedupeOutcome, lang: str) -> None:
    key = "dedupe.found" if outcome.clusters else "dedupe.none"
    out.print(t(key, lang, file=outcome.book.path.name, clusters=len(outcome.clusters), rows=len(outcome.sheet),
                sure=dedupe_app.sure_clusters(outcome.sheet)), markup=False)


@app.command("merge")
def merge_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    undo: Annotated[
        str | None, typer.Option("--undo", help="撤销这个合并编号。 / Undo the merge with this id.")
    ] = None,
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """合并“疑似重复”里确认的客户，或撤销一次合并。 / Check-and-merge confirmed duplicates, or undo a merge."""
    lang = language(lang)
    outcome = _run(lang, path, lambda progress: merge_app.run(
        FileStore(path, progress), today=_today(today), undo=undo))
    name = outcome.book.path.name
    if undo is not None:
        out.print(t("merge.undone", lang, file=name, merge_id=undo), markup=False)
    elif not outcome.survivors:
        out.print(t("merge.none", lang, file=name), markup=False)
    else:
        rows = sum(len(v) for v in outcome.survivors.values())
        out.print(t("merge.done", lang, file=name, groups=len(outcome.survivors), rows=rows,
                    merge_id=outcome.merge_id), markup=False)


@app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="要导入到的工作簿。 / The workbook to import into.")],
    source: Annotated[Path, typer.Argument(help="客户表 CSV（UTF-8/GBK）或 xlsx。 / Customer CSV or xlsx.")],
    owner: Annotated[str | None, typer.Option(
        "--owner", help="没有负责人的行记到这个团队成员名下。 / Owner for rows without one.")] = None,
    merge: Annotated[bool, typer.Option("--merge", help="与已有客户重复的行更新那个客户。 / Update matching customers.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="只显示列的对应和会导入多少行，不写入。 / Show the mapping and counts; write nothing.")] = False,
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """导入客户：校验、查重、生成编号，全部成功或完全不变。 / Check and import customers: all or nothing."""
    lang = language(lang)
    outcome = _run(lang, path, lambda progress: importing.run(
        FileStore(path, progress), source, today=_today(today), merge=merge, owner=owner, dry_run=dry_run, lang=lang))
    plan, incoming = outcome.plan, outcome.incoming
    counts = {"file": outcome.book.path.name, "added": len(plan.new_rows), "rejected": plan.rejected,
              "duplicates": plan.duplicates, "updated": len(plan.updates), "review": len(plan.review)}
    if dry_run:
        out.print(t("import.mapping", lang), markup=False)
        for key, header in incoming.headers.items():
            out.print(f"  {header} → {incoming.sheet.field(key).header}", markup=False)
        for header in incoming.ignored:
            out.print(f"  {header} → {t('import.unused', lang)}", markup=False)
    out.print(t("import.dry_run" if dry_run else "import.done", lang, **counts), markup=False)
    if incoming.ignored:
        out.print(t("import.ignored", lang, columns="、".join(incoming.ignored)), markup=False)
    if outcome.backup:
        out.print(t("validate.backup", lang, path=outcome.backup), markup=False)
    raise typer.Exit(1 if plan.rejected or plan.duplicates or len(plan.review) else 0)


@app.command("tag")
def tag_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """更新客户阶段、价值层级、自动标签和下次回访日期。 / Check stages, tiers and tags and update them."""
    lang = language(lang)
    outcome = _run(lang, path, lambda progress: tag_app.run(
        FileStore(path, progress), today=_today(today), lang=lang))
    out.print(t("tag.done", lang, file=outcome.book.path.name, **outcome.changed), markup=False)
    _report_validation(outcome, lang)
    raise typer.Exit(1 if len(outcome.result.problems) else 0)


@app.command("summary")
def summary_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    month: Annotated[str | None, typer.Option("--month", help="汇总哪个月 YYYY-MM，默认上个月。 / Month, default last.")] = None,
    export: Annotated[Path | None, typer.Option("--export", help="另存为单独的 xlsx。 / Also save to this .xlsx.")] = None,
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """生成“月度汇总-YYYY-MM”（带图表）和“反馈统计”。 / Write the monthly summary sheet with charts."""
    lang = language(lang)
    outcome = _run(lang, path, lambda progress: _summarize(
        FileStore(path, progress), today=_today(today), month=_month(month), export=export))
    out.print(t("summary.done", lang, file=outcome.book.path.name, sheet=outcome.sheet_name,
                blocks=len(outcome.blocks)), markup=False)
    if export is not None:
        out.print(t("summary.exported", lang, path=export), markup=False)


def _summarize(store: FileStore, *, today: dt.datetime, month, export: Path | None) -> summary_app.SummaryOutcome:
    """The summary, and the same sheet alone in ``export`` (refused before anything is written if it exists)."""
    if export is not None and export.exists():
        raise errors.TargetExists(file=export.name)
    outcome = summary_app.run(store, today=today, month=month)
    if export is not None:
        with errors.after_writing(f"{store.name} 的“{outcome.sheet_name}”", outcome.backup):
            store.export(export, [outcome.output])
    return outcome


def _month(value: str | None):
    if value is None:
        return None
    try:
        return pd.Period(dt.datetime.strptime(value, "%Y-%m"), "M")
    except ValueError:
        raise errors.BadMonth(value=value) from None


@app.command("remind")
def remind_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示，不写文件不发邮件。 / Show only.")] = False,
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """生成“回访任务”，给每个人发今天的回访清单。 / Write 回访任务 and send today's reminders."""
    lang = language(lang)
    outcome = _run(lang, path, lambda progress: remind.run(
        FileStore(path, progress), today=_today(today), dry_run=dry_run))
    for line in outcome.lines(lang, dry_run):
        out.print(line, markup=False)
    raise typer.Exit(1 if outcome.skipped or outcome.delivery.get("failed") else 0)  # done, and some mail did not go


class _RunByDefault(TyperGroup):
    """`crm-sheets job PATH …` is `crm-sheets job run PATH …`: a first word that names no subcommand goes to run."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


job_app = typer.Typer(
    cls=_RunByDefault,
    no_args_is_help=True,
    help="后台任务：crm-sheets job PATH 运行它，crm-sheets job setup PATH 让系统在登录后自动运行它。 "
         "/ Run the background job (job PATH), or have the OS start it at logon (job setup PATH).",
)
app.add_typer(job_app, name="job")


@job_app.command("run")
def job_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    once: Annotated[bool, typer.Option("--once", help="把现在该做的做一遍就退出（给计划任务用）。 / Do what is due now, then exit.")] = False,
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """后台任务：每天定时打标签、发回访提醒，每月1日写月报。 / Run the job: check, tag and remind daily, summarise monthly."""
    from .job import Job, file_log

    lang = language(lang)
    job = _run(lang, path, lambda progress: Job(path, log=file_log(path.resolve().parent)))
    if today is not None:  # that day at the send time, so the day's work is due
        day = _run(lang, path, lambda progress: _today(today))
        job.clock = lambda: dt.datetime.combine(day.date(), job.send_at)
    if once:
        done = _run(lang, path, lambda progress: job.tick())
        out.print(t("job.once", lang, done="；".join(done) or t("job.nothing", lang)), markup=False)
        return
    out.print(t("job.started", lang, path=path, time=job.send_at.strftime("%H:%M"),
                log=path.resolve().parent / "crm-sheets-job.log"), markup=False)
    job.serve()


@app.command("export")
def export_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    owner: Annotated[str | None, typer.Option("--owner", help="导出谁的客户。 / Whose customers.")] = None,
    all_owners: Annotated[bool, typer.Option("--all-owners", help="每人一个文件。 / One file per person.")] = False,
    out_path: Annotated[Path | None, typer.Option("--out", help="输出文件或文件夹。 / Output file or folder.")] = None,
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """导出某人的客户、跟进和回访任务（电话打码）。 / Write one person's customers to their own workbook."""
    lang = language(lang)
    if not owner and not all_owners:
        err.print(t("export.which", lang), markup=False)
        raise typer.Exit(2)
    written = _run(lang, path, lambda progress: export_app.run(FileStore(path, progress), owner=None if all_owners
                   else owner, target=out_path, today=_today(today), lang=lang))
    for who, file in written.files.items():
        out.print(t("export.done", lang, owner=who, path=file), markup=False)
    if cut := written.cut_line(lang):
        out.print(cut, markup=False)


@app.command("build-templates")
def build_templates_cmd(
    folder: Annotated[Path, typer.Argument(help="输出文件夹。 / Output folder.")] = Path("workbook_templates"),
    addin: Annotated[bool, typer.Option(
        "--addin", help="写 crm-template-addin.xlsm：按钮靠 xlwings 加载项运行。 / Buttons that need the xlwings add-in.",
    )] = False,
    lang: LangOpt = None,
) -> None:
    """按已安装的 xlwings 从 schema 和 macros/ 重新生成模板（.xlsx 和带按钮、自带 xlwings 模块的 .xlsm）。 / Build the
    templates from the schema and macros/ for the installed xlwings."""
    from .templates import build_templates

    lang = language(lang)
    written = _run(lang, str(folder), lambda progress: build_templates(folder, addin=addin))
    for path in written:
        out.print(t("new.done", lang, path=path), markup=False)


@app.command("restore")
def restore_cmd(
    path: Annotated[Path, typer.Argument(help="要恢复的工作簿。 / The workbook to restore.")],
    show: Annotated[bool, typer.Option("--list", help="只列出备份。 / Only list the backups.")] = False,
    pick: Annotated[int, typer.Option("--pick", help="用第几份备份（1 = 最新）。 / Which backup, 1 = newest.")] = 1,
    lang: LangOpt = None,
) -> None:
    """用 .crm-backups 里的备份恢复工作簿。 / Write a backup from .crm-backups back in place."""
    from .workbook.safety import list_backups

    lang = language(lang)
    if show:
        for n, backup in enumerate(list_backups(path), start=1):
            stat = backup.stat()
            when = dt.datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M:%S")
            out.print(t("restore.list", lang, n=n, name=backup.name, when=when, size=stat.st_size // 1024),
                      markup=False)
        return
    backup, saved = _run(lang, path, lambda progress: restore_app.run(FileStore(path, progress), pick=pick))
    key = "restore.done" if saved else "restore.done_missing"
    out.print(t(key, lang, file=path.name, backup=backup.name, saved=saved), markup=False)


@app.command("demo")
def demo_cmd(
    directory: Annotated[Path, typer.Argument(help="演示文件放在哪个文件夹。 / Folder for the demo.")] = Path(
        "crm-demo"
    ),
    today: TodayOpt = None,
    lang: LangOpt = None,
) -> None:
    """生成一个真实规模的演示工作簿并跑一遍所有功能。 / Build a realistic workbook and run everything on it."""
    from .demo import write_demo

    lang = language(lang)
    started = time.perf_counter()
    try:
        with err.status(t("progress.demo", lang)) as status:
            demo_path, demo = write_demo(directory, today=_today(today))
            out.print(
                t(
                    "demo.written",
                    lang,
                    path=demo_path,
                    customers=len(demo.frames["客户信息"]),
                    followups=len(demo.frames["跟进记录"]),
                    orders=len(demo.frames["交易记录"]),
                    tickets=len(demo.frames["服务工单"]),
                ),
                markup=False,
            )
            store = FileStore(demo_path, _progress(lang, status))
            outcome = validate_app.run(store, today=_today(today), lang=lang)
            duplicates = dedupe_app.run(store, today=_today(today))
            tagged = tag_app.run(store, today=_today(today), lang=lang)
            summary = summary_app.run(store, today=_today(today))
            reminded = remind.run(store, today=_today(today))
    except Exception as exc:  # noqa: BLE001
        _fail(exc, lang, str(directory))
    _report_validation(outcome, lang)
    _report_duplicates(duplicates, lang)
    out.print(t("tag.done", lang, file=demo_path.name, **tagged.changed), markup=False)
    out.print(t("summary.done", lang, file=demo_path.name, sheet=summary.sheet_name, blocks=len(summary.blocks)),
              markup=False)
    out.print(t("demo.reminders", lang, tasks=len(reminded.sheet), mails=len(reminded.mails),
                path=demo_path.parent / "outbox"), markup=False)
    out.print(t("demo.look", lang), markup=False)
    if (config := excel_setup.user_config()) is not None:  # the demo's buttons work on this PC too; Linux has no Excel
        try:
            out.print("\n".join(cli_excel_setup.excel_setup_lines(lang, config)), markup=False)
        except Exception as exc:  # noqa: BLE001 - the demo itself is done: say why the buttons need a step more
            out.print(_message(exc, lang, "xlwings.conf"), markup=False)
    out.print(t("demo.time", lang, seconds=time.perf_counter() - started), markup=False)


# The commands that move rows between workbooks and the history database register themselves on ``app``.
from . import cli_excel_setup, cli_job_setup, cli_rows  # noqa: E402,F401


def main() -> None:
    replace_unprintable()
    app()
