"""Fixtures several test modules share."""

from __future__ import annotations

import os
import socket

import pytest
import windows_rules
from aiosmtpd.controller import Controller
from smtp import Inbox


def pytest_configure(config: pytest.Config) -> None:
    """CRM_SHEETS_WINDOWS_RULES=1: the whole run (and every Python it starts) under Windows' file rules."""
    if os.environ.get(windows_rules.ENV) == "1":
        config._lift_windows_rules = windows_rules.windows_rules()  # type: ignore[attr-defined]
        config._lift_windows_rules.__enter__()  # type: ignore[attr-defined]


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
