"""`crm-sheets summary` and `crm-sheets tag` on a small workbook whose figures are worked out by hand below."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import python_calamine
from support import FIXTURES, MANIFEST, lo_inspect, members, rows_removed, sheet_part
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.app import summary as summary_app
from crm_sheets.app import tag as tag_app
from crm_sheets.cli import app
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook
from crm_sheets.model.headers import column_index
from crm_sheets.workbook.read import read_book
from crm_sheets.workbook.write import frame_sheet, write_back

TODAY = dt.datetime(2026, 11, 5, 9, 0)
MONTH = pd.Period("2026-10", "M")


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# id, created, source, tags, owner
CUSTOMERS = [
    ("CRM2026100100001", "2026-10-01 09:00", "展会推荐", "需求-价格敏感", "张经理"),
    ("CRM2026100200001", "2026-10-02 09:00", "展会推荐", "需求-价格敏感,企业规模-50人以下", "李销售"),
    ("CRM2026100300001", "2026-10-03 09:00", "线上搜索", "企业规模-50人以下", "李销售"),
    ("CRM2026090100001", "2026-09-01 09:00", "线上搜索", "", "张经理"),
    ("CRM2026090200001", "2026-09-02 09:00", "客户转介绍", "需求-价格敏感", "王客服"),
]
# customer, time, by, channel, result, status, script, issue, satisfaction
FOLLOWUPS = [
    (0, "2026-10-05 10:00", "张经理", "电话", "已接通", "意向客户", "A", "价格", "满意"),
    (0, "2026-10-20 10:00", "张经理", "面谈", "已接通", "成交客户", "B", "服务", "非常满意"),
    (1, "2026-10-06 10:00", "李销售", "电话", "未接通", "潜在客户", "A", "", ""),
    (1, "2026-10-07 10:00", "李销售", "微信", "已回复", "成交客户", "B", "", ""),
    (2, "2026-10-08 10:00", "李销售", "电话", "已接通", "意向客户", "A", "价格", "一般"),
    (3, "2026-09-10 10:00", "张经理", "电话", "已接通", "意向客户", "", "", ""),
    (4, "2026-10-09 10:00", "王客服", "邮件", "未回复", "潜在客户", "", "", ""),
]
# customer, date, amount, type
ORDERS = [
    (0, "2026-10-20", 60000, "签约"),
    (1, "2026-10-07", 12000, "首购"),
    (3, "2026-10-15", 15000, "首购"),
    (4, "2026-05-01", 8000, "首购"),
]


def build(path: Path) -> Path:
    ids = [c[0] for c in CUSTOMERS]
    customers = pd.DataFrame({
        "客户编号": ids, "客户名称": ["北京瑞丰科技有限公司", "上海恒达物流有限公司", "杭州华信电子有限公司",
                                   "南京金科机械有限公司", "成都鼎盛商贸有限公司"],
        "所属行业": "制造业", "联系人姓名": ["王建国", "李娜", "张伟", "刘洋", "陈静"],
        "联系电话": ["13812345601", "13812345602", "13812345603", "13812345604", "13812345605"],
        "客户来源": [c[2] for c in CUSTOMERS], "客户标签": [c[3] for c in CUSTOMERS], "负责人": [c[4] for c in CUSTOMERS],
        "创建时间": [when(c[1]) for c in CUSTOMERS],
    })
    followups = pd.DataFrame([{
        "客户编号": ids[c], "跟进时间": when(t), "跟进人": by, "沟通方式": ch, "联系结果": res,
        "沟通内容": "介绍产品方案并报价", "下一步计划": "下周回访确认", "客户反馈": "考虑中", "跟进状态": st,
        "话术版本": sc, "问题类型": it, "满意度": sat} for c, t, by, ch, res, st, sc, it, sat in FOLLOWUPS])
    orders = pd.DataFrame([{"客户编号": ids[c], "日期": when(d), "金额": float(a), "类型": k} for c, d, a, k in ORDERS])
    write_workbook(path, data={"客户信息": customers, "跟进记录": followups, "交易记录": orders})
    done = pd.DataFrame({"task_id": [f"{ids[1]}-新购满意度回访-20261014", f"{ids[0]}-新签约回访-20261027"],
                         "result": ["已完成", "已完成"]})
    write_back(path, tool_sheets=[frame_sheet(schema.TASKS, done)])
    return path


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    return build(tmp_path / "月报.xlsx")


@pytest.fixture()
def blocks(book: Path) -> dict[str, pd.DataFrame]:
    found = summary_app.summary_blocks(read_book(book), MONTH, TODAY, FileStore(book).tool_frame(schema.TASKS))
    return {b.title: b.table for b in found}


def rows(table: pd.DataFrame) -> list[list]:
    return [[round(v, 4) if isinstance(v, float) else v for v in r] for r in table.values.tolist()]


def test_new_customers_by_source(blocks) -> None:
    assert rows(blocks["新客户来源及占比"]) == [["展会推荐", 2, 0.6667], ["线上搜索", 1, 0.3333]]


def test_stage_funnel(blocks) -> None:
    # Five customers by 31 Oct; C1-C4 reached 意向 (C4 in September); C1 and C2 closed.
    assert rows(blocks["客户阶段漏斗（截至月底，累计到达）"]) == [["潜在客户", 5, 1.0], ["意向客户", 4, 0.8],
                                                              ["成交客户", 2, 0.4]]


def test_conversion_by_source(blocks) -> None:
    table = rows(blocks["各来源成交转化率（截至月底）"])
    assert table[0] == ["展会推荐", 2, 2, 1.0]
    assert sorted(table[1:]) == [["客户转介绍", 1, 0, 0.0], ["线上搜索", 2, 0, 0.0]]


def test_conversion_by_channel(blocks) -> None:
    # 面谈 (C1) and 微信 (C2) each made one customer 成交客户; 电话 three contacts, none; 邮件 one, none.
    table = {r[0]: r[1:] for r in rows(blocks["各沟通方式的成交转化率（本月跟进）"])}
    assert table == {"面谈": [1, 1, 1.0], "微信": [1, 1, 1.0], "电话": [3, 0, 0.0], "邮件": [1, 0, 0.0]}


def test_tags_over_represented_among_deals(blocks) -> None:
    # 需求-价格敏感: 2 of 2 deals vs 1 of 3 others (3×); 企业规模-50人以下: 1 of 2 vs 1 of 3 (1.5×).
    assert rows(blocks["成交客户更常见的标签"]) == [["需求-价格敏感", 1.0, 0.3333, 3.0],
                                                  ["企业规模-50人以下", 0.5, 0.3333, 1.5]]


def test_followups_per_owner(blocks) -> None:
    assert rows(blocks["各跟进人本月跟进次数"]) == [["李销售", 3, 2], ["张经理", 2, 2], ["王客服", 1, 0]]


def test_revisit_execution_rate(blocks) -> None:
    # Due in October, worked out by hand from the stage cadence (潜在 5 days, 意向 3, 成交 30, counted from the
    # last contact that reached the customer, or from its creation):
    # - event tasks: 新购满意度回访 C1 (27th, not done), C2 (14th, 已完成 typed), C4 (22nd, no follow-up: missed);
    #   新签约回访 C1 (27th, 已完成 typed);
    # - cadence tasks: C1 意向 after 10-05 -> due 10-08, done by the 10-20 visit (created 10-01 -> 10-06 was
    #   beaten by the 10-05 call, so no task); C2 created 10-02 -> due 10-07, done by the 10-07 WeChat reply
    #   (the 10-06 未接通 is an attempt); C3 created 10-03 -> due 10-08, done by the 10-08 call; C3 意向 after
    #   10-08 -> due 10-11, still open.  C4's and C5's fell due in September.
    # 张经理: 4 due, 2 done; 李销售: 4 due, 3 done.
    assert rows(blocks["回访执行率（已完成 / 应回访）"]) == [["张经理", 4, 2, 0.5], ["李销售", 4, 3, 0.75],
                                                         ["合计", 8, 5, 0.625]]


def test_feedback_by_problem_type_and_satisfaction(blocks) -> None:
    assert rows(blocks["客户反馈：问题类型 × 满意度"]) == [["价格", 0, 1, 1], ["服务", 1, 0, 0]]
    assert list(blocks["客户反馈：问题类型 × 满意度"].columns) == ["问题类型", "非常满意", "满意", "一般"]


def test_script_ab_response_rates(blocks) -> None:
    assert rows(blocks["话术 A/B 回应率"]) == [["A", 3, 2, 0.6667], ["B", 2, 2, 1.0]]


def test_tier_movements_and_trend(blocks) -> None:
    # C4 bought for 15,000 in October: 普通价值 -> 中价值.  C5's last interaction by 30 Sep was its May order
    # (流失 after 3 months); its October contact brings it back to 普通价值.  C1-C3 are new in October.
    assert rows(blocks["价值层级变化（与上月底相比）"]) == [["普通价值", "中价值", 1], ["流失", "普通价值", 1]]
    trend = blocks["各价值层级客户数（近六个月月底）"].set_index("月份")
    assert trend.loc["2026-09"].tolist() == [0, 0, 1, 1]
    assert trend.loc["2026-10"].tolist() == [1, 2, 2, 0]


def test_summary_sheet_has_native_titled_charts_and_renders(book: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["summary", str(book), "--month", "2026-10", "--today", "2026-11-05",
                                      "--export", str(tmp_path / "export.xlsx")])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(book) as zf:
        charts = [n for n in zf.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        titles = [re.findall(r"<a:t>([^<]+)</a:t>", zf.read(n).decode())[0] for n in charts]
    assert len(charts) == 11 and "新客户来源及占比" in titles and all(re.search(r"[\u4e00-\u9fff]", t) for t in titles)
    info = lo_inspect(book)
    assert info["charts"]["月度汇总-2026-10"] == 11
    assert "反馈统计" in info["sheets"]
    exported = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "export.xlsx"))
    assert exported.sheet_names == ["月度汇总-2026-10"]
    again = CliRunner().invoke(app, ["summary", str(book), "--month", "2026-10", "--today", "2026-11-05"])
    assert again.exit_code == 0
    assert python_calamine.CalamineWorkbook.from_path(str(book)).sheet_names.count("月度汇总-2026-10") == 1


def test_bad_month_is_one_line(book: Path) -> None:
    result = CliRunner().invoke(app, ["summary", str(book), "--month", "2026/10"])
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_tag_sets_stage_tier_tags_and_is_stable(book: Path) -> None:
    first = CliRunner().invoke(app, ["tag", str(book), "--today", "2026-11-01"])
    assert first.exit_code == 0, first.output
    data = read_book(book).tables["customers"].text.set_index("customer_id")
    assert data.loc["CRM2026100100001", ["stage", "tier"]].tolist() == ["成交客户", "高价值"]
    assert data.loc["CRM2026100200001", ["stage", "tier"]].tolist() == ["成交客户", "中价值"]
    # C5: last contact 9 Oct, 23 days ago: no 流失预警 yet; C4: last contact 10 Sep (52 days): 流失预警.
    assert "自动-流失预警" in data.loc["CRM2026090100001", "tags"]
    assert "自动-流失预警" not in data.loc["CRM2026090200001", "tags"]
    assert data.loc["CRM2026100100001", "tags"] == "需求-价格敏感,自动-新购客户"  # first order 12 days ago
    before = members(book)
    part = sheet_part(book, "客户信息")
    second = CliRunner().invoke(app, ["tag", str(book), "--today", "2026-11-01"])
    assert "0 个" in second.output
    assert members(book)[part] == before[part]


def test_tag_removes_automatic_tags_when_the_condition_ends_and_keeps_manual_ones(book: Path) -> None:
    CliRunner().invoke(app, ["tag", str(book), "--today", "2026-11-01"])
    assert "自动-新购客户" in read_book(book).tables["customers"].text["tags"].iloc[0]
    later = CliRunner().invoke(app, ["tag", str(book), "--today", "2026-11-20"])  # 31 days after C1's first order
    assert later.exit_code == 0, later.output
    tags = read_book(book).tables["customers"].text.set_index("customer_id")["tags"]
    assert "自动-新购客户" not in tags["CRM2026100100001"]
    assert tags["CRM2026100100001"].startswith("需求-价格敏感")
    assert tags["CRM2026100200001"].startswith("需求-价格敏感,企业规模-50人以下")


def test_three_unanswered_calls_escalate(tmp_path: Path) -> None:
    path = build(tmp_path / "t.xlsx")
    data = read_book(path)
    follow = data.tables["followups"]
    extra = pd.DataFrame([{"客户编号": "CRM2026100300001", "跟进时间": when(f"2026-11-0{d} 10:00"), "跟进人": "李销售",
                           "沟通方式": "电话", "联系结果": "未接通", "沟通内容": "电话无人接听稍后再拨",
                           "下一步计划": "明天上午再打", "客户反馈": "无人接听", "跟进状态": "意向客户"} for d in (1, 2, 3)])
    letters = follow.letters
    cells = {}
    for k, record in enumerate(extra.to_dict("records")):
        row = int(follow.data.index.max()) + 1 + k
        cells[row] = {column_index(letters[key]): record[schema.FOLLOWUPS.field(key).header] for key in letters
                      if schema.FOLLOWUPS.field(key).header in record}
    write_back(path, cells={"跟进记录": cells})
    tag_app.run(FileStore(path), today=TODAY)
    tags = read_book(path).tables["customers"].text.set_index("customer_id")["tags"]
    assert "自动-需人工跟进" in tags["CRM2026100300001"]


def test_tag_and_summary_preserve_another_programs_workbook(tmp_path: Path) -> None:
    path = tmp_path / "团队客户.xlsm"
    shutil.copy(FIXTURES / "foreign.xlsm", path)
    before = members(path)
    data_part = sheet_part(path, "客户信息")
    for command, code in ((["tag", str(path), "--today", "2026-11-24"], 1), (["summary", str(path), "--today", "2026-11-24"], 0)):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == code, result.output  # tag re-checks: foreign.xlsm has problems to report
    after = members(path)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= MANIFEST | {data_part}, changed
    customer_rows = set(range(2, 10))
    assert rows_removed(before[data_part], customer_rows) == rows_removed(after[data_part], customer_rows)
    info = lo_inspect(path)
    assert info["charts"]["我的笔记"] == 1 and info["pictures"]["我的笔记"] == 1
