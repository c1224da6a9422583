"""History beyond the workbook (README "历史数据库"): follow-ups, orders and resolved tickets moved out of the data sheets
into a database — an SQLite file beside the workbook (nothing to install or start), or the team's
PostgreSQL when 设置 names one.

Rows are kept as the commands read them (each cell's text and its typed value, as columns), so three million
archived follow-ups come back in seconds exactly as if they were still in the sheet; beside each batch, the few
rows that stand for it (rules.past), which is all tag, remind and summary read of a batch long past.  Rows
move in batches; a batch is 'moving' until the workbook without its rows is on disk, 'done' after,
'restoring' while it goes back.  The workbook's own 归档记录 sheet names the batches in
effect, and it is written in the same atomic write that removes or restores the rows: so after a kill at any
moment, ``recover`` tells from the workbook which side of the write the batch is on, and every row ends up in
exactly one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import errors, schema, sqlite_file
from ..passwords import stored_password
from ..model.book import Book
from ..model.tables import SheetTable

MOVING, DONE, RESTORING = "moving", "done", "restoring"
STANDING = ":standing"  # the part of a batch's sheet that holds only its standing rows
FEEDBACK = ":feedback"  # the part of a batch's follow-ups that holds their feedback counts
PASSWORD_ENV = "CRM_SHEETS_DB_PASSWORD"  # noqa: S105 - the variable's name, not a password
# libpq waits for a server that takes the connection but never answers as long as the system lets it (minutes or
# for ever); the job must go on to the morning's mail.
CONNECT_TIMEOUT = 10
_SPACE = " \t\n\r\f\v"  # libpq's isspace(): an ideographic space is part of a value to it
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS crm_batches (batch TEXT PRIMARY KEY, state TEXT NOT NULL, moved_at TEXT NOT NULL)",
    # One part per batch and sheet: its rows as columns in a Parquet file.
    "CREATE TABLE IF NOT EXISTS crm_parts (batch TEXT NOT NULL, sheet TEXT NOT NULL, nrows INTEGER NOT NULL, "
    "part {blob} NOT NULL, PRIMARY KEY (batch, sheet))",
)


def history_url(workbook: Path, setting: str) -> str:
    """The database 设置 names (a ``postgresql://`` URL or libpq's ``key=value`` form), or the SQLite file beside
    the workbook.  An address holding a password is refused: the workbook gets passed around."""
    setting = setting.strip()
    if not setting:
        return f"sqlite:///{workbook.with_name(workbook.stem + '.history.sqlite')}"
    shown, has_password = password_hidden(setting)
    if has_password:
        raise errors.PasswordInWorkbook(file=workbook.name, address=shown)
    if setting.startswith("sqlite:///"):
        return setting
    if "://" in setting and setting.partition("://")[0] not in ("postgresql", "postgres"):
        raise errors.BadHistoryUrl(file=workbook.name, value=shown)
    try:
        from psycopg import ProgrammingError
        from psycopg.conninfo import conninfo_to_dict
    except ImportError:  # History says the driver is missing
        return setting
    try:
        conninfo_to_dict(setting)
    except ProgrammingError:
        raise errors.BadHistoryUrl(file=workbook.name, value=shown) from None
    return setting


def password_hidden(address: str) -> tuple[str, bool]:
    """``address`` as a message may show it, every secret as ***, and whether it held one: in a URL's user info
    (``u:pw@``) or query (``?password=``), or as a ``password=`` keyword; a key in any case or percent-encoded,
    and ``sslpassword`` too.  Split here rather than by libpq: libpq cannot say where a password is (to hide
    it), and refuses ``PASSWORD=`` as an unknown option without saying that it is one."""
    def secret(key: str, eq: str, value: str) -> bool:
        """A key naming a password with a value (an empty one hides nothing), or a bare word naming one."""
        return "password" in unquote(key).lower() and bool(value or not eq)

    def show(key: str, eq: str, value: str) -> str:
        return (key + eq + "***" if eq else "***") if secret(key, eq, value) else key + eq + value

    if "://" in address:
        scheme, _, rest = address.partition("://")
        end = min((i for i in map(rest.find, "/?") if i >= 0), default=len(rest))
        userinfo, at, host = rest[:end].rpartition("@")
        user, _, password = unquote(userinfo).partition(":")
        path, question, query = rest[end:].partition("?")
        items = [item.partition("=") for item in query.split("&")]
        return (f"{scheme}://{user + ':***' if password else userinfo}{at}{host}{path}{question}"
                + "&".join(show(*item) for item in items), bool(password) or any(secret(*item) for item in items))
    pairs = list(_keywords(address))
    return " ".join(show(*pair) for pair in pairs), any(secret(*pair) for pair in pairs)


def _keywords(conninfo: str) -> Iterator[tuple[str, str, str]]:
    """libpq's ``key = value`` pairs as (key, "=", value) as written (a value runs to a space, or is quoted '...';
    a backslash escapes the next character in either); a word with no = as (word, "", "")."""
    i, n = 0, len(conninfo)
    while i < n:
        if conninfo[i] in _SPACE:
            i += 1
            continue
        start = i
        while i < n and conninfo[i] not in _SPACE and conninfo[i] != "=":
            i += 1
        key, i = conninfo[start:i], _skip_spaces(conninfo, i)
        if i == n or conninfo[i] != "=":
            yield key, "", ""
            continue
        start = i = _skip_spaces(conninfo, i + 1)
        quoted = conninfo.startswith("'", i)
        i += quoted
        while i < n and (conninfo[i] != "'" if quoted else conninfo[i] not in _SPACE):
            i += 2 if conninfo[i] == "\\" else 1
        i = min(n, i + quoted)
        yield key, "=", conninfo[start:i]


def _skip_spaces(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


class History:
    """The history database (SQLite or PostgreSQL), with the few statements archive needs."""

    def __init__(self, url: str, file: str = "") -> None:
        """``url`` as history_url gives it (so holding no password: messages may show it); ``file`` the workbook's
        name, for them."""
        self.url = url
        if url.startswith("sqlite:///"):
            path = Path(url[len("sqlite:///"):])
            # sqlite3's connection or psycopg's: _run uses only the DB-API calls the two share
            self.conn: Any = sqlite_file.connect(path, sqlite_file.journal_for(path), isolation_level=None)
            self.mark, blob = "?", "BLOB"
        else:
            try:
                import psycopg  # only a team with a server needs the driver loaded
            except ImportError:
                raise errors.HistoryDriverMissing(file=file, address=url) from None
            try:
                self.conn = psycopg.connect(_with_password(url), autocommit=True)
            except psycopg.OperationalError as exc:
                reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]  # libpq adds a hint line
                raise errors.HistoryUnreachable(file=file, address=url, reason=reason) from None
            self.mark, blob = "%s", "BYTEA"
        with self.transaction():
            for statement in SCHEMA:
                self._run(statement.format(blob=blob))

    def close(self) -> None:
        self.conn.close()

    def _run(self, sql: str, params: Iterable = ()) -> Any:
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

    def add(self, batch: str, parts: dict[str, tuple[pd.DataFrame, pd.DataFrame]], when: dt.datetime,
            beside: dict[str, pd.DataFrame] | None = None) -> None:
        """A batch's rows (per sheet: their text and their typed values, by field key), marked moving, in one
        transaction; ``beside``: what is kept with them, read instead of them (by part name: a sheet's name
        and STANDING, the rows that stand for the batch at any later horizon, rules.past; or FEEDBACK, its
        feedback counts)."""
        with self.transaction():
            self._run("INSERT INTO crm_batches (batch, state, moved_at) VALUES (?, ?, ?)",
                      (batch, MOVING, when.isoformat()))
            for sheet, (text, data) in parts.items():
                self._run("INSERT INTO crm_parts (batch, sheet, nrows, part) VALUES (?, ?, ?, ?)",
                          (batch, sheet, len(text), _pack(text, data)))
            for name, data in (beside or {}).items():
                self._run("INSERT INTO crm_parts (batch, sheet, nrows, part) VALUES (?, ?, ?, ?)",
                          (batch, name, len(data), _pack(pd.DataFrame(index=data.index), data)))

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

    def part(self, batch: str, sheet: str) -> bytes | None:
        """One batch's Parquet part of a sheet."""
        sql = "SELECT part FROM crm_parts WHERE batch = ? AND sheet = ?".replace("?", self.mark)
        # PostgreSQL sends bytea as hex text unless asked for binary: half the bytes, no decoding.
        extra = {} if self.mark == "?" else {"binary": True}
        row = self.conn.execute(sql, (batch, sheet), **extra).fetchone()
        return bytes(row[0]) if row is not None else None


