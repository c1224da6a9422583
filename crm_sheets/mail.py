"""Reminder e-mails: compose, record in a ledger, deliver exactly once.

Every message is first written to a SQLite ledger beside the workbook under a
key (day | recipient | kind) with a fixed Message-ID; only then is it sent
(yagmail's SMTP connection) or written to outbox/ as an .eml.  A key is
composed once, so a restart never makes a second message for the same day;
a message stays pending until the server accepted it, with back-off between
attempts.  Just before the line that ends a message goes to the server, the
ledger marks it sending: the server has the whole message then and accepts it
on that line, so a process that stops before it has noted the answer leaves
"sending", which the next delivery counts as sent and never sends again.  One
process delivers at a time (a lock beside the ledger), so a mail marked
sending is never another live process's.  No mail goes twice; one is lost only
if the process stops between that mark and the send of the end line, or the
network fails before the server has read it.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from functools import partial
from pathlib import Path
from typing import TypedDict

from filelock import FileLock, Timeout

from . import faults, sqlite_file
from .filenames import file_names
from .i18n import t
from .rules.team import mail_address
from .smtp_server import SmtpSettings, Unanswered, connect, send_one, why_unsent
from .workbook.safety import lock_wait

LEDGER = ".crm-mail.sqlite"
DELIVERING = ".crm-mail.lock"  # held by the one process delivering
OUTBOX = "outbox"
MAX_BACKOFF_MINUTES = 60
LOCAL_SENDER = "crm-sheets@localhost"  # the From of mail that only goes to outbox/ when 设置 names no sender


@dataclass
class Mail:
    key: str
    recipient: str
    subject: str
    text: str
    html: str
    tasks: tuple[str, ...] = ()  # the 任务编号 it reminds of (提醒次数 counts these mails once sent)


class Delivery(TypedDict, total=False):
    sent: int
    failed: int
    # When the server took none of the mail: why ("login", "certificate", "connect"), the error, and where.
    unsent: str
    reason: str
    server: str
    sender: str


def checked(address: str) -> str:
    """The one address ``address`` names (rules.team.mail_address); refused when it is not one."""
    found = LOCAL_SENDER if address == LOCAL_SENDER else mail_address(address)
    if found is None:
        raise ValueError(f"not one address: {address!r}")
    return found


def message(mail: Mail, sender: str, now: dt.datetime) -> bytes:
    """The mail as sent.  Its headers hold only checked addresses: text from a cell never becomes a header of its
    own, nor a second recipient."""
    msg = EmailMessage()
    msg["From"] = checked(sender)
    msg["To"] = checked(mail.recipient)
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(now.astimezone())  # a naive time is this machine's local time
    msg["Message-ID"] = f"<{hashlib.sha1(mail.key.encode('utf-8'), usedforsecurity=False).hexdigest()}@crm-sheets>"
    # Base64 keeps every line short (SMTP refuses lines over 998 bytes), and Chinese text grows by a third
    # instead of tripling as in quoted-printable (a manager's list of 10,000 customers); CRLF as SMTP wants.
    msg.set_content(mail.text, cte="base64")
    msg.add_alternative(mail.html, subtype="html", cte="base64")
    return msg.as_bytes(policy=email.policy.SMTP)


class Ledger:
    """The SQLite record of every reminder: pending until delivered.

    A mail's body is kept only until it is delivered (exactly once, and a resend under the same Message-ID, need
    it until then); then the row keeps key, recipient, subject, status and times.  Reminders are counted per
    任务编号, not per task and mail: a mail's tasks wait with its body (table waiting) and are counted when it is
    sent, and the counts of tasks that left 回访任务 are dropped (keep_counts).  So the file holds one morning's
    mail at most, however many mornings there were; the pages a delivered body took go back to the disk
    (auto_vacuum), and the rows of table mail stay small and packed.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / LEDGER
        self.journal = sqlite_file.journal_for(self.path)
        with closing(self._connect()) as db:
            if db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA:
                _migrate(db)
            if db.execute("PRAGMA auto_vacuum").fetchone()[0] != INCREMENTAL:
                _convert(db)

    def _connect(self) -> sqlite3.Connection:
        return sqlite_file.connect(self.path, self.journal)

    def add(self, mails: list[Mail], sender: str, now: dt.datetime) -> int:
        """Record new mails (a key already there is left alone, with the tasks it reminded of); returns how many
        were new."""
        new = 0
        with closing(self._connect()) as db, db:
            for m in mails:
                added = db.execute("INSERT OR IGNORE INTO mail VALUES (?, ?, ?, 'pending', 0, ?, NULL, NULL)",
                                   (m.key, checked(m.recipient), m.subject, now.isoformat())).rowcount
                if added:
                    new += 1
                    db.execute("INSERT INTO waiting VALUES (?, ?, ?)", (m.key, message(m, sender, now),
                                                                      "\n".join(dict.fromkeys(m.tasks))))
        return new

    def add_posts(self, posts: list[tuple[str, str, str, bytes]], now: dt.datetime) -> int:
        """Record group messages (key, robot address, title, body) as add does mails; returns how many were new."""
        new = 0
        with closing(self._connect()) as db, db:
            for key, robot, title, body in posts:
                if db.execute("INSERT OR IGNORE INTO mail VALUES (?, ?, ?, 'pending', 0, ?, NULL, NULL)",
                              (key, robot, title, now.isoformat())).rowcount:
                    new += 1
                    db.execute("INSERT INTO waiting VALUES (?, ?, '')", (key, body))
        return new

    def reminders(self, before: dt.date) -> dict[str, int]:
        """Per 任务编号: reminder mails sent for it before the day ``before`` (today: a rerun does not count
        today's mail, which plan_reminders adds itself).  Exact for any ``before`` after the task's last day but
        one with a reminder sent, so for every day the clock reaches going forward."""
        with closing(self._connect()) as db:
            return dict(db.execute(
                "SELECT task_id, CASE WHEN last_day < ? THEN count ELSE count - last_count END AS n"
                " FROM reminder WHERE n > 0", (before.isoformat(),)).fetchall())

    def keep_counts(self, task_ids: Iterable[str]) -> int:
        """Drop the reminder counts of every task not in ``task_ids`` (the tasks on today's 回访任务); returns how
        many were dropped."""
        keep = set(task_ids)
        with closing(self._connect()) as db, db:
            gone = [(t,) for (t,) in db.execute("SELECT task_id FROM reminder") if t not in keep]
            db.executemany("DELETE FROM reminder WHERE task_id = ?", gone)
        return len(gone)

    def pending(self, now: dt.datetime, chat: bool = False) -> list[tuple[str, str, bytes]]:
        """What is due for a try: the mails, or (``chat``) the group messages, whose keys read day|chat|robot."""
        with closing(self._connect()) as db:
            return db.execute(
                # from the few waiting mails to their rows, not through every mail there ever was
                "SELECT key, recipient, body FROM waiting CROSS JOIN mail USING (key)"
                " WHERE status = 'pending' AND next_try <= ? AND (substr(key, 11, 6) = '|chat|') = ? ORDER BY key",
                (now.isoformat(), chat),
            ).fetchall()

    def sending(self, key: str) -> None:
        """The server is about to get the line that ends ``key``'s message (see the module's note)."""
        with closing(self._connect()) as db, db:
            db.execute("UPDATE mail SET status = 'sending' WHERE key = ?", (key,))

    def settle(self, now: dt.datetime) -> None:
        """Mails a stopped process left sending: the server got them whole, so they count as sent."""
        with closing(self._connect()) as db:
            keys = [k for (k,) in db.execute("SELECT key FROM mail WHERE status = 'sending'")]
        for key in keys:
            self.sent(key, now)

    def sent(self, key: str, now: dt.datetime) -> None:
        """Mark ``key`` delivered: its body goes, its tasks are counted (once, in the same transaction)."""
        with closing(self._connect()) as db, db:
            row = db.execute("SELECT tasks FROM waiting WHERE key = ?", (key,)).fetchone()
            db.execute("UPDATE mail SET status = 'sent', sent_at = ? WHERE key = ?", (now.isoformat(), key))
            db.execute("DELETE FROM waiting WHERE key = ?", (key,))
            if row and row[0]:
                day = key[:10]
                db.executemany(COUNT_ONE, [(t, day) for t in row[0].split("\n")])

    def compact(self) -> None:
        """Give the pages of dropped bodies back to the disk (cheap when there are none)."""
        with closing(self._connect()) as db:
            # executescript steps the pragma to its end; execute() would free one page per call.
            db.executescript("PRAGMA incremental_vacuum;")

    def failed(self, key: str, now: dt.datetime, error: str) -> None:
        with closing(self._connect()) as db, db:
            (attempts,) = db.execute("SELECT attempts FROM mail WHERE key = ?", (key,)).fetchone()
            wait = min(2 ** attempts, MAX_BACKOFF_MINUTES)
            db.execute("UPDATE mail SET status = 'pending', attempts = ?, next_try = ?, error = ? WHERE key = ?",
                       (attempts + 1, (now + dt.timedelta(minutes=wait)).isoformat(), error[:300], key))

    def sent_on(self, day: dt.date) -> int:
        """Reminder mails delivered on ``day`` (group messages not counted)."""
        with closing(self._connect()) as db:
            return db.execute("SELECT COUNT(*) FROM mail WHERE status = 'sent' AND substr(sent_at, 1, 10) = ?"
                              " AND substr(key, 11, 6) != '|chat|'", (day.isoformat(),)).fetchone()[0]

    def counts(self) -> dict[str, int]:
        with closing(self._connect()) as db:
            return dict(db.execute("SELECT status, COUNT(*) FROM mail GROUP BY status").fetchall())


