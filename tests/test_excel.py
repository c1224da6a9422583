"""The buttons' Python through xlwings' own API on a file-backed engine: same answers as the CLI,
and a number of Excel calls that does not grow with the rows.

The test_parity_* tests compare a button with the CLI on the demo: they guard against the two faces diverging,
not the answer itself (each command's answer is checked against hand-worked ones in its own tests and in
tests/test_compat.py).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import xlwings as xw
from file_engine import FileBook
from typer.testing import CliRunner

from crm_sheets import excel, schema
from crm_sheets.app import dedupe as dedupe_app
from crm_sheets.app import merge as merge_app
from crm_sheets.app import remind
from crm_sheets.app import summary as summary_app
from crm_sheets.app import tag as tag_app
from crm_sheets.app import validate as validate_app
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook
from crm_sheets.vba import vba_project
from crm_sheets.workbook.read import read_book

TODAY = dt.datetime(2026, 11, 24, 9, 0)


@pytest.fixture(autouse=True)
def frozen_clock(buttons_at) -> None:
    buttons_at(TODAY)


def demo_workbook(path: Path, customers: int, followups: int, *, vba: bool = False) -> Path:
    demo = make_demo(TODAY.date(), n_customers=customers, n_followups=followups)
    write_workbook(path, data=demo.frames, vba=vba_project() if vba else None)
    return path


def press(path: Path, button: str) -> FileBook:
    engine = FileBook(path)
    xw.Book(impl=engine).set_mock_caller()
    getattr(excel, button)()
    return engine


def table(engine: FileBook, sheet: str) -> pd.DataFrame:
    rows = engine.values(sheet)
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return demo_workbook(tmp_path_factory.mktemp("xl") / "客户.xlsm", 150, 900, vba=True)


def test_parity_validate_button_finds_what_the_cli_finds(small: Path, tmp_path: Path) -> None:
    engine = press(small, "validate")
    # The command line's report: the ids given to the demo's new customers, the count, the quality figures.
    said = engine.app.alerts[-1].splitlines()
    assert said[0].startswith("已为 ") and said[2].startswith("数据质量："), said
    assert said[1].startswith(f"{small.name}: 发现") and said[1].endswith("详见工作表“校验结果”。"), said
    found = table(engine, "校验结果")
    copy = tmp_path / small.name
    shutil.copy(small, copy)
    cli = validate_app.run(FileStore(copy), today=TODAY).result.problems
    assert found[["工作表", "行号", "列", "问题代码"]].values.tolist() == cli[["sheet", "row", "column", "code"]].values.tolist()
    ids = [r[0] for r in engine.values("客户信息")[1:]]
    assert ids == list(read_book(copy).tables["customers"].text["customer_id"])


def test_a_workbook_made_for_another_xlwings_says_so_in_chinese(small: Path) -> None:
    """The buttons pass the workbook's XLWINGS_VERSION; a mismatch is one Chinese message, before any work."""
    engine = FileBook(small)
    xw.Book(impl=engine).set_mock_caller()
    excel.validate("0.30.0")
    (message,) = engine.app.alerts
    assert "0.30.0" in message and xw.__version__ in message and "pip install xlwings==0.30.0" in message
    assert not {"read", "used_range", "write"} & set(engine.calls)  # nothing read, nothing written
    excel.validate(xw.__version__)
    assert any(line.startswith(f"{small.name}: 发现") for line in engine.app.alerts[-1].splitlines())


def test_parity_dedupe_button_lists_the_clusters_of_the_cli(small: Path) -> None:
    engine = press(small, "dedupe")
    sheet = table(engine, "疑似重复")
    clusters = {frozenset(g["客户编号"]) for _, g in sheet.groupby("组号")}
    cli = CliRunner().invoke(app, ["dedupe", str(small), "--json", "--today", "2026-11-24"])
    assert clusters == {frozenset(c) for c in json.loads(cli.stdout)["clusters"]}


def test_parity_merge_button_merges_like_the_cli(small: Path, tmp_path: Path) -> None:
    copy = tmp_path / "cli.xlsm"
    shutil.copy(small, copy)
    dedupe_app.run(FileStore(copy), today=TODAY)
    merge_app.run(FileStore(copy), today=TODAY)
    engine = FileBook(copy.with_name("cli.xlsm"))  # the CLI's result, read back
    expected = engine.values("客户信息")
    button_copy = tmp_path / "button.xlsm"
    shutil.copy(small, button_copy)
    dedupe_app.run(FileStore(button_copy), today=TODAY)
    pressed = press(button_copy, "merge")
    assert pressed.values("客户信息") == expected
    assert "合并了" in pressed.app.alerts[-1]


def test_parity_tag_button_sets_what_the_cli_sets(small: Path, tmp_path: Path) -> None:
    engine = press(small, "tag")
    copy = tmp_path / small.name
    shutil.copy(small, copy)
    tag_app.run(FileStore(copy), today=TODAY)
    cli = read_book(copy).tables["customers"].text
    button = table(engine, "客户信息")
    for header, key in (("客户阶段", "stage"), ("价值层级", "tier"), ("客户标签", "tags")):
        assert button[header].fillna("").astype(str).tolist() == cli[key].tolist(), header


