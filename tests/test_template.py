"""The template: `crm-sheets new`, what is in it, and that it reads back as written."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support import lo_inspect, members
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app
from crm_sheets.templates import build_template, write_workbook
from crm_sheets.workbook.read import read_book

BUILT = Path(__file__).parent.parent / "workbook_templates" / "crm-template.xlsx"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("new") / "客户管理.xlsx"
    result = CliRunner().invoke(app, ["new", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_new_refuses_to_overwrite(template: Path) -> None:
    before = template.read_bytes()
    result = CliRunner().invoke(app, ["new", str(template)])
    assert result.exit_code == 2 and "已存在" in result.output
    assert template.read_bytes() == before


def test_every_list_field_has_a_dropdown_pointing_at_its_list(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    option_columns = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(schema.OPTION_LISTS)}
    for sheet in schema.DATA_SHEETS:
        ws = wb[sheet.name]
        rules = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
        for col, f in enumerate(sheet.fields, start=1):
            cell = f"{openpyxl.utils.get_column_letter(col)}2"
            if f.type == "option":
                letter = option_columns[f.options]
                assert rules[cell].formula1 == f"选项!${letter}$2:${letter}$200", (sheet.name, f.header)
                assert rules[cell].errorStyle in (None, "stop")  # absent means stop
            elif f.type == "member":
                assert rules[cell].formula1 == "团队!$A$2:$A$200"
            elif f.type == "customer_ref":
                assert rules[cell].formula1 == "客户信息!$A$2:$A$1048576"
            if f.rule:
                assert rules[cell].prompt == f.rule and rules[cell].showInputMessage, (sheet.name, f.header)


def test_headers_widths_frozen_panes_and_flag_colours(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    for sheet in schema.DATA_SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == sheet.headers
        assert ws.freeze_panes == "A2"
        widths = {c: d.width for d in ws.column_dimensions.values() for c in range(d.min, d.max + 1)}
        for col, f in enumerate(sheet.fields, start=1):
            assert widths[col] == pytest.approx(f.width, abs=1)
            assert (ws.cell(1, col).font.color.rgb == "FFC00000") == (f.required and not f.maintained)
        formulas = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules]
        assert f'COUNTIFS(校验结果!$A:$A,"{sheet.name}",校验结果!$B:$B,ROW())>0' in formulas
    customers = wb["客户信息"]
    formulas = [r.formula[0] for rng in customers.conditional_formatting for r in rng.rules]
    assert 'ISNUMBER(SEARCH("沉默客户",$K2))' in formulas and 'ISNUMBER(SEARCH("需人工跟进",$H2))' in formulas
    phone_column = next(d for d in customers.column_dimensions.values() if d.min <= 5 <= d.max)
    assert phone_column.number_format == "@"  # a phone typed in stays text, never 1.38E+10


def test_config_sheets_hold_the_defaults(template: Path) -> None:
    book = read_book(template)
    assert book.team_names == [row[0] for row in schema.DEFAULT_TEAM]
    assert book.options == {k: list(v) for k, v in schema.OPTION_LISTS.items()}
    assert book.settings["提醒发送时间"] == "08:30" and book.settings["沉默天数"] == "90"
    wb = openpyxl.load_workbook(template)
    rules = [[c.value for c in row] for row in wb["回访规则"].iter_rows(min_row=2)]
    assert [r[0] for r in rules] == [r[0] for r in schema.DEFAULT_RULES]
    assert [c.value for c in wb["校验结果"][1]] == schema.CHECK_RESULTS.headers
    assert all(len(table.data) == 0 for table in book.tables.values())


def test_values_read_back_as_written(tmp_path: Path) -> None:
    rows = pd.DataFrame({
        "客户名称": ["北京瑞丰科技有限公司", "=HYPERLINK(\"http://x\")"],
        "联系电话": ["13812345678", "+86 138-1234-5678"],
        "创建时间": [dt.datetime(2024, 3, 10, 14, 30), pd.NaT],
        "合同到期日": [dt.datetime(2025, 6, 30), pd.NaT],
    })
    orders = pd.DataFrame({"客户编号": ["CRM2024031000001"], "日期": [dt.datetime(2024, 3, 11)], "金额": [12800.5],
                           "类型": ["首购"]})
    path = tmp_path / "t.xlsx"
    write_workbook(path, data={"客户信息": rows, "交易记录": orders})
    book = read_book(path)
    data = book.tables["customers"].data
    assert data["name"].tolist() == rows["客户名称"].tolist()
    assert data["phone"].tolist() == ["13812345678", "13812345678"]
    assert data.loc[2, "created_at"] == pd.Timestamp(2024, 3, 10, 14, 30)
    assert data.loc[2, "contract_end"] == pd.Timestamp(2025, 6, 30)
    assert book.tables["orders"].data.loc[2, "amount"] == 12800.5
    with zipfile.ZipFile(path) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml")  # the '=' text is no formula


def test_the_committed_template_is_the_built_one(tmp_path: Path) -> None:
    fresh = tmp_path / "crm-template.xlsx"
    build_template(fresh)
    assert members(fresh) == members(BUILT), "run: crm-sheets new workbook_templates/crm-template.xlsx"


def test_libreoffice_opens_the_template(template: Path) -> None:
    info = lo_inspect(template)
    assert list(info["sheets"]) == [s.name for s in schema.SHEETS] + ["校验结果", "回访任务"]


@pytest.mark.parametrize("command", [["validate"], ["dedupe"], ["tag"], ["summary"], ["remind"], ["merge"]])
def test_every_command_runs_on_the_empty_template(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "新模板.xlsx"
    build_template(path)
    result = CliRunner().invoke(app, [*command, str(path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output  # nothing in it, so nothing wrong with it
    assert "Traceback" not in result.output and path.name in result.output