# The ledger's layout (PRAGMA user_version).  0: every body kept in table mail, table reminded(task_id, key) with a
# row per task and mail.  1: a mail's body and tasks in table waiting until it is sent, counts per task in reminder.
SCHEMA = 1
INCREMENTAL = 2  # PRAGMA auto_vacuum
# A sent mail of day ?2 reminded of task ?1 once more: count, latest day, and how many on that day (so reminders()
# can leave out the mails of ``before`` and after).
COUNT_ONE = (
    "INSERT INTO reminder VALUES (?1, 1, ?2, 1) ON CONFLICT (task_id) DO UPDATE SET count = count + 1,"
    " last_count = CASE WHEN ?2 > last_day THEN 1 WHEN ?2 = last_day THEN last_count + 1 ELSE last_count END,"
    " last_day = max(last_day, ?2)"
)
MAIL_TABLE = ("CREATE TABLE {} (key TEXT PRIMARY KEY, recipient TEXT, subject TEXT, status TEXT, attempts INTEGER,"
              " next_try TEXT, sent_at TEXT, error TEXT)")


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a ledger (none, or one written before layout 1) to layout 1 in one transaction: each task's count
    from the old table, the bodies and tasks of mails not yet sent kept for them, sent mails' bodies dropped."""
    with db:
        db.execute("BEGIN IMMEDIATE")
        if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA:  # another process did it meanwhile
            return
        db.execute("CREATE TABLE reminder (task_id TEXT PRIMARY KEY, count INTEGER, last_day TEXT, last_count INTEGER)"
                   " WITHOUT ROWID")
        db.execute("CREATE TABLE waiting (key TEXT PRIMARY KEY, body BLOB, tasks TEXT)")
        if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'mail'").fetchone():
            db.execute(MAIL_TABLE.format("mail"))
        else:
            db.execute("CREATE TABLE IF NOT EXISTS reminded (task_id TEXT, key TEXT, PRIMARY KEY (task_id, key))")
            db.execute(
                "INSERT INTO reminder WITH s AS (SELECT r.task_id, substr(r.key, 1, 10) AS day FROM reminded r"
                " JOIN mail m ON m.key = r.key WHERE m.status = 'sent'),"
                " latest AS (SELECT task_id, MAX(day) AS last FROM s GROUP BY task_id)"
                " SELECT s.task_id, COUNT(*), latest.last, SUM(s.day = latest.last) FROM s JOIN latest USING (task_id)"
                " GROUP BY s.task_id")
            db.execute("INSERT INTO waiting SELECT key, body, (SELECT ifnull(group_concat(task_id, char(10)), '')"
                       " FROM reminded r WHERE r.key = mail.key) FROM mail WHERE status != 'sent'")
            db.execute(MAIL_TABLE.format("mail_v1"))
            db.execute("INSERT INTO mail_v1 SELECT key, recipient, subject, status, attempts, next_try, sent_at, error"
                       " FROM mail")
            db.execute("DROP TABLE mail")
            db.execute("DROP TABLE reminded")
            db.execute("ALTER TABLE mail_v1 RENAME TO mail")
        db.execute(f"PRAGMA user_version = {SCHEMA}")


