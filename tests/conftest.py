"""Fixtures several test modules share."""

from __future__ import annotations

import os

import pytest
import windows_rules
from smtp import Inbox, serving


def pytest_configure(config: pytest.Config) -> None:
    """CRM_SHEETS_WINDOWS_RULES=1: the whole run (and every Python it starts) under Windows' file rules."""
    if os.environ.get(windows_rules.ENV) == "1":
        config._lift_windows_rules = windows_rules.windows_rules()  # type: ignore[attr-defined]
        config._lift_windows_rules.__enter__()  # type: ignore[attr-defined]


@pytest.fixture()
def inbox():
    with serving(Inbox()) as handler:
        yield handler
