"""The schema is declared once: template, reading, validation and docs all follow it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import python_calamine

from crm_sheets import schema
from crm_sheets.docs import fields_markdown
from crm_sheets.rules.validate import validate
from crm_sheets.schema import Field
from crm_sheets.templates import write_workbook
from crm_sheets.workbook.read import read_book

DOCS = Path(__file__).parent.parent / "docs" / "fields.md"


def test_docs_fields_md_is_generated_from_the_schema() -> None:
    assert DOCS.read_text(encoding="utf-8") == fields_markdown(), "run: python -m crm_sheets.docs > docs/fields.md"


def test_a_field_added_to_the_schema_appears_in_template_import_validation_and_docs(tmp_path: Path) -> None:
    wechat = Field("微信号", "wechat", required=True, aliases=("微信", "wechat id"), rule="客户的微信号")
    customers = dataclasses.replace(schema.CUSTOMERS, fields=(*schema.CUSTOMERS.fields, wechat))
    sheets = (customers, *schema.SHEETS[1:])

    template = tmp_path / "template.xlsx"
    row = {"客户名称": "北京瑞丰科技有限公司", "所属行业": "制造业", "联系人姓名": "王建国", "联系电话": "13812345678",
           "客户来源": "展会推荐", "负责人": "张经理"}
    write_workbook(template, data={"客户信息": pd.DataFrame([row])}, sheets=sheets)
    header = python_calamine.CalamineWorkbook.from_path(str(template)).get_sheet_by_name("客户信息").to_python()[0]
    assert header[-1] == "微信号"

    export = tmp_path / "export.csv"
    export.write_text("客户名称,联系人,手机,行业,来源,负责人,Wechat ID\n瑞丰,王建国,13812345678,制造业,展会推荐,张经理,ruifeng88\n",
                      encoding="utf-8")
    book = read_book(export, sheets=sheets)
    assert book.tables["customers"].data.loc[2, "wechat"] == "ruifeng88"

    book = read_book(template, sheets=sheets)
    result = validate(book.tables, options=book.options, team=book.team_names, today=dt.datetime(2026, 11, 24))
    assert result.problems[["row", "column", "code"]].values.tolist() == [[2, "微信号", "required_missing"]]

    assert "| 微信号 | `wechat` | 文本 | 是 | 微信、wechat id | 客户的微信号 |" in fields_markdown(sheets)