def _convert(db: sqlite3.Connection) -> None:
    """Once per file: auto_vacuum can only be turned on by rewriting it (VACUUM), which also gives back the space
    of the bodies _migrate dropped.  Another connection on the file makes it wait for the next open."""
    try:
        db.execute(f"PRAGMA auto_vacuum = {INCREMENTAL}")
        db.execute("VACUUM")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            raise


def sent_reminders(folder: Path, before: dt.date) -> dict[str, int]:
    """Ledger.reminders without creating a ledger where none is (a dry run writes nothing)."""
    return Ledger(folder).reminders(before) if (folder / LEDGER).exists() else {}


def forget_closed(folder: Path, task_ids: Iterable[str]) -> None:
    """Ledger.keep_counts for the tasks on the day's 回访任务 (each row shows its count: open, escalated, done
    since yesterday, missed this week, written on), where a ledger is; none is made for it."""
    if (folder / LEDGER).exists():
        Ledger(folder).keep_counts(task_ids)


def deliver(ledger: Ledger, smtp: SmtpSettings | None, folder: Path, now: dt.datetime) -> Delivery:
    """Send (or write to outbox/) every pending mail that is due for a try; returns sent/failed counts (and why
    the server took none, see unsent_line).  While another process delivers, nothing: it is sending these very
    mails."""
    with delivering(ledger, folder, now) as mine:
        done = _send(ledger, smtp, folder, now) if mine else Delivery(sent=0, failed=0)
    if done["sent"]:
        ledger.compact()
    return done


