"""The book open in Excel as a Store: one bulk read per sheet, one bulk write per tool sheet and per changed column,
so the number of Excel calls does not grow with the number of rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import xlwings as xw

from .. import schema
from ..i18n import language, t
from ..model.headers import column_index
from ..model.layout import block_rows, summary_grid
from ..model.outputs import Changes, FrameOut, Output, SummaryOut
from ..schema import Sheet
from ..values import cell_value
from ..model.book import Book
from ..workbook.read import book_from_sheets, tool_frame
from .file import new_workbook
from .history import attach_history

CHART_TYPES = {"pie": "pie", "bar": "bar_clustered", "column": "column_clustered", "stacked": "column_stacked",
               "line": "line_markers"}


class ExcelStore:
    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self.name = book.name
        self.folder = Path(book.fullname).parent
        self.sheets = {sheet.name: sheet for sheet in book.sheets}
        self._rows: dict[str, list[list]] = {}

    def rows(self, name: str) -> list[list]:
        if name not in self._rows:
            self._rows[name] = _grid(self.sheets[name].used_range.value)
        return self._rows[name]

    def is_csv(self) -> bool:
        return False  # Excel has it open as a workbook, whatever the file was

    def read(self, *, need: tuple[str, ...] = ("customers",), sheets: tuple[Sheet, ...] = schema.SHEETS,
             required: set[str] | None = None) -> Book:
        book = book_from_sheets(Path(self.book.fullname), list(self.sheets), self.rows, need=need, sheets=sheets,
                                required=required)
        if schema.ARCHIVE_LOG.name in self.sheets and set(book.tables) - {"customers"}:  # buttons count them too
            attach_history(book, self.tool_frame(schema.ARCHIVE_LOG), self.tool_frame(schema.MERGE_LOG))
        return book

    def sheet_end(self, sheet: Sheet) -> None:
        """Excel holds the sheet in memory already: reading it is as cheap as asking where it ends."""

    def tool_frame(self, sheet: Sheet) -> pd.DataFrame:
        return tool_frame(sheet, self.rows(sheet.name) if sheet.name in self.sheets else [])

    def new_workbook(self, target: Path, data: dict[str, pd.DataFrame], outputs: Sequence[Output],
                     *, buttons: bool = False) -> None:
        """A person's copy is a new file on disk, written as the command line writes it."""
        new_workbook(target, data, outputs, buttons=buttons)

    def expect_write(self) -> None:
        """Excel itself takes the writes: nothing to refuse."""

    def progress(self, key: str) -> None:
        self.book.app.status_bar = t(key, language())

    def write(self, book: Book, outputs: Sequence[Output], changes: Changes) -> None:
        by_name = {table.sheet.name: table for table in book.tables.values()}
        for sheet_name, rows in changes.items():
            self._write_cells(sheet_name, by_name[sheet_name].letters, rows)
        for output in outputs:
            if isinstance(output, SummaryOut):
                self._write_summary(output)
            else:
                self._write_frame(output)

    def _write_rows(self, name: str, rows: list[list]) -> None:
        """Replace a tool sheet's contents with one bulk write (the sheet is added if missing)."""
        if name not in self.sheets:
            self.sheets[name] = self.book.sheets.add(name, after=self.book.sheets[len(self.sheets) - 1])
        sheet = self.sheets[name]
        sheet.clear_contents()
        width = max((len(r) for r in rows), default=1)
        sheet.range("A1").value = [[cell_value(v) for v in r] + [None] * (width - len(r)) for r in rows]

    def _write_frame(self, output: FrameOut) -> None:
        sheet = output.sheet
        body = output.frame.reindex(columns=[f.key for f in sheet.fields])
        self._write_rows(sheet.name, [sheet.headers, *map(list, body.itertuples(index=False))])

    def _write_summary(self, output: SummaryOut) -> None:
        self._write_rows(output.name, summary_grid(output.heading, output.blocks, output.no_data))
        sheet = self.sheets[output.name]
        for row, block in zip(block_rows(output.blocks), output.blocks):  # a chart for every block: same calls
            rows, cols = len(block.table) + 1, max(len(block.table.columns), 1)
            source = sheet.range((row + 2, 1), (row + 1 + rows, cols))
            chart = sheet.charts.add(left=48.0 * (cols + 1), top=15.0 * row, width=400, height=225,
                                     chart_type=CHART_TYPES[block.chart], source=source)
            chart.title = block.title

    def _write_cells(self, sheet_name: str, letters: dict[str, str], changes: dict[int, dict[str, object]]) -> None:
        """Changed cells, one bulk write per column: the column as read, with the changes applied."""
        if not changes:
            return
        rows = self.rows(sheet_name)
        last = max(max(changes), len(rows))
        by_column: dict[int, dict[int, object]] = {}
        for row, values in changes.items():
            for key, value in values.items():
                if key in letters:
                    by_column.setdefault(column_index(letters[key]), {})[row] = value
        for col, updates in by_column.items():
            current = [rows[r - 1][col] if r - 1 < len(rows) and col < len(rows[r - 1]) else None
                       for r in range(2, last + 1)]
            for row, value in updates.items():
                current[row - 2] = cell_value(value)
            self.sheets[sheet_name].range((2, col + 1)).value = [[v] for v in current]


def _grid(values: object) -> list[list]:
    """used_range.value as a list of rows (xlwings gives a scalar or a flat list for one cell or row)."""
    if values is None:
        return []
    if not isinstance(values, list):
        return [[values]]
    if values and not isinstance(values[0], list):
        return [values]
    return [[("" if c is None else c) for c in row] for row in values]