def _frames(parts: list[bytes]) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The rows of these parts: (text, typed values) by field key."""
    if not parts:
        return None
    texts, datas = zip(*(_unpack(part) for part in parts))
    return pd.concat(texts, ignore_index=True), pd.concat(datas, ignore_index=True)


def _columns(parts: list[bytes], names: list[str]) -> pa.Table | None:
    """Only these typed columns of the parts' rows (text columns read as dictionaries: three million rows of a
    few dozen distinct values stay small)."""
    tables = []
    for part in parts:
        blob = pa.BufferReader(part)
        schema_ = pq.read_schema(blob)
        kinds = dict(zip(schema_.names, schema_.types))
        wanted = [f"d:{c}" for c in names if f"d:{c}" in kinds]
        text = [n for n in wanted if pa.types.is_string(kinds[n]) or pa.types.is_large_string(kinds[n])]
        tables.append(pq.read_table(blob, columns=wanted, read_dictionary=text).rename_columns([n[2:] for n in wanted]))
    return pa.concat_tables(tables, promote_options="permissive") if tables else None


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


def _plain(rows: pa.Table) -> pd.DataFrame:
    """The rows as pandas, text read as dictionaries back to plain text (as the workbook's columns are)."""
    plain = [pa.large_string() if pa.types.is_dictionary(t) else t for t in rows.schema.types]
    return rows.cast(pa.schema(list(zip(rows.column_names, plain)))).to_pandas()


def _pointed(ids: pa.ChunkedArray, into: dict[str, str]) -> pa.ChunkedArray:
    """Customer ids merged away since, as their survivors' (looked up once per distinct id)."""
    if not into:
        return ids
    encoded = pa.chunked_array([c if pa.types.is_dictionary(c.type) else c.dictionary_encode() for c in ids.chunks])
    return pa.chunked_array([pa.DictionaryArray.from_arrays(c.indices, pa.array(
        [into.get(n, n) for n in c.dictionary.to_pylist()], pa.large_string())).cast(pa.large_string())
        for c in encoded.chunks])


def _with_password(url: str) -> str:
    """The address with its password from the environment or the keyring (never from the workbook), and a
    connection timeout."""
    password = stored_password(PASSWORD_ENV, url)  # none: a password-less connection is tried
    from psycopg.conninfo import conninfo_to_dict, make_conninfo  # libpq's quoting: any character, either form

    more: dict[str, str | int] = {"password": password} if password else {}
    if "connect_timeout" not in conninfo_to_dict(url):  # a timeout the address gives is the team's choice
        more["connect_timeout"] = CONNECT_TIMEOUT
    return make_conninfo(url, **more)


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
    return History(history_url(book.path, book.settings.history_database), book.path.name)


def batches_in_effect(log: pd.DataFrame) -> set[str]:
    """The batches 归档记录 names: those whose rows are in the history database and not in the sheets."""
    return set(log["batch"].astype(str)) - {""} if len(log) and "batch" in log.columns else set()


def attach_history(book: Book, log: pd.DataFrame, merges: pd.DataFrame) -> None:
    """Settle a killed move by what 归档记录 says, then give the book its archived rows (``book.past``), read
    only when a rule asks for them, each pointing at the customer it belongs to now: archived rows keep the ids
    they had, and a merge made since (合并记录, not undone) moves them to the survivor as it moved the rows in
    the sheets."""
    in_effect = batches_in_effect(log)
    if not in_effect:
        return
    history = open_history(book)
    try:
        recover(history, in_effect)
        done = [b for b, s in history.batches().items() if s == DONE and b in in_effect]
    finally:
        history.close()
    if done:
        book.past = Archive(book, done, merged_into(merges))


class Archive:
    """A workbook's archived rows, read from its history database when asked for."""

    def __init__(self, book: Book, batches: list[str], into: dict[str, str]) -> None:
        self.book, self.batches, self.into = book, batches, into
        self._every: dict[str, SheetTable] | None = None
        self._fetched: dict[tuple[str, str], bytes | None] = {}

    def every_row(self) -> dict[str, SheetTable]:
        """Every archived row, per data sheet key, with its text and typed values (exports, collect, restore)."""
        if self._every is None:
            self._every = {}
            self._fetch([(b, t.sheet.name) for t in self.book.tables.values() for b in self.batches])
            for key, table in self.book.tables.items():
                found = _frames([p for b in self.batches if (p := self._part(b, table.sheet.name)) is not None])
                if found is not None:
                    self._every[key] = self._table(key, *found)
        return self._every

    def rows_for_rules(self, key: str, columns: list[str], keep: Callable[[pd.DataFrame], np.ndarray] | None = None,
                       deciding: list[str] | None = None, standing_before: pd.Timestamp | None = None
                       ) -> SheetTable | None:
        """The typed ``columns`` of a sheet's archived rows (no text: for the rules, never written back); with
        ``keep``, only the rows it picks from a frame of the ``deciding`` columns.  A batch whose rows are all
        dated (``time``) before ``standing_before`` is read as its standing rows: ``keep`` picks from them what
        it would pick from the whole batch."""
        table = self.book.tables.get(key)
        if table is None:
            return None
        sheet, wanted = table.sheet.name, [c for c in columns if c in table.data.columns]
        settled: dict[str, pa.Table] = {}
        if keep is not None and standing_before is not None:
            self._fetch([(b, sheet + STANDING) for b in self.batches])
            for batch in self.batches:
                standing = self._part(batch, sheet + STANDING)
                rows = _columns([standing], list(dict.fromkeys([*wanted, "time"]))) if standing is not None else None
                if rows is None:
                    continue
                latest = pc.max(rows.column("time")).as_py() if "time" in rows.column_names else None
                if latest is None or pd.Timestamp(latest) < standing_before:
                    settled[batch] = rows.select(wanted)
        self._fetch([(b, sheet) for b in self.batches if b not in settled])
        found = []
        for batch in self.batches:
            if batch in settled:
                found.append(settled[batch])
            elif (whole := self._part(batch, sheet)) is not None:
                found.append(_columns([whole], wanted))
        if not found:
            return None
        rows = pa.concat_tables(found, promote_options="permissive")
        if "customer_id" in rows.column_names:
            rows = rows.set_column(rows.column_names.index("customer_id"), "customer_id",
                                   _pointed(rows.column("customer_id"), self.into))
        if keep is not None:
            rows = rows.take(keep(rows.select([c for c in deciding or [] if c in rows.column_names]).to_pandas()))
        data = _plain(rows)
        return replace(table, data=data.reindex(columns=table.data.columns), text=pd.DataFrame(index=data.index),
                       raw=None)

    def kept_beside(self, key: str, kind: str, columns: list[str], make: Callable[[pd.DataFrame], pd.DataFrame]
                    ) -> pd.DataFrame | None:
        """What each batch keeps beside a sheet's rows (``kind``: FEEDBACK), one frame after another; for a
        batch that keeps none, ``make`` applied to the ``columns`` of its rows."""
        table = self.book.tables.get(key)
        if table is None:
            return None
        sheet = table.sheet.name
        self._fetch([(b, sheet + kind) for b in self.batches])
        self._fetch([(b, sheet) for b in self.batches if self._part(b, sheet + kind) is None])
        found = []
        for batch in self.batches:
            if (kept := self._part(batch, sheet + kind)) is not None:
                found.append(_unpack(kept)[1])
            elif (whole := self._part(batch, sheet)) is not None:
                found.append(make(_plain(_columns([whole], [c for c in columns if c in table.data.columns]))))
        return pd.concat(found, ignore_index=True) if found else None

    def _part(self, batch: str, sheet: str) -> bytes | None:
        """A part, fetched once per command (a few dozen MB for millions of rows)."""
        self._fetch([(batch, sheet)])
        return self._fetched[batch, sheet]

    def _fetch(self, wanted: list[tuple[str, str]]) -> None:
        """Fetch these parts over one connection (a server's connection costs more than a small part)."""
        missing = [w for w in wanted if w not in self._fetched]
        if not missing:
            return
        history = open_history(self.book)
        try:
            for batch, sheet in missing:
                self._fetched[batch, sheet] = history.part(batch, sheet)
        finally:
            history.close()

    def _table(self, key: str, text: pd.DataFrame, data: pd.DataFrame) -> SheetTable:
        table = self.book.tables[key]
        past = replace(table, text=text.reindex(columns=table.text.columns, fill_value=""),
                       data=data.reindex(columns=table.data.columns), raw=None)
        return _repointed(past, self.into)


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
