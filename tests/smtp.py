"""The mail a real SMTP server on 127.0.0.1 (aiosmtpd, started by the ``inbox`` fixture in conftest.py) accepted."""

from __future__ import annotations

import email
import email.policy
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class Inbox:
    """An SMTP server that keeps what it accepts; it can refuse or be slow on purpose."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []  # each accepted message's envelope recipients (RCPT TO)
        self.refuse = 0
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - the name aiosmtpd calls
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.recipients.append(list(envelope.rcpt_tos))
        if self.delay:
            time.sleep(self.delay)
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def body(message: email.message.EmailMessage) -> str:
    """The plain-text part as a reader sees it (the wire's CRLF line ends as newlines)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


@contextmanager
def serving(handler: Inbox) -> Iterator[Inbox]:
    """``handler`` as an SMTP server on a free port of 127.0.0.1 (its ``port``) until the block ends."""
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        handler.port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()
