"""What each button / command does, end to end: read, run the core, write back.

The CLI, the Excel buttons and the background job call these functions, so
they all give the same answer.  Nothing here knows about terminals or Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import schema
from .rules.ids import assign_ids
from .rules.validate import ValidationResult, validate
from .tables import SheetTable
from .workbook.cells import column_index
from .workbook.read import Book, read_book
from .workbook.write import frame_sheet, write_back

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class ValidateOutcome:
    book: Book
    result: ValidationResult
    assigned: pd.DataFrame
    backup: Path | None


def keep_backups(book: Book) -> int:
    value = book.setting("备份保留份数")
    return int(value) if value.isdigit() and int(value) > 0 else 10


def _apply_ids(table: SheetTable, assigned: pd.DataFrame) -> None:
    """Let the rest of the run see the new ids as if staff had typed them."""
    for key in ("customer_id", "created_at"):
        if key in table.data.columns and key in assigned.columns:
            table.data.loc[assigned.index, key] = assigned[key]
            if key == "customer_id":
                table.text.loc[assigned.index, key] = assigned[key]
            else:
                table.text.loc[assigned.index, key] = assigned[key].dt.strftime("%Y-%m-%d %H:%M")


def _id_cells(table: SheetTable, assigned: pd.DataFrame) -> dict[int, dict[int, object]]:
    columns = {k: column_index(table.letters[k]) for k in ("customer_id", "created_at") if k in table.letters}
    cells: dict[int, dict[int, object]] = {}
    for key, col in columns.items():
        for row, value in assigned[key].items():
            cells.setdefault(int(row), {})[col] = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return cells


def run_validate(
    path: str | Path, *, today: dt.datetime, lang: str = "zh", progress: Progress = _quiet
) -> ValidateOutcome:
    """Check every data sheet; in a workbook also assign ids and write 校验结果 / 数据质量."""
    progress("progress.read")
    book = read_book(path)
    customers = book.tables["customers"]
    assigned = pd.DataFrame(columns=["customer_id", "created_at"])
    writable = book.kind == "xlsx" and "customer_id" in customers.letters
    if writable:
        assigned = assign_ids(customers, today)
        _apply_ids(customers, assigned)
    progress("progress.check")
    result = validate(
        book.tables,
        options=book.options,
        team=book.team_names if book.kind == "xlsx" else None,
        today=today,
        lang=lang,
    )
    backup = None
    if book.kind == "xlsx":
        progress("progress.write")
        written = write_back(
            book.path,
            tool_sheets=[
                frame_sheet(schema.CHECK_RESULTS, result.problems),
                frame_sheet(schema.DATA_QUALITY, result.quality),
            ],
            cells={customers.sheet.name: _id_cells(customers, assigned)} if len(assigned) else {},
            keep_backups=keep_backups(book),
        )
        backup = written.backup
    return ValidateOutcome(book=book, result=result, assigned=assigned, backup=backup)
