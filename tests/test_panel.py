"""操作's status panel (D1:F25): the last run of each command, what waits for staff, each row a link; written by
the command line, the buttons and the job alike, without touching the buttons, their cells or the user's links."""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import python_calamine
import xlwings as xw
from file_engine import FileBook
from ooxml_check import problems
from support import sheet_part

from crm_sheets import excel, schema
from crm_sheets.api import CLI, Workbook
from crm_sheets.demo_data import make_demo
from crm_sheets.job import Job
from crm_sheets.model.outputs import PanelOut
from crm_sheets.templates import write_workbook
from crm_sheets.vba import vba_project
from crm_sheets.workbook.panel import with_panel_links

TODAY = dt.datetime(2026, 11, 24, 9, 0)
LINK = re.compile(rb'<hyperlink ref="([A-Z]+)(\d+)" location="([^"]*)"/>')
ME = getpass.getuser()


@pytest.fixture(autouse=True)
def frozen_clock(buttons_at) -> None:
    buttons_at(TODAY)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("panel") / "客户.xlsm"
    write_workbook(path, data=make_demo(TODAY.date(), n_customers=150, n_followups=900).frames, vba=vba_project())
    return path


def copy(source: Path, folder: Path) -> Path:
    """The workbook alone in a folder of its own: no ledger from another run."""
    folder.mkdir()
    return Path(shutil.copy(source, folder / source.name))


def rows(path: Path, sheet: str) -> list[list]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def panel(grid: list[list]) -> list[list]:
    """D1:F25 of a grid of cells (numbers as ints, empty cells as "")."""
    out = []
    for r in range(25):
        row = grid[r] if r < len(grid) else []
        cells = [(row[c] if c < len(row) else "") for c in range(3, 6)]
        out.append([int(v) if isinstance(v, float) and v.is_integer() else ("" if v is None else v) for v in cells])
    return out


def hyperlinks(path: Path, sheet: str) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, sheet))
    return {f"{c.decode()}{r.decode()}": loc.decode() for c, r, loc in LINK.findall(xml)}


def by_label(cells: list[list]) -> dict[str, list]:
    return {str(row[0]).strip(): row[1:] for row in cells if row[0]}


def test_the_panel_counts_what_the_sheets_hold(small: Path, tmp_path: Path) -> None:
    path = copy(small, tmp_path / "cli")
    before = rows(path, "操作")
    with zipfile.ZipFile(path) as zf:
        kept = {n: zf.read(n) for n in zf.namelist() if "vml" in n or "vbaProject" in n or "worksheets/_rels" in n}
    book = Workbook(path, today=TODAY, face=CLI)
    book.validate()
    book.dedupe()
    book.remind(send=False)
    cells = panel(rows(path, "操作"))
    shown = by_label(cells)
    # the rows of the sheets themselves, counted here
    checks = rows(path, schema.CHECK_RESULTS.name)[1:]
    kinds = Counter(r[schema.CHECK_RESULTS.keys.index("problem")] for r in checks)
    dupes = rows(path, schema.DUPLICATES.name)
    groups = {r[0] for r in dupes[1:] if r[schema.DUPLICATES.keys.index("confirm")] in ("", None)}
    tasks = rows(path, schema.TASKS.name)[1:]
    due, status = schema.TASKS.keys.index("due"), schema.TASKS.keys.index("status")
    open_due = [r[due] for r in tasks if r[status] in ("逾期", "需人工跟进", "待执行", "未到期")]
    assert shown["校验问题（合计）"][0] == len(checks) > 0
    top = kinds.most_common(1)[0]
    assert shown[top[0]][0] == top[1]
    assert shown["疑似重复待确认（组）"][0] == len(groups)
    assert shown["今天到期的回访"][0] == sum(1 for d in open_due if d == TODAY.date())
    assert shown["已逾期的回访"][0] == sum(1 for d in open_due if d < TODAY.date()) > 0
    assert shown["今天已发提醒邮件"][0] == 0
    for command in ("校验", "查重", "回访清单 / 提醒"):
        assert shown[command] == ["2026-11-24 09:00", f"{ME}（命令行）"]
    assert shown["合并"] == ["未运行过", ""]
    links = hyperlinks(path, "操作")
    assert links["D3"] == "'校验结果'!A1" and links["D4"] == "'疑似重复'!A1" and links["D8"] == "'回访任务'!A1"
    assert "D5" not in links  # 合并 never ran: it leads nowhere
    # the buttons, their notes and cells (A:C) and the sheet's drawing, VBA and relationships are as they were
    after = rows(path, "操作")
    assert [r[:3] for r in after[:len(before)]] == [r[:3] for r in before]
    assert all(v == "" for r in after[len(before):] for v in r[:3])
    with zipfile.ZipFile(path) as zf:
        assert {n: zf.read(n) for n in kept} == kept
    assert problems(path) == []


