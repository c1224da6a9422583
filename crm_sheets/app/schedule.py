"""The background job's schedule: what is due now, doing it, and recording what was done in the run ledger.

Every day at 设置 提醒发送时间 (in 设置 时区): tag, then remind.  On the 1st of a month (or the first run after it):
last month's summary with fresh tiers, and when 设置 工作簿保留月数 says so the archive.  Missed days are caught up
once, not replayed.  The day's mail, the day's sheets (tag + 回访任务) and the month's summary are recorded apart,
each only when it happened: mail goes out at the send time whatever the workbook's state; a write refused because
Excel has the file open is not recorded, and is made on a later tick, as soon as the file is free.  So a restart
never repeats a day.  The time is a parameter, so the whole schedule can be run in a test without waiting.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from .. import errors
from ..mail import unsent_line
from ..stores.runs import ARCHIVE, MAIL, MONTHLY, SHEETS, RunLedger
from . import day as day_app
from . import summary as summary_app
from .archive import ArchiveOutcome
from .day import DayOutcome, SettingsStore
from .remind import skipped_note, waiting_note
from .summary import SummaryOutcome


class JobStore(SettingsStore, Protocol):
    def open_in_excel(self) -> bool:
        """Whether Excel (or another program) holds the file now: a cheap look, without reading the workbook."""


class JobBook(Protocol):
    """The commands the job runs: the library's Workbook (crm_sheets.api), which the job hands in."""

    def on(self, today: dt.datetime) -> JobBook:
        """The same workbook as of ``today``."""

    def day(self, *, month: pd.Period | None = None, send: bool = True, manager_note: str = "") -> DayOutcome:
        """Tag, 回访任务 and the reminders in one read and one write (see app/day.py)."""

    def summary(self) -> SummaryOutcome:
        """Last month's summary."""

    def archive(self, before: dt.date) -> ArchiveOutcome:
        """The rows dated before ``before`` to the history database."""


@dataclass(frozen=True)
class Due:
    """What a tick at one moment has to do."""

    mail: bool  # today's reminders are not out yet (and it is past the send time)
    sheets: bool  # today's tag + 回访任务 are not written yet (past the send time)
    monthly: bool  # this month's summary (of last month) is not written yet
    caught_up: str  # the days the job did not run at all, asked before today's mail is recorded ("" none)
    missed_note: str  # for the managers: yesterday's sheets were never written ("" none)


