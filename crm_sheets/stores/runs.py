"""The run ledger: which of the background job's works were done on which day, in its own SQLite file beside the
workbook (the mail ledger keeps only mail).

Versions before this one kept these rows in the mail ledger's table ``runs``; the first open moves them here in one
transaction (a day recorded there is neither done again nor skipped), then drops that table.  Rows of kind
"daily" (written when the day's mail and sheets were marked as one) become one row of each.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path

from .. import sqlite_file
from ..mail import LEDGER as MAIL_LEDGER

RUNS = ".crm-runs.sqlite"
SCHEMA = 1  # PRAGMA user_version once the table is made (and the old rows moved)
# The works recorded, per day (the summary and the archive: per month, on its 1st).
MAIL, SHEETS, MONTHLY, ARCHIVE = "mail", "sheets", "monthly", "archive"
LEGACY_DAILY = "daily"


class RunLedger:
    def __init__(self, folder: Path) -> None:
        self.path = folder / RUNS
        self.journal = sqlite_file.journal_for(self.path)
        with closing(self._connect()) as db:
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA:
                _create(db, _old_runs(folder / MAIL_LEDGER))
                _drop_old(folder / MAIL_LEDGER)

    def _connect(self) -> sqlite3.Connection:
        return sqlite_file.connect(self.path, self.journal)

    def ran(self, kind: str, day: dt.date) -> bool:
        with closing(self._connect()) as db:
            return db.execute("SELECT 1 FROM runs WHERE kind = ? AND day = ?", (kind, day.isoformat())).fetchone() is not None

    def last_run(self, kind: str, before: dt.date) -> dt.date | None:
        """The latest day before ``before`` on which ``kind`` ran (None: never)."""
        with closing(self._connect()) as db:
            (day,) = db.execute("SELECT max(day) FROM runs WHERE kind = ? AND day < ?",
                                (kind, before.isoformat())).fetchone()
        return dt.date.fromisoformat(day) if day else None

    def mark_run(self, kind: str, day: dt.date) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR IGNORE INTO runs VALUES (?, ?)", (kind, day.isoformat()))


def _old_runs(mail_ledger: Path) -> list[tuple[str, str]]:
    """The rows of the mail ledger's table runs (none where there is no such file or table; no file is made)."""
    if not mail_ledger.is_file():
        return []
    with closing(sqlite_file.connect(mail_ledger, sqlite_file.journal_for(mail_ledger))) as db:
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'runs'").fetchone():
            return []
        return db.execute("SELECT kind, day FROM runs").fetchall()


def _create(db: sqlite3.Connection, old: list[tuple[str, str]]) -> None:
    rows = [(k, day) for kind, day in old for k in ((MAIL, SHEETS) if kind == LEGACY_DAILY else (kind,))]
    with db:
        db.execute("BEGIN IMMEDIATE")
        if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA:  # another process did it meanwhile
            return
        db.execute("CREATE TABLE runs (kind TEXT, day TEXT, PRIMARY KEY (kind, day))")
        db.executemany("INSERT OR IGNORE INTO runs VALUES (?, ?)", rows)
        db.execute(f"PRAGMA user_version = {SCHEMA}")


def _drop_old(mail_ledger: Path) -> None:
    """Once the rows are here (committed), the mail ledger's copy goes: it would only mislead."""
    if mail_ledger.is_file():
        with closing(sqlite_file.connect(mail_ledger, sqlite_file.journal_for(mail_ledger))) as db, db:
            db.execute("DROP TABLE IF EXISTS runs")
