"""The commands that move rows between workbooks: distribute and collect (one workbook per person) and archive
(history beyond the workbook)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import t
from ._common import Lang, Today, asked_day, err, on_workbook, out

commands = typer.Typer()


@commands.command("distribute")
def distribute_cmd(
    path: Annotated[Path, typer.Argument(help="总表工作簿。 / The master workbook.")],
    *,
    out_path: Annotated[Path | None, typer.Option(
        "--out", help="放各人工作簿的文件夹，默认总表旁的“<总表>-分发”。 / Folder for the copies.")] = None,
    today: Today,
    lang: Lang = "",
) -> None:
    """给团队每人生成自己的工作簿（自己的客户和记录，带按钮）。 / Write one workbook per person."""
    written = on_workbook(lang, path, today, lambda book: book.distribute(out_path))
    folder = next(iter(written.files.values())).parent if written.files else out_path
    out.print(t("distribute.done", lang, file=path.name, count=len(written.files), folder=folder), markup=False)
    if cut := written.cut_line(lang):
        out.print(cut, markup=False)


@commands.command("collect")
def collect_cmd(
    path: Annotated[Path, typer.Argument(help="总表工作簿。 / The master workbook.")],
    sources: Annotated[list[Path] | None, typer.Argument(
        help="各人的工作簿，或放它们的文件夹；默认总表旁的“<总表>-分发”。 / People's workbooks, or folders of them.",
        show_default=False)] = None,
    *,
    today: Today,
    lang: Lang = "",
) -> None:
    """把各人工作簿里新增和改动的内容汇总进总表，重复的只收一次。 / Bring people's work into the master, once."""
    outcome = on_workbook(lang, path, today, lambda book: book.collect(sources or None))
    out.print("\n".join(outcome.report(path.name, lang)), markup=False)
    raise typer.Exit(1 if len(outcome.plan.conflicts) else 0)


@commands.command("archive")
def archive_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    *,
    before: Annotated[dt.datetime | None, typer.Option(
        "--before", parser=str, callback=asked_day, metavar="YYYY-MM-DD", help="移走这一天以前的跟进、交易和已解决工单（YYYY-MM-DD）；与 --restore 同用：只放回这一天及以后的。"
        " / Move rows dated before this day; with --restore: put back those dated on or after it.")] = None,
    restore: Annotated[bool, typer.Option("--restore", help="把归档的行放回工作簿。 / Put archived rows back.")] = False,
    today: Today,
    lang: Lang = "",
) -> None:
    """把旧的跟进、交易和已解决工单移到历史数据库（或放回）；各命令照样把它们算进去。 / Move old rows to the history database."""
    if before is None and not restore:
        err.print(t("archive.need_before", lang), markup=False)
        raise typer.Exit(2)
    outcome = on_workbook(lang, path, today, lambda book: book.archive(before, restore=restore))
    counts = "、".join(f"{name} {n}" for name, n in outcome.moved.items()) or "0"
    out.print(t("archive.restored" if restore else "archive.done", lang, file=path.name, counts=counts),
              markup=False)
    if outcome.backup:
        out.print(t("validate.backup", lang, path=outcome.backup), markup=False)