def test_parity_revisit_and_summary_buttons_match_the_library(small: Path) -> None:
    engine = press(small, "revisit_list")
    tasks = table(engine, "回访任务")
    sheet, _mails = remind.remind_plan(read_book(small), TODAY, FileStore(small).tool_frame(schema.TASKS))
    assert tasks["任务编号"].tolist() == sheet["task_id"].tolist()
    engine = press(small, "summary")
    blocks = summary_app.summary_blocks(read_book(small), pd.Period("2026-10", "M"), TODAY, FileStore(small).tool_frame(schema.TASKS))
    summary = next(s for s in engine._sheets if s.name == "月度汇总-2026-10")
    assert [c.title for c in summary.chart_list] == [b.title for b in blocks]
    grid = summary.cells
    first = next(i for i, r in enumerate(grid) if r and r[0] == blocks[0].title)
    assert grid[first + 2][:3] == blocks[0].table.iloc[0].tolist()


def test_import_button_reads_the_path_on_the_operations_sheet(small: Path, tmp_path: Path) -> None:
    source = tmp_path / "new.csv"
    source.write_text("客户名称,所属行业,联系人姓名,联系电话,客户来源,负责人\n"
                      "宁波新客电子有限公司,制造业,钱多多,13999998888,展会推荐,张伟\n", encoding="gbk")
    engine = FileBook(small)
    book = xw.Book(impl=engine)
    book.sheets["操作"].range("B14").value = str(source)
    book.set_mock_caller()
    excel.import_customers()
    assert "新增 1 个客户" in engine.app.alerts[-1]
    assert engine.values("客户信息")[-1][1] == "宁波新客电子有限公司"


def test_a_problem_becomes_one_chinese_message(tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    write_workbook(path, sheets=(schema.TEAM,))
    engine = press(path, "validate")
    assert engine.app.alerts == [f"{path.name}: 缺少工作表“客户信息”，请用 crm-sheets new 生成的模板，或把工作表改回这个名字。"]
    assert engine.app.status_bar is False


def test_excel_calls_do_not_grow_with_rows(tmp_path: Path) -> None:
    few = demo_workbook(tmp_path / "few.xlsm", 100, 300, vba=True)
    many = demo_workbook(tmp_path / "many.xlsm", 100_000, 1000, vba=True)
    source = tmp_path / "new.csv"
    source.write_text("客户名称,所属行业,联系人姓名,联系电话,客户来源,负责人\n"
                      "宁波新客电子有限公司,制造业,钱多多,13999998888,展会推荐,张伟\n", encoding="utf-8")
    for path in (few, many):  # what staff do before pressing 合并 and 导入
        dedupe_app.run(FileStore(path), today=TODAY)
    counts = {}
    for path in (few, many):
        engine = FileBook(path)
        book = xw.Book(impl=engine)
        book.sheets["操作"].range("B14").value = str(source)
        book.set_mock_caller()
        for button in ("validate", "dedupe", "tag", "revisit_list", "send_reminders", "summary", "import_customers",
                       "merge"):
            engine.calls.clear()
            getattr(excel, button)()
            counts.setdefault(button, []).append(dict(engine.calls))
    for button, (small, large) in counts.items():
        assert small == large, button


def test_worksheet_functions_take_cells_as_excel_hands_them_over() -> None:
    """Excel gives a UDF a float for every number, None for an empty cell and a datetime for a date."""
    assert excel.CRM_MASK_PHONE("+86 138-1234-5678") == "138****5678"
    assert excel.CRM_MASK_PHONE(13812345678.0) == "138****5678"  # a phone typed as a number
    assert excel.CRM_MASK_PHONE(None) == "" and excel.CRM_NORMALIZE_PHONE(None) == ""
    assert excel.CRM_NORMALIZE_PHONE(13812345678.0) == "13812345678"
    assert excel.CRM_NORMALIZE_PHONE("(010) 6234 5678") == "010-62345678"
    assert excel.CRM_NORMALIZE_NAME("瑞豐科技（北京）有限公司") == excel.CRM_NORMALIZE_NAME("北京瑞丰科技有限责任公司")
    assert excel.CRM_NORMALIZE_NAME(None) == ""
    # 设置's defaults (5万 / 1万), and 设置's own cells passed as the thresholds (=CRM_TIER(G2, 设置!B8, 设置!B9)).
    assert [excel.CRM_TIER(a) for a in (60000.0, 20000.0, 500.0, None)] == ["高价值", "中价值", "普通价值", "普通价值"]
    assert [excel.CRM_TIER(a, 100000.0, 30000.0) for a in (60000.0, 20000.0)] == ["中价值", "普通价值"]
    assert excel.CRM_TIER("12,800", None, 12000.0) == "中价值"
    # xw.func only registers on Windows/macOS Excel (a no-op here): check every UDF carries it.
    source = inspect.getsource(excel)
    for name in ("CRM_MASK_PHONE", "CRM_NORMALIZE_PHONE", "CRM_NORMALIZE_NAME", "CRM_TIER"):
        assert f"@xw.func\ndef {name}(" in source, name
