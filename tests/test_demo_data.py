"""The demo's data: realistic, reproducible, and clean except for what it says it planted."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import pandas as pd
import pytest
from oracles import card_numbers_in, id_numbers_in, luhn_ok, mod11_2_check, phone_normal_form
from typer.testing import CliRunner

from crm_sheets import schema, values
from crm_sheets.cli import app
from crm_sheets.demo_data import bank_card, id_number, make_demo
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook

TODAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo():
    return make_demo(TODAY)


def test_sizes_and_reproducibility(demo) -> None:
    assert len(demo.frames["客户信息"]) >= 2000 and len(demo.frames["跟进记录"]) >= 20000
    assert len(demo.frames["交易记录"]) > 1000 and len(demo.frames["服务工单"]) > 300
    again = make_demo(TODAY)
    for name, frame in demo.frames.items():
        pd.testing.assert_frame_equal(frame, again.frames[name])
    assert not make_demo(TODAY, seed=8).frames["客户信息"].equals(demo.frames["客户信息"])


def test_every_reason_code_is_planted(demo) -> None:
    assert set(demo.planted["code"]) == {
        "required_missing", "bad_phone", "bad_email", "bad_date", "future_date", "bad_number", "unknown_option",
        "unknown_member", "unknown_customer", "duplicate_id", "vague_contact", "vague_content", "id_number",
        "bank_card", "bad_tag",
    }
    assert not demo.planted.duplicated(["sheet", "row", "column"]).any()


def test_unplanted_phones_are_valid_and_written_many_ways(demo) -> None:
    customers = demo.frames["客户信息"]
    planted = set(demo.planted.loc[demo.planted["column"] == "联系电话", "row"])
    phones = customers["联系电话"][~(customers.index + 2).isin(planted)]
    # Read by libphonenumber (tests/oracles.py), not by the tool whose validation these phones feed.
    assert (phones.map(phone_normal_form) != "").all()
    assert phones.str.startswith("+86").any() and phones.str.contains("-").any()


def test_ids_dates_and_new_rows(demo) -> None:
    customers = demo.frames["客户信息"]
    ids = customers["客户编号"][customers["客户编号"] != ""]
    assert ids.str.fullmatch(r"CRM20\d{6}\d{5}").all()
    assert ids.duplicated().sum() == 1  # the planted duplicate_id
    new = customers.iloc[[r - 2 for r in demo.unassigned_rows]]
    assert len(new) == 20 and (new["客户编号"] == "").all() and new["创建时间"].isna().all()
    followups = demo.frames["跟进记录"]
    times = pd.to_datetime(followups["跟进时间"], errors="coerce")
    created = followups["客户编号"].map(customers.drop_duplicates("客户编号").set_index("客户编号")["创建时间"])
    planted = set(demo.planted.loc[demo.planted["sheet"] == "跟进记录", "row"])
    ok = (followups.index + 2).isin(planted) | ((times >= created) & (times < pd.Timestamp(TODAY)))
    assert ok.all()


def test_duplicate_clusters_name_existing_customers(demo) -> None:
    ids = set(demo.frames["客户信息"]["客户编号"])
    assert len(demo.duplicates) >= 40
    assert all(len(c) >= 2 and set(c) <= ids for c in demo.duplicates)
    names = demo.frames["客户信息"].set_index("客户编号")["客户名称"]
    assert any(names[c[0]] != names[c[1]] for c in demo.duplicates)


def test_no_sensitive_numbers_besides_the_planted_ones(demo) -> None:
    """Searched with the tests' own MOD 11-2 and Luhn (tests/oracles.py), not the tool's finder."""
    found = set()
    for sheet, frame in demo.frames.items():
        for column in frame.columns:
            for i, cell in frame[column].items():
                if id_numbers_in(cell) or card_numbers_in(cell):
                    found.add((sheet, int(i) + 2, column))
    planted = demo.planted[demo.planted["code"].isin(["id_number", "bank_card"])]
    assert found == set(map(tuple, planted[["sheet", "row", "column"]].values.tolist()))


# GB 11643-1999's own examples of citizen numbers, and card numbers the payment networks publish for testing
# (Visa, Mastercard, UnionPay 16 and 19 digits).
PUBLISHED_IDS = ["11010519491231002X"]
PUBLISHED_CARDS = ["4111111111111111", "5555555555554444", "6200000000000005", "6205500000000000004"]


def test_sensitive_number_checks_agree_with_published_examples() -> None:
    assert all(values.is_id_number(n) for n in PUBLISHED_IDS)
    assert not values.is_id_number("440524188001010014")  # the standard's other example: born 1880, no customer
    assert not any(values.is_id_number(n[:-1] + ("1" if n[-1] != "1" else "2")) for n in PUBLISHED_IDS)
    assert all(values.is_bank_card(n) for n in PUBLISHED_CARDS)
    assert not any(values.is_bank_card(n[:-1] + str((int(n[-1]) + 1) % 10)) for n in PUBLISHED_CARDS)


def test_planted_numbers_carry_the_check_digits_the_standards_define() -> None:
    """Worked out with the standards' formulas in tests/oracles.py, not by the functions that made or check them."""
    for seed in range(20):
        number = id_number(seed)
        assert number[17] == mod11_2_check(number[:17]), number
        card = bank_card(seed).replace(" ", "")
        assert len(card) == 19 and luhn_ok(card), card


