"""The workbook file as a Store: read with python-calamine, written back part by part (workbook/)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO, cast

import pandas as pd

from .. import errors, schema
from ..model.outputs import Changes, Output, SummaryOut
from ..schema import Sheet
from ..templates import write_workbook
from ..values import cell_value
from ..model.headers import column_index
from ..workbook.cells import CellValue
from ..workbook.extent import sheet_end
from ..workbook.charts import summary_sheet
from ..settings import Settings
from ..model.book import Book
from ..workbook.read import read_book, read_settings, read_tool_sheet
from ..workbook.rowdrop import CannotMove
from ..workbook.sniff import sniff
from .history import attach_history
from ..workbook.safety import exclusive, list_backups, open_in_excel, refuse_if_open, replace_atomically
from ..workbook.write import ToolSheet, frame_sheet, write_back, write_standalone


def _quiet(_: str) -> None:
    return None


class FileStore:
    def __init__(self, path: str | Path, progress: Callable[[str], None] = _quiet) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.folder = self.path.parent
        self.progress = progress

    def read(self, *, need: tuple[str, ...] = ("customers",), sheets: tuple[Sheet, ...] = schema.SHEETS,
             required: set[str] | None = None) -> Book:
        book = read_book(self.path, need=need, sheets=sheets, required=required)
        if schema.ARCHIVE_LOG.name in book.sheet_names and set(book.tables) - {"customers"}:
            attach_history(book, self.tool_frame(schema.ARCHIVE_LOG), self.tool_frame(schema.MERGE_LOG))
        return book

    def is_csv(self) -> bool:
        return sniff(self.path) == "csv"

    def expect_write(self) -> None:
        """Refuse now, before reading a big workbook for nothing, if Excel has it open (a CSV is never written)."""
        if self.path.suffix.lower() in (".xlsx", ".xlsm"):
            refuse_if_open(self.path)

    def open_in_excel(self) -> bool:
        """Whether Excel has the file open: a write now would be refused."""
        return open_in_excel(self.path) is not None

    def settings(self) -> Settings:
        return read_settings(self.path)

    def tool_frame(self, sheet: Sheet) -> pd.DataFrame:
        return read_tool_sheet(self.path, sheet)

    def sheet_end(self, sheet: Sheet) -> tuple[list[str], int] | None:
        return sheet_end(self.path, sheet.name)

    def write(self, book: Book, outputs: Sequence[Output], changes: Changes,
              removed: dict[str, list[int]] | None = None) -> Path | None:
        cells = cell_changes(book, changes)
        try:
            return write_back(self.path, tool_sheets=[tool_sheet(o) for o in outputs], cells=cells, removed=removed,
                              keep_backups=keep_backups(book)).backup
        except CannotMove as exc:
            raise errors.CannotArchive(file=self.path.name, sheet=next(iter(removed or {}), ""), reason=str(exc)) \
                from None

    def export(self, target: Path, outputs: Sequence[Output]) -> None:
        """Tool sheets on their own in a new workbook (a summary to send around)."""
        write_standalone(target, [tool_sheet(o) for o in outputs])

    def new_workbook(self, target: Path, data: dict[str, pd.DataFrame], outputs: Sequence[Output],
                     *, buttons: bool = False) -> None:
        """A new workbook from the template holding ``data``, plus ``outputs`` (a person's own copy)."""
        new_workbook(target, data, outputs, buttons=buttons)

    def restore(self, pick: int) -> tuple[Path, Path | None]:
        """Put backup number ``pick`` (1 = newest) back in place; the current file is backed up first.

        Works when the workbook is damaged or gone, which is when it is needed.
        """
        backups = list_backups(self.path)
        if not backups:
            raise errors.NoBackups(file=self.name)
        if not 1 <= pick <= len(backups):
            raise errors.NoSuchBackup(file=self.name, pick=pick, count=len(backups))
        chosen = backups[pick - 1]
        data = chosen.read_bytes()

        def produce(out: BinaryIO) -> None:
            out.write(data)

        with exclusive(self.path):
            if self.path.exists():
                # keep every existing backup: the rotation must not drop the one being restored
                return chosen, replace_atomically(self.path, produce, keep_backups=len(backups) + 1)
            tmp = self.path.with_name(f".~{self.path.stem}.restore.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, self.path)
            return chosen, None


def tool_sheet(output: Output) -> ToolSheet:
    if isinstance(output, SummaryOut):
        return summary_sheet(output.name, output.heading, output.blocks, output.no_data)
    return frame_sheet(output.sheet, output.frame)


def cell_changes(book: Book, changes: Changes) -> dict[str, dict[int, dict[int, CellValue]]]:
    """{sheet: {row: {field key: value}}} as the cells of the sheet ({row: {0-based column: value}})."""
    by_name = {t.sheet.name: t for t in book.tables.values()}
    cells: dict[str, dict[int, dict[int, object]]] = {}
    for sheet, rows in changes.items():
        columns = {k: column_index(letter) for k, letter in by_name[sheet].letters.items()}
        target = cells.setdefault(sheet, {})
        for row, values in rows.items():
            target.setdefault(row, {}).update({columns[k]: cell_value(v) for k, v in values.items() if k in columns})
    # The rules compute text, numbers, dates and blanks; cell_value turns the pandas ones into plain ones.
    return cast("dict[str, dict[int, dict[int, CellValue]]]", cells)


def keep_backups(book: Book) -> int:
    return book.settings.backups_kept


def new_workbook(target: Path, data: dict[str, pd.DataFrame], outputs: Sequence[Output], *, buttons: bool) -> None:
    """A new file from the template, whichever store the data came from (the file on disk or the book in Excel)."""
    from ..vba import vba_project  # only copies with buttons need the VBA project built

    write_workbook(target, data=data, extra=[tool_sheet(o) for o in outputs], vba=vba_project() if buttons else None)
