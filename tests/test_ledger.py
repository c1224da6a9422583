"""The mail ledger stays small (issue 33): a body is kept until delivered, reminders are counted per task and
dropped when the task leaves 回访任务, and a ledger an older version wrote is migrated without losing a count."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import random
import shutil
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path

import pandas as pd
from smtp import Inbox

from crm_sheets import schema
from crm_sheets.app import remind
from crm_sheets.demo_data import make_demo
from crm_sheets.mail import LEDGER, Ledger, Mail, SmtpSettings, deliver
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v0.sqlite"  # written by the version before (see its maker)
DAY1 = dt.datetime(2026, 11, 24, 8, 30)
SENDER = "crm@example.com"
# The count the version before issue 33 gave (crm_sheets/mail.py at c95534b), run on its own tables.
OLD_COUNT = ("SELECT r.task_id, COUNT(*) FROM reminded r JOIN mail m ON m.key = r.key"
             " WHERE m.status = 'sent' AND substr(r.key, 1, 10) < ? GROUP BY r.task_id")


def mail(day: dt.date, who: str, tasks: tuple[str, ...], text: str = "今日回访") -> Mail:
    return Mail(key=f"{day}|{who}@example.com|owner", recipient=f"{who}@example.com", subject=f"{day} 今日回访清单",
                text=text, html=f"<p>{text}</p>", tasks=tasks)


def query(path: Path, sql: str, *args) -> list[tuple]:
    with closing(sqlite3.connect(path)) as db:
        return db.execute(sql, args).fetchall()


def test_a_delivered_body_is_dropped_and_the_file_gives_the_space_back(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    rng = random.Random(3)
    letters = [mail(DAY1.date(), f"p{i}", (f"T{i}",), "".join(rng.choice("客户回访电话逾期") for _ in range(150_000)))
               for i in range(12)]
    ledger.add(letters, SENDER, DAY1)
    full = (tmp_path / LEDGER).stat().st_size
    assert full > 12 * 300_000  # 150,000 Chinese characters: 450,000 bytes of UTF-8, a third more in base64
    assert deliver(ledger, None, tmp_path, DAY1) == {"sent": 12, "failed": 0}
    assert query(tmp_path / LEDGER, "SELECT COUNT(*) FROM waiting") == [(0,)]
    kept = query(tmp_path / LEDGER, "SELECT key, recipient, subject, status, sent_at FROM mail ORDER BY key")
    assert kept[0] == (f"{DAY1.date()}|p0@example.com|owner", "p0@example.com", f"{DAY1.date()} 今日回访清单", "sent",
                       DAY1.isoformat())
    assert (tmp_path / LEDGER).stat().st_size < 200_000 < full
    # What was delivered is whole: the outbox holds each letter's text.
    (first,) = (tmp_path / "outbox").glob("*p0@example.com*.eml")
    text = email.message_from_bytes(first.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n").rstrip("\n") == letters[0].text


def test_a_refused_mail_keeps_its_body_and_is_resent_as_the_same_message(tmp_path: Path, inbox: Inbox) -> None:
    ledger = Ledger(tmp_path)
    smtp = SmtpSettings("127.0.0.1", inbox.port, SENDER)
    ledger.add([mail(DAY1.date(), "li", ("T1", "T2"))], SENDER, DAY1)
    ((_key, _to, stored),) = ledger.pending(DAY1)
    inbox.refuse = 1
    assert deliver(ledger, smtp, tmp_path, DAY1) == {"sent": 0, "failed": 1}
    assert ledger.pending(DAY1 + dt.timedelta(minutes=5))[0][2] == stored
    assert ledger.reminders(DAY1.date() + dt.timedelta(days=1)) == {}  # not delivered: not a reminder yet
    assert deliver(ledger, smtp, tmp_path, DAY1 + dt.timedelta(minutes=5)) == {"sent": 1, "failed": 0}
    (got,) = inbox.messages
    assert got["Message-ID"] == email.message_from_bytes(stored, policy=email.policy.default)["Message-ID"]
    assert query(tmp_path / LEDGER, "SELECT * FROM waiting") == []
    assert ledger.reminders(DAY1.date() + dt.timedelta(days=1)) == {"T1": 1, "T2": 1}


def test_counts_are_the_reminders_sent_before_the_day_over_forty_mornings(tmp_path: Path) -> None:
    """Against a plain record of what was sent: each morning some mails are refused and sent on a later try (that
    day or the next), the same day is run again (a key already there keeps the tasks it had), a customer changes
    hands (one task in two mails of a day), and tasks close."""
    ledger, rng = Ledger(tmp_path), random.Random(33)
    sent: list[tuple[str, str]] = []  # (day of the mail's key, task) for every delivered mail, as delivered
    tasks_of: dict[str, tuple[str, ...]] = {}
    people = ["li", "wang", "zhao"]

    def expected(before: dt.date) -> dict[str, int]:
        return dict(Counter(task for day, task in sent if day < before.isoformat()))

    def deliver_some(now: dt.datetime, share: float) -> None:
        for key, _to, _body in ledger.pending(now):
            if rng.random() < share:
                ledger.sent(key, now)
                sent.extend((key[:10], t) for t in tasks_of[key])
            else:
                ledger.failed(key, now, "451 try again later")

    for n in range(40):
        now = DAY1 + dt.timedelta(days=n)
        today = now.date()
        for run in range(2 if n % 5 == 0 else 1):  # every fifth morning is run twice
            assert ledger.reminders(today) == expected(today)
            letters = [mail(today, who, tuple(f"T{rng.randrange(30)}" for _ in range(rng.randrange(5))))
                       for who in people]
            if n % 7 == 3:  # T0 changes hands: today two letters remind of it
                letters[1].tasks += ("T0",)
                letters[2].tasks += ("T0",)
            for m in letters:
                tasks_of.setdefault(m.key, tuple(dict.fromkeys(m.tasks)))
            ledger.add(letters, SENDER, now + dt.timedelta(minutes=run))
            deliver_some(now + dt.timedelta(minutes=run), 0.7)
        deliver_some(now + dt.timedelta(hours=3), 0.8)  # the job's retries later in the morning
        if n % 6 == 5:
            closed = {f"T{rng.randrange(30)}" for _ in range(4)}
            ledger.keep_counts(f"T{i}" for i in range(30) if f"T{i}" not in closed)
            sent = [(d, t) for d, t in sent if t not in closed]
        assert ledger.reminders(today + dt.timedelta(days=1)) == expected(today + dt.timedelta(days=1))
    assert len(query(tmp_path / LEDGER, "SELECT * FROM reminder")) <= 30


def test_remind_drops_the_counts_of_tasks_that_left_the_sheet_and_counts_each_morning_once(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    write_workbook(path, data=make_demo(DAY1.date(), n_customers=300, n_followups=1500).frames)
    ledger = Ledger(tmp_path)
    yesterday = DAY1 - dt.timedelta(days=1)
    ledger.add([mail(yesterday.date(), "lina", ("CRM-closed-long-ago",))], SENDER, yesterday)
    deliver(ledger, None, tmp_path, yesterday)
    assert ledger.reminders(DAY1.date()) == {"CRM-closed-long-ago": 1}
    first = remind.run(FileStore(path), today=DAY1)
    overdue = first.sheet[(first.sheet["status"] == "逾期") & (first.sheet["reminders"] == 1)]["task_id"]
    assert len(overdue) >= 5
    for n, again in ((1, False), (2, False), (2, True)):  # day 3 is run twice, as a second press of the button does
        outcome = remind.run(FileStore(path), today=DAY1 + dt.timedelta(days=n))
        sheet = outcome.sheet.set_index("task_id")
        still = overdue[overdue.isin(sheet.index[sheet["status"] == "逾期"])]
        assert len(still) >= 3, again
        # Nobody logged a follow-up: each morning's list reminded of them once more, today's included.
        assert (sheet.loc[still, "reminders"] == n + 1).all(), again
    counted = set(query(tmp_path / LEDGER, "SELECT task_id FROM reminder"))
    assert ("CRM-closed-long-ago",) not in counted
    assert {t for (t,) in counted} <= set(FileStore(path).tool_frame(schema.TASKS)["task_id"])


def test_a_ledger_the_version_before_wrote_is_migrated_losing_no_count(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, old)
    # The days a job reaches from here on (the last mornings were 11-22 and 11-23): the counts it asks for.
    days = pd.date_range("2026-11-22", "2026-11-26").date
    expected = {day: dict(query(old, OLD_COUNT, day.isoformat())) for day in days}
    bodies = dict(query(old, "SELECT key, body FROM mail WHERE status = 'pending'"))
    # What the version before would count once both waiting mails are delivered.
    with closing(sqlite3.connect(old)) as db, db:
        db.execute("UPDATE mail SET status = 'sent' WHERE status = 'pending'")
    after = {day: dict(query(old, OLD_COUNT, day.isoformat())) for day in days}
    assert expected[days[-1]] != after[days[-1]]  # the waiting mails do remind of something

    folder = tmp_path / "book"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / LEDGER)
    before = (folder / LEDGER).stat().st_size
    ledger = Ledger(folder)
    assert {day: ledger.reminders(day) for day in days} == expected
    assert query(folder / LEDGER, "SELECT name FROM sqlite_master WHERE name = 'reminded'") == []
    assert query(folder / LEDGER, "SELECT key FROM waiting ORDER BY key") == sorted(
        (k,) for k in bodies)
    assert {key: body for key, _to, body in ledger.pending(dt.datetime(2026, 11, 23, 9))} == bodies
    assert query(folder / LEDGER, "PRAGMA auto_vacuum") == [(2,)]
    assert (folder / LEDGER).stat().st_size <= before
    assert ledger.counts() == {"sent": 7, "pending": 2}

    assert deliver(Ledger(folder), None, folder, dt.datetime(2026, 11, 23, 9)) == {"sent": 2, "failed": 0}
    assert {day: ledger.reminders(day) for day in days} == after
