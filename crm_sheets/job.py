"""`crm-sheets job`: the background job that keeps the workbook and the reminders going.

Every day at 设置 提醒发送时间 (in 设置 时区): tag, then remind.  On the 1st of
a month (or the first run after it): last month's summary with fresh tiers.
Missed days are caught up once, not replayed; mail that could not be sent is
retried every minute with back-off.  What ran is recorded in the mail ledger,
so a restart never repeats a day; a write refused because Excel has the file
open is not recorded, and is made as soon as the file is free.  The clock is a parameter, so the whole
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

import pandas as pd
import schedule

from . import errors
from .app import archive as archive_app
from .app import day as day_app
from .app import summary as summary_app
from .app.remind import skipped_note, waiting_note
from .mail import Ledger, unsent_line
from .stores.file import FileStore

LOG_FILE = "crm-sheets-job.log"
# What the ledger records as done, per day (the summary: per month, on its 1st).
MAIL, SHEETS, MONTHLY, LEGACY_DAILY, ARCHIVE = "mail", "sheets", "monthly", "daily", "archive"
Clock = Callable[[], dt.datetime]


class Job:
    def __init__(self, path: Path, clock: Clock | None = None, log: logging.Logger | None = None) -> None:
        self.path = Path(path)
        self.store = FileStore(self.path)
        self.ledger = Ledger(self.path.parent)
        settings = self.store.settings()
        self.zone = settings.time_zone
        self.send_at = settings.send_time
        self.clock = clock or (lambda: dt.datetime.now(self.zone).replace(tzinfo=None))
        self.log = log or logging.getLogger("crm-sheets.job")
        self.stopping = False
        self.waiting = ""  # what could not be written, as last logged

    def tick(self) -> list[str]:
        """Do whatever is due now; returns what was done (for the log and for tests).

        The day's mail, the day's sheets (tag + 回访任务) and the month's summary are marked done
        separately, each only when it happened: mail goes out at the send time whatever the workbook's state;
        a write Excel refused is tried again on later ticks, as soon as the file is free.
        """
        now = self.clock()
        today = now.date()
        first = today.replace(day=1)
        at_send_time = now.time() >= self.send_at
        mail_due = at_send_time and not self._done(MAIL, today)
        sheets_due = at_send_time and not self._done(SHEETS, today)
        monthly_due = not self.ledger.ran(MONTHLY, first)
        caught_up = self._caught_up(today) if mail_due else []  # asked before today is marked done
        done: list[str] = []
        sent = None
        if (sheets_due or mail_due) and (mail_due or self._file_free()):
            day = day_app.run(self.store, today=now.replace(second=0, microsecond=0),
                              month=summary_app.month_to_summarize(now) if monthly_due else None, send=mail_due,
                              manager_note=self._missed_note(today))
            sent = day.remind.delivery  # the day's run delivered everything due already, retry or not
            if mail_due:
                self.ledger.mark_run(MAIL, today)
                done.append(f"{today:%Y-%m-%d} remind: {len(day.remind.mails)} mails")
                done += list(filter(None, [skipped_note(day.remind.skipped)]))
            if day.remind.write_error is None:
                self.ledger.mark_run(SHEETS, today)
                done.append(f"{today:%Y-%m-%d} tag + 回访任务" + ("（文件空出后补写）" if self.waiting else ""))
                self.waiting = ""
                if monthly_due:
                    self.ledger.mark_run(MONTHLY, first)
                    done.append(f"summary {summary_app.month_to_summarize(now)}")
            else:
                self._pending(day.remind.write_error, monthly_due)
        elif monthly_due and not sheets_due and self._file_free():
            try:
                summary_app.run(self.store, today=now)
            except errors.WRITE_LATER as exc:
                self._pending(exc, True)
            else:
                self.ledger.mark_run(MONTHLY, first)
                done.append(f"summary {summary_app.month_to_summarize(now)}")
                self.waiting = ""
        with errors.after_writing("；".join(done)):  # a failure from here on says what the tick did before it
            done += self._archive(now, first)
            if sent is None:
                sent = day_app.deliver_waiting(self.store, now)
        if sent["sent"] or sent["failed"]:
            done += list(filter(None, [f"mail sent {sent['sent']} failed {sent['failed']}", unsent_line(sent, "zh")]))
        done[:0] = caught_up
        for line in done:
            self.log.info(line)
        return done

    def _archive(self, now: dt.datetime, first: dt.date) -> list[str]:
        """Once a month, when 设置 工作簿保留月数 says so: rows older than that many months go to the history
        database (off when 0 or empty).  A workbook Excel holds is archived on a later tick."""
        months = self.store.settings().archive_months
        if months == 0 or self.ledger.ran(ARCHIVE, first) or not self._file_free():
            return []
        before = (pd.Period(first, "M") - months).start_time.date()
        try:
            outcome = archive_app.archive(self.store, before=before, today=now)
        except errors.WRITE_LATER:
            return []
        self.ledger.mark_run(ARCHIVE, first)
        return [f"archive before {before:%Y-%m-%d}: " + ", ".join(f"{k} {n}" for k, n in outcome.moved.items())]

    def _caught_up(self, today: dt.date) -> list[str]:
        """Days on which the job did not run at all (the PC was off) are not replayed: today's one run stands for
        them, and the log says which they were."""
        last = self.ledger.last_run((MAIL, LEGACY_DAILY), before=today)
        if last is None or last >= today - dt.timedelta(days=1):
            return []
        first, final = last + dt.timedelta(days=1), today - dt.timedelta(days=1)
        days = f"{first:%Y-%m-%d}" + ("" if first == final else f" 至 {final:%Y-%m-%d}")
        return [f"补做一次：{days} 没有运行（电脑关机或任务停止），今天的提醒和回访任务只做一次，不逐日重做"]

    def _done(self, kind: str, day: dt.date) -> bool:
        # A ledger from before mail and sheets were marked apart says "daily" for both.
        return self.ledger.ran(kind, day) or self.ledger.ran(LEGACY_DAILY, day)

    def _file_free(self) -> bool:
        """Whether a retry can write (a cheap look for Excel's lock, instead of reading a big workbook for nothing)."""
        return not self.store.open_in_excel()

    def _pending(self, error: errors.CrmError, monthly: bool) -> None:
        """Say once (not every tick) what waits and why."""
        line = waiting_note(error, monthly)
        if line != self.waiting:
            self.waiting = line
            self.log.warning(line)

    def _missed_note(self, today: dt.date) -> str:
        """For the managers: the workbook could not be written all of yesterday (their sheets lag a day)."""
        yesterday = today - dt.timedelta(days=1)
        if self._done(MAIL, yesterday) and not self._done(SHEETS, yesterday):
            return (f"{yesterday:%m-%d} 工作簿一整天被占用（Excel 一直开着，或别的程序占着文件），当天的回访任务和客户阶段"
                    "没有写进工作簿；提醒邮件照常发出。请下班前关闭工作簿。")
        return ""

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
