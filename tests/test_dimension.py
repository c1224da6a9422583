"""Issue 32: a sheet's <dimension> covers every cell the tool writes, so readers that trust it (openpyxl in
read-only mode) see every row and column.

The oracle is python-calamine, which reads the cells themselves whatever the dimension says: after each command
openpyxl read-only must see exactly the cells calamine sees, on every sheet.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine
from support import sheet_part
from typer.testing import CliRunner

from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook
from crm_sheets.workbook.dimension import widened

DAY = "2026-11-30"
Cells = dict[str, set[tuple[int, int]]]


def filled(rows) -> set[tuple[int, int]]:
    """(row, column), both 0-based from A1, of every cell holding something."""
    return {(r, c) for r, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")}


def by_calamine(path: Path) -> Cells:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    out = {}
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        # to_python starts at the first used cell; calamine's start says where that is
        top, left = sheet.start or (0, 0)
        out[name] = {(r + top, c + left) for r, c in filled(sheet.to_python(skip_empty_area=False))}
    return out


def by_read_only(path: Path) -> Cells:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: filled(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def dimension(path: Path, sheet: str) -> bytes | None:
    with zipfile.ZipFile(path) as zf:
        m = re.search(rb'<dimension ref="([^"]*)"', zf.read(sheet_part(path, sheet)))
    return m.group(1) if m else None


def assert_all_seen(path: Path, step: str) -> None:
    truth, seen = by_calamine(path), by_read_only(path)
    assert set(seen) == set(truth), step
    for name, cells in truth.items():
        missing = cells - seen[name]
        assert not missing, f"{step}: openpyxl read-only misses {len(missing)} cells of {name}, e.g. {min(missing)}"


def cli(*args: str):
    return CliRunner().invoke(app, [*args, "--today", DAY])


def new_customers(path: Path, n: int) -> Path:
    """A CSV of ``n`` customers none of the workbook's (another system's export, its own headers)."""
    pd.DataFrame({"公司名称": [f"新客户{i}号科技有限公司" for i in range(n)], "行业": "信息技术",
                  "联系人": "王一", "手机": [f"139{i:08d}" for i in range(n)], "负责人": "张伟"}
                 ).to_csv(path, index=False, encoding="utf-8-sig")
    return path


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    path = tmp_path / "客户.xlsx"
    write_workbook(path, data=dict(make_demo(dt.date(2026, 11, 30), seed=5, n_customers=200,
                                             n_followups=600).frames))
    return path


def test_every_command_leaves_every_written_cell_inside_the_dimension(book: Path, tmp_path: Path) -> None:
    assert_all_seen(book, "template")
    before = len(by_calamine(book)["客户信息"])
    steps = [("import", str(book), str(new_customers(tmp_path / "新.csv", 40))), ("validate", str(book)),
             ("tag", str(book)), ("dedupe", str(book)), ("merge", str(book)),
             ("archive", str(book), "--before", "2026-06-01"), ("archive", str(book), "--restore")]
    for step in steps:
        done = cli(*step)
        assert done.exit_code in (0, 1), (step, done.output)
        assert_all_seen(book, " ".join(a for a in step if a != str(book)))
    assert len(by_calamine(book)["客户信息"]) > before  # the import did append rows
    customers = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("客户信息").to_python()
    assert sum(row[1].startswith("新客户") for row in customers) == 40


def test_archive_moves_the_dimension_up_with_the_rows(book: Path) -> None:
    """Archive takes rows out: the dimension ends on the last row still there (not on an empty tail)."""
    assert cli("archive", str(book), "--before", "2026-06-01").exit_code == 0
    rows = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("跟进记录").to_python()
    last = max(r for r, _c in filled(rows)) + 1
    assert re.fullmatch(rb"A1:[A-Z]+%d" % last, dimension(book, "跟进记录"))


def _with_sheet_head(path: Path, sheet: str, change) -> None:
    """The workbook with one sheet's XML changed by ``change`` (every other member as it was)."""
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, change(data) if info.filename == part else data)
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize("head", ["none", "A1"])
def test_import_into_a_sheet_whose_dimension_is_missing_or_says_a1(book: Path, tmp_path: Path, head: str) -> None:
    """Some writers leave the dimension out, some write A1 for "not counted" (this one's cells reach column O);
    either way every cell is seen after an import.  A missing one stays missing and a stale A1 goes: a made-up
    range would be wrong about the cells the tool did not write."""
    pattern = rb'<dimension ref="[^"]*"/>'
    _with_sheet_head(book, "客户信息",
                     lambda xml: re.sub(pattern, b"" if head == "none" else b'<dimension ref="A1"/>', xml, count=1))
    assert dimension(book, "客户信息") == (None if head == "none" else b"A1")
    done = cli("import", str(book), str(new_customers(tmp_path / "新.csv", 25)))
    assert done.exit_code in (0, 1), done.output
    assert_all_seen(book, "import")
    rows = python_calamine.CalamineWorkbook.from_path(str(book)).get_sheet_by_name("客户信息").to_python()
    assert sum(row[1].startswith("新客户") for row in rows) == 25
    assert dimension(book, "客户信息") is None


@pytest.mark.parametrize("head, rows, cols, expected", [
    (b'<dimension ref="A1:H20"/>', (21, 25), (0, 3), b'<dimension ref="A1:H25"/>'),
    (b'<dimension ref="A1:H20"/>', (2, 5), (8, 10), b'<dimension ref="A1:K20"/>'),
    (b'<dimension ref="A1:H20"/>', (2, 5), (0, 7), b'<dimension ref="A1:H20"/>'),  # inside: unchanged
    (b'<dimension ref="A1"/><sheetViews/>', (2, 9), (0, 14), b'<sheetViews/>'),  # "not counted": dropped
    (b'<dimension ref="A1"/>', (1, 1), (0, 0), b'<dimension ref="A1"/>'),  # only A1 written: still true
    (b'<dimension ref="B3"/>', (2, 2), (1, 1), b'<dimension ref="B2:B3"/>'),  # one real cell: grown
    (b'<dimension ref="C5:D6"/>', (2, 3), (0, 0), b'<dimension ref="A2:D6"/>'),  # grows up and left too
    (b"<x:dimension ref='A1:B2'/>", (3, 3), (1, 1), b"<x:dimension ref='A1:B3'/>"),  # Open XML SDK's spelling
    (b'<x:dimension ref="A1"></x:dimension><x:cols/>', (3, 3), (1, 1), b"<x:cols/>"),
    (b'<sheetPr/><sheetViews/>', (3, 3), (1, 1), b'<sheetPr/><sheetViews/>'),  # no dimension: none made up
])
def test_widened_by_hand(head: bytes, rows, cols, expected: bytes) -> None:
    assert widened(head, rows, cols) == expected
