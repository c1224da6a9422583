"""`crm-sheets job`: the background job that keeps the workbook and the reminders going.

Every day at 设置 提醒发送时间 (in 设置 时区): tag, then remind.  On the 1st of
a month (or the first run after it): last month's summary with fresh tiers.
Missed days are caught up once, not replayed; mail that could not be sent is
retried every minute with back-off.  What ran is recorded in the mail ledger,
so a restart never repeats a day.  The clock is a parameter, so the whole
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
from zoneinfo import ZoneInfo

import schedule

from . import actions, errors
from .mail import Ledger, SmtpSettings, deliver
from .rules.summary import previous_month
from .workbook.read import read_settings

LOG_FILE = "crm-sheets-job.log"
Clock = Callable[[], dt.datetime]


class Job:
    def __init__(self, path: Path, clock: Clock | None = None, log: logging.Logger | None = None) -> None:
        self.path = Path(path)
        self.ledger = Ledger(self.path.parent)
        settings = read_settings(self.path)
        self.zone = ZoneInfo(settings.get("时区") or "Asia/Shanghai")
        self.send_at = _send_time(settings.get("提醒发送时间", ""))
        self.clock = clock or (lambda: dt.datetime.now(self.zone).replace(tzinfo=None))
        self.log = log or logging.getLogger("crm-sheets.job")
        self.stopping = False

    def tick(self) -> list[str]:
        """Do whatever is due now; returns what was done (for the log and for tests)."""
        now = self.clock()
        done = []
        daily = now.time() >= self.send_at and not self.ledger.ran("daily", now.date())
        first = now.date().replace(day=1)
        monthly = not self.ledger.ran("monthly", first)
        if daily:
            # tag, remind and (when it is due) the month's summary: one read, one write
            day = actions.run_day(self.path, today=now.replace(second=0, microsecond=0),
                                  month=previous_month(now) if monthly else None)
            if day.remind.write_error is not None:  # the reminders went out; the sheets wait for next time
                self.log.warning(day.remind.write_error.message())
            self.ledger.mark_run("daily", now.date())
            done.append(f"{now:%Y-%m-%d} tag + remind: {len(day.remind.mails)} mails")
        elif monthly:
            self._monthly(now)
        if monthly:
            self.ledger.mark_run("monthly", first)
            done.append(f"summary {first:%Y-%m}")
        if daily:
            sent = day.remind.delivery  # the day's run delivered everything due already
        else:
            settings = read_settings(self.path)
            sent = deliver(self.ledger, SmtpSettings.from_settings(lambda name: settings.get(name, "")),
                           self.path.parent, now)
        if sent["sent"] or sent["failed"]:
            done.append(f"mail sent {sent['sent']} failed {sent['failed']}")
        for line in done:
            self.log.info(line)
        return done

    def _monthly(self, now: dt.datetime) -> None:
        try:
            actions.run_summary(self.path, today=now)
        except errors.OpenInExcel as exc:
            self.log.warning(exc.message())

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


def _send_time(text: str) -> dt.time:
    try:
        return dt.datetime.strptime(text.strip() or "08:30", "%H:%M").time()
    except ValueError:
        raise errors.BadTime(value=text) from None


def file_log(folder: Path) -> logging.Logger:
    log = logging.getLogger("crm-sheets.job")
    log.setLevel(logging.INFO)
    handler = logging.handlers.RotatingFileHandler(folder / LOG_FILE, maxBytes=1_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    return log
