"""History beyond the workbook (SPEC §5): follow-ups, orders and resolved tickets moved out of the data sheets
into a database — an SQLite file beside the workbook (WAL; nothing to install or start), or the team's
PostgreSQL when 设置 names one.

Rows are kept as the commands read them (each cell's text and its typed value, as columns), so three million
archived follow-ups come back in seconds exactly as if they were still in the sheet.  Rows move in batches; a batch is 'moving' until the workbook without its rows is on
disk, 'done' after, 'restoring' while it goes back.  The workbook's own 归档记录 sheet names the batches in
effect, and it is written in the same atomic write that removes or restores the rows: so after a kill at any
moment, ``recover`` tells from the workbook which side of the write the batch is on, and every row ends up in
exactly one place.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import errors, schema
from ..tables import SheetTable
from ..workbook.read import Book

MOVING, DONE, RESTORING = "moving", "done", "restoring"
PASSWORD_ENV = "CRM_SHEETS_DB_PASSWORD"
KEYRING_SERVICE = "crm-sheets"
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS crm_batches (batch TEXT PRIMARY KEY, state TEXT NOT NULL, moved_at TEXT NOT NULL)",
    # One part per batch and sheet: its rows as columns in a Parquet file.
    "CREATE TABLE IF NOT EXISTS crm_parts (batch TEXT NOT NULL, sheet TEXT NOT NULL, nrows INTEGER NOT NULL, "
    "part {blob} NOT NULL, PRIMARY KEY (batch, sheet))",
)


def history_url(workbook: Path, setting: str) -> str:
    """The database 设置 names, or the SQLite file beside the workbook."""
    setting = setting.strip()
    if not setting:
        return f"sqlite:///{workbook.with_name(workbook.stem + '.history.sqlite')}"
    parts = urlsplit(setting)
    if parts.scheme not in ("postgresql", "postgres", "sqlite"):
        raise errors.BadHistoryUrl(file=workbook.name, value=setting)
    if parts.password:
        raise errors.PasswordInWorkbook(file=workbook.name)
    return setting


class History:
    """The history database (SQLite or PostgreSQL), with the few statements archive needs."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            self.conn = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None, timeout=30)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.mark, blob = "?", "BLOB"
        else:
            import psycopg  # only a team with a server needs the driver loaded

            self.conn = psycopg.connect(_with_password(url), autocommit=True)
            self.mark, blob = "%s", "BYTEA"
        with self.transaction():
            for statement in SCHEMA:
                self._run(statement.format(blob=blob))

    def close(self) -> None:
        self.conn.close()

    def _run(self, sql: str, params: Iterable = ()) -> object:
        return self.conn.execute(sql.replace("?", self.mark), tuple(params))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._run("BEGIN")
        try:
            yield
        except BaseException:
            self._run("ROLLBACK")
            raise
        self._run("COMMIT")

    def add(self, batch: str, parts: dict[str, tuple[pd.DataFrame, pd.DataFrame]], when: dt.datetime) -> None:
        """A batch's rows (per sheet: their text and their typed values, by field key), marked moving, in one
        transaction."""
        with self.transaction():
            self._run("INSERT INTO crm_batches (batch, state, moved_at) VALUES (?, ?, ?)",
                      (batch, MOVING, when.isoformat()))
            for sheet, (text, data) in parts.items():
                self._run("INSERT INTO crm_parts (batch, sheet, nrows, part) VALUES (?, ?, ?, ?)",
                          (batch, sheet, len(text), _pack(text, data)))

    def set_state(self, batches: Iterable[str], state: str) -> None:
        with self.transaction():
            for batch in batches:
                self._run("UPDATE crm_batches SET state = ? WHERE batch = ?", (state, batch))

    def drop(self, batches: Iterable[str]) -> None:
        with self.transaction():
            for batch in batches:
                self._run("DELETE FROM crm_parts WHERE batch = ?", (batch,))
                self._run("DELETE FROM crm_batches WHERE batch = ?", (batch,))

    def batches(self) -> dict[str, str]:
        """Batch -> state."""
        return dict(self._run("SELECT batch, state FROM crm_batches ORDER BY batch").fetchall())

    def frames(self, sheet: str, batches: Iterable[str]) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """A sheet's rows in these batches, in the order they were moved: (text, typed values) by field key."""
        texts, datas = [], []
        for batch in batches:
            found = self._run("SELECT part FROM crm_parts WHERE batch = ? AND sheet = ?", (batch, sheet)).fetchone()
            if found is not None:
                text, data = _unpack(bytes(found[0]))
                texts.append(text)
                datas.append(data)
        if not texts:
            return None
        return pd.concat(texts, ignore_index=True), pd.concat(datas, ignore_index=True)


