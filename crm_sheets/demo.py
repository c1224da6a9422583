"""``crm-sheets demo``: a realistic workbook with planted problems, on disk, with the buttons (.xlsm)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from .demo_data import Demo, make_demo
from .templates import write_workbook
from .vba import vba_project

DEMO_FILE = "crm-demo.xlsm"


def write_demo(directory: Path, *, today: dt.datetime) -> tuple[Path, Demo]:
    """Write (or rewrite) ``directory/crm-demo.xlsm`` and return it with its manifest: the template's buttons and
    VBA (standalone xlwings), so the same file can be tried in Excel."""
    directory.mkdir(parents=True, exist_ok=True)
    demo = make_demo(today.date())
    path = directory / DEMO_FILE
    fd, tmp = tempfile.mkstemp(prefix=".~crm-demo.", suffix=".xlsm", dir=directory)
    os.close(fd)
    try:
        write_workbook(tmp, data=demo.frames, vba=vba_project())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path, demo
