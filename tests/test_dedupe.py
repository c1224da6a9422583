"""Duplicate customers: what a person would call the same company, and what not; merge and undo."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import python_calamine
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.app import dedupe as dedupe_app
from crm_sheets.app import merge as merge_app
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.rules.dedupe import MAX_WEAK_BLOCK, candidate_pairs, features, find_duplicates
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook
from crm_sheets.values import normalize_phone

TODAY = dt.datetime(2026, 11, 24, 9, 0)
BASE = ("北京瑞丰科技有限公司", "王建国", "13812345678", "wang@ruifeng.com")


def same(a: tuple, b: tuple) -> bool:
    frame = pd.DataFrame([a, b], columns=["name", "contact", "phone", "email"])
    frame["phone_text"] = frame["phone"]  # as written, as the workbook reader passes it
    frame["phone"] = normalize_phone(frame["phone"].astype(object))
    return len(find_duplicates(frame).clusters) == 1


@pytest.mark.parametrize(
    "other",
    [
        ("瑞丰科技(北京)有限公司", "王建国", "13812345678", ""),
        ("瑞丰科技（北京）有限公司", "", "+86 138-1234-5678", ""),
        ("北京市瑞丰科技有限公司", "王建国", "8613812345678", ""),
        ("瑞丰科技有限责任公司", "", "", "WANG@RuiFeng.com "),
        ("瑞丰科技公司", "王建国", "138 1234 5678", ""),
        ("瑞丰科技", "", "(138)1234-5678", ""),
        ("北京瑞丰科技股份有限公司", "", "0086 13812345678", ""),
        ("瑞丰科技集团", "王建国", "13812345678", ""),
        ("北京瑞豐科技有限公司", "王建国", "13812345678", ""),
        ("ＢＪ北京瑞丰科技有限公司".replace("ＢＪ", ""), "王建国", "13812345678", ""),
        ("北京 瑞丰科技 有限公司 ", "王建国", "13812345678", ""),
        ("北京瑞峰科技有限公司", "王建国", "13812345678", ""),  # one wrong character
        ("北京瑞丰科有限公司", "", "", "wang@ruifeng.com"),  # one dropped character
        ("北京瑞丰科技有限公司", "王经理", "13812345678", ""),  # surname + title
        ("北京瑞丰科技有限公司", "王建国", "13900001111", "wang@ruifeng.com"),  # phone changed, e-mail agrees
        ("北京瑞丰科技有限公司", "王建国", "13900001111", "new@ruifeng.cn"),  # phone and e-mail changed
        ("北京瑞丰科技有限公司", "王经理", "13900001111", "new@ruifeng.cn"),  # and the contact as 王经理
    ],
)
def test_the_same_company_written_another_way_matches(other: tuple) -> None:
    assert same(BASE, other)


@pytest.mark.parametrize(
    "other",
    [
        ("上海瑞丰科技有限公司", "李娜", "13912345678", "li@ruifeng-sh.com"),  # same brand, another city
        ("瑞丰科技(上海)有限公司", "李娜", "13912345678", ""),
        ("北京瑞丰科技有限公司上海分公司", "李娜", "13912345678", "li@ruifeng.com"),  # branch office
        ("北京瑞丰科技有限公司上海分公司", "王建国", "13812345678", "wang@ruifeng.com"),  # even sharing contacts
        ("北京瑞丰物流有限公司", "赵敏", "13712345678", ""),  # same brand, another trade
        ("北京恒达贸易有限公司", "", "13812345678", ""),  # switchboard: only the phone is shared
        ("杭州华信电子有限公司", "王建国", "13812345678", "wang@ruifeng.com"),  # agent filing for several firms
        ("北京瑞丰科技股份有限公司", "李娜", "13912345678", "li@other.com"),  # same core, nothing else agrees
    ],
)
def test_different_companies_do_not_match(other: tuple) -> None:
    assert not same(BASE, other)


@pytest.mark.parametrize(
    ("a", "b", "one"),
    [
        # A registered name is unique within its authority (企业名称登记管理规定): two departments.
        (BASE, ("北京瑞丰科技有限公司", "李娜", "13912345678", "li@other.com"), True),
        # Trade word dropped and legal form changed, everything else the same.
        (("宁波恒信五金制品有限公司", "陈立新", "13705741234", "chenlx@hengxin.cn"),
         ("宁波恒信有限责任公司", "陈立新", "13705741234", "chenlx@hengxin.cn"), True),
        (("宁波恒信五金制品有限公司", "陈立新", "13705741234", ""), ("宁波恒信公司", "", "137 0574 1234", ""), True),
        # One character apart and the same (very common) contact name, nothing else: two firms.
        (("苏州华泰建材有限公司", "王伟", "13951201111", "wang@huatai.com"),
         ("苏州金泰建材有限公司", "王伟", "13951202222", "wang@jintai.com"), False),
        # An agent's e-mail on two firms whose brands differ.
        (("杭州明远贸易有限公司", "赵会计", "13600001111", "dl_zhao@163.com"),
         ("杭州佳禾服饰有限公司", "赵会计", "13600002222", "dl_zhao@163.com"), False),
        # The brand of one is the start of the other, but in another city: another company.
        (("宁波恒信五金制品有限公司", "陈立新", "13705741234", ""), ("杭州恒信有限公司", "陈立新", "13705741234", ""), False),
    ],
)
def test_cases_users_reported(a: tuple, b: tuple, one: bool) -> None:
    """Issue 17's examples: each expected answer is what the issue says a person would decide."""
    assert same(a, b) is one


