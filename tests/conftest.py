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
def buttons_at(monkeypatch):
    """Set the buttons' clock (``buttons_at(day)``); the book a test set as xlwings' caller is forgotten after it."""
    import xlwings as xw

    from crm_sheets import excel

    yield lambda day: monkeypatch.setattr(excel, "_now", lambda: day)
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller


@pytest.fixture()
def inbox():
    with serving(Inbox()) as handler:
        yield handler
