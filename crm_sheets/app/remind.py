"""生成回访清单 / 发送提醒 / `crm-sheets remind`: 回访任务, and each person's mail (outbox/ without SMTP)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import chat, errors, schema
from ..letters import manager_letter, masthead, owner_letter, reminded_tasks
from ..i18n import t
from ..mail import (LOCAL_SENDER, OUTBOX, Delivery, Ledger, Mail, SmtpSettings, deliver, forget_closed, sent_reminders,
                    unsent_line)
from ..model.book import Book
from ..model.outputs import FrameOut
from ..rules.chat import GroupNews, group_news, test_news
from ..rules.digest import digests, owners_work, shortlist, to_mention
from ..rules.lifecycle import escalated
from ..rules.tasks import ESCALATED, OVERDUE, TO_DO, UPCOMING, settle, task_sheet, typed_dues, typed_results
from ..rules.team import mail_address, mail_addresses
from ..shown import visible
from .common import crm_workbook
from .profiles import by_customer, customer_profiles
from .store import Store


@dataclass
class RemindOutcome:
    book: Book
    sheet: pd.DataFrame
    mails: list[Mail]
    new_mails: int
    delivery: Delivery
    backup: Path | None
    write_error: errors.CrmError | None = None
    skipped: tuple[str, ...] = ()  # people whose 团队 邮箱 cannot be mailed: nothing was sent to them
    chat: chat.ChatDelivery | None = None  # the groups' messages (设置 群机器人地址), when any was due

    @property
    def tasks(self) -> pd.DataFrame:
        """回访任务 as written."""
        return self.sheet

    @property
    def by_owner(self) -> pd.DataFrame:
        """How many tasks each person has on 回访任务, by 状态."""
        return self.sheet.groupby("owner")["status"].value_counts().unstack(fill_value=0)

    def lines(self, lang: str, dry_run: bool) -> list[str]:
        """The report, for the command line and the button alike: the counts, then a dry run, where mail went,
        what was not written, who was not mailed, why no mail went out."""
        lines = [t("remind.done", lang, file=self.book.path.name, **_task_counts(self.sheet), mails=len(self.mails),
                   sent=self.delivery.get("sent", 0), failed=self.delivery.get("failed", 0))]
        if dry_run:
            lines.append(t("remind.dry", lang))
        if not dry_run and not self.book.settings.smtp_host:
            lines.append(t("remind.outbox", lang, path=self.book.path.parent / OUTBOX))
        if self.write_error is not None:
            lines.append(t("remind.not_written", lang, reason=self.write_error.message(lang)))
        if self.skipped:
            lines.append(t("remind.skipped", lang, names="、".join(self.skipped)))
        if self.chat and (self.chat["sent"] or self.chat["failed"]):
            lines.append(t("remind.chat", lang, **self.chat))
        return lines + list(filter(None, [unsent_line(self.delivery, lang)]))


def run(store: Store, *, today: dt.datetime, dry_run: bool = False, send: bool = True) -> RemindOutcome:
    """Write 回访任务 and (``send``) send each person's reminders for ``today``; ``dry_run`` changes nothing.

    If the workbook cannot be written now (Excel has the file open, another writer or program holds it), the
    reminders still go out, the managers' digest says what waits, and ``write_error`` says why.
    """
    store.progress("progress.read")
    book = crm_workbook(store)
    store.progress("progress.remind")
    plan = plan_reminders(book, today, store.tool_frame(schema.TASKS),
                          reminded=sent_reminders(store.folder, pd.Timestamp(today).date()))
    if dry_run:
        return RemindOutcome(book=book, sheet=plan.sheet, mails=plan.mails(), new_mails=0, delivery={}, backup=None)
    if send:
        check_mail(book)
    backup, write_error = None, None
    store.progress("progress.write")
    try:
        backup = store.write(book, [FrameOut(schema.TASKS, plan.sheet)], {})
    except errors.WRITE_LATER as exc:
        write_error = exc
    mails, new = [], 0
    delivery: Delivery = {}
    posted = None
    if send:
        store.progress("progress.send")
        with errors.after_writing(f"{store.name} 的“回访任务”" if write_error is None else "", backup):
            forget_closed(store.folder, plan.sheet["task_id"])
            mails = plan.mails(tuple(filter(None, [waiting_note(write_error)])))
            new, delivery = send_mails(book, store.folder, mails, today)
            posted = send_chat(book, store.folder, plan, today)
    return RemindOutcome(book=book, sheet=plan.sheet, mails=mails, new_mails=new, delivery=delivery,
                         backup=backup, write_error=write_error, skipped=plan.skipped if send else (), chat=posted)


def waiting_note(error: errors.CrmError | None, monthly: bool = False) -> str:
    """What could not be written into the workbook today and why (the managers' digest, the job's log)."""
    if error is None:
        return ""
    what = "回访任务、客户阶段" + ("和上月月报" if monthly else "")
    return f"待写入：今天的{what}（{error.message()}）；文件空出后自动补写，提醒邮件照常发出。"


def skipped_note(names: tuple[str, ...]) -> str:
    """Who got no mail today because their 团队 邮箱 cannot be used (the managers' digest, the job's log)."""
    if not names:
        return ""
    return (f"没有发给：{'、'.join(names)}（“团队”表里的邮箱不能用来发信，要一格一个地址）；其他人的提醒照常发出。"
            "请改正邮箱，详见“校验结果”。")


def check_mail(book: Book) -> None:
    """A From, an encryption or a robot address 设置 names that cannot be used is refused before anything is
    written."""
    mail_sender(book)
    smtp_of(book)
    chat.robots(book.settings)


def smtp_of(book: Book) -> SmtpSettings | None:
    return SmtpSettings.from_settings(book.settings)


def mail_sender(book: Book) -> str:
    """设置 发件人邮箱 as the From of every mail: one checked address (our own placeholder when there is neither a
    server nor a sender, and the mail only goes to outbox/)."""
    typed = book.settings.sender
    if not typed and not book.settings.smtp_host:
        return LOCAL_SENDER
    address = mail_address(typed)
    if address is None:
        raise errors.BadSender(file=book.path.name, value=visible(typed))
    return address


@dataclass
class RemindPlan:
    """回访任务 as of a day, and what the day's e-mails are made from."""

    book: Book
    today: dt.datetime
    sheet: pd.DataFrame
    settled: pd.DataFrame
    profile: pd.DataFrame
    escalations: pd.DataFrame
    addresses: dict[str, str]  # who can be mailed, at which checked address
    skipped: tuple[str, ...]  # who cannot: their 团队 邮箱 is not one usable address
    listed: pd.DataFrame  # per owner with an address and customer to mention: section, listed today (shortlist)

    def mails(self, manager_notes: tuple[str, ...] = ()) -> list[Mail]:
        """One per owner with work, one digest per manager; ``manager_notes``: lines for the managers."""
        book, today, email = self.book, self.today, self.addresses
        team = book.team.fillna("")
        manager_notes = tuple(filter(None, [*manager_notes, skipped_note(self.skipped)]))
        day = pd.Timestamp(today).date()
        company = book.settings.company
        full = book.settings.full_phones
        overdue_days = book.settings.overdue_days
        listed = self.listed[self.listed["listed"]]
        totals = self.listed.groupby(["owner", "section"]).size()
        tiers = self.profile["tier"]
        mails = []
        for owner, work in owners_work(self.sheet, today):
            if owner not in email:
                continue
            work = work[work["customer_id"].isin(listed.loc[listed["owner"] == owner, "customer_id"])]
            letter = owner_letter(owner, work.assign(tier=work["customer_id"].map(tiers)), day, company, full,
                                  totals[owner].to_dict())
            mails.append(letter.mail(f"{day}|{email[owner]}|owner", email[owner], reminded_tasks(work)))
        mails += [manager_letter(d, day, company, full, overdue_days, manager_notes).mail(
            f"{day}|{email[d.manager]}|manager", email[d.manager])
            for d in digests(team, self.settled, self.profile, self.escalations, today, overdue_days)
            if d.manager in email]
        return mails

    def group_news(self) -> GroupNews:
        """The day's message to the team's groups (设置 群机器人地址)."""
        settings = self.book.settings
        return group_news(self.listed, self.book.team, self.profile, self.escalations, self.settled, self.today,
                          settings.overdue_days, masthead(settings.company, pd.Timestamp(self.today).date()),
                          settings.chat_shows_customers)


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
    email, unusable = mail_addresses(book.team)
    counts = pd.Series(reminded or {}, dtype="int64").reindex(settled["task_id"]).fillna(0).astype(int)
    # Today's mail reminds each owner (with an address) of the open tasks of the customers it lists: count it in.
    work = to_mention(settled, today)
    work = work[work["owner"].isin(email)]
    listed = shortlist(work, counts.reindex(work["task_id"]), profile["tier"], book.settings.daily_cap)
    chosen = listed.loc[listed["listed"], ["owner", "customer_id"]].assign(_listed=True)
    marked = work[["owner", "customer_id", "status", "task_id"]].merge(chosen, how="left", on=["owner", "customer_id"])
    mailed = marked.loc[marked["_listed"].eq(True) & (marked["status"] != UPCOMING), "task_id"]
    counts.loc[mailed.to_numpy()] += 1
    sheet = task_sheet(settled, typed, profile, counts, today)
    return RemindPlan(book=book, today=today, sheet=sheet, settled=settled, profile=profile, escalations=escalations,
                      addresses=email, skipped=tuple(unusable), listed=listed)