@pytest.mark.parametrize(
    ("a", "b", "one"),
    [
        # District, county or town after the city; a registration place in brackets before the legal form.
        (("佛山市南海区雅品建材有限公司", "徐建", "18941574175", ""), ("广东省佛山市雅品建材有限公司", "徐先生", "+86 18941574175", ""),
         True),
        (("江金五金制品(太仓)有限公司", "朱明阳", "13773943669", ""), ("太仓江金五金制品有限公司", "朱总", "13773943669", ""), True),
        # A sole trader's shop and its owner.
        (("宋凯(个体工商户)", "宋凯", "15639288632", ""), ("宋凯建材店", "宋凯", "15639288632", ""), True),
        (("门窗工作室(王鑫磊)", "黎老板", "13555006644", ""), ("台州市椒江区王鑫磊门窗工作室", "黎燕", "13555006644", ""), True),
        # The English name of a firm holds its brand in pinyin.
        (("Ningbo Hengxin Hardware Co., Ltd.", "陈立新", "13705741234", "chenlx@hengxin.cn"),
         ("宁波恒信五金制品有限公司", "陈立新", "", "chenlx@hengxin.cn"), True),
        # One name part of the other, one city, one contact (even a common name): the trade word was left out.
        (("上海威嘉有限公司", "龚明", "15559459119", ""), ("上海威嘉贸易有限公司", "龚明", "021-66967482", ""), True),
        (("上海威嘉有限公司", "龚明", "15559459119", ""), ("杭州威嘉贸易有限公司", "龚明", "0571-66967482", ""), False),
        # Names that only sound alike need more than a common contact name.
        (("北京瑞丰信建材有限公司", "王伟", "13900000001", ""), ("北京瑞丰新建材有限公司", "王伟", "13900000002", ""), False),
        # A landline written without its area code, or with an extension.
        (("惠通口腔门诊(宝龙广场店)", "张杰", "25409732", ""), ("惠通口腔门诊(宝龙广场店)", "梁老板", "0571-25409732", ""), True),
        (("中山天顺装饰工程有限公司", "李志凯", "28157317 转266", ""), ("广东天顺装饰工程", "郭刚浩", "0760-28157317", ""), True),
        # One local number behind two area codes is two phones.
        (("杭州天顺装饰工程有限公司", "李志凯", "0571-28157317", ""), ("天顺装饰工程", "郭刚浩", "0760-28157317", ""), False),
        # A group and its subsidiary share the switchboard; two branches of one firm too; firms that an agent
        # registered in one county (博罗) share the agent's phone and e-mail.
        (("深圳鸿达集团有限公司", "李娜", "0755-88886666", ""), ("深圳鸿达集团物流有限公司", "赵敏", "0755-88886666", ""), False),
        (("上海奥达建材有限公司奉贤区门市部", "袁海军", "021-26636048", ""),
         ("上海奥达建材有限公司闵行区门市部", "许凯伟", "021-26636048", ""), False),
        (("博罗森致光电有限公司", "杨洋", "15290721948", "yy@foxmail.com"),
         ("博罗明雅代理记账有限公司", "杨洋", "15290721948", "yy@foxmail.com"), False),
    ],
)
def test_names_as_people_write_them(a: tuple, b: tuple, one: bool) -> None:
    """Each answer is what a salesperson reading the two records would decide."""
    assert same(a, b) is one