def recover(history: History, in_effect: set[str]) -> None:
    """Finish or undo what a killed archive or restore left half done, from what the workbook says is in effect:
    a batch the workbook names is archived, one it does not name is not.  A finished batch the workbook does not
    name (a backup from before it was put back) is left alone and not read: nothing is ever deleted on a guess."""
    states = history.batches()
    half = {b: s for b, s in states.items() if s in (MOVING, RESTORING)}
    history.set_state([b for b in half if b in in_effect], DONE)
    history.drop([b for b in half if b not in in_effect])


def _repointed(table: SheetTable, into: dict[str, str]) -> SheetTable:
    if not into or "customer_id" not in table.text.columns:
        return table
    text = table.text.assign(customer_id=table.text["customer_id"].map(lambda i: into.get(i, i)))
    data = table.data.assign(customer_id=table.data["customer_id"].map(lambda i: into.get(i, i)))
    return replace(table, text=text, data=data)


def _with_password(url: str) -> str:
    """The URL with its password from the environment or the keyring (never from the workbook)."""
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        import keyring
        from keyring.errors import KeyringError

        try:
            password = keyring.get_password(KEYRING_SERVICE, url)
        except KeyringError:  # no keyring on this machine (a server, CI): a password-less connection is tried
            password = None
    if not password:
        return url
    parts = urlsplit(url)
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{user}:{password}@{host}{port}", parts.path, parts.query, parts.fragment))


def _pack(text: pd.DataFrame, data: pd.DataFrame) -> bytes:
    """Text and typed columns as one Parquet file."""
    frame = pd.concat([text.astype(str).add_prefix("t:"), data.add_prefix("d:")], axis=1).reset_index(drop=True)
    out = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), out, compression="zstd")
    return out.getvalue().to_pybytes()


def _unpack(part: bytes) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pq.read_table(pa.BufferReader(part)).to_pandas()
    text = frame[[c for c in frame.columns if c.startswith("t:")]].rename(columns=lambda c: c[2:])
    data = frame[[c for c in frame.columns if c.startswith("d:")]].rename(columns=lambda c: c[2:])
    return text, data


def open_history(book: Book) -> History:
    """The workbook's history database: the one 设置 names, or the SQLite file beside it."""
    return History(history_url(book.path, book.setting("历史数据库")))


def batches_in_effect(log: pd.DataFrame) -> set[str]:
    """The batches 归档记录 names: those whose rows are in the history database and not in the sheets."""
    return set(log["batch"].astype(str)) - {""} if len(log) and "batch" in log.columns else set()


def attach_history(book: Book, log: pd.DataFrame, merges: pd.DataFrame) -> None:
    """The rows 归档记录 says are archived, read onto ``book.history`` (after settling a killed move), each
    pointing at the customer it belongs to now: archived rows keep the ids they had, and a merge made since
    (合并记录, not undone) moves them to the survivor as it moved the rows in the sheets."""
    in_effect = batches_in_effect(log)
    if not in_effect:
        return
    history = open_history(book)
    try:
        recover(history, in_effect)
        done = [b for b, s in history.batches().items() if s == DONE and b in in_effect]
        for key, table in book.tables.items():
            found = history.frames(table.sheet.name, done)
            if found is not None:
                past = replace(table, text=found[0].reindex(columns=table.text.columns, fill_value=""),
                               data=found[1].reindex(columns=table.data.columns), raw=None)
                book.history[key] = _repointed(past, merged_into(merges))
    finally:
        history.close()


def merged_into(log: pd.DataFrame) -> dict[str, str]:
    """Each customer id merged away (and not undone) -> the id it lives on as, through later merges too."""
    if not len(log):
        return {}
    done = log[(log["kind"] == schema.KIND_MERGED) & (log["status"] == schema.STATUS_DONE)]
    into = dict(zip(done["cell_customer_id"].astype(str), done["survivor"].astype(str)))
    for away in into:
        seen = {away}
        while into[away] in into and into[away] not in seen:
            seen.add(into[away])
            into[away] = into[into[away]]
    return into