def test_a_button_writes_the_panel_the_command_line_writes(small: Path, tmp_path: Path) -> None:
    by_button, by_cli = copy(small, tmp_path / "button"), copy(small, tmp_path / "cli")
    engine = FileBook(by_button)
    xw.Book(impl=engine).set_mock_caller()
    excel.validate()
    Workbook(by_cli, today=TODAY, face=CLI).validate()
    button, cli = panel(engine.values("操作")), panel(rows(by_cli, "操作"))
    assert button[2][2] == f"{ME}（按钮）" and cli[2][2] == f"{ME}（命令行）"
    assert [[str(v).replace("按钮", "命令行") for v in row] for row in button] == [[str(v) for v in row] for row in cli]
    formulas = {f"D{r}": f for (r, c), f in engine._sheets[[s.name for s in engine._sheets].index("操作")]
                .formulas.items()}
    expected = {cell: f'=HYPERLINK("#{loc}","{cli[int(cell[1:]) - 1][0]}")'
                for cell, loc in hyperlinks(by_cli, "操作").items()}
    assert formulas == expected and "D3" in expected


def test_the_job_writes_the_panel(small: Path, tmp_path: Path) -> None:
    path = copy(small, tmp_path / "job")
    first = dt.datetime(2026, 12, 1, 9, 0)  # after 设置's send time, on the 1st
    Job(path, clock=lambda: first, log=logging.getLogger("test-panel")).tick()
    shown = by_label(panel(rows(path, "操作")))
    assert shown["每日任务（后台）"] == ["2026-12-01 09:00", f"{ME}（后台任务）"]
    assert shown["校验"] == ["未运行过", ""]  # the job's day (tag, 回访任务, the month's summary) is one row
    sent = len(list((path.parent / "outbox").glob("2026-12-01_*.eml")))
    assert "D12" in hyperlinks(path, "操作")  # to the first sheet the day wrote
    assert shown["今天已发提醒邮件"][0] in (0, sent)  # the mail goes after the write: counted by the next run
    assert problems(path) == []


def test_the_panel_replaces_its_own_links_and_keeps_the_users() -> None:
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1"/></row></sheetData>'
           b'<hyperlinks><hyperlink ref="A1" r:id="rId3"/><hyperlink ref="D3" location="\'Old\'!A1"/>'
           b'<hyperlink ref="G3" location="\'Mine\'!B2" display="x"/></hyperlinks><pageMargins/></worksheet>')
    rows_: list[list[str | int]] = [["运行状态", "", ""], ["最近一次运行", "时间", ""], ["校验", "2026-11-24 09:00", ""]]
    new = with_panel_links(xml, PanelOut(rows_, [None, None, "'Checks'!A1"]))
    assert new == xml.replace(b'<hyperlink ref="D3" location="\'Old\'!A1"/>', b"").replace(
        b"</hyperlinks>", b'<hyperlink ref="D3" location="\'Checks\'!A1"/></hyperlinks>')
    none = with_panel_links(xml.replace(b'<hyperlink ref="A1" r:id="rId3"/>', b"").replace(
        b'<hyperlink ref="G3" location="\'Mine\'!B2" display="x"/>', b""), PanelOut(rows_, [None] * 3))
    assert b"hyperlink" not in none  # no empty <hyperlinks/>: Excel would repair it
    fresh = with_panel_links(b"<worksheet><sheetData/><pageMargins/></worksheet>", PanelOut(rows_, [None, None, "'a'!A1"]))
    assert fresh == b'<worksheet><sheetData/><hyperlinks><hyperlink ref="D3" location="\'a\'!A1"/></hyperlinks>' \
                    b"<pageMargins/></worksheet>"


def test_a_damaged_ledger_does_not_stop_the_command(small: Path, tmp_path: Path) -> None:
    path = copy(small, tmp_path / "damaged")
    for name in (".crm-runs.sqlite", ".crm-mail.sqlite"):
        (path.parent / name).write_bytes(b"not a database" * 100)
    Workbook(path, today=TODAY, face=CLI).validate()
    shown = by_label(panel(rows(path, "操作")))
    assert shown["校验"] == ["2026-11-24 09:00", f"{ME}（命令行）"] and shown["今天已发提醒邮件"] == [0, ""]


def test_the_template_keeps_the_labels_of_the_buttons_cells() -> None:
    """操作 is written row by row (constant_memory): the labels of B14, B15 and B17 and the notes under them come
    before the later buttons' rows, or XlsxWriter drops them."""
    template = Path(__file__).parent.parent / "workbook_templates" / "crm-template.xlsm"
    grid = rows(template, "操作")
    assert [grid[r][0] for r in (13, 14, 16)] == ["导入文件路径", "导入客户的负责人", "分发/汇总文件夹"]
    assert grid[15][1].startswith("点“导入”") and grid[17][1].startswith("留空则用")
    assert panel(grid)[0] == ["运行状态", "", "运行任一命令后，这里显示最近的运行和待处理的事"]
