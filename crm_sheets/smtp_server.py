"""Talking to the team's mail server: its settings in 设置, an encrypted logged-in connection, one message."""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass

from . import schema
from .passwords import stored_password
from .rules.team import mail_address
from .settings import Settings

PASSWORD_ENV = "CRM_SHEETS_SMTP_PASSWORD"  # noqa: S105 - the variable's name, not a password
SSL, STARTTLS, PLAIN = schema.SMTP_SECURITY
# A server that takes the connection and then never answers would hold the morning's job for good: after this
# many seconds of silence the mail waits for the next try instead.
TIMEOUT = 60


@dataclass
class SmtpSettings:
    host: str
    port: int
    sender: str
    security: str = ""  # one of schema.SMTP_SECURITY; empty: by the port

    @property
    def mode(self) -> str:
        """SSL, STARTTLS or 不加密: as 设置 says, else what the port is for (465, 587; any other: none)."""
        return self.security or {465: SSL, 587: STARTTLS}.get(self.port, PLAIN)

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSettings | None:
        """From 设置; None when no server is set (then mail goes to outbox/).  An SMTP加密方式 that is none of the
        choices is refused even then: it is a typo either way."""
        security = settings.smtp_security
        host = settings.smtp_host
        if not host:
            return None
        typed = settings.sender
        # 王伟 <crm@example.com> is sent from crm@example.com; a sender that is no address fails at the server.
        return cls(host=host, port=settings.smtp_port, sender=mail_address(typed) or typed, security=security)


def connect(smtp: SmtpSettings):
    """A logged-in yagmail connection, encrypted as smtp.mode says.  The certificate is checked against this
    machine's trusted ones (smtplib alone would take any), so a password never goes to a server that only claims
    the name; a server that offers no STARTTLS is refused, not written to in clear."""
    import yagmail

    secret = stored_password(PASSWORD_ENV, smtp.sender)
    context = ssl.create_default_context()
    yag = yagmail.SMTP(user=smtp.sender, password=secret, host=smtp.host, port=smtp.port,
                       smtp_ssl=smtp.mode == SSL, smtp_starttls={"context": context} if smtp.mode == STARTTLS else False,
                       smtp_skip_login=not secret, soft_email_validation=False, timeout=TIMEOUT,
                       **({"context": context} if smtp.mode == SSL else {}))
    yag.login()
    return yag


def why_unsent(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "login"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return "certificate"
    return "connect"


class Unanswered(Exception):
    """The connection went before the server answered the line that ends a message."""


def send_one(conn: smtplib.SMTP, sender: str, recipient: str, body: bytes, ending: Callable[[], None]) -> None:
    """smtplib's sendmail for one recipient, with ``ending()`` run just before the line that ends the message:
    the last moment at which the server cannot have it yet."""
    conn.ehlo_or_helo_if_needed()
    for step, args, good in ((conn.mail, (sender,), (250,)), (conn.rcpt, (recipient,), (250, 251)),
                             (conn.docmd, ("DATA",), (354,))):
        code, reply = step(*args)
        if code not in good:
            conn.rset()
            raise smtplib.SMTPResponseException(code, reply)
    data = re.sub(rb"(?m)^\.", b"..", body)  # a line starting with "." gets a second one (RFC 5321 4.5.2)
    conn.send(data if data.endswith(b"\r\n") else data + b"\r\n")
    ending()
    conn.send(b".\r\n")
    try:
        code, reply = conn.getreply()
    except (OSError, smtplib.SMTPServerDisconnected):
        raise Unanswered from None
    if code != 250:
        conn.rset()
        raise smtplib.SMTPResponseException(code, reply)
