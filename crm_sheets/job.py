"""`crm-sheets job`: the background job that keeps the workbook and the reminders going.

What is due when, and the record of what was done, are the application's (app/schedule.py), which runs the
commands through the library's Workbook (api.py) handed in here; here are the loop that asks it every
``poll_seconds``, the signals that stop it and the log it writes to.  The clock is a parameter, so the whole
schedule can be run in a test without waiting.
"""

from __future__ import annotations

import datetime as dt
import logging
import logging.handlers
import signal
import time
from collections.abc import Callable
from pathlib import Path

import schedule

from . import errors
from .api import Workbook
from .app.schedule import Schedule
from .stores.file import FileStore

LOG_FILE = "crm-sheets-job.log"
Clock = Callable[[], dt.datetime]


class Job:
    def __init__(self, path: Path, clock: Clock | None = None, log: logging.Logger | None = None) -> None:
        self.path = Path(path)
        self.log = log or logging.getLogger("crm-sheets.job")
        self.schedule = Schedule(Workbook(self.path), FileStore(self.path), warn=self.log.warning)
        self.send_at = self.schedule.send_at
        self.clock = clock or (lambda: dt.datetime.now(self.schedule.zone).replace(tzinfo=None))
        self.stopping = False

    def tick(self) -> list[str]:
        """Do whatever is due now; returns what was done (for the log and for tests)."""
        done = self.schedule.tick(self.clock())
        for line in done:
            self.log.info(line)
        return done

    def serve(self, poll_seconds: int = 30) -> None:
        """Run until SIGTERM or Ctrl-C; catches up at once, then every ``poll_seconds``."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._stop)
        scheduler = schedule.Scheduler()
        scheduler.every(poll_seconds).seconds.do(self._safe_tick)
        self._safe_tick()
        while not self.stopping:
            scheduler.run_pending()
            time.sleep(1)
        self.log.info("stopped")

    def _safe_tick(self) -> None:
        try:
            self.tick()
        except errors.CrmError as exc:
            self.log.error(exc.message())
        except Exception:
            self.log.exception("unexpected error")

    def _stop(self, *_: object) -> None:
        self.stopping = True


def file_log(folder: Path) -> logging.Logger:
    log = logging.getLogger("crm-sheets.job")
    log.setLevel(logging.INFO)
    handler = logging.handlers.RotatingFileHandler(folder / LOG_FILE, maxBytes=1_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return log
