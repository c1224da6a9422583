"""Where each row of a tool sheet leads: the cell or the customer's row it is about, as an Excel reference
('客户信息'!E1124), so staff get there in one click instead of scrolling.

Worked out from the book the command read, once, for both stores (the file's hyperlinks, the open book's
HYPERLINK formulas).  A row about nothing in the workbook (a source file's row, an archived row) has no link.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import schema
from .book import Book
from .headers import column_letters
from .outputs import FrameOut

# Tool sheet key -> the field whose cell carries the row's link.
LINK_FIELDS: dict[str, str] = {
    schema.CHECK_RESULTS.key: "sheet",
    schema.DUPLICATES.key: "customer_id",
    schema.IMPORT_ERRORS.key: "value",
    schema.TASKS.key: "name",
    schema.SYNC_CONFLICTS.key: "master",
}
# 导入错误's code whose hint names the customer already in the workbook (an id, or a row when it has none).
EXISTING = "duplicate_existing"


@dataclass
class Links:
    column: int  # 0-based: the column of the tool sheet holding the links
    targets: list[str | None]  # per row of the frame: where it leads, or None


def reference(sheet: str, letter: str, row: int) -> str:
    """An internal reference Excel, LibreOffice and WPS all follow: the sheet name always quoted."""
    return f"{_prefix(sheet, letter)}{row}"


def _prefix(sheet: str, letter: str) -> str:
    """'客户信息'!D: a reference without its row."""
    return "'" + sheet.replace("'", "''") + f"'!{letter}"


def row_links(output: FrameOut, book: Book) -> Links | None:
    """The links of ``output``'s rows, or None for a sheet without any."""
    sheet, frame = output.sheet, output.frame
    key = LINK_FIELDS.get(sheet.key)
    if key is None or key not in frame.columns or not len(frame):
        return None
    if sheet.key == schema.CHECK_RESULTS.key:
        targets = _cells(book, frame["sheet"], frame["row"], frame["column"])
        return Links(sheet.keys.index(key), targets)
    customers = _Customers(book)
    if sheet.key == schema.IMPORT_ERRORS.key:
        hints = frame["hint"] if "hint" in frame.columns else pd.Series("", index=frame.index)
        targets = [customers.cell(str(h), "name") if code == EXISTING else None
                   for h, code in zip(hints, frame["code"].astype(str))]
    elif sheet.key == schema.SYNC_CONFLICTS.key:
        targets = [customers.cell(str(i), _key(schema.CUSTOMERS, h))
                   for i, h in zip(frame["customer_id"].fillna(""), frame["column"])]
    else:
        column = "customer_id" if sheet.key == schema.DUPLICATES.key else "name"
        targets = [customers.cell(str(i), column) for i in frame["customer_id"].fillna("")]
    return Links(sheet.keys.index(key), targets)


def _cells(book: Book, sheets: pd.Series, rows: pd.Series, headers: pd.Series) -> list[str | None]:
    """校验结果's rows: the sheet, row and column (a header) each names (100,000 rows at Excel's limit: each
    sheet and column is looked up once)."""
    tables = {t.sheet.name: t for t in book.tables.values()}
    numbers = pd.to_numeric(rows, errors="coerce").tolist()
    columns: dict[tuple[object, object], str | None] = {}
    out: list[str | None] = []
    for name, number, header in zip(sheets.tolist(), numbers, headers.tolist()):
        if (name, header) not in columns:
            columns[(name, header)] = _column(tables, name, header)
        at = columns[(name, header)]
        out.append(None if at is None or not number >= 1 else f"{at}{int(number)}")
    return out


def _column(tables: dict, name: object, header: object) -> str | None:
    """'客户信息'!D: where the column under ``header`` stands on the sheet ``name``."""
    declared = schema.SHEETS_BY_NAME.get(str(name))
    if declared is None:
        return None
    key = _key(declared, header)
    table = tables.get(declared.name)
    if table is not None:  # the column where this workbook has the field
        letter = table.letters.get(key or "", "A")
    else:  # a sheet the command did not read (团队): where the template puts it
        letter = column_letters(declared.keys.index(key)) if key else "A"
    return _prefix(declared.name, letter)


class _Customers:
    """Customers' rows on 客户信息 by id (the first row holding it)."""

    def __init__(self, book: Book) -> None:
        self.table = book.tables.get("customers")
        ids = self.table.text.get("customer_id") if self.table is not None else None
        self.rows: dict[str, int] = {} if ids is None else {
            i: r for r, i in zip(ids.index[::-1], ids.to_numpy()[::-1]) if i}
        self.columns: dict[str, str] = {}

    def cell(self, customer: str, key: str | None) -> str | None:
        """The cell of the field ``key`` in the customer's row (found by id, or a row number when it had none)."""
        table = self.table
        if table is None or not customer or key is None:
            return None
        row = self.rows.get(customer)
        if row is None and customer.isdigit() and int(customer) in table.text.index:
            row = int(customer)
        if row is None or row < 2:
            return None
        if key not in self.columns:
            self.columns[key] = _prefix(table.sheet.name, table.letters.get(key, table.letters.get("customer_id", "A")))
        return f"{self.columns[key]}{row}"


def _key(sheet: schema.Sheet, header: object) -> str | None:
    return next((f.key for f in sheet.fields if f.header == header), None)
