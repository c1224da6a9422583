"""归档 (`crm-sheets archive`): old follow-ups, orders and resolved tickets moved to the history database and
back (README "历史数据库 / History beyond the workbook").

A move is three steps: the rows go into the database as a batch marked moving; one atomic write of the workbook
removes them and names the batch on 归档记录; the batch is marked done.  Putting back runs the other way.  Before
either, and before any command reads history, ``recover`` settles a batch a kill left half way by what
归档记录 says, so every row is in exactly one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import faults, schema
from ..model.book import Book
from ..model.outputs import FrameOut
from ..model.tables import SheetTable
from ..rules.past import COLUMNS as DECIDING
from ..rules.past import standing_for_all
from ..rules.summary import FEEDBACK_COLUMNS, feedback_counts
from ..stores.history import DONE, FEEDBACK, RESTORING, STANDING, batches_in_effect, open_history, recover
from .common import as_written, crm_workbook

MOVED = ("followups", "orders", "tickets")
RESOLVED = "已解决"


@dataclass
class ArchiveOutcome:
    book: Book
    moved: dict[str, int]  # sheet name -> rows moved (or put back)
    batch: str
    backup: Path | None


def archive(store, *, before: dt.date, today: dt.datetime) -> ArchiveOutcome:
    """Move the rows dated before ``before`` that no rule needs in view any more."""
    store.expect_write()
    store.progress("progress.read")
    book = crm_workbook(store)
    history = open_history(book)
    try:
        recover(history, batches_in_effect(store.tool_frame(schema.ARCHIVE_LOG)))
        picked = {key: _old_rows(book.tables[key], pd.Timestamp(before)) for key in MOVED if key in book.tables}
        picked = {key: rows for key, rows in picked.items() if len(rows)}
        batch = _new_batch(history, today)
        if not picked:
            return ArchiveOutcome(book=book, moved={}, batch=batch, backup=None)
        parts = {book.tables[key].sheet.name: (book.tables[key].text.loc[idx], book.tables[key].data.loc[idx])
                 for key, idx in picked.items()}
        history.add(batch, parts, today, kept_beside(parts))
        faults.reached("moved to history")
        log = store.tool_frame(schema.ARCHIVE_LOG)
        moved = {name: len(text) for name, (text, _data) in parts.items()}
        entries = pd.DataFrame([{"batch": batch, "time": pd.Timestamp(today), "before": pd.Timestamp(before),
                                 "sheet": name, "rows": n} for name, n in moved.items()])
        store.progress("progress.write")
        backup = store.write(book, [FrameOut(schema.ARCHIVE_LOG, pd.concat([log, entries], ignore_index=True)
                                             if len(log) else entries)], {},
                             removed={book.tables[key].sheet.name: list(idx) for key, idx in picked.items()})
        history.set_state([batch], DONE)
        return ArchiveOutcome(book=book, moved=moved, batch=batch, backup=backup)
    finally:
        history.close()


def restore(store, *, today: dt.datetime, before: dt.date | None = None) -> ArchiveOutcome:
    """Put archived rows back at the end of their sheets: all of them, or (``before``) those dated on or after
    that day, so that the history keeps only rows dated before it, as `archive --before` that day would leave
    it.  The rows that stay go into a new batch, moving until the one write that names it on 归档记录 in
    place of the old ones: a kill at any moment leaves either the old batches or the new one in effect."""
    store.expect_write()
    store.progress("progress.read")
    book = crm_workbook(store)
    history = open_history(book)
    try:
        effect = batches_in_effect(store.tool_frame(schema.ARCHIVE_LOG))
        recover(history, effect)
        batches = [b for b, s in history.batches().items() if s == DONE and b in effect]
        if not batches:
            return ArchiveOutcome(book=book, moved={}, batch="", backup=None)
        back = {key: past.data.index if before is None else _dated_from(past, pd.Timestamp(before))
                for key, past in book.history.items()}  # read with the workbook, pointing at merges' survivors
        stay = {book.history[key].sheet.name: (book.history[key].text.drop(index=rows),
                                               book.history[key].data.drop(index=rows))
                for key, rows in back.items() if len(rows) < len(book.history[key].data)}
        if not any(len(rows) for rows in back.values()):
            return ArchiveOutcome(book=book, moved={}, batch="", backup=None)
        batch = _new_batch(history, today) if stay else ""
        if stay:
            history.add(batch, stay, today, kept_beside(stay))
        history.set_state(batches, RESTORING)
        changes: dict[str, dict[int, dict[str, object]]] = {}
        moved = {}
        for key, rows in back.items():
            table = book.tables[key]
            header, *cells = archived_rows(book.history[key], rows)
            keys = [{f.header: f.key for f in table.sheet.fields}[h] for h in header]
            start = int(table.text.index.max()) + 1 if len(table.text) else 2
            changes[table.sheet.name] = {start + k: dict(zip(keys, row)) for k, row in enumerate(cells)}
            moved[table.sheet.name] = len(cells)
        log = store.tool_frame(schema.ARCHIVE_LOG)
        kept = log[~log["batch"].astype(str).isin(batches)] if len(log) else log
        if stay:
            kept = pd.concat([kept, pd.DataFrame([{"batch": batch, "time": pd.Timestamp(today),
                                                   "before": pd.Timestamp(before), "sheet": name, "rows": len(text)}
                                                  for name, (text, _data) in stay.items()])], ignore_index=True)
        store.progress("progress.write")
        backup = store.write(book, [FrameOut(schema.ARCHIVE_LOG, kept)], changes)
        history.drop(batches)
        if stay:
            history.set_state([batch], DONE)
        return ArchiveOutcome(book=book, moved=moved, batch=",".join(batches), backup=backup)
    finally:
        history.close()


def kept_beside(parts: dict[str, tuple[pd.DataFrame, pd.DataFrame]]) -> dict[str, pd.DataFrame]:
    """What a batch keeps beside its follow-ups, so that a command reads that instead of millions of rows: the
    rows that stand for all of them (rules.past) and their feedback counts (反馈统计)."""
    name = schema.FOLLOWUPS.name
    if name not in parts:
        return {}
    data = parts[name][1]
    return {name + STANDING: data.iloc[standing_for_all(data[[c for c in DECIDING if c in data.columns]])],
            name + FEEDBACK: feedback_counts(data.reindex(columns=FEEDBACK_COLUMNS))}


def _new_batch(history, today: dt.datetime) -> str:
    """A batch name from the time, not yet in the database (two moves may share a --today)."""
    name = f"A{pd.Timestamp(today):%Y%m%d%H%M%S}"
    taken = set(history.batches())
    names = (f"{name}-{k}" if k else name for k in range(len(taken) + 1))
    return next(n for n in names if n not in taken)


def _dated_from(past: SheetTable, day: pd.Timestamp) -> pd.Index:
    """Archived rows dated on or after ``day`` (by the date archive moved them by)."""
    column = {"followups": "time", "orders": "date", "tickets": "resolved_at"}[past.sheet.key]
    return past.data.index[past.data[column] >= day]


def _old_rows(table: SheetTable, before: pd.Timestamp) -> pd.Index:
    """Rows dated before the day that no rule needs in view: not an open ticket, not a customer's latest
    follow-up (stages and the revisit rhythm start from it)."""
    data = table.data
    key = table.sheet.key
    if key == "followups":
        when = data["time"]
        latest = when.groupby(data["customer_id"]).transform("max")
        return data.index[(when < before) & (when < latest)]
    if key == "orders":
        return data.index[data["date"] < before]
    status = table.text["status"] if "status" in table.text.columns else pd.Series("", index=data.index)
    return data.index[(status == RESOLVED) & (data["resolved_at"] < before)]


def archived_rows(past: SheetTable, rows: pd.Index | None = None) -> list[list]:
    """Archived rows (default: all) as they would be written back (header first)."""
    return _cells(past, past.text.index if rows is None else rows)


def _cells(table: SheetTable, rows: pd.Index) -> list[list]:
    """The header, then the rows' cells as they would be written back (a date field's value as a date)."""
    frame = as_written(table, rows)
    kinds = {f.header: f.type for f in table.sheet.fields}
    dates = [kinds.get(h) == "date" for h in frame.columns]
    return [list(frame.columns)] + [[_cell(v, is_date) for v, is_date in zip(row, dates)]
                                     for row in frame.itertuples(index=False, name=None)]


def _cell(value: object, is_date: bool) -> object:
    if isinstance(value, float) and pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date() if is_date else value.to_pydatetime()
    return value
