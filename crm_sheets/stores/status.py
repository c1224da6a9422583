"""What the status panel on 操作 remembers between runs, in the run ledger's file beside the workbook: the last
run of each command, and the counts of the tool sheets as they were last written (so a command that does not
write 校验结果 still shows its problems without reading a sheet of 100,000 rows again).  Kept per workbook name:
one folder may hold several workbooks.

The panel only reports: a ledger that cannot be read or written (damaged, locked past the wait) leaves it
showing less, never stops the command whose work it reports."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from .. import sqlite_file
from .runs import RUNS

_TABLES = ("CREATE TABLE IF NOT EXISTS command_runs (book TEXT, command TEXT, at TEXT, face TEXT, who TEXT,"
           " sheet TEXT, PRIMARY KEY (book, command));"
           "CREATE TABLE IF NOT EXISTS sheet_counts (book TEXT, sheet TEXT, counts TEXT, PRIMARY KEY (book, sheet));")


class StatusLedger:
    def __init__(self, folder: Path, book: str) -> None:
        self.path = folder / RUNS
        self.book = book

    def _connect(self) -> sqlite3.Connection:
        db = sqlite_file.connect(self.path, sqlite_file.journal_for(self.path))
        db.executescript(_TABLES)
        return db

    def runs(self) -> dict[str, tuple[str, str, str, str]]:
        """command -> (when, face, who, the sheet it wrote first) of its last run; nothing without a ledger."""
        found = self._select("SELECT command, at, face, who, sheet FROM command_runs WHERE book = ?")
        return {c: (at, face, who, sheet) for c, at, face, who, sheet in found}

    def counts(self) -> dict[str, object]:
        """sheet name -> its counts as last written."""
        return {s: json.loads(c) for s, c in self._select("SELECT sheet, counts FROM sheet_counts WHERE book = ?")}

    def _select(self, query: str) -> list[tuple]:
        if not self.path.exists():
            return []
        try:
            with closing(self._connect()) as db:
                return db.execute(query, (self.book,)).fetchall()
        except sqlite3.Error:
            return []

    def record(self, command: str, run: tuple[str, str, str, str], counts: dict[str, object]) -> None:
        """The run just written, and the counts of the sheets it wrote, in one transaction."""
        try:
            with closing(self._connect()) as db, db:
                db.execute("INSERT OR REPLACE INTO command_runs VALUES (?, ?, ?, ?, ?, ?)", (self.book, command, *run))
                db.executemany("INSERT OR REPLACE INTO sheet_counts VALUES (?, ?, ?)",
                               [(self.book, s, json.dumps(c, ensure_ascii=False)) for s, c in counts.items()])
        except sqlite3.Error:
            return
