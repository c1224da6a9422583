"""Render docs/mail-phone.png: the first salesperson's morning mail from the demo, as headless Chromium shows its
HTML part on a 375-px phone screen.

    python docs/make_mail_picture.py      (needs Debian's chromium and a Chinese font, e.g. fonts-noto-cjk)
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from crm_sheets.app import remind
from crm_sheets.demo_data import make_demo
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))
from browser import screenshot  # noqa: E402 - the tests' Chromium driver, found beside them

TODAY = dt.datetime(2026, 11, 24, 8, 30)

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "crm-demo.xlsx"
    write_workbook(path, data=make_demo(TODAY.date()).frames)
    mails = remind.run(FileStore(path), today=TODAY, dry_run=True).mails
    first = next(m for m in mails if m.key.endswith("|owner"))
    screenshot(first.html, HERE / "mail-phone.png", width=375, height=1300)
