"""The one matcher of incoming customers (rules/incoming.py) that import and collect both ask.

A master of five customers and a list of eight, judged by hand with the rules of 查重 (rules/dedupe.py): the
same company and the same phone is surely one customer; the same company and the same contact with another
phone is likely one; two firms that share a phone are two.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import python_calamine
from typer.testing import CliRunner

from crm_sheets.cli import app
from crm_sheets.rules.dedupe import with_phone_text
from crm_sheets.rules.incoming import KNOWN, NEW, REPEAT, match_incoming
from crm_sheets.templates import write_workbook
from crm_sheets.workbook.read import read_book

TODAY = "2026-11-30"
HEADERS = ["客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "负责人"]
MASTER = [  # sheet rows 2 to 6
    ["CRM2026100100001", "杭州恒信五金制品有限公司", "制造业", "王建国", "13812345678", "展会推荐", "李销售"],
    ["", "宁波海天塑料机械有限公司", "制造业", "李敏", "13900001111", "展会推荐", "李销售"],  # entered, not yet 校验
    ["CRM2026100100002", "宁波海天塑料机械有限公司", "制造业", "李敏", "13900001111", "展会推荐", "李销售"],
    ["", "上海明达电子科技有限公司", "信息技术", "张伟明", "13700002222", "线上搜索", "李销售"],
    ["CRM2026100100003", "苏州华美纺织有限公司", "制造业", "陈静", "13600003333", "客户转介绍", "李销售"],
]
INCOMING = [  # source rows 2 to 9
    ["", "上海明达电子科技有限公司", "信息技术", "张伟明", "13700002222", "线上搜索", "李销售"],
    ["", "广州新锐广告有限公司", "文化传媒", "刘洋", "13500004444", "线上广告", "李销售"],
    ["", "杭州恒信五金制品有限公司", "制造业", "王建国", "138-1234-5678", "展会推荐", "李销售"],
    ["", "广州新锐广告有限公司", "文化传媒", "刘洋", "13500004444", "线上广告", "李销售"],
    ["", "宁波海天塑料机械有限公司", "制造业", "李敏", "13900001111", "展会推荐", "李销售"],
    ["", "苏州华美纺织有限公司", "制造业", "陈静", "13600009999", "客户转介绍", "李销售"],
    ["", "深圳天宇物流有限公司", "物流运输", "赵敏", "13300005555", "电话营销", "李销售"],
    ["", "北京远航咨询有限公司", "专业服务", "王建国", "13812345678", "电话营销", "李销售"],
]
# By hand, per source row: status, sure, the group's first master row, the id of its first numbered master
# customer, the group's first incoming row.
EXPECTED = {
    2: (KNOWN, True, 5, "", 2),  # 明达: the master has it, not yet numbered
    3: (NEW, True, 0, "", 3),  # 新锐: new, and row 5 repeats it
    4: (KNOWN, True, 2, "CRM2026100100001", 4),  # 恒信: the phone written with dashes is the same phone
    5: (REPEAT, True, 0, "", 3),
    # 海天 is on the master twice: its first row (3) has no id yet, row 4 has one.
    6: (KNOWN, True, 3, "CRM2026100100002", 6),
    7: (KNOWN, False, 6, "CRM2026100100003", 7),  # 华美: same contact, another phone: likely, not sure
    8: (NEW, False, 0, "", 8),  # 天宇: nobody else
    9: (NEW, False, 0, "", 9),  # 远航 shares 恒信's phone and contact: another firm all the same
}


def _book(path: Path, rows: list[list[str]]) -> Path:
    write_workbook(path, data={"客户信息": pd.DataFrame(rows, columns=HEADERS)})
    return path


def test_each_incoming_customer_is_matched_as_worked_by_hand(tmp_path: Path) -> None:
    master = read_book(_book(tmp_path / "总表.xlsx", MASTER)).tables["customers"]
    listed = tmp_path / "名单.csv"
    pd.DataFrame(INCOMING, columns=HEADERS).to_csv(listed, index=False, encoding="utf-8")
    incoming = read_book(listed, required={"name"}).tables["customers"]
    matches = match_incoming(master, with_phone_text(incoming))
    rows = matches.rows
    assert list(rows.index) == list(EXPECTED)
    got = {int(r): (s, bool(sure), int(row), cid, int(first)) for r, s, sure, row, cid, first in rows[
        ["status", "sure", "row", "customer_id", "first"]].itertuples(name=None)}
    assert got == EXPECTED
    # One index convention: the k-th incoming record is -(k + 1) among the master's sheet rows.
    assert list(rows["label"]) == [-1, -2, -3, -4, -5, -6, -7, -8]
    groups = rows["group"]
    assert groups[8] == groups[9] == 0 and groups[3] == groups[5] != 0
    assert len({groups[r] for r in (2, 3, 4, 6, 7)}) == 5
    clusters = matches.found.rows["cluster"]
    assert clusters[-1] == clusters[5] == groups[2] and clusters[-5] == clusters[3] == clusters[4] == groups[6]


def _cells(path: Path, sheet: str) -> list[dict]:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_import_and_collect_give_one_list_the_same_customers(tmp_path: Path) -> None:
    """The same file imported and collected: each row is the same master customer (its id, "" for one not yet
    numbered), or the same new customer under the same new id.  Left out: a record only perhaps known (import
    reports it, collect adds it for review), and one whose group's first master row has no id yet while a later
    one has (import names that first row, collect the customer with an id: the match gives both)."""
    sure = [r for r in EXPECTED if (EXPECTED[r][1] or EXPECTED[r][0] == NEW) and r != 6]
    listed = _book(tmp_path / "名单.xlsx", [INCOMING[r - 2] for r in sure])
    expected = {2: "", 3: "CRM2026113000001", 4: "CRM2026100100001", 5: "CRM2026113000001", 8: "CRM2026113000002",
                9: "CRM2026113000003"}
    source_row = {k + 2: r for k, r in enumerate(sure)}  # the file holds only these rows, in order
    assert set(source_row.values()) == set(expected)

    imported = _book(tmp_path / "导入.xlsx", MASTER)
    done = CliRunner().invoke(app, ["import", str(imported), str(listed), "--today", TODAY, "--lang", "zh"])
    assert done.exit_code == 1, done.output  # duplicates to look at
    new_ids = {c["客户名称"]: c["客户编号"] for c in _cells(imported, "客户信息")[len(MASTER):]}
    by_import: dict[int, str] = {}
    errors = {int(e["源行号"]): (e["问题代码"], e["原因"]) for e in _cells(imported, "导入错误")}
    for k, r in source_row.items():
        code, reason = errors.get(k, ("", ""))
        if code == "duplicate_existing":
            by_import[r] = "".join(re.findall(r"CRM\d{13}", reason))
        elif code == "duplicate_in_file":
            by_import[r] = new_ids[INCOMING[source_row[int(re.findall(r"\d+", reason)[0])] - 2][1]]
        else:
            by_import[r] = new_ids[INCOMING[r - 2][1]]

    collected = _book(tmp_path / "汇总.xlsx", MASTER)
    done = CliRunner().invoke(app, ["collect", str(collected), str(listed), "--today", TODAY, "--lang", "zh"])
    assert done.exit_code == 0, done.output
    by_collect = {source_row[int(e["来源行号"])]: e["客户编号"] for e in _cells(collected, "汇总记录")
                  if e["来源工作表"] == "客户信息"}

    assert by_import == expected
    assert by_collect == expected
