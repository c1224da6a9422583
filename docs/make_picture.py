"""Render docs/template.png (a small demo workbook after `validate`), docs/buttons.png (the 操作
sheet of the .xlsm template) and docs/summary.png (the monthly summary of the full demo), as
LibreOffice shows them.

    python docs/make_picture.py      (needs LibreOffice, python3-uno, pdftoppm, fonts-noto-cjk)
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

from crm_sheets.app import summary, validate
from crm_sheets.stores.file import FileStore
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook

HERE = Path(__file__).parent
TODAY = dt.datetime(2026, 11, 24, 9, 0)

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "crm-demo.xlsx"
    write_workbook(path, data=make_demo(TODAY.date(), n_customers=40, n_followups=200).frames)
    validate.run(FileStore(path), today=TODAY)
    uno_tool = HERE.parent / "tests" / "lo" / "uno_tool.py"
    subprocess.run(
        ["/usr/bin/python3", str(uno_tool), "render", str(path), "客户信息", str(HERE / "template.png"), "A1:J30"],
        check=True,
    )
    template = HERE.parent / "workbook_templates" / "crm-template.xlsm"
    subprocess.run(
        ["/usr/bin/python3", str(uno_tool), "render", str(template), "操作", str(HERE / "buttons.png"), "A1:B16"],
        check=True,
    )
    big = Path(folder) / "crm-summary.xlsx"
    write_workbook(big, data=make_demo(TODAY.date()).frames)
    summary.run(FileStore(big), today=TODAY)
    subprocess.run(
        ["/usr/bin/python3", str(uno_tool), "render", str(big), "月度汇总-2026-10", str(HERE / "summary.png"), "A1:P54"],
        check=True,
    )