def send_mails(book: Book, folder: Path, mails: list[Mail], today: dt.datetime) -> tuple[int, Delivery]:
    """Record the day's mails in the ledger (once each) and deliver what is due: (new mails, delivery counts)."""
    smtp = smtp_of(book)
    ledger = Ledger(folder)
    new = ledger.add(mails, mail_sender(book), today)
    return new, deliver(ledger, smtp, folder, today)


def send_chat(book: Book, folder: Path, plan: RemindPlan, today: dt.datetime) -> chat.ChatDelivery:
    """Record the day's group message for each robot (once each) and post what is due, earlier days' too."""
    robots = chat.robots(book.settings)
    if robots:
        chat.queue(folder, robots, plan.group_news(), today)
    return chat.deliver(folder, today)


def test_chat(store: Store, now: dt.datetime, lang: str) -> list[tuple[bool, str]]:
    """测试群消息 / `remind --test-chat`: a test message to each robot of 设置 群机器人地址; for each, whether it
    took it and its answer in one line.  Nothing is written and nothing goes to the ledger."""
    settings = crm_workbook(store).settings
    robots = chat.robots(settings)
    if not robots:
        return [(False, t("chat.none", lang, file=settings.file))]
    return chat.test_lines(robots, test_news(masthead(settings.company, now.date())), lang)


def _task_counts(sheet: pd.DataFrame) -> dict[str, int]:
    """Tasks on 回访任务 still to act on: all of them, overdue, escalated (for the one-line report)."""
    status = sheet["status"].value_counts()
    return {"open": int(status.reindex([TO_DO, OVERDUE, ESCALATED]).fillna(0).sum()),
            "overdue": int(status.get(OVERDUE, 0)), "escalated": int(status.get(ESCALATED, 0))}
