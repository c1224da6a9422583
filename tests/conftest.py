"""Fixtures several test modules share."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller
from smtp import Inbox


@pytest.fixture()
def inbox():
    handler = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        handler.port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()
