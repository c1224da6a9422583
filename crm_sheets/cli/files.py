"""The commands around the workbook's files: export, build-templates, restore, demo, excel-setup."""

from __future__ import annotations

import datetime as dt
import platform
import time
from pathlib import Path
from typing import Annotated

import typer

from .. import errors, excel_setup
from ..api import Workbook
from ..i18n import t
from ._common import Lang, Today, err, fail, message, on_workbook, out, progress, run, say

commands = typer.Typer()


@commands.command("export")
def export_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    *,
    owner: Annotated[str | None, typer.Option("--owner", help="导出谁的客户。 / Whose customers.")] = None,
    all_owners: Annotated[bool, typer.Option("--all-owners", help="每人一个文件。 / One file per person.")] = False,
    out_path: Annotated[Path | None, typer.Option("--out", help="输出文件或文件夹。 / Output file or folder.")] = None,
    today: Today,
    lang: Lang = "",
) -> None:
    """导出某人的客户、跟进和回访任务（电话打码）。 / Write one person's customers to their own workbook."""
    if not owner and not all_owners:
        err.print(t("export.which", lang), markup=False)
        raise typer.Exit(2)
    written = on_workbook(lang, path, today, lambda book: book.export(None if all_owners else owner, out_path))
    for who, file in written.files.items():
        out.print(t("export.done", lang, owner=who, path=file), markup=False)
    if cut := written.cut_line(lang):
        out.print(cut, markup=False)


@commands.command("build-templates")
def build_templates_cmd(
    folder: Annotated[Path, typer.Argument(help="输出文件夹。 / Output folder.")] = Path("workbook_templates"),
    addin: Annotated[bool, typer.Option(
        "--addin", help="写 crm-template-addin.xlsm：按钮靠 xlwings 加载项运行。 / Buttons that need the xlwings add-in.",
    )] = False,
    lang: Lang = "",
) -> None:
    """按已安装的 xlwings 从 schema 和 macros/ 重新生成模板（.xlsx 和带按钮、自带 xlwings 模块的 .xlsm）。 / Build the
    templates from the schema and macros/ for the installed xlwings."""
    from ..templates import build_templates

    written = run(lang, str(folder), lambda progress: build_templates(folder, addin=addin))
    for path in written:
        out.print(t("new.done", lang, path=path), markup=False)


@commands.command("restore")
def restore_cmd(
    path: Annotated[Path, typer.Argument(help="要恢复的工作簿。 / The workbook to restore.")],
    show: Annotated[bool, typer.Option("--list", help="只列出备份。 / Only list the backups.")] = False,
    pick: Annotated[int, typer.Option("--pick", help="用第几份备份（1 = 最新）。 / Which backup, 1 = newest.")] = 1,
    lang: Lang = "",
) -> None:
    """用 .crm-backups 里的备份恢复工作簿。 / Write a backup from .crm-backups back in place."""
    from ..workbook.safety import list_backups

    if show:
        for n, backup in enumerate(list_backups(path), start=1):
            stat = backup.stat()
            when = dt.datetime.fromtimestamp(stat.st_mtime).strftime("%Y-%m-%d %H:%M:%S")
            out.print(t("restore.list", lang, n=n, name=backup.name, when=when, size=stat.st_size // 1024),
                      markup=False)
        return
    backup, saved = on_workbook(lang, path, None, lambda book: book.restore(pick))
    key = "restore.done" if saved else "restore.done_missing"
    out.print(t(key, lang, file=path.name, backup=backup.name, saved=saved), markup=False)


@commands.command("demo")
def demo_cmd(
    directory: Annotated[Path, typer.Argument(help="演示文件放在哪个文件夹。 / Folder for the demo.")] = Path(
        "crm-demo"
    ),
    *,
    today: Today,
    lang: Lang = "",
) -> None:
    """生成一个真实规模的演示工作簿并跑一遍所有功能。 / Build a realistic workbook and run everything on it."""
    from ..demo import write_demo

    started = time.perf_counter()
    try:
        with err.status(t("progress.demo", lang)) as status:
            demo_path, demo = write_demo(directory, today=today)
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
            book = Workbook(demo_path, today=today, lang=lang, progress=progress(lang, status))
            outcome = book.validate()
            duplicates = book.dedupe()
            tagged = book.tag()
            summary = book.summary()
            reminded = book.remind()
    except Exception as exc:  # noqa: BLE001
        fail(exc, lang, str(directory))
    say([*outcome.lines(lang), *duplicates.lines(lang), tagged.changed_line(lang), *summary.lines(lang)])
    out.print(t("demo.reminders", lang, tasks=len(reminded.sheet), mails=len(reminded.mails),
                path=demo_path.parent / "outbox"), markup=False)
    out.print(t("demo.look", lang), markup=False)
    if (config := excel_setup.user_config()) is not None:  # the demo's buttons work on this PC too; Linux has no Excel
        try:
            out.print("\n".join(excel_setup_lines(lang, config)), markup=False)
        except Exception as exc:  # noqa: BLE001 - the demo itself is done: say why the buttons need a step more
            out.print(message(exc, lang, "xlwings.conf"), markup=False)
    out.print(t("demo.time", lang, seconds=time.perf_counter() - started), markup=False)


@commands.command("excel-setup")
def excel_setup_cmd(lang: Lang = "") -> None:
    """让这台电脑上 Excel 的按钮用装了 crm-sheets 的 Python 运行（写入用户自己的 xlwings.conf）。 / Make Excel's
    buttons on this PC run the Python crm-sheets is installed in."""
    try:
        if (config := excel_setup.user_config()) is None:
            raise errors.NoExcelHere(system=platform.system())
        lines = excel_setup_lines(lang, config)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and exit 2
        fail(exc, lang, "xlwings.conf")
    out.print("\n".join(lines), markup=False)


def excel_setup_lines(lang: str, config: excel_setup.UserConfig) -> list[str]:
    done = excel_setup.setup(config)
    lines = [t("excel_setup.done" if done.changed else "excel_setup.same", lang, python=done.interpreter,
               conf=done.config.path)]
    if done.applescript is not None:
        lines.append(t("excel_setup.applescript", lang, path=done.applescript))
    return lines
