"""生成回访清单 / 发送提醒 / `crm-sheets remind`: 回访任务, and each person's mail (outbox/ without SMTP)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import errors, schema
from ..letters import manager_letter, owner_letter, reminded_tasks
from ..mail import Ledger, Mail, SmtpSettings, deliver, sent_reminders
from ..outputs import FrameOut
from ..rules.digest import digests, owners_work
from ..rules.lifecycle import escalated
from ..rules.tasks import (ESCALATED, OVERDUE, TO_DO, open_tasks, settle, task_sheet, typed_dues,
                           typed_results)
from ..workbook.read import Book
from .common import crm_workbook
from .profiles import by_customer, customer_profiles
from .store import Store


@dataclass
class RemindOutcome:
    book: Book
    sheet: pd.DataFrame
    mails: list[Mail]
    new_mails: int
    delivery: dict[str, int]
    backup: Path | None
    write_error: errors.CrmError | None = None


def run(store: Store, *, today: dt.datetime, dry_run: bool = False, send: bool = True) -> RemindOutcome:
    """Write 回访任务 and (``send``) send each person's reminders for ``today``; ``dry_run`` changes nothing.

    If the workbook cannot be written now (Excel has the file open, another writer holds it), the reminders
    still go out and ``write_error`` says why.
    """
    store.progress("progress.read")
    book = crm_workbook(store.read())
    store.progress("progress.remind")
    sheet, mails = remind_plan(book, today, store.tool_frame(schema.TASKS),
                               reminded=sent_reminders(store.folder, pd.Timestamp(today).date()))
    if dry_run:
        return RemindOutcome(book=book, sheet=sheet, mails=mails, new_mails=0, delivery={}, backup=None)
    backup, write_error = None, None
    store.progress("progress.write")
    try:
        backup = store.write(book, [FrameOut(schema.TASKS, sheet)], {})
    except (errors.OpenInExcel, errors.Busy) as exc:
        write_error = exc
    new, delivery = 0, {}
    if send:
        store.progress("progress.send")
        new, delivery = send_mails(book, store.folder, mails, today)
    return RemindOutcome(book=book, sheet=sheet, mails=mails if send else [], new_mails=new, delivery=delivery,
                         backup=backup, write_error=write_error)


def remind_plan(book: Book, today: dt.datetime, previous: pd.DataFrame, manager_note: str = "",
                reminded: dict[str, int] | None = None) -> tuple[pd.DataFrame, list[Mail]]:
    """回访任务 as of ``today`` and the day's e-mails (one per owner with work, one digest per manager).

    ``previous`` is 回访任务 as staff left it; ``reminded`` the reminder mails sent before today per 任务编号
    (the ledger's); ``manager_note`` is a line for the managers' digest (the job's word that the workbook
    could not be written).
    """
    typed = typed_results(previous)
    life, tasks = customer_profiles(book, today, earliest=typed_dues(typed))
    profile = by_customer(book, life)
    customers = book.tables["customers"]
    by_id = customers.text.assign(phone=customers.data["phone"]).drop_duplicates("customer_id").set_index("customer_id")
    profile["name"] = by_id["name"].reindex(profile.index).fillna("")
    profile["phone"] = by_id["phone"].reindex(profile.index).fillna("")
    escalations = escalated(profile)
    settled = settle(tasks, typed, escalations, today)
    team = book.team.fillna("")
    email = {name: address for name, address in zip(team["name"], team["email"]) if address}
    # Today's mail reminds each owner (with an address) of their open tasks: count it in.
    mailed = open_tasks(settled)
    mailed = mailed[mailed["owner"].isin(email)]["task_id"]
    counts = pd.Series(reminded or {}, dtype="int64").reindex(settled["task_id"]).fillna(0).astype(int)
    counts.loc[mailed.to_numpy()] += 1
    sheet = task_sheet(settled, typed, profile, counts, today)
    day = pd.Timestamp(today).date()
    company = book.setting("公司名称").strip()
    full = book.setting("邮件显示完整号码").strip() == "是"
    overdue_days = int(book.number("逾期上报天数"))
    mails = [owner_letter(owner, work, day, company, full).mail(f"{day}|{email[owner]}|owner", email[owner],
                                                                 reminded_tasks(work))
             for owner, work in owners_work(sheet, today) if owner in email]
    mails += [manager_letter(d, day, company, full, overdue_days, manager_note).mail(
        f"{day}|{email[d.manager]}|manager", email[d.manager])
        for d in digests(team, settled, profile, escalations, today, overdue_days) if d.manager in email]
    return sheet, mails


def send_mails(book: Book, folder: Path, mails: list[Mail], today: dt.datetime) -> tuple[int, dict[str, int]]:
    """Record the day's mails in the ledger (once each) and deliver what is due: (new mails, delivery counts)."""
    smtp = SmtpSettings.from_settings(book.setting)
    ledger = Ledger(folder)
    sender = smtp.sender if smtp else (book.setting("发件人邮箱") or "crm-sheets@localhost")
    new = ledger.add(mails, sender, today)
    return new, deliver(ledger, smtp, folder, today)


def task_counts(sheet: pd.DataFrame) -> dict[str, int]:
    """Tasks on 回访任务 still to act on: all of them, overdue, escalated (for the one-line report)."""
    status = sheet["status"].value_counts()
    return {"open": int(status.reindex([TO_DO, OVERDUE, ESCALATED]).fillna(0).sum()),
            "overdue": int(status.get(OVERDUE, 0)), "escalated": int(status.get(ESCALATED, 0))}
