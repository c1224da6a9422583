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

    If the workbook cannot be written now (Excel has the file open, another writer or program holds it), the
    reminders still go out, the managers' digest says what waits, and ``write_error`` says why.
    """
    store.progress("progress.read")
    book = crm_workbook(store.read())
    store.progress("progress.remind")
    plan = plan_reminders(book, today, store.tool_frame(schema.TASKS),
                          reminded=sent_reminders(store.folder, pd.Timestamp(today).date()))
    if dry_run:
        return RemindOutcome(book=book, sheet=plan.sheet, mails=plan.mails(), new_mails=0, delivery={}, backup=None)
    backup, write_error = None, None
    store.progress("progress.write")
    try:
        backup = store.write(book, [FrameOut(schema.TASKS, plan.sheet)], {})
    except errors.WRITE_LATER as exc:
        write_error = exc
    mails = plan.mails(tuple(filter(None, [waiting_note(write_error)]))) if send else []
    new, delivery = 0, {}
    if send:
        store.progress("progress.send")
        new, delivery = send_mails(book, store.folder, mails, today)
    return RemindOutcome(book=book, sheet=plan.sheet, mails=mails, new_mails=new, delivery=delivery,
                         backup=backup, write_error=write_error)


def waiting_note(error: errors.CrmError | None, monthly: bool = False) -> str:
    """What could not be written into the workbook today and why (the managers' digest, the job's log)."""
    if error is None:
        return ""
    what = "回访任务、客户阶段" + ("和上月月报" if monthly else "")
    return f"待写入：今天的{what}（{error.message()}）；文件空出后自动补写，提醒邮件照常发出。"


@dataclass
class RemindPlan:
    """回访任务 as of a day, and what the day's e-mails are made from."""

    book: Book
    today: dt.datetime
    sheet: pd.DataFrame
    settled: pd.DataFrame
    profile: pd.DataFrame
    escalations: pd.DataFrame

    def mails(self, manager_notes: tuple[str, ...] = ()) -> list[Mail]:
        """One per owner with work, one digest per manager; ``manager_notes``: lines for the managers."""
        book, today = self.book, self.today
        team = book.team.fillna("")
        email = {name: address for name, address in zip(team["name"], team["email"]) if address}
        day = pd.Timestamp(today).date()
        company = book.setting("公司名称").strip()
        full = book.setting("邮件显示完整号码").strip() == "是"
        overdue_days = int(book.number("逾期上报天数"))
        mails = [owner_letter(owner, work, day, company, full).mail(f"{day}|{email[owner]}|owner", email[owner],
                                                                     reminded_tasks(work))
                 for owner, work in owners_work(self.sheet, today) if owner in email]
        mails += [manager_letter(d, day, company, full, overdue_days, manager_notes).mail(
            f"{day}|{email[d.manager]}|manager", email[d.manager])
            for d in digests(team, self.settled, self.profile, self.escalations, today, overdue_days)
            if d.manager in email]
        return mails


def remind_plan(book: Book, today: dt.datetime, previous: pd.DataFrame, manager_note: str = "",
                reminded: dict[str, int] | None = None) -> tuple[pd.DataFrame, list[Mail]]:
    """回访任务 as of ``today`` and the day's e-mails (see plan_reminders)."""
    plan = plan_reminders(book, today, previous, reminded)
    return plan.sheet, plan.mails(tuple(filter(None, [manager_note])))


def plan_reminders(book: Book, today: dt.datetime, previous: pd.DataFrame,
                   reminded: dict[str, int] | None = None) -> RemindPlan:
    """回访任务 as of ``today``, ready to make the day's mails.

    ``previous`` is 回访任务 as staff left it; ``reminded`` the reminder mails sent before today per 任务编号
    (the ledger's).
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
    return RemindPlan(book=book, today=today, sheet=sheet, settled=settled, profile=profile, escalations=escalations)


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
