"""The background job's day: tag, 回访任务 and the reminders in one read and one write, with last month's summary
on the first run of a month; and delivering mail that is still waiting."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import pandas as pd

from .. import chat, errors, schema
from ..mail import Delivery, Ledger, SmtpSettings, deliver, forget_closed, sent_reminders
from ..model.outputs import FrameOut, Output
from ..settings import Settings
from .common import check_book, crm_workbook, id_changes, new_customer_ids
from .remind import RemindOutcome, check_mail, plan_reminders, send_chat, send_mails, waiting_note
from .store import Store
from .summary import feedback_output, summary_output
from .tag import TagOutcome, tag_changes


@dataclass
class DayOutcome:
    tag: TagOutcome
    remind: RemindOutcome
    summary: str  # the 月度汇总 sheet written, or ""


def run(store: Store, *, today: dt.datetime, month: pd.Period | None = None, send: bool = True,
        manager_note: str = "") -> DayOutcome:
    """If Excel has the file open (or another writer or program holds it), nothing is written,
    ``remind.write_error`` says why and the managers' digest what waits; the reminders still go out (``send``:
    the day's mail is not out yet)."""
    book = crm_workbook(store)
    assigned = new_customer_ids(book, today)
    changes, changed = tag_changes(book, today)
    result = check_book(book, today, "zh")
    plan = plan_reminders(book, today, store.tool_frame(schema.TASKS),
                          reminded=sent_reminders(store.folder, pd.Timestamp(today).date()))
    sheet = plan.sheet
    outputs: list[Output] = [FrameOut(schema.CHECK_RESULTS, result.problems),
                             FrameOut(schema.DATA_QUALITY, result.quality), FrameOut(schema.TASKS, sheet)]
    name = ""
    if month is not None:
        summary = summary_output(book, month, today, sheet)
        name = summary.name
        outputs += [summary, feedback_output(book)]
    if send:
        check_mail(book)
    backup, write_error = None, None
    try:
        backup = store.write(book, outputs, id_changes(book, assigned, {book.tables["customers"].sheet.name: changes}))
    except errors.WRITE_LATER as exc:
        write_error = exc
    notes = tuple(filter(None, [manager_note, waiting_note(write_error, month is not None)]))
    sheets = "、".join(f"“{o.sheet.name if isinstance(o, FrameOut) else o.name}”" for o in outputs)
    with errors.after_writing("" if write_error else f"{store.name} 的{sheets}和客户阶段、标签", backup):
        forget_closed(store.folder, sheet["task_id"])
        sent = plan.mails(notes) if send else []
        new, delivery = send_mails(book, store.folder, sent, today)
        posted = send_chat(book, store.folder, plan, today) if send else chat.deliver(store.folder, today)
    tag = TagOutcome(book=book, result=result, changed=changed, assigned=assigned, backup=backup)
    remind = RemindOutcome(book=book, sheet=sheet, mails=sent, new_mails=new, delivery=delivery, backup=backup,
                           write_error=write_error, skipped=plan.skipped if send else (), chat=posted)
    return DayOutcome(tag=tag, remind=remind, summary=name if write_error is None else "")


class SettingsStore(Store, Protocol):
    def settings(self) -> Settings:
        """设置 alone, without reading the data sheets (the job's mail server)."""


def deliver_waiting(store: SettingsStore, now: dt.datetime) -> Delivery:
    """Mail and group messages recorded earlier and not delivered yet (the server was down, a robot refused): try
    again now.  The counts are the mail's (the group messages' go to the ledger)."""
    chat.deliver(store.folder, now)
    return deliver(Ledger(store.folder), SmtpSettings.from_settings(store.settings()), store.folder, now)
