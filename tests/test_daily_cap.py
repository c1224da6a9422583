"""设置 每人每天回访上限: a list a person can finish, and nobody starves (issue 33, acceptance 2).

Thirty mornings of `crm-sheets remind --today` over one workbook, mail to outbox/.  Every expected figure comes
from the workbook the test built and its own model of the stage rhythm (schema.REMIND_DAYS from the last
contact that reached the customer), never from the code under test; 回访任务 is checked against that model too.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook

START = dt.datetime(2026, 11, 24, 8, 30)
DAY = dt.timedelta(days=1)
DAYS = 30
CAP = 4
TEAM = [("张经理", "boss@example.com", "经理", ""), ("李销售", "li@example.com", "销售", "张经理"),
        ("王销售", "wang@example.com", "销售", "张经理")]
EMAIL = {name: address for name, address, _role, _manager in TEAM}
OWNERS = {"李销售": 30, "王销售": 18}  # customers on a rhythm each
ESCALATED = 25  # 王销售's customers with three unanswered calls in a row: the manager's
STAGES = ("潜在客户", "意向客户")


def customer_rows() -> tuple[pd.DataFrame, list[dict], dict[str, dict]]:
    """Customers, follow-ups, and per 客户编号 what the test knows: owner, name, stage, last reached contact."""
    people, follow, known = [], [], {}
    n = 0
    for owner, count in OWNERS.items():
        for k in range(count + (ESCALATED if owner == "王销售" else 0)):
            n += 1
            cid, name = f"CRM2026080100{n:03d}", f"测试客户{n:03d}有限公司"
            escalated = k >= count
            stage = STAGES[n % 2]
            # Last contacts spread over six weeks: a backlog on the first morning, more falling due later.
            reached = START.replace(hour=10, minute=0) - ((20 + k - count) if escalated else (n * 7) % 41) * DAY
            people.append({"客户编号": cid, "客户名称": name, "所属行业": "制造业", "联系人姓名": "王建国",
                           "联系电话": f"1380000{n:04d}", "客户来源": "展会推荐", "负责人": owner,
                           "创建时间": START - 60 * DAY})
            follow.append(contact(cid, owner, reached, stage))
            if escalated:
                follow += [contact(cid, owner, START.replace(hour=9) - d * DAY, stage, "未接通") for d in (3, 2, 1)]
            known[cid] = {"owner": owner, "name": name, "stage": stage, "reached": reached, "escalated": escalated}
    return pd.DataFrame(people), follow, known


def contact(cid: str, owner: str, when: dt.datetime, stage: str, result: str = "已接通") -> dict:
    return {"客户编号": cid, "跟进时间": when, "跟进人": owner, "沟通方式": "电话", "联系结果": result,
            "沟通内容": "按回访清单电话跟进", "下一步计划": "下周再联系", "客户反馈": "考虑中", "跟进状态": stage}


def write(path: Path, customers: pd.DataFrame, follow: list[dict]) -> None:
    settings = {"每人每天回访上限": CAP}
    write_workbook(path, data={
        "客户信息": customers, "跟进记录": pd.DataFrame(follow), "团队": pd.DataFrame(TEAM, columns=schema.TEAM.headers[:4]),
        "设置": pd.DataFrame([(s.name, settings.get(s.name, s.default), s.note) for s in schema.SETTINGS],
                           columns=schema.SETTINGS_SHEET.headers),
    })


def due_day(info: dict) -> pd.Timestamp:
    return pd.Timestamp(info["reached"]).normalize() + pd.Timedelta(days=schema.REMIND_DAYS[info["stage"]])


def morning_mails(outbox: Path, seen: set[Path]) -> dict[str, email.message.EmailMessage]:
    """The mails written to outbox/ by this morning's run, by recipient."""
    new = sorted(set(outbox.glob("*.eml")) - seen)
    seen.update(new)
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in new]
    return {str(m["To"]): m for m in mails}


def text_of(message: email.message.EmailMessage, kind: str = "plain") -> str:
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def section(text: str, heading: str) -> str:
    match = re.search(rf"【{heading}】(\d+)\n(.*?)(?=\n\n|\Z)", text, re.S)
    return match.group(2) if match else ""


def named(text: str, known: dict[str, dict]) -> list[str]:
    """客户编号 of the customers a text names, in the order it names them."""
    at = {cid: text.find(info["name"]) for cid, info in known.items()}
    return sorted((cid for cid, i in at.items() if i >= 0), key=at.get)