def test_members_references_and_event_order(demo) -> None:
    team = demo.frames["团队"]
    assert (team["上级"].eq("") | team["上级"].isin(team.loc[team["角色"] == "经理", "姓名"])).all()
    planted = set(map(tuple, demo.planted[["sheet", "row", "column"]].values.tolist()))
    ids = set(demo.frames["客户信息"]["客户编号"]) - {""}
    for sheet, columns in {"客户信息": ["负责人"], "跟进记录": ["跟进人", "客户编号"], "交易记录": ["客户编号"],
                           "服务工单": ["负责人", "客户编号"]}.items():
        frame = demo.frames[sheet]
        for column in columns:
            allowed = ids if column == "客户编号" else set(team["姓名"])
            bad = {(sheet, int(i) + 2, column) for i in frame.index[~frame[column].isin(allowed)]}
            assert bad <= planted, sorted(bad - planted)[:5]
    orders, tickets = demo.frames["交易记录"], demo.frames["服务工单"]
    assert (orders["日期"] <= pd.Timestamp(TODAY)).all()
    done = tickets[tickets["状态"] == "已解决"]
    assert (done["解决时间"] > done["受理时间"]).all() and (tickets["受理时间"] <= pd.Timestamp(TODAY)).all()


def test_in_sample_the_demo_reads_as_a_team_that_mostly_keeps_up(tmp_path: Path) -> None:
    """A check of the demo, not of the tool: demo_work.py draws the calls with the same cadence the reminders
    use, so the tool's numbers here agree with the drawing by construction.  The reminders' answers are checked
    by hand in tests/test_revisit_loop.py; this only keeps the demo believable for whoever tries it."""
    path = tmp_path / "demo.xlsx"
    write_workbook(path, data=make_demo(TODAY).frames)
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    texts = {m.name: email.message_from_bytes(m.read_bytes(), policy=email.policy.default).get_body(
        ("plain",)).get_content() for m in (tmp_path / "outbox").glob("*.eml")}
    digest = next(t for n, t in texts.items() if n.endswith("manager.eml"))
    rate = int(re.search(r"团队执行率 (\d+)%", digest).group(1))
    assert 60 <= rate <= 95, rate
    sheet = FileStore(path).tool_frame(schema.TASKS)
    done = sheet[sheet["status"] == "已完成"]
    assert len(done) and done["evidence"].str.startswith("跟进").mean() > 0.9  # done by follow-ups, not typing
    late = int(re.search(r"逾期 7 天以上 (\d+)", digest).group(1))
    assert 0 < late <= 40
    for name, text in texts.items():
        if name.endswith("owner.eml"):
            listed = len(re.findall(r"^\d+\. ", text, re.M))
            assert 0 < listed <= 40, (name, listed)