@pytest.fixture()
def demo_book(tmp_path: Path):
    demo = make_demo(TODAY.date(), n_customers=300, n_followups=2000)
    path = tmp_path / "客户.xlsx"
    write_workbook(path, data=demo.frames)
    return path


# Customers with the answer a person gives beside each: same_company_as names the record it duplicates, sure
# says the match needs nobody to look (same name core and city, and the same phone or e-mail).
BY_HAND = pd.read_csv(Path(__file__).parent / "fixtures" / "dedupe_by_hand.csv", encoding="utf-8", dtype=str, keep_default_na=False)
HAND_GROUPS = {frozenset(g["客户编号"]) for _, g in BY_HAND.groupby(
    BY_HAND["same_company_as"].where(BY_HAND["same_company_as"] != "", BY_HAND["客户编号"])) if len(g) > 1}
SURE_GROUPS = {g for g in HAND_GROUPS if set(BY_HAND.loc[BY_HAND["客户编号"].isin(g), "sure"]) - {""}}


@pytest.fixture()
def hand_book(tmp_path: Path) -> Path:
    """The hand-judged customers, each created on its 客户编号's day, and a follow-up on every one."""
    customers = BY_HAND[["客户编号", "客户名称", "联系人姓名", "联系电话", "联系邮箱"]].assign(
        所属行业="制造业", 客户来源="展会推荐", 负责人="李娜",
        创建时间=pd.to_datetime(BY_HAND["客户编号"].str[3:11]) + pd.to_timedelta(BY_HAND.index, unit="min"))
    follow = pd.DataFrame({"客户编号": BY_HAND["客户编号"], "跟进时间": dt.datetime(2026, 11, 2, 10), "跟进人": "李娜",
                           "沟通方式": "电话", "联系结果": "已接通", "沟通内容": "介绍新款数控机床报价",
                           "下一步计划": "周五前发报价单", "客户反馈": "价格可以接受", "跟进状态": "意向客户"})
    team = pd.DataFrame([("李娜", "lina@example.com", "销售", "")], columns=schema.TEAM.headers[:4])
    path = tmp_path / "客户.xlsx"
    write_workbook(path, data={"客户信息": customers, "跟进记录": follow, "团队": team})
    return path


def sheets(path: Path) -> dict[str, list]:
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return {s.name: wb.get_sheet_by_name(s.name).to_python(skip_empty_area=False) for s in schema.DATA_SHEETS}


def test_dedupe_finds_the_groups_marked_by_hand_and_json_is_clean(hand_book) -> None:
    assert len(HAND_GROUPS) == 3 and sum(map(len, HAND_GROUPS)) == 7  # the table holds what this test reads
    result = CliRunner().invoke(app, ["dedupe", str(hand_book), "--json", "--today", "2026-11-24"])
    assert result.exit_code == 1
    clusters = json.loads(result.stdout)["clusters"]
    assert {frozenset(c) for c in clusters} == HAND_GROUPS
    review = python_calamine.CalamineWorkbook.from_path(str(hand_book)).get_sheet_by_name("疑似重复").to_python()
    assert review[0] == schema.DUPLICATES.headers
    assert {r[1] for r in review[1:]} == set().union(*HAND_GROUPS) and all(r[9] for r in review[1:])
    # 确认合并 is 是 on the sure groups only; 宁波恒信公司 waits for a person.
    assert {r[1] for r in review[1:] if r[-1] == "是"} == set().union(*SURE_GROUPS)
    assert {r[-1] for r in review[1:]} == {"是", ""}