@pytest.mark.parametrize("contacts", [False, True], ids=["nobody_calls", "everyone_listed_is_called"])
def test_thirty_mornings_every_due_customer_is_listed_in_time(tmp_path: Path, contacts: bool) -> None:
    customers, follow, known = customer_rows()
    path = tmp_path / "客户.xlsx"
    write(path, customers, follow)
    outbox, seen = tmp_path / "outbox", set()
    waiting: dict[str, tuple[int, int]] = {}  # 客户编号 -> (morning it fell due, last morning allowed)
    listed_times: dict[str, int] = {}  # mornings listed since it fell due (提醒次数 of its open task)
    checked = waited_more_than_one = 0
    for morning in range(DAYS):
        today = pd.Timestamp(START.date()) + pd.Timedelta(days=morning)
        result = CliRunner().invoke(app, ["remind", str(path), "--today", f"{today:%Y-%m-%d}"])
        assert result.exit_code == 0, result.output
        due = {cid for cid, info in known.items() if not info["escalated"] and due_day(info) <= today}
        per_owner = {owner: {cid for cid in due if known[cid]["owner"] == owner} for owner in OWNERS}
        for cid in due - set(waiting) - set(listed_times):
            mine = len(per_owner[known[cid]["owner"]])
            waiting[cid] = (morning, morning + math.ceil(mine / CAP) - 1)
        mails = morning_mails(outbox, seen)
        listed_today: set[str] = set()
        for owner in OWNERS:
            if not per_owner[owner]:
                assert EMAIL[owner] not in mails
                continue
            mail = mails[EMAIL[owner]]
            text, page = text_of(mail), text_of(mail, "html")
            overdue = {cid for cid in per_owner[owner] if due_day(known[cid]) < today}
            today_due = per_owner[owner] - overdue
            late, now = named(section(text, "逾期"), known), named(section(text, "今天"), known)
            listed = late + now
            # (b) The cap, and the count of who else waits, against the workbook's own figures.
            assert len(listed) == min(CAP, len(per_owner[owner])), (today, owner, listed)
            assert set(late) <= overdue and set(now) <= today_due, (today, owner)
            more = len(per_owner[owner]) - len(listed)
            line = f"另有 {more} 位，见工作簿“回访任务”"
            assert (line in text and line in page) if more else ("另有" not in text and "另有" not in page), text
            shown = " · ".join(f"{h} {n}" + (f"（列出 {k}）" if n > k else "") for h, n, k in (
                ("逾期", len(overdue), len(late)), ("今天", len(today_due), len(now)), ("本周内", 0, 0)))
            assert shown in text and mail["Subject"].endswith(shown), (shown, mail["Subject"])
            # In the mail: overdue longest first (every customer here has the same priority and tier).
            assert [due_day(known[c]) for c in late] == sorted(due_day(known[c]) for c in late), late
            listed_today |= set(listed)
        # Nobody starves: listed within ⌈due customers ÷ cap⌉ mornings of falling due.
        for cid, (since, deadline) in list(waiting.items()):
            if cid in listed_today:
                checked += 1
                waited_more_than_one += morning > since
                del waiting[cid]
                listed_times[cid] = 0
            else:
                assert morning < deadline, (today, known[cid]["name"], since, deadline)
        for cid in listed_today:
            listed_times[cid] += 1
        # (d) 回访任务 holds every open task, each counted once per morning its customer was listed.
        sheet = FileStore(path).tool_frame(schema.TASKS)
        open_ = sheet[sheet["status"].isin(["逾期", "待执行"])]
        assert set(open_["customer_id"]) == due, today
        assert set(sheet.loc[sheet["status"] == "需人工跟进", "customer_id"]) == {
            cid for cid, info in known.items() if info["escalated"]}
        counted = dict(zip(open_["customer_id"], open_["reminders"].astype(int)))
        assert counted == {cid: listed_times.get(cid, 0) for cid in due}, today
        # (c) The manager's digest: at most 20 a section, the longest overdue, the totals right.
        digest = text_of(mails[EMAIL["张经理"]])
        late_days = {cid: (today - due_day(known[cid])).days for cid in due}
        week = {cid for cid, days in late_days.items() if days >= 7}
        in_digest = named(section(digest, "逾期未联系"), known)
        assert len(in_digest) == min(20, len(week)) and set(in_digest) <= week, today
        if len(week) > 20:
            assert f"共 {len(week):,} 位，列出最久未联系的 20 位；全部见“回访任务”" in digest
            assert min(late_days[c] for c in in_digest) >= max(late_days[c] for c in week - set(in_digest))
        assert f"逾期 7 天以上 {len(week):,}" in digest
        needy = named(section(digest, "需人工跟进"), known)
        assert len(needy) == 20 and f"共 {ESCALATED} 位，列出最久未联系的 20 位" in digest
        # The 20 who have waited longest since their rhythm fell due.
        rest = {c for c, i in known.items() if i["escalated"]} - set(needy)
        assert max(due_day(known[c]) for c in needy) <= min(due_day(known[c]) for c in rest)
        if contacts:  # each person calls everyone their mail listed
            for cid in listed_today:
                info = known[cid]
                info["reached"] = today.to_pydatetime().replace(hour=10)
                follow.append(contact(cid, info["owner"], info["reached"], info["stage"]))
                del listed_times[cid]
            write(path, customers, follow)
    assert checked >= 40 and waited_more_than_one >= 10, (checked, waited_more_than_one)


