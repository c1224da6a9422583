"""A file-backed stand-in for Excel behind xlwings' own API (xw.Book(impl=FileBook(path))).

Excel cannot run here, so the buttons' Python runs against this engine: the
workbook's cell values are read from the file once (python-calamine), every
read and write the buttons make goes through xlwings' Book/Sheet/Range
classes to these impl objects, and each engine call is counted.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from crm_sheets.model.headers import column_index, column_letters

CELL = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


class FileEngine:
    """What xlwings' conversion layer asks of an engine: how to clean values on the way in and out."""

    name = "file"
    type = "desktop"

    @staticmethod
    def prepare_xl_data_element(x, options=None):
        if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NaT:
            return None
        if isinstance(x, pd.Timestamp):
            return x.to_pydatetime()
        if isinstance(x, np.number):
            return x.item()
        return x

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(c):
            if c is None or c == "":
                return empty_as
            if number_builder is not None and isinstance(c, float):
                return number_builder(c)
            return c

        return [[clean(c) for c in row] for row in data]


class FileApp:
    pid = 0  # no process: Excel is not running
    engine = FileEngine()

    def __init__(self, book: FileBook) -> None:
        self.book = book
        self.status_history: list[object] = []
        self.alerts: list[str] = []

    @property
    def status_bar(self) -> object:
        return self.status_history[-1] if self.status_history else False

    @status_bar.setter
    def status_bar(self, value: object) -> None:
        self.book.calls["status_bar"] += 1
        self.status_history.append(value)

    def alert(self, prompt, title=None, buttons=None, mode=None, callback=None):
        self.book.calls["alert"] += 1
        self.alerts.append(prompt)