def test_merge_keeps_the_first_of_each_confirmed_hand_group(hand_book) -> None:
    dedupe_app.run(FileStore(hand_book), today=TODAY)
    merged = merge_app.run(FileStore(hand_book), today=TODAY)
    # The sure groups are merged into their earliest record (the 2024 one); 恒信 waits for a person's 是.
    assert merged.survivors == {"CRM2024010100001": ["CRM2025010100001", "CRM2025010100002"],
                                "CRM2024010100009": ["CRM2025010100004"]}
    after = sheets(hand_book)
    left = {r[0] for r in after["客户信息"][1:] if r[0]}
    assert left == set(BY_HAND["客户编号"]) - {"CRM2025010100001", "CRM2025010100002", "CRM2025010100004"}
    follow = [r[0] for r in after["跟进记录"][1:]]
    assert follow.count("CRM2024010100001") == 3 and follow.count("CRM2024010100009") == 2
    assert follow.count("CRM2025010100003") == 1
    log = python_calamine.CalamineWorkbook.from_path(str(hand_book)).get_sheet_by_name("合并记录").to_python()
    assert len(log) > 1 and {r[3] for r in log[1:]} >= {"保留行原值", "被合并的行"}


def test_merge_then_undo_gives_back_the_data_exactly(demo_book) -> None:
    """On the demo as input: the expected answer is the workbook as it was before the merge."""
    path = demo_book
    dedupe_app.run(FileStore(path), today=TODAY)
    before = sheets(path)
    merged = merge_app.run(FileStore(path), today=TODAY)
    assert merged.survivors and sheets(path) != before
    result = CliRunner().invoke(app, ["merge", str(path), "--undo", merged.merge_id])
    assert result.exit_code == 0, result.output
    assert sheets(path) == before
    again = CliRunner().invoke(app, ["merge", str(path), "--undo", merged.merge_id])
    assert again.exit_code == 2 and merged.merge_id in again.output


def test_merge_keeps_the_newest_valid_value_and_unites_tags(tmp_path: Path) -> None:
    rows = pd.DataFrame({
        "客户编号": ["CRM2024010100001", "CRM2025010100001"],
        "客户名称": ["北京瑞丰科技有限公司", "瑞丰科技(北京)有限公司"],
        "所属行业": ["制造业", "信息技术"],
        "联系人姓名": ["王建国", "王经理"],
        "联系电话": ["13812345678", "138-1234-5678"],
        "联系邮箱": ["wang@ruifeng.com", "wang@@bad"],
        "客户来源": ["展会推荐", "线上搜索"],
        "客户标签": ["需求-价格敏感", "预算规模-50万以上,需求-价格敏感"],
        "负责人": ["张经理", "李销售"],
        "创建时间": [dt.datetime(2024, 1, 1, 9), dt.datetime(2025, 1, 1, 9)],
    })
    follow = pd.DataFrame({"客户编号": ["CRM2025010100001"], "跟进时间": [dt.datetime(2025, 2, 1, 10)],
                           "跟进人": ["李销售"], "沟通方式": ["电话"], "联系结果": ["已接通"],
                           "沟通内容": ["介绍新款数控机床报价"], "下一步计划": ["周五前发报价单"],
                           "客户反馈": ["价格可以接受"], "跟进状态": ["意向客户"]})
    path = tmp_path / "m.xlsx"
    write_workbook(path, data={"客户信息": rows, "跟进记录": follow})
    dedupe_app.run(FileStore(path), today=TODAY)
    merge_app.run(FileStore(path), today=TODAY)
    data = sheets(path)
    survivor = data["客户信息"][1]
    assert survivor[:9] == ["CRM2024010100001", "瑞丰科技(北京)有限公司", "信息技术", "王经理", "138-1234-5678",
                            "wang@ruifeng.com", "线上搜索", "需求-价格敏感,预算规模-50万以上", "李销售"]
    assert survivor[9] == dt.datetime(2024, 1, 1, 9)
    # The merged-away row is emptied, not deleted (no other row moves): only the survivor holds anything.
    assert [r[0] for r in data["客户信息"][1:] if any(c != "" for c in r)] == ["CRM2024010100001"]
    assert data["跟进记录"][1][0] == "CRM2024010100001"