def test_a_bad_cap_is_refused_and_zero_lists_everyone(tmp_path: Path) -> None:
    customers, follow, known = customer_rows()
    path = tmp_path / "客户.xlsx"
    for bad in ("很多", "-3", "2.5"):
        write_workbook(path, data={
            "客户信息": customers, "跟进记录": pd.DataFrame(follow),
            "团队": pd.DataFrame(TEAM, columns=schema.TEAM.headers[:4]),
            "设置": pd.DataFrame([(s.name, bad if s.name == "每人每天回访上限" else s.default, s.note)
                                for s in schema.SETTINGS], columns=schema.SETTINGS_SHEET.headers)})
        before = path.read_bytes()
        result = CliRunner().invoke(app, ["remind", str(path), "--today", f"{START:%Y-%m-%d}"])
        assert result.exit_code == 2, result.output
        assert f"每人每天回访上限“{bad}”不对" in result.output and "文件未被修改" in result.output
        assert path.read_bytes() == before and not (tmp_path / "outbox").exists()
    write_workbook(path, data={
        "客户信息": customers, "跟进记录": pd.DataFrame(follow), "团队": pd.DataFrame(TEAM, columns=schema.TEAM.headers[:4]),
        "设置": pd.DataFrame([(s.name, 0 if s.name == "每人每天回访上限" else s.default, s.note)
                            for s in schema.SETTINGS], columns=schema.SETTINGS_SHEET.headers)})
    result = CliRunner().invoke(app, ["remind", str(path), "--today", f"{START:%Y-%m-%d}"])
    assert result.exit_code == 0, result.output
    mails = morning_mails(tmp_path / "outbox", set())
    today = pd.Timestamp(START.date())
    for owner in OWNERS:
        due = {cid for cid, i in known.items() if i["owner"] == owner and not i["escalated"] and due_day(i) <= today}
        text = text_of(mails[EMAIL[owner]])
        assert set(named(text, known)) == due and "另有" not in text


def test_who_is_listed_and_in_what_order_by_hand() -> None:
    """Five customers of one person, cap 3: the least reminded first, then overdue longest, priority, tier; in the
    mail overdue before today, then priority, tier, days overdue.  Expected orders worked out by hand."""
    from crm_sheets.letters import owner_letter
    from crm_sheets.rules.digest import shortlist

    today = pd.Timestamp("2026-11-24")
    rows = [  # customer, status, due, priority, 提醒次数 so far, 价值层级
        ("A", "逾期", "2026-11-20", 5, 2, "普通价值"),  # reminded twice already: last
        ("B", "逾期", "2026-11-22", 5, 0, "普通价值"),
        ("C", "逾期", "2026-11-22", 2, 0, "普通价值"),  # same day as B, more urgent rule
        ("D", "待执行", "2026-11-24", 5, 0, "中价值"),
        ("E", "待执行", "2026-11-24", 5, 0, "高价值"),  # after D by 客户编号, before it by tier
    ]
    work = pd.DataFrame([{"owner": "李销售", "customer_id": c, "status": s, "due": pd.Timestamp(d), "priority": p,
                          "task_id": f"{c}-1", "rule": "阶段节奏回访", "days_overdue": (today - pd.Timestamp(d)).days,
                          "reminders": n + 1, "name": f"客户{c}", "phone": "13800000000", "script": "[A] 你好",
                          "tier": t} for c, s, d, p, n, t in rows])
    tiers = work.set_index("customer_id")["tier"]
    picked = shortlist(work, pd.Series([r[4] for r in rows]), tiers, 3)
    # Nobody reminded yet comes first: C and B (due 11-22: C's priority 2 first), then E (高价值 before D's 中价值).
    assert picked.loc[picked["listed"], "customer_id"].tolist() == ["C", "B", "E"]
    letter = owner_letter("李销售", work[work["customer_id"].isin(["C", "B", "E"])], today.date(), "", False,
                          {"逾期": 3, "今天": 2})
    text = letter.text()
    assert [text.index(f"客户{c}") for c in "CBE"] == sorted(text.index(f"客户{c}") for c in "CBE")
    assert "逾期 3（列出 2） · 今天 2（列出 1） · 本周内 0" in text and "另有 2 位，见工作簿“回访任务”" in text
    everyone = owner_letter("李销售", work, today.date(), "", False)
    order = [everyone.text().index(f"客户{c}") for c in "CABED"]
    assert order == sorted(order)  # overdue: priority 2, then A (4 days) before B (2); today: 高价值 first
