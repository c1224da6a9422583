"""Helpers shared by the tests: zip members, LibreOffice through UNO."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
UNO_TOOL = Path(__file__).parent / "lo" / "uno_tool.py"
MANIFEST = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}


def needs_libreoffice() -> None:
    ok = shutil.which("soffice") and subprocess.run(
        ["/usr/bin/python3", "-c", "import uno"], capture_output=True
    ).returncode == 0
    if not ok:
        if os.environ.get("CI"):
            pytest.fail("CI must have LibreOffice and python3-uno (see .ci/run)")
        pytest.skip("LibreOffice / python3-uno not installed")


def lo_inspect(path: Path) -> dict:
    needs_libreoffice()
    done = subprocess.run(
        ["/usr/bin/python3", str(UNO_TOOL), "inspect", str(path)], capture_output=True, encoding="utf-8", timeout=180
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def sheet_part(path: Path, name: str) -> str:
    from crm_sheets.workbook.package import Package

    with Package(path) as pkg:
        return {n: part for n, _rid, part in pkg.sheets()}[name]


def rows_removed(xml: bytes, rows: set[int]) -> bytes:
    """The sheet XML without the given rows, to compare everything else byte for byte."""
    pattern = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.DOTALL)
    return pattern.sub(lambda m: b"" if int(m.group(1)) in rows else m.group(0), xml)