class Schedule:
    def __init__(self, book: JobBook, store: JobStore, warn: Callable[[str], None]) -> None:
        """``book`` runs the commands on the workbook ``store`` holds; ``warn``: where to say what waits for the
        file (once, not every tick)."""
        self.book = book
        self.store = store
        self.runs = RunLedger(store.folder)
        settings = store.settings()
        self.zone = settings.time_zone
        self.send_at = settings.send_time
        self.warn = warn
        self.waiting = ""  # what could not be written, as last said

    def due(self, now: dt.datetime) -> Due:
        today = now.date()
        at_send_time = now.time() >= self.send_at
        mail = at_send_time and not self.runs.ran(MAIL, today)
        return Due(mail=mail, sheets=at_send_time and not self.runs.ran(SHEETS, today),
                   monthly=not self.runs.ran(MONTHLY, today.replace(day=1)),
                   caught_up=self._caught_up(today) if mail else "", missed_note=self._missed_note(today))

    def tick(self, now: dt.datetime) -> list[str]:
        """Do whatever is due at ``now``; returns what was done (for the log and for tests)."""
        today = now.date()
        first = today.replace(day=1)
        due = self.due(now)
        done: list[str] = []
        sent = None
        if (due.sheets or due.mail) and (due.mail or self._file_free()):
            day = self.book.on(now.replace(second=0, microsecond=0)).day(
                month=summary_app.month_to_summarize(now) if due.monthly else None, send=due.mail,
                manager_note=due.missed_note)
            sent = day.remind.delivery  # the day's run delivered everything due already, retry or not
            if due.mail:
                self.runs.mark_run(MAIL, today)
                done.append(f"{today:%Y-%m-%d} remind: {len(day.remind.mails)} mails")
                done += list(filter(None, [skipped_note(day.remind.skipped)]))
            if day.remind.write_error is None:
                self.runs.mark_run(SHEETS, today)
                done.append(f"{today:%Y-%m-%d} tag + 回访任务" + ("（文件空出后补写）" if self.waiting else ""))
                self.waiting = ""
                if due.monthly:
                    self.runs.mark_run(MONTHLY, first)
                    done.append(f"summary {summary_app.month_to_summarize(now)}")
            else:
                self._pending(day.remind.write_error, due.monthly)
        elif due.monthly and not due.sheets and self._file_free():
            try:
                self.book.on(now).summary()
            except errors.WRITE_LATER as exc:
                self._pending(exc, True)
            else:
                self.runs.mark_run(MONTHLY, first)
                done.append(f"summary {summary_app.month_to_summarize(now)}")
                self.waiting = ""
        with errors.after_writing("；".join(done)):  # a failure from here on says what the tick did before it
            done += self._archive(now, first)
            if sent is None:
                sent = day_app.deliver_waiting(self.store, now)
        if sent["sent"] or sent["failed"]:
            done += list(filter(None, [f"mail sent {sent['sent']} failed {sent['failed']}", unsent_line(sent, "zh")]))
        return list(filter(None, [due.caught_up])) + done

    def _archive(self, now: dt.datetime, first: dt.date) -> list[str]:
        """Once a month, when 设置 工作簿保留月数 says so: rows older than that many months go to the history
        database (off when 0 or empty).  A workbook Excel holds is archived on a later tick."""
        before = archive_before(first, self.store.settings().archive_months)
        if before is None or self.runs.ran(ARCHIVE, first) or not self._file_free():
            return []
        try:
            outcome = self.book.on(now).archive(before)
        except errors.WRITE_LATER:
            return []
        self.runs.mark_run(ARCHIVE, first)
        return [f"archive before {before:%Y-%m-%d}: " + ", ".join(f"{k} {n}" for k, n in outcome.moved.items())]

    def _caught_up(self, today: dt.date) -> str:
        """Days on which the job did not run at all (the PC was off) are not replayed: today's one run stands for
        them, and the log says which they were."""
        last = self.runs.last_run(MAIL, before=today)
        if last is None or last >= today - dt.timedelta(days=1):
            return ""
        first, final = last + dt.timedelta(days=1), today - dt.timedelta(days=1)
        days = f"{first:%Y-%m-%d}" + ("" if first == final else f" 至 {final:%Y-%m-%d}")
        return f"补做一次：{days} 没有运行（电脑关机或任务停止），今天的提醒和回访任务只做一次，不逐日重做"

    def _missed_note(self, today: dt.date) -> str:
        """For the managers: the workbook could not be written all of yesterday (their sheets lag a day)."""
        yesterday = today - dt.timedelta(days=1)
        if self.runs.ran(MAIL, yesterday) and not self.runs.ran(SHEETS, yesterday):
            return (f"{yesterday:%m-%d} 工作簿一整天被占用（Excel 一直开着，或别的程序占着文件），当天的回访任务和客户阶段"
                    "没有写进工作簿；提醒邮件照常发出。请下班前关闭工作簿。")
        return ""

    def _file_free(self) -> bool:
        """Whether a retry can write (a cheap look for Excel's lock, instead of reading a big workbook for nothing)."""
        return not self.store.open_in_excel()

    def _pending(self, error: errors.CrmError, monthly: bool) -> None:
        """Say once (not every tick) what waits and why."""
        line = waiting_note(error, monthly)
        if line != self.waiting:
            self.waiting = line
            self.warn(line)


def archive_before(first: dt.date, months: int) -> dt.date | None:
    """The day before which rows are archived in the month starting ``first``: 设置 工作簿保留月数 (``months``)
    months back; None when it is off (0)."""
    if months == 0:
        return None
    return (pd.Period(first, "M") - months).start_time.date()