def test_dedupe_reads_a_csv_export(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "编号,公司名称,手机\nCRM2024010100001,北京瑞丰科技有限公司,13812345678\n"
        "CRM2024010100002,瑞丰科技（北京）有限公司,+86 138 1234 5678\nCRM2024010100003,上海瑞丰科技有限公司,13912345678\n",
        encoding="gbk",
    )
    before = export.read_bytes()
    result = CliRunner().invoke(app, ["dedupe", str(export), "--json"])
    assert result.exit_code == 1
    # Same company written two ways with the same mobile: sure (确认合并 pre-filled).
    assert json.loads(result.stdout) == {"clusters": [["CRM2024010100001", "CRM2024010100002"]], "sure": [True]}
    assert export.read_bytes() == before


def test_dedupe_needs_a_phone_or_email_column(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("客户编号,客户名称\nCRM2024010100001,北京瑞丰科技有限公司\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["dedupe", str(export)])
    assert result.exit_code == 2 and "联系电话/联系邮箱" in result.output


def test_merge_of_nothing_changes_nothing(demo_book) -> None:
    path = demo_book
    shutil.copy(path, path.with_suffix(".bak"))
    result = CliRunner().invoke(app, ["merge", str(path)])
    assert result.exit_code == 0 and "没有标记" in result.output
    assert path.read_bytes() == path.with_suffix(".bak").read_bytes()


def test_dense_names_stay_bounded_and_a_common_contact_proves_nothing() -> None:
    """A one-trade list: 4,000 firms, each its own (city, 3-character brand from 15 characters), so most names have
    neighbours one character apart; 20 contact names (each at ~200 firms); every phone and e-mail unique.  No two
    records are one customer.  Two planted twins one character apart with a rare shared contact still are."""
    rng = np.random.default_rng(3)
    chars, cities, contacts = list("华泰金恒瑞丰鼎盛宏图新元天润博"), ["苏州", "无锡"], [
        s + g for s in "王李张刘陈" for g in "伟芳娜敏"]
    combos = rng.choice(len(cities) * len(chars) ** 3, size=4000, replace=False)
    city, rest = np.divmod(combos, len(chars) ** 3)
    brand = ["".join(chars[(r // len(chars) ** k) % len(chars)] for k in (2, 1, 0)) for r in rest]
    frame = pd.DataFrame({
        "name": [f"{cities[c]}{b}建材有限公司" for c, b in zip(city, brand)],
        "contact": [contacts[k] for k in rng.integers(0, len(contacts), 4000)],
        "phone": [f"139{k:08d}" for k in range(4000)], "email": [f"c{k}@example.com" for k in range(4000)],
    })
    twins = pd.DataFrame({"name": ["苏州华泰欧建材有限公司", "苏州华泰鸥建材有限公司"], "contact": ["欧阳娜娜"] * 2,
                          "phone": ["13700000001", "13700000002"], "email": ["a@x.com", "b@y.com"]})
    both = pd.concat([frame, twins], ignore_index=True)
    pairs = candidate_pairs(features(both))
    assert len(pairs) <= len(both) * MAX_WEAK_BLOCK  # two weak keys, each at most n * cap / 2 pairs
    found = find_duplicates(both)
    assert found.clusters == [[4000, 4001]]


def test_a_record_without_a_city_does_not_chain_two_cities() -> None:
    """恒信五金 (no city) may be Jinan's firm or Qingdao's, not both: they never end in one group."""
    frame = pd.DataFrame([
        ("济南恒信五金有限公司", "陈立新", "13705741111", ""),
        ("恒信五金", "陈立新", "13705742222", ""),
        ("青岛恒信五金有限公司", "陈立新", "13705743333", ""),
    ], columns=["name", "contact", "phone", "email"])
    clusters = find_duplicates(frame).clusters
    assert clusters and not any({0, 2} <= set(c) for c in clusters)
