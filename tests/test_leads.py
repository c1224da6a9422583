"""Issue 18: lead lists imported as they come (web forms, other CRMs' exports, trade-show lists).

Each list is written here the way its source program writes it (GBK and BOM-less UTF-8 CSV, openpyxl for
another CRM's xlsx export, XlsxWriter for a trade-show list with a merged title above the header); what a
row should become is read off the list itself (the seeds' 展会 means 展会推荐, 互联网 is an industry).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import python_calamine
import pytest
import xlsxwriter
import xlwings as xw
from file_engine import FileBook
from support import sheet_part
from typer.testing import CliRunner

from crm_sheets import excel, schema
from crm_sheets.cli import app
from crm_sheets.templates import write_workbook
from crm_sheets.vba import vba_project

TODAY = "2026-11-30"
# A web form's export (金数据 / 问卷星 style): its own columns around the ones we know.
FORM_HEADER = ["序号", "提交时间", "公司名称", "姓名", "手机号码", "电子邮箱", "所在行业", "来源渠道", "留言", "IP地址"]
FORM_ROWS = [
    ["1", "2026-11-20 10:02:11", "杭州云启网络科技有限公司", "陈立新", "139 0571 1234", "chen@yunqi.cn", "互联网", "在线表单",
     "想了解报价", "115.236.1.2"],
    ["2", "2026-11-20 11:40:05", "宁波恒信五金制品有限公司", "王海涛", "+86 138-0574-1111", "", "制造业", "百度", "", "60.12.3.4"],
    ["3", "2026-11-21 09:15:40", "深圳市华泰电子有限公司", "刘芳", "", "liufang@htdz.com.cn", "电商与零售", "抖音", "", "14.1.2.3"],
    ["4", "2026-11-21 16:22:00", "成都蓉城数据服务有限公司", "赵敏", "", "", "企业服务", "官网", "只留了名字", "1.2.3.4"],
]


def _run(*args: str):
    return CliRunner().invoke(app, [*args, "--today", TODAY])


def _sheet(path: Path, name: str) -> list[list]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _customers(path: Path) -> list[dict]:
    rows = _sheet(path, schema.CUSTOMERS.name)
    return [dict(zip(rows[0], r)) for r in rows[1:] if r[1]]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "客户管理.xlsx"
    write_workbook(path)
    return path


def _form_csv(path: Path, encoding: str) -> Path:
    lines = [",".join(FORM_HEADER)] + [",".join(r) for r in FORM_ROWS]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_a_web_form_in_gbk_and_its_utf8_twin_import_alike(workbook: Path, tmp_path: Path) -> None:
    gbk, utf8 = _form_csv(tmp_path / "表单-gbk.csv", "gbk"), _form_csv(tmp_path / "表单-utf8.csv", "utf-8")
    assert not utf8.read_bytes().startswith(b"\xef\xbb\xbf")
    twin = tmp_path / "twin.xlsx"
    twin.write_bytes(workbook.read_bytes())
    results = [_run("import", str(book), str(source), "--owner", "李销售") for book, source in ((workbook, gbk),
                                                                                              (twin, utf8))]
    assert [r.exit_code for r in results] == [1, 1]  # a row kept out: something to look at
    gbk_rows, utf8_rows = _customers(workbook), _customers(twin)
    assert [(r["客户名称"], r["所属行业"], r["客户来源"], r["负责人"]) for r in gbk_rows] == [
        ("杭州云启网络科技有限公司", "互联网", "被动咨询", "李销售"),
        ("宁波恒信五金制品有限公司", "制造业", "线上搜索", "李销售"),
        ("深圳市华泰电子有限公司", "电商零售", "社交媒体", "李销售"),
    ]
    assert [r["客户名称"] for r in utf8_rows] == [r["客户名称"] for r in gbk_rows]
    # The row with neither phone nor e-mail stays out, named by its row in the list (row 5: header + 4th row).
    errors = _sheet(workbook, schema.IMPORT_ERRORS.name)[1:]
    assert {(int(r[1]), r[6]) for r in errors} == {(5, "no_contact")}
    # The form's own columns are named once, in the summary.
    for result in results:
        assert result.output.count("序号、提交时间、留言、IP地址") == 1, result.output


def test_dry_run_shows_the_mapping_and_counts_and_writes_nothing(workbook: Path, tmp_path: Path) -> None:
    source = _form_csv(tmp_path / "表单.csv", "gbk")
    before = workbook.read_bytes()
    result = _run("import", str(workbook), str(source), "--dry-run")
    assert workbook.read_bytes() == before and not (workbook.parent / ".crm-backups").exists()
    assert "公司名称 → 客户名称" in result.output and "手机号码 → 联系电话" in result.output
    assert "所在行业 → 所属行业" in result.output and "IP地址 → （忽略）" in result.output
    assert "会新增 3 个客户，更新 0 个，0 行重复，1 行不导入" in result.output, result.output


def test_without_an_owner_rows_are_imported_unassigned_and_listed(workbook: Path, tmp_path: Path) -> None:
    source = _form_csv(tmp_path / "表单.csv", "utf-8")
    result = _run("import", str(workbook), str(source))
    assert result.exit_code == 1
    customers = _customers(workbook)
    assert len(customers) == 3 and all(r["负责人"] == "" for r in customers)
    checks = [r for r in _sheet(workbook, schema.CHECK_RESULTS.name)[1:] if r[6] == "unassigned"]
    assert sorted(int(r[1]) for r in checks) == [2, 3, 4]
    assert all(r[2] == "负责人" and "--owner" in r[5] for r in checks)


def test_an_owner_who_is_not_on_the_team_is_refused_before_anything(workbook: Path, tmp_path: Path) -> None:
    source = _form_csv(tmp_path / "表单.csv", "utf-8")
    before = workbook.read_bytes()
    result = _run("import", str(workbook), str(source), "--owner", "李四")
    assert result.exit_code == 2 and "李四" in result.output and "李销售" in result.output
    assert workbook.read_bytes() == before


def test_the_same_list_twice_adds_nothing_the_second_time(workbook: Path, tmp_path: Path) -> None:
    source = _form_csv(tmp_path / "表单.csv", "gbk")
    _run("import", str(workbook), str(source), "--owner", "张经理")
    first = _customers(workbook)
    again = _run("import", str(workbook), str(source), "--owner", "张经理")
    assert _customers(workbook) == first
    duplicates = [r for r in _sheet(workbook, schema.IMPORT_ERRORS.name)[1:] if r[6] == "duplicate_existing"]
    assert sorted(int(r[1]) for r in duplicates) == [2, 3, 4]
    assert {r[4].split("：")[-1] for r in duplicates} == {r["客户编号"] for r in first}
    assert "新增 0 个客户；3 行" in again.output


def test_another_crms_export_with_extra_columns(workbook: Path, tmp_path: Path) -> None:
    source = tmp_path / "客户导出_20261128.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户列表"
    ws.append(["客户名称", "客户级别", "所属行业", "联系人", "手机", "电话", "邮箱", "详细地址", "负责人", "创建人",
               "最后跟进时间"])
    ws.append(["苏州金泰建材有限公司", "A类", "建筑工程", "王伟", "13912345678", "0512-66881234", "wangwei@jintai.com",
               "苏州市吴中区宝带西路 88 号", "张经理", "admin", "2026-11-02 15:30"])
    ws.append(["上海申远物流有限公司", "B类", "物流运输", "周杰", "13611112222", "", "", "上海市浦东新区", "孙悦", "admin",
               "2026-10-11 09:00"])
    wb.save(source)
    result = _run("import", str(workbook), str(source))
    assert result.exit_code == 1, result.output
    customers = _customers(workbook)
    assert [(r["客户名称"], r["联系电话"], r["负责人"]) for r in customers] == [
        ("苏州金泰建材有限公司", "13912345678", "张经理"), ("上海申远物流有限公司", "13611112222", "孙悦")]
    # 最后跟进时间 is the tool's to keep (from 跟进记录): named with the columns the template does not have.
    assert "客户级别、电话、详细地址、创建人、最后跟进时间" in result.output
    # 孙悦 is not on this team: imported, and listed where the row landed.
    checks = _sheet(workbook, schema.CHECK_RESULTS.name)[1:]
    assert [(int(r[1]), r[2], r[3], r[6]) for r in checks] == [(3, "负责人", "孙悦", "unknown_member")]


def test_a_trade_show_list_with_a_merged_title_above_its_header(workbook: Path, tmp_path: Path) -> None:
    source = tmp_path / "工博会客户登记.xlsx"
    book = xlsxwriter.Workbook(source)
    ws = book.add_worksheet("登记表")
    ws.merge_range("A1:G1", "2026 中国国际工业博览会 · 展位 5.1H-B12 客户登记表", book.add_format({"bold": True}))
    ws.merge_range("A2:G2", "导出时间：2026-11-28 18:00　登记人：市场部")
    header = ["公司名称", "行业", "联系人", "手机", "邮箱", "来源", "备注"]
    rows = [
        ["杭州云启网络科技有限公司", "互联网", "陈立新", "13905711234", "chen@yunqi.cn", "展会", "展位咨询"],
        ["宁波恒信五金制品有限公司", "制造业", "王海涛", "13805741111", "", "展会", ""],
        # GB 11643's published example ID number, typed into the wrong column: never stored.
        ["温州瑞达阀门有限公司", "制造业", "11010519491231002X", "13705771234", "", "展会", ""],
        ["苏州华泰建材有限公司", "建材", "李娜", "", "lina@huatai-jc.com", "展会活动", "要报价"],
    ]
    for c, text in enumerate(header):
        ws.write_string(3, c, text)
    for r, row in enumerate(rows, start=4):
        for c, text in enumerate(row):
            ws.write_string(r, c, text)
    book.close()
    result = _run("import", str(workbook), str(source), "--owner", "李销售")
    assert result.exit_code == 1, result.output
    customers = _customers(workbook)
    assert [(r["客户名称"], r["所属行业"], r["客户来源"], r["负责人"]) for r in customers] == [
        ("杭州云启网络科技有限公司", "互联网", "展会推荐", "李销售"),
        ("宁波恒信五金制品有限公司", "制造业", "展会推荐", "李销售"),
        ("苏州华泰建材有限公司", "建材", "展会活动", "李销售"),
    ]
    errors = _sheet(workbook, schema.IMPORT_ERRORS.name)[1:]
    assert {(int(r[1]), r[6]) for r in errors} == {(7, "id_number")}  # the list's own row 7
    assert "11010519491231002X" not in str(errors)
    # Soft problems point at 客户信息 row 4 (the third customer), with the closest option as the fix.
    checks = {(int(r[1]), r[2], r[6]): r[5] for r in _sheet(workbook, schema.CHECK_RESULTS.name)[1:]}
    assert set(checks) == {(4, "所属行业", "unknown_option"), (4, "客户来源", "unknown_option"),
                           (4, "联系电话", "required_missing")}
    assert "展会推荐" in checks[(4, "客户来源", "unknown_option")]


def test_the_templates_lists_follow_the_seeds_and_a_workbooks_own_lists_are_kept(tmp_path: Path) -> None:
    lists = schema.OPTION_LISTS
    assert {"互联网", "电商零售", "企业服务", "教育培训"} <= set(lists["所属行业"])
    seeds = {"需求类型": ("数据管理", "客户分析", "自动化营销"), "预算规模": ("10万以下", "10-50万", "50万以上"),
             "决策链角色": ("决策者", "影响者", "使用者"), "风险等级": ("高", "中", "低")}
    assert {f"{k}-{v}" for k, vs in seeds.items() for v in vs} <= set(lists["标签字典"])
    # A workbook made before keeps its own dictionary (决策角色-决策人) and has no 同义词 list: its tags stay
    # known, the default synonyms still apply, and nothing the import does touches 选项.
    before_lists = {k: list(v) for k, v in lists.items() if k != schema.SYNONYMS}
    before_lists["标签字典"] = ["预算规模-10万以下", "决策角色-决策人", "决策角色-影响人", "自动-新购客户"]
    width = max(map(len, before_lists.values()))
    old = tmp_path / "旧工作簿.xlsx"
    old_options = dataclasses.replace(schema.OPTIONS, fields=tuple(
        f for f in schema.OPTIONS.fields if f.header != schema.SYNONYMS))
    write_workbook(old, sheets=tuple(old_options if s.key == "options" else s for s in schema.SHEETS), data={
        schema.OPTIONS.name: pd.DataFrame({k: v + [""] * (width - len(v)) for k, v in before_lists.items()}),
        schema.CUSTOMERS.name: pd.DataFrame({
            "客户名称": ["北京瑞丰科技有限公司"], "所属行业": ["信息技术"], "联系人姓名": ["王建国"],
            "联系电话": ["13812345678"], "客户来源": ["展会"], "客户标签": ["决策角色-决策人"], "负责人": ["张经理"]})})
    before = _part(old, schema.OPTIONS.name)
    result = _run("validate", str(old))
    assert result.exit_code == 0, result.output  # 决策角色-决策人 is theirs, 展会 is 展会推荐
    _run("import", str(old), str(_form_csv(tmp_path / "表单.csv", "utf-8")), "--owner", "李销售")
    assert _part(old, schema.OPTIONS.name) == before
    assert len(_customers(old)) == 4


def _part(path: Path, sheet: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(sheet_part(path, sheet))


def test_the_import_button_takes_the_owner_from_the_cell_below_the_path(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "客户管理.xlsm"
    write_workbook(path, vba=vba_project())
    monkeypatch.setattr(excel, "_now", lambda: dt.datetime(2026, 11, 30, 9, 0))
    engine = FileBook(path)
    book = xw.Book(impl=engine)
    book.sheets["操作"].range("B14").value = str(_form_csv(tmp_path / "表单.csv", "gbk"))
    book.sheets["操作"].range("B15").value = "王客服"
    book.set_mock_caller()
    try:
        excel.import_customers()
    finally:
        del xw.Book._mock_caller
    assert "新增 3 个客户" in engine.app.alerts[-1]
    owner = engine.values("客户信息")[0].index("负责人")
    assert [r[owner] for r in engine.values("客户信息")[1:4]] == ["王客服"] * 3
