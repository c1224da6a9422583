"""What several commands do alike: number new customers, check the data, insist on a CRM workbook."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pandas as pd

from .. import errors
from ..model.book import Book
from ..model.outputs import Changes
from ..model.problems import Refusal
from ..model.tables import SheetTable
from ..rules.ids import assign_ids
from ..rules.privacy import masked_phones, masked_text
from ..rules.validate import ValidationResult, team_problems, validate
from ..reasons import explained
from ..values import neutralize, shown_text
from ..schema import SHEETS, Sheet
from .store import Store


@contextmanager
def worded_refusals() -> Iterator[None]:
    """A refusal of the core (a code and its facts) as the one-line error staff read: rules/ hold no sentences."""
    try:
        yield
    except Refusal as refusal:
        raise errors.REFUSALS[refusal.code](**refusal.facts) from None


def crm_workbook(store: Store, sheets: tuple[Sheet, ...] = SHEETS) -> Book:
    """Commands that write our sheets cannot work on a CSV or an export.  A CSV is refused before it is read, so
    its own faults (empty, an encoding) are not told first, only to end in "not a workbook" once mended."""
    if store.is_csv():
        raise errors.NotAWorkbook(file=store.name)
    book = store.read(sheets=sheets)
    if book.kind != "xlsx":
        raise errors.NotAWorkbook(file=book.path.name)
    return book


def refuse_existing(files: Iterable[Path]) -> None:
    """Files a command makes are never written over: all are checked before any is written, so a refusal
    leaves nothing half done."""
    for file in files:
        if file.exists():
            raise errors.TargetExists(file=file.name)


def new_customer_ids(book: Book, today: dt.datetime) -> pd.DataFrame:
    """Ids for new customers of a CRM workbook (exports and CSVs are not ours to number), applied to ``book``."""
    customers = book.tables["customers"]
    if book.kind != "xlsx" or "customer_id" not in customers.letters:
        return pd.DataFrame(columns=["customer_id", "created_at"])
    with worded_refusals():
        assigned = assign_ids(customers, today)
    _apply_ids(customers, assigned)
    return assigned


def id_changes(book: Book, assigned: pd.DataFrame, changes: Changes | None = None) -> Changes:
    """``changes`` with the new ids and creation times of 客户信息 (ids first: a later change of a row wins)."""
    name = book.tables["customers"].sheet.name
    out: Changes = {sheet: {row: dict(values) for row, values in rows.items()} for sheet, rows in (changes or {}).items()}
    ids = {int(r): {k: assigned.at[r, k] for k in ("customer_id", "created_at") if k in assigned.columns}
           for r in assigned.index}
    if ids:
        rows = out.setdefault(name, {})
        for row, values in ids.items():
            rows[row] = {**values, **rows.get(row, {})}
    return out


def _apply_ids(table: SheetTable, assigned: pd.DataFrame) -> None:
    """Let the rest of the run see the new ids as if staff had typed them."""
    for key in ("customer_id", "created_at"):
        if key in table.data.columns and key in assigned.columns:
            table.data.loc[assigned.index, key] = assigned[key]
            table.text.loc[assigned.index, key] = shown_text(assigned[key])


def check_book(book: Book, today: dt.datetime, lang: str) -> ValidationResult:
    """validate() with the workbook's own lists and team (a CSV has no team to check names against), its problems
    said in ``lang`` as 校验结果 shows them."""
    result = validate(book.tables, options=book.options, team=book.team_names if book.kind == "xlsx" else None,
                      today=today)
    team = team_problems(book.team)
    if len(team):  # 团队 first: a bad address stops that person's reminders
        result = replace(result, problems=pd.concat([team, result.problems], ignore_index=True),
                         summary={**result.summary, "problems": result.summary["problems"] + len(team)})
    return explained(result, lang, book.options)


def as_written(table: SheetTable, rows: pd.Index, *, full_phones: bool = True) -> pd.DataFrame:
    """Rows under Chinese headers as the template writer takes them: dates and numbers typed, text as written
    (history is copied verbatim, so collect recognises it when it comes back)."""
    out = {}
    for f in table.sheet.fields:
        if f.key not in table.letters:
            continue
        if f.type in ("date", "datetime", "money", "number"):
            # A value the tool cannot read (2024-13-45, 五千) goes as written: a copy never loses a cell.
            typed = table.data.loc[rows, f.key]
            out[f.header] = typed.astype(object).where(typed.notna(), table.text.loc[rows, f.key])
        elif f.type == "phone" and not full_phones:
            out[f.header] = masked_phones(table.data.loc[rows, f.key])
        else:
            out[f.header] = table.text.loc[rows, f.key]
    return pd.DataFrame(out)


def copy_rows(table: SheetTable, rows: pd.Index, *, full_phones: bool, private: bool = False) -> pd.DataFrame:
    """Rows for a person's own workbook (export, distribute): as_written, with mobiles in free text masked too
    when ``private``, and every text Excel would take for a formula once edited quoted with ' (a customer's
    =HYPERLINK(...) stays text in the copy; collect takes the quote off again).  A readable phone is left as
    it is: +86 138… is a number, not a formula."""
    out = as_written(table, rows, full_phones=full_phones)
    for f in table.sheet.fields:
        if f.header not in out.columns:
            continue
        column = out[f.header]
        if private and f.type not in ("date", "datetime", "money", "number", "phone"):
            column = masked_text(column)
        quoted = column.map(lambda v: neutralize(v) if isinstance(v, str) else v)
        if f.type == "phone" and full_phones:
            quoted = quoted.where(table.data.loc[rows, f.key] == "", column)
        out[f.header] = quoted
    return out


def unquoted(table: SheetTable) -> SheetTable:
    """A person's copy as it was before copy_rows quoted its formula-like text."""
    return replace(table, text=_unquoted(table.text), data=_unquoted(table.data))


def _unquoted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame
    for column in frame.columns:
        cells = frame[column]
        quoted = cells.map(lambda v: isinstance(v, str) and v[:1] == "'" and neutralize(v[1:]) == v).astype(bool)
        if quoted.any():
            out = out.copy() if out is frame else out
            out[column] = cells.where(~quoted, cells[quoted].str[1:])
    return out
