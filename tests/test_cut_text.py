"""Issue 32: export and distribute write new workbooks, whose cells stop at 32,767 characters.  Text longer than
that (a master written by another program) is shown cut, and every cut is said: one line on the command line,
and a row on the new workbook's 校验结果 naming sheet, row and column.  The master keeps the whole text.

The master's 40,000-character cell is put into its sheet XML by hand (XlsxWriter and openpyxl would cut it);
python-calamine, which does not cut, reads what each file holds.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
import python_calamine
from support import sheet_part
from typer.testing import CliRunner

from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook

DAY = "2026-11-30"
LIMIT = 32_767  # Excel's cell limit, from Excel's specifications and limits
LONG = "长" * 40_000
MARK = "PLACEHOLDER-FOR-LONG-TEXT"
OWNER = "李娜"


def rows(path: Path, sheet: str) -> list[list]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


@pytest.fixture()
def master(tmp_path: Path) -> tuple[Path, str]:
    """A master whose one follow-up of one of 李娜's customers says 40,000 characters; and that customer's id."""
    return long_master(tmp_path, "跟进记录", "沟通内容")


def long_master(tmp_path: Path, sheet: str, column: str) -> tuple[Path, str]:
    """A master with 40,000 characters in ``column`` of the first row of ``sheet`` that is about one of 李娜's
    customers; and that customer's id."""
    frames = dict(make_demo(dt.date(2026, 11, 30), seed=5, n_customers=60, n_followups=150).frames)
    customers = frames["客户信息"]
    theirs = set(customers.loc[customers["负责人"] == OWNER, "客户编号"])
    table = frames[sheet].copy()
    at = table.index[table["客户编号"].isin(theirs)][0]
    table.loc[at, column] = MARK
    frames[sheet] = table
    path = tmp_path / "总表.xlsx"
    write_workbook(path, data=frames)
    part = sheet_part(path, sheet)
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            assert info.filename != part or data.count(MARK.encode()) == 1
            zf.writestr(info, data.replace(MARK.encode(), LONG.encode()) if info.filename == part else data)
    path.write_bytes(buffer.getvalue())
    assert sum(LONG in r for r in rows(path, sheet)) == 1  # the master really holds the whole text
    return path, str(table.loc[at, "客户编号"])


def check_copy(copy: Path, customer: str, master: Path) -> None:
    """The copy shows the text cut to the limit, ending in …, and its 校验结果 says where."""
    followups = rows(copy, "跟进记录")
    header = followups[0]
    content = header.index("沟通内容")
    at = [i + 1 for i, r in enumerate(followups) if isinstance(r[content], str) and r[content].startswith("长" * 100)]
    assert len(at) == 1
    shown = followups[at[0] - 1][content]
    assert len(shown) == LIMIT and shown.endswith("…") and LONG.startswith(shown[:-1])
    assert followups[at[0] - 1][header.index("客户编号")] == customer
    results = rows(copy, "校验结果")
    listed = [dict(zip(results[0], r)) for r in results[1:] if any(r)]
    assert len(listed) == 1, listed
    assert listed[0]["工作表"] == "跟进记录" and int(listed[0]["行号"]) == at[0] and listed[0]["列"] == "沟通内容"
    assert listed[0]["问题代码"] == "text_cut" and master.name in listed[0]["如何修改"]
    assert listed[0]["值"] == "长" * 40 + "…"


def test_export_says_which_cell_it_cut(master, tmp_path: Path) -> None:
    path, customer = master
    before = path.read_bytes()
    target = tmp_path / "李娜的.xlsx"
    done = CliRunner().invoke(app, ["export", str(path), "--owner", OWNER, "--out", str(target), "--today", DAY])
    assert done.exit_code == 0, done.output
    line = next(line for line in done.output.splitlines() if "已截断" in line)
    assert line.startswith("1 个单元格的文字超过 32,767 个字符，已截断：") and target.name in line
    assert "跟进记录" in line and "沟通内容" in line
    check_copy(target, customer, path)
    assert path.read_bytes() == before


def test_export_of_someone_without_long_text_says_nothing_of_cuts(master, tmp_path: Path) -> None:
    path, _customer = master
    target = tmp_path / "王强的.xlsx"
    done = CliRunner().invoke(app, ["export", str(path), "--owner", "王强", "--out", str(target), "--today", DAY])
    assert done.exit_code == 0, done.output
    assert "截断" not in done.output
    assert not [r for r in rows(target, "校验结果")[1:] if any(r)]


def test_distribute_says_which_cell_it_cut_in_whose_copy(master, tmp_path: Path) -> None:
    path, customer = master
    before = path.read_bytes()
    folder = tmp_path / "分发"
    done = CliRunner().invoke(app, ["distribute", str(path), "--out", str(folder), "--today", DAY, "--lang", "en"])
    assert done.exit_code == 0, done.output
    line = next(line for line in done.output.splitlines() if "were cut" in line)
    copies = {p.name: p for p in folder.glob("*.xlsx")}
    mine = next(name for name in copies if OWNER in name)
    manager = next(name for name in copies if "张伟" in name)  # the manager's copy holds the team's customers
    assert line.startswith("2 cells held text longer than 32,767 characters")
    assert f"{mine} sheet '跟进记录' row " in line and f"{manager} sheet '跟进记录' row " in line
    check_copy(copies[mine], customer, path)
    check_copy(copies[manager], customer, path)
    for name, copy in copies.items():  # the others show no cut and list none
        if name not in (mine, manager):
            assert not [r for r in rows(copy, "校验结果")[1:] if any(r)], name
            assert all(len(str(v)) < LIMIT for r in rows(copy, "跟进记录") for v in r), name
    assert path.read_bytes() == before


@pytest.mark.parametrize("sheet, column", [("跟进记录", "沟通内容"), ("客户信息", "客户名称")])
def test_collect_takes_an_untouched_cut_cell_for_what_was_given(tmp_path: Path, sheet: str, column: str) -> None:
    """A copy shows the text cut; collecting the copies back neither adds the cut row again as a new follow-up
    nor writes the cut text over the master's whole text."""
    path, _customer = long_master(tmp_path, sheet, column)
    before = rows(path, sheet)
    assert CliRunner().invoke(app, ["distribute", str(path), "--today", DAY]).exit_code == 0
    done = CliRunner().invoke(app, ["collect", str(path), "--today", DAY])
    assert done.exit_code == 0, done.output
    assert rows(path, sheet) == before
