"""`crm-sheets dedupe --json`: beside each group, "sure" says whether 疑似重复 pre-fills 确认合并 for it (README)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import python_calamine
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook

TODAY = "2026-03-16"


def sheet_groups(path: Path) -> dict[frozenset[str], bool]:
    """疑似重复 as written to disk: each group's ids, and whether every one of its rows says 确认合并 = 是."""
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("疑似重复").to_python()
    header = [str(h) for h in rows[0]]
    group, cid, confirm = header.index("组号"), header.index("客户编号"), header.index("确认合并")
    ids: dict[object, set[str]] = {}
    confirmed: dict[object, bool] = {}
    for row in rows[1:]:
        ids.setdefault(row[group], set()).add(str(row[cid]))
        confirmed[row[group]] = confirmed.get(row[group], True) and row[confirm] == "是"
    return {frozenset(members): confirmed[key] for key, members in ids.items()}


def test_sure_is_the_sheets_pre_filled_confirmation(tmp_path: Path) -> None:
    demo = make_demo(dt.date.fromisoformat(TODAY), n_customers=600, n_followups=100)
    # The demo's repeats are all sure ones; these two pairs are left to the reader: one registered name with
    # nothing else in common, and two brands one character apart behind one phone.
    unsure = pd.DataFrame({"客户编号": [f"CRM2026010199{i:03d}" for i in range(4)],
                           "客户名称": ["宁波港城物流有限公司", "宁波港城物流有限公司", "厦门海韵贸易有限公司", "厦门海蕴贸易有限公司"],
                           "联系人姓名": ["陈芳", "赵磊", "林涛", "林涛"],
                           "联系电话": ["13605740004", "13605749999", "13905920005", "13905920005"]})
    customers = pd.concat([demo.frames[schema.CUSTOMERS.name], unsure], ignore_index=True)
    path = tmp_path / "客户.xlsx"
    write_workbook(path, data={schema.CUSTOMERS.name: customers})
    result = CliRunner().invoke(app, ["dedupe", str(path), "--json", "--today", TODAY])
    assert result.exit_code == 1, result.output
    printed = json.loads(result.stdout)
    assert len(printed["sure"]) == len(printed["clusters"])
    assert all(isinstance(s, bool) for s in printed["sure"])
    on_sheet = sheet_groups(path)
    assert {frozenset(c): s for c, s in zip(printed["clusters"], printed["sure"], strict=True)} == on_sheet
    # Both answers occur, so the list is read from the sheet's data, not a constant.
    assert set(on_sheet.values()) == {True, False}


def test_no_groups_no_sure(tmp_path: Path) -> None:
    path = tmp_path / "客户.xlsx"
    customers = {"客户编号": ["CRM2026010100001", "CRM2026010100002"], "客户名称": ["宁波新客电子有限公司", "昆明云岭茶业有限公司"],
                 "联系电话": ["13999998888", "13712345678"]}
    write_workbook(path, data={schema.CUSTOMERS.name: pd.DataFrame(customers)})
    result = CliRunner().invoke(app, ["dedupe", str(path), "--json", "--today", TODAY])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"clusters": [], "sure": []}