@contextmanager
def delivering(ledger: Ledger, folder: Path, now: dt.datetime) -> Iterator[bool]:
    """Hold the folder's delivery lock, mail and group messages alike, with what a stopped run left "sending"
    settled first; False while another process holds it (it is delivering these very messages)."""
    lock = FileLock(str(folder / DELIVERING))
    try:
        lock.acquire(timeout=lock_wait())
    except Timeout:
        yield False
        return
    try:
        ledger.settle(now)
        yield True
    finally:
        lock.release()


def unsent_line(delivery: Delivery, lang: str) -> str:
    """Why the server took none of the mail and what to do (the command line, the job's log); "" when it did."""
    why = delivery.get("unsent")
    return t(f"mail.{why}", lang, **delivery) if why else ""


def _send(ledger: Ledger, smtp: SmtpSettings | None, folder: Path, now: dt.datetime) -> Delivery:
    todo = ledger.pending(now)
    done: Delivery = {"sent": 0, "failed": 0}
    if not todo:
        return done
    if smtp is None:
        outbox = folder / OUTBOX
        outbox.mkdir(exist_ok=True)
        names = file_names((key for key, _recipient, _body in todo), ".eml")
        for key, _recipient, body in todo:
            target = outbox / names[key]
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(body)
            os.replace(tmp, target)
            ledger.sent(key, now)
            done["sent"] += 1
        return done
    try:
        yag = connect(smtp)
    except Exception as exc:  # noqa: BLE001 - a server that is down: every mail waits for the next try
        reason = f"{type(exc).__name__}: {exc}"
        for key, _recipient, _body in todo:
            ledger.failed(key, now, reason)
            done["failed"] += 1
        done.update(Delivery(unsent=why_unsent(exc), reason=reason[:300], server=f"{smtp.host}:{smtp.port}",
                             sender=smtp.sender))
        return done
    try:
        for key, recipient, body in todo:
            try:
                send_one(yag.smtp, smtp.sender, recipient, body, partial(ledger.sending, key))
            except Unanswered:
                continue  # the server has it whole: settle counts it as sent, it is never sent twice
            except Exception as exc:  # noqa: BLE001 - refused now, retried later with back-off
                ledger.failed(key, now, f"{type(exc).__name__}: {exc}")
                done["failed"] += 1
                continue
            faults.reached("mail sent, not yet recorded")
            ledger.sent(key, now)
            done["sent"] += 1
    finally:
        try:
            yag.close()
        except Exception:  # noqa: BLE001, S110 - the connection may already be gone
            pass
    return done