class FileBook:
    """Cell values of a workbook file, held in memory while the buttons work on them."""

    def __init__(self, path: Path) -> None:
        self.fullname = str(path)
        self.name = Path(path).name
        self.calls: Counter[str] = Counter()
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        self._sheets = [FileSheet(self, name, wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
                        for name in wb.sheet_names]
        self.app = FileApp(self)

    @property
    def sheets(self) -> FileSheets:
        self.calls["sheets"] += 1
        return FileSheets(self)

    def values(self, name: str) -> list[list]:
        sheet = next(s for s in self._sheets if s._name == name)
        return [row[:] for row in sheet.cells]


class FileSheets:
    def __init__(self, book: FileBook) -> None:
        self.book = book

    def __iter__(self):
        return iter(list(self.book._sheets))

    def __len__(self) -> int:
        return len(self.book._sheets)

    def __call__(self, name_or_index):
        self.book.calls["sheet"] += 1
        if isinstance(name_or_index, int):
            return self.book._sheets[name_or_index - 1]
        return next(s for s in self.book._sheets if s._name == name_or_index)

    def add(self, before=None, after=None, name=None):
        self.book.calls["add_sheet"] += 1
        sheet = FileSheet(self.book, name or f"Sheet{len(self.book._sheets) + 1}", [])
        self.book._sheets.append(sheet)
        return sheet


class FileSheet:
    def __init__(self, book: FileBook, name: str, rows: list[list]) -> None:
        self.book = book
        self._name = name
        self.cells = [list(r) for r in rows]
        self.chart_list: list[FileChart] = []

    @property
    def name(self) -> str:
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self.book.calls["rename"] += 1
        self._name = value

    @property
    def index(self) -> int:
        return self.book._sheets.index(self) + 1

    def range(self, arg1, arg2=None) -> FileRange:
        self.book.calls["range"] += 1
        r1, c1 = _cell(arg1)
        r2, c2 = _cell(arg2) if arg2 is not None else (r1, c1)
        return FileRange(self, r1, c1, r2, c2)

    @property
    def used_range(self) -> FileRange:
        self.book.calls["used_range"] += 1
        rows = len(self.cells) or 1
        cols = max((len(r) for r in self.cells), default=1) or 1
        return FileRange(self, 1, 1, rows, cols)

    def clear_contents(self) -> None:
        self.book.calls["clear_contents"] += 1
        self.cells = []

    @property
    def charts(self) -> FileCharts:
        return FileCharts(self)


def _cell(arg) -> tuple[int, int]:
    if isinstance(arg, tuple):
        return int(arg[0]), int(arg[1])
    if isinstance(arg, FileRange):
        return arg.r1, arg.c1
    match = CELL.match(str(arg).split(":")[0])
    return int(match.group(2)), column_index(match.group(1)) + 1


class FileRange:
    max_cells_per_read = max_cells_per_write = None  # no chunking: one call per read or write
    api = True  # xlwings only checks that there is something behind the range

    def __init__(self, sheet: FileSheet, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet, self.r1, self.c1, self.r2, self.c2 = sheet, r1, c1, r2, c2

    @property
    def raw_value(self):
        self.sheet.book.calls["read"] += 1
        cells = self.sheet.cells
        out = [[(cells[r - 1][c - 1] if r - 1 < len(cells) and c - 1 < len(cells[r - 1]) else None)
                for c in range(self.c1, self.c2 + 1)] for r in range(self.r1, self.r2 + 1)]
        out = [[None if v == "" else v for v in row] for row in out]
        if self.shape == (1, 1):
            return out[0][0]
        return out

    @raw_value.setter
    def raw_value(self, data) -> None:
        self.sheet.book.calls["write"] += 1
        if not isinstance(data, (list, tuple)):
            data = [[data]]
        elif data and not isinstance(data[0], (list, tuple)):
            data = [list(data)]
        cells = self.sheet.cells
        for i, row in enumerate(data):
            r = self.r1 + i
            while len(cells) < r:
                cells.append([])
            for j, value in enumerate(row):
                c = self.c1 + j
                while len(cells[r - 1]) < c:
                    cells[r - 1].append("")
                cells[r - 1][c - 1] = "" if value is None else value

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    @property
    def row(self) -> int:
        return self.r1

    @property
    def column(self) -> int:
        return self.c1

    @property
    def coords(self):
        return self.sheet.name, self.r1, self.c1, *self.shape

    def __call__(self, row: int, column: int = 1) -> FileRange:
        r, c = self.r1 + row - 1, self.c1 + column - 1
        return FileRange(self.sheet, r, c, r, c)

    def resize(self, row_size=None, column_size=None) -> FileRange:
        rows, cols = self.shape
        return FileRange(self.sheet, self.r1, self.c1, self.r1 + (row_size or rows) - 1,
                         self.c1 + (column_size or cols) - 1)

    def get_address(self, *_args) -> str:
        return f"${column_letters(self.c1 - 1)}${self.r1}:${column_letters(self.c2 - 1)}${self.r2}"

    @property
    def address(self) -> str:
        return self.get_address()

    @property
    def left(self) -> float:
        return 48.0 * (self.c1 - 1)

    @property
    def top(self) -> float:
        return 15.0 * (self.r1 - 1)

    @property
    def number_format(self) -> str:
        return "General"

    def __len__(self) -> int:
        rows, cols = self.shape
        return rows * cols


class FileCharts:
    def __init__(self, sheet: FileSheet) -> None:
        self.sheet = sheet

    def add(self, left, top, width, height, chart_type=None, source=None, **_options) -> FileChart:
        self.sheet.book.calls["chart"] += 1
        chart = FileChart(self.sheet, left, top, width, height)
        chart.chart_type, chart.source = chart_type, source
        self.sheet.chart_list.append(chart)
        return chart

    def __len__(self) -> int:
        return len(self.sheet.chart_list)


class FileChart:
    def __init__(self, sheet: FileSheet, left, top, width, height) -> None:
        self.sheet, self.left, self.top, self.width, self.height = sheet, left, top, width, height
        self.source = None
        self.chart_type = "column_clustered"
        self.name = f"Chart {len(sheet.chart_list) + 1}"
        self._title = None

    @property
    def title(self) -> str | None:
        return self._title

    @title.setter
    def title(self, value: str | None) -> None:
        self.sheet.book.calls["chart"] += 1
        self._title = value
