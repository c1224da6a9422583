"""Reminder e-mails: compose, record in a ledger, deliver exactly once.

Every message is first written to a SQLite ledger beside the workbook under a
key (day | recipient | kind) with a fixed Message-ID; only then is it sent
(yagmail's SMTP connection) or written to outbox/ as an .eml.  A key is
composed once, so a restart never makes a second message for the same day;
a message stays pending until the server accepted it, with back-off between
attempts.  A crash after the server accepted but before the ledger noted it
resends the same Message-ID, which mail servers treat as the same message.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from . import sqlite_file
from .filenames import file_names
from .rules.team import mail_address

LEDGER = ".crm-mail.sqlite"
OUTBOX = "outbox"
PASSWORD_ENV = "CRM_SHEETS_SMTP_PASSWORD"
KEYRING_SERVICE = "crm-sheets"
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


@dataclass
class SmtpSettings:
    host: str
    port: int
    sender: str

    @classmethod
    def from_settings(cls, setting) -> SmtpSettings | None:
        """From 设置 (``setting(name)``); None when no server is set (then mail goes to outbox/)."""
        host = setting("SMTP服务器").strip()
        if not host:
            return None
        port = int(float(setting("SMTP端口") or 465))
        typed = setting("发件人邮箱").strip()
        # 王伟 <crm@example.com> is sent from crm@example.com; a sender that is no address fails at the server.
        return cls(host=host, port=port, sender=mail_address(typed) or typed)


def password(sender: str) -> str | None:
    """Never from the workbook: the environment, else the operating system's keyring."""
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, sender)
    except Exception:  # noqa: BLE001 - no keyring backend on this machine means no stored password
        return None


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
    msg["Message-ID"] = f"<{hashlib.sha1(mail.key.encode('utf-8')).hexdigest()}@crm-sheets>"
    # Base64 keeps every line short (SMTP refuses lines over 998 bytes), and Chinese text grows by a third
    # instead of tripling as in quoted-printable (a manager's list of 10,000 customers); CRLF as SMTP wants.
    msg.set_content(mail.text, cte="base64")
    msg.add_alternative(mail.html, subtype="html", cte="base64")
    return msg.as_bytes(policy=email.policy.SMTP)


class Ledger:
    """The SQLite record of every reminder: pending until delivered."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LEDGER
        self.journal = sqlite_file.journal_for(self.path)
        with closing(self._connect()) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS mail (key TEXT PRIMARY KEY, recipient TEXT, subject TEXT, body BLOB,"
                " status TEXT, attempts INTEGER, next_try TEXT, sent_at TEXT, error TEXT)"
            )
            db.execute("CREATE TABLE IF NOT EXISTS runs (kind TEXT, day TEXT, PRIMARY KEY (kind, day))")
            db.execute("CREATE TABLE IF NOT EXISTS reminded (task_id TEXT, key TEXT, PRIMARY KEY (task_id, key))")

    def _connect(self) -> sqlite3.Connection:
        return sqlite_file.connect(self.path, self.journal)

    def add(self, mails: list[Mail], sender: str, now: dt.datetime) -> int:
        """Record new mails (a key already there is left alone, with the tasks it reminded of); returns how many
        were new."""
        new = 0
        with closing(self._connect()) as db, db:
            for m in mails:
                added = db.execute("INSERT OR IGNORE INTO mail VALUES (?, ?, ?, ?, 'pending', 0, ?, NULL, NULL)",
                                   (m.key, checked(m.recipient), m.subject, message(m, sender, now),
                                    now.isoformat())).rowcount
                if added:
                    new += 1
                    db.executemany("INSERT OR IGNORE INTO reminded VALUES (?, ?)", [(t, m.key) for t in m.tasks])
        return new

    def reminders(self, before: dt.date) -> dict[str, int]:
        """Per 任务编号: reminder mails sent for it before the day ``before``."""
        with closing(self._connect()) as db:
            return dict(db.execute(
                "SELECT r.task_id, COUNT(*) FROM reminded r JOIN mail m ON m.key = r.key"
                " WHERE m.status = 'sent' AND substr(r.key, 1, 10) < ? GROUP BY r.task_id",
                (before.isoformat(),)).fetchall())

    def pending(self, now: dt.datetime) -> list[tuple[str, str, bytes]]:
        with closing(self._connect()) as db:
            return db.execute(
                "SELECT key, recipient, body FROM mail WHERE status = 'pending' AND next_try <= ? ORDER BY key",
                (now.isoformat(),),
            ).fetchall()

    def sent(self, key: str, now: dt.datetime) -> None:
        with closing(self._connect()) as db, db:
            db.execute("UPDATE mail SET status = 'sent', sent_at = ? WHERE key = ?", (now.isoformat(), key))

    def failed(self, key: str, now: dt.datetime, error: str) -> None:
        with closing(self._connect()) as db, db:
            (attempts,) = db.execute("SELECT attempts FROM mail WHERE key = ?", (key,)).fetchone()
            wait = min(2 ** attempts, MAX_BACKOFF_MINUTES)
            db.execute("UPDATE mail SET attempts = ?, next_try = ?, error = ? WHERE key = ?",
                       (attempts + 1, (now + dt.timedelta(minutes=wait)).isoformat(), error[:300], key))

    def counts(self) -> dict[str, int]:
        with closing(self._connect()) as db:
            return dict(db.execute("SELECT status, COUNT(*) FROM mail GROUP BY status").fetchall())

    def ran(self, kind: str, day: dt.date) -> bool:
        with closing(self._connect()) as db:
            return db.execute("SELECT 1 FROM runs WHERE kind = ? AND day = ?", (kind, day.isoformat())).fetchone() is not None

    def mark_run(self, kind: str, day: dt.date) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR IGNORE INTO runs VALUES (?, ?)", (kind, day.isoformat()))


def sent_reminders(folder: Path, before: dt.date) -> dict[str, int]:
    """Ledger.reminders without creating a ledger where none is (a dry run writes nothing)."""
    return Ledger(folder).reminders(before) if (folder / LEDGER).exists() else {}


def deliver(ledger: Ledger, smtp: SmtpSettings | None, folder: Path, now: dt.datetime) -> dict[str, int]:
    """Send (or write to outbox/) every pending mail that is due for a try; returns sent/failed counts."""
    todo = ledger.pending(now)
    done = {"sent": 0, "failed": 0}
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
        import yagmail

        secret = password(smtp.sender)
        yag = yagmail.SMTP(user=smtp.sender, password=secret, host=smtp.host, port=smtp.port,
                           smtp_ssl=smtp.port == 465, smtp_starttls=smtp.port == 587, smtp_skip_login=not secret,
                           soft_email_validation=False)
        yag.login()
    except Exception as exc:  # noqa: BLE001 - a server that is down: every mail waits for the next try
        for key, _recipient, _body in todo:
            ledger.failed(key, now, f"{type(exc).__name__}: {exc}")
            done["failed"] += 1
        return done
    try:
        for key, recipient, body in todo:
            try:
                yag.smtp.sendmail(smtp.sender, [recipient], body)
            except Exception as exc:  # noqa: BLE001 - refused now, retried later with back-off
                ledger.failed(key, now, f"{type(exc).__name__}: {exc}")
                done["failed"] += 1
                continue
            ledger.sent(key, now)
            done["sent"] += 1
    finally:
        try:
            yag.close()
        except Exception:  # noqa: BLE001, S110 - the connection may already be gone
            pass
    return done
