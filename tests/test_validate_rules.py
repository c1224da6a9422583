"""The validation core on small hand-made tables: every reason code, and what must pass."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracles import hand_checked, luhn_ok, mod11_2_check, phone_normal_form

from crm_sheets import schema, values
from crm_sheets.rules.ids import assign_ids
from crm_sheets.reasons import explained, quality_lines
from crm_sheets.rules.validate import validate
from crm_sheets.workbook.read import table_from_rows

TODAY = dt.datetime(2026, 11, 24, 9, 0)
OPTIONS = {k: list(v) for k, v in schema.OPTION_LISTS.items()}
TEAM = ["李销售", "张经理"]
C_HEAD = ["客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话", "联系邮箱", "客户来源", "客户标签", "负责人", "创建时间"]
GOOD = ["CRM2024031000001", "北京瑞丰科技有限公司", "制造业", "王建国", "13812345678", "wang@ruifeng.com", "展会推荐",
        "预算规模-10万以下", "李销售", dt.datetime(2024, 3, 10, 9, 0)]
GOOD2 = ["CRM2024031000002", *GOOD[1:]]
F_HEAD = ["客户编号", "跟进时间", "跟进人", "沟通方式", "联系结果", "沟通内容", "下一步计划", "客户反馈", "跟进状态"]
F_GOOD = ["CRM2024031000001", dt.datetime(2026, 11, 20, 14, 30), "李销售", "电话", "已接通",
          "介绍新款数控机床报价，客户关心交期", "周五前发正式报价单", "价格可以接受", "意向客户"]


def customers(*rows: list) -> dict:
    return {"customers": table_from_rows("t.xlsx", schema.CUSTOMERS, [C_HEAD, *rows])}


def check(tables: dict, team=TEAM) -> set[tuple[int, str, str]]:
    result = validate(tables, options=OPTIONS, team=team, today=TODAY)
    return {(r.row, r.column, r.code) for r in result.problems.itertuples()}


def with_value(column: str, value, base=GOOD, head=C_HEAD) -> list:
    row = list(base)
    row[head.index(column)] = value
    return row


def test_a_clean_row_has_no_problem() -> None:
    assert check(customers(GOOD)) == set()


@pytest.mark.parametrize(
    ("column", "value", "code"),
    [
        ("客户名称", "", "required_missing"),
        ("联系电话", "", "required_missing"),
        ("联系电话", "1381234567", "bad_phone"),
        ("联系电话", "电话见微信", "bad_phone"),
        ("联系电话", "12812345678", "bad_phone"),
        ("联系邮箱", "wang@@qq.com", "bad_email"),
        ("联系邮箱", "wang.qq.com", "bad_email"),
        ("联系邮箱", "wang@qq..com", "bad_email"),
        ("联系邮箱", "王@qq.com", "bad_email"),
        ("所属行业", "互联网+", "unknown_option"),
        ("客户来源", "朋友", "unknown_option"),
        ("负责人", "赵六", "unknown_member"),
        ("联系人姓名", "某总", "vague_contact"),
        ("联系人姓名", "王总?", "vague_contact"),
        ("联系人姓名", "经理", "vague_contact"),
        ("联系人姓名", "总经理", "vague_contact"),
        ("联系人姓名", "未知", "vague_contact"),
        ("联系人姓名", "王", "vague_contact"),
        ("客户标签", "预算规模-10万以下，预算低", "bad_tag"),
        ("客户名称", "瑞丰 法人身份证 11010519491231002X", "id_number"),
        ("客户名称", "付款卡 6222 0212 3456 7890 128", "bank_card"),
        ("创建时间", "2024-13-45", "bad_date"),
        ("创建时间", dt.datetime(2026, 12, 30), "future_date"),
    ],
)
def test_each_rule_names_row_column_and_code(column: str, value, code: str) -> None:
    assert check(customers(GOOD, with_value(column, value, GOOD2))) == {(3, column, code)}


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("联系人姓名", "王经理"),
        ("联系人姓名", "张总监"),
        ("联系人姓名", "欧阳娜娜"),
        ("联系电话", "+86 138-1234-5678"),
        ("联系电话", "0086 13812345678"),
        ("联系电话", "(010) 6234 5678"),
        ("联系电话", "0571-87654321"),
        ("联系电话", 13812345678),
        ("联系邮箱", " Wang@RuiFeng.com "),
        ("联系邮箱", ""),
        ("客户标签", "预算规模-10万以下，需求-价格敏感、企业规模-50人以下"),
        ("客户名称", "订单号 6222021234567890127X 不是卡号"),
        ("创建时间", "2024/3/10 9:05"),
        ("创建时间", 45361.5),
        ("创建时间", dt.datetime(2026, 11, 25, 8, 0)),
    ],
)
def test_what_a_person_would_accept_passes(column: str, value) -> None:
    assert check(customers(GOOD, with_value(column, value, GOOD2))) == set()


HAND_PHONES = hand_checked("phone")
HAND_NUMBERS = hand_checked("id") + hand_checked("card")


@pytest.mark.parametrize("row", HAND_PHONES, ids=[r["written"] for r in HAND_PHONES])
def test_phones_take_the_normal_form_written_by_hand(row: dict) -> None:
    """tests/fixtures/hand_checked_values.csv: each spelling and its normal form, written by hand; libphonenumber
    (Google's numbering-plan data) reads them the same way."""
    assert phone_normal_form(row["written"]) == row["expected"]  # the fixture agrees with the outside oracle
    assert values.normalize_phone(pd.Series([row["written"]])).iloc[0] == row["expected"]


def test_the_hand_worked_check_characters_are_the_standards() -> None:
    """The check characters worked out by hand in the fixture, against ISO 7064 MOD 11-2 and Luhn written in the
    tests (tests/oracles.py), so neither the table nor the tool can carry an arithmetic slip alone."""
    for row in hand_checked("id"):
        assert mod11_2_check(row["written"][:17]) == row["check"], row
    for row in hand_checked("card"):
        assert luhn_ok(row["written"].replace(" ", "")) == (row["expected"] == "card"), row


def test_validate_flags_exactly_the_cells_marked_by_hand() -> None:
    """One customer per hand-checked value: phones in 联系电话, 身份证号 and card numbers pasted into 客户名称.
    The expected problems are the fixture's verdict column, not anything the tool computes."""
    rows, expected = [], set()
    for k, row in enumerate(HAND_PHONES + HAND_NUMBERS, start=1):
        if row["kind"] == "phone":
            cells = with_value("联系电话", row["written"])
            bad = (row["expected"] == "") and ("联系电话", "bad_phone")
        else:
            cells = with_value("客户名称", f"瑞丰 付款资料 {row['written']}")
            bad = row["expected"] != "no" and ("客户名称", {"id": "id_number", "card": "bank_card"}[row["expected"]])
        cells[0] = f"CRM20240310{k:05d}"
        rows.append(cells)
        if bad:
            expected.add((k + 1, *bad))
    assert len(expected) == 5 + 3 + 3  # 5 bad phones, 3 身份证号 and 3 cards in the table
    assert check(customers(*rows)) == expected


def test_a_duplicate_id_is_reported_on_the_later_row_only() -> None:
    assert check(customers(GOOD, list(GOOD), list(GOOD))) == {(3, "客户编号", "duplicate_id"), (4, "客户编号", "duplicate_id")}


def test_followups_refer_to_existing_customers_and_members() -> None:
    tables = customers(GOOD)
    rows = [
        F_GOOD,
        with_value("客户编号", "CRM2099010100001", F_GOOD, F_HEAD),
        with_value("跟进人", "赵六", F_GOOD, F_HEAD),
        with_value("沟通内容", "已沟通。", F_GOOD, F_HEAD),
        with_value("下一步计划", "待定", F_GOOD, F_HEAD),
        with_value("沟通方式", "飞书", F_GOOD, F_HEAD),
        with_value("跟进时间", dt.datetime(2027, 1, 1), F_GOOD, F_HEAD),
    ]
    tables["followups"] = table_from_rows("t.xlsx", schema.FOLLOWUPS, [F_HEAD, *rows])
    assert check(tables) == {
        (3, "客户编号", "unknown_customer"),
        (4, "跟进人", "unknown_member"),
        (5, "沟通内容", "vague_content"),
        (6, "下一步计划", "vague_content"),
        (7, "沟通方式", "unknown_option"),
        (8, "跟进时间", "future_date"),
    }


def test_a_csv_without_team_does_not_judge_member_names() -> None:
    assert check(customers(with_value("负责人", "赵六")), team=None) == set()


def test_sensitive_numbers_are_masked_in_the_results() -> None:
    tables = customers(with_value("客户名称", "身份证 11010519491231002X"))
    result = validate(tables, options=OPTIONS, team=TEAM, today=TODAY)
    assert result.problems["value"].tolist() == ["身份证 1101**********002X"]


def test_rules_name_problems_by_code_and_faces_say_them_in_either_language() -> None:
    tables = customers(with_value("联系电话", "123"), with_value("客户标签", "预算低", GOOD2))
    result = validate(tables, options=OPTIONS, team=TEAM, today=TODAY)
    assert "problem" not in result.problems.columns and set(result.problems["code"]) == {"bad_phone", "bad_tag"}
    english = explained(result, "en", OPTIONS)
    assert english.problems["problem"].tolist() == ["Not a valid phone number", "Tag not in 类别-值 form"]
    assert "预算规模-10万以下" in english.problems["fix"].iloc[1]  # the hint: the closest dictionary tag
    assert explained(result, "zh", OPTIONS).problems["problem"].iloc[0] == "电话号码无效"
    assert "completeness" in quality_lines(result, "en") and set(english.quality["scope"]) <= {"field", "owner", "total"}


def test_quality_per_field_owner_and_total() -> None:
    tables = customers(GOOD, with_value("联系电话", "123", GOOD2), with_value("联系邮箱", "", GOOD2))
    followups = [F_GOOD, with_value("跟进时间", dt.datetime(2026, 9, 1), F_GOOD, F_HEAD)]
    tables["followups"] = table_from_rows("t.xlsx", schema.FOLLOWUPS, [F_HEAD, *followups])
    quality = validate(tables, options=OPTIONS, team=TEAM, today=TODAY).quality
    phone = quality[(quality["scope"] == "field") & (quality["item"] == "联系电话")].iloc[0]
    assert (phone["rows"], phone["completeness"], round(phone["validity"], 3)) == (3, 1.0, 0.667)
    email = quality[quality["item"] == "联系邮箱"].iloc[0]
    assert email["completeness"] == pytest.approx(2 / 3)
    owner = quality[quality["scope"] == "owner"].iloc[0]
    assert owner["item"] == "李销售" and owner["rows"] == 3
    # Row 2 was contacted 4 days ago as 意向客户 (every 4 days): on time.  Rows 3 and 4 were
    # never contacted since they were created in 2024 (潜在客户, every 5 days): late.
    assert owner["timeliness"] == pytest.approx(1 / 3)
    assert quality.iloc[-1]["scope"] == "total"  # 合计 on 数据质量 (reasons.SCOPES)


def test_timeliness_follows_the_stage_cadence() -> None:
    late = with_value("跟进时间", dt.datetime(2026, 11, 10), F_GOOD, F_HEAD)
    tables = customers(GOOD)
    tables["followups"] = table_from_rows("t.xlsx", schema.FOLLOWUPS, [F_HEAD, late])
    assert validate(tables, options=OPTIONS, team=TEAM, today=TODAY).summary["timeliness"] == 0.0
    deal = with_value("跟进状态", "成交客户", late, F_HEAD)
    tables["followups"] = table_from_rows("t.xlsx", schema.FOLLOWUPS, [F_HEAD, deal])
    assert validate(tables, options=OPTIONS, team=TEAM, today=TODAY).summary["timeliness"] == 1.0


def test_new_ids_continue_the_days_serial() -> None:
    rows = [GOOD, with_value("客户编号", "CRM2026112400007"), with_value("客户编号", ""), with_value("客户编号", "")]
    assigned = assign_ids(customers(*rows)["customers"], TODAY)
    assert assigned["customer_id"].tolist() == ["CRM2026112400008", "CRM2026112400009"]
    assert assigned.index.tolist() == [4, 5]
    assert (assigned["created_at"] == pd.Timestamp(TODAY)).all()


mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)


@given(mobiles, st.sampled_from(["", "+86 ", "86", "0086-", "+86-"]), st.sampled_from(["", " ", "-"]))
def test_any_common_way_of_writing_a_mobile_normalizes_the_same(number: str, prefix: str, sep: str) -> None:
    written = prefix + sep.join([number[:3], number[3:7], number[7:]])
    assert values.normalize_phone(pd.Series([written])).iloc[0] == number


@given(st.integers(min_value=0, max_value=10**19))
def test_phones_are_never_read_as_id_or_card_numbers(n: int) -> None:
    text = pd.Series([f"电话 {n % 10**11:011d}"])
    ids, cards = values.find_sensitive(text)
    assert ids.empty and cards.empty
