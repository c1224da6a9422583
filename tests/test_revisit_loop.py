"""The revisit loop closes itself (issue 15, README "回访闭环"): a logged follow-up completes the task, cadence tasks never
expire, the mails list each customer once, and nobody falls through the cracks.

Mail goes through a real SMTP server on 127.0.0.1 (aiosmtpd).  Expected answers are worked out by hand from
the dates below and the stage cadence (潜在 5 days, 意向 3, 成交 30, counted from the last contact that reached
the customer; event windows from 回访规则's defaults).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import corpus
from browser import layout, needs_chromium
from smtp import Inbox, body
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.job import Job
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook

TODAY = dt.datetime(2026, 11, 24, 8, 30)  # a Tuesday
DAY = dt.timedelta(days=1)
COMPANY = "瑞丰测试贸易有限公司"
TEAM = [("张经理", "boss@example.com", "经理", ""), ("李销售", "li@example.com", "销售", "张经理"),
        ("王销售", "wang@example.com", "销售", "张经理")]
# key: (name, owner, phone, contract end)
CUSTOMERS = {
    "A": ("北京瑞丰科技有限公司", "李销售", "13800000001", None),
    "B": ("上海恒达物流有限公司", "李销售", "13800000002", None),
    "C": ("杭州华信电子有限公司", "王销售", "13800000003", None),
    "D": ("南京金科机械有限公司", "王销售", "13800000004", None),
    "E": ("成都鼎盛商贸有限公司", "王销售", "13800000005", None),
    "F": ("武汉宏图建设有限公司", "李销售", "13800000006", None),
    "G": ("广州嘉信五金有限公司", "李销售", "13800000007", dt.datetime(2026, 12, 27)),
}
ID = {key: f"CRM2026080100{i:03d}" for i, key in enumerate(CUSTOMERS, start=1)}
# key, time, result, 跟进状态
FOLLOWUPS = [
    ("A", "2026-11-10 10:00", "已接通", "潜在客户"),  # cadence due 11-15 ...
    ("A", "2026-11-20 10:00", "已接通", "成交客户"),  # ... done here; next due 12-20
    ("B", "2026-11-14 10:00", "已接通", "潜在客户"),  # cadence due 11-19: 5 days overdue on the 24th
    ("C", "2026-09-25 10:00", "已接通", "意向客户"),  # silent for 60 days: due 09-28, 57 days overdue
    ("D", "2026-11-10 10:00", "已接通", "潜在客户"),  # 14 days ago: due 11-15, 9 days overdue
    ("E", "2026-11-10 10:00", "已接通", "意向客户"),  # due 11-13, then three calls nobody answered
    ("E", "2026-11-21 10:00", "未接通", "意向客户"),
    ("E", "2026-11-22 10:00", "未接通", "意向客户"),
    ("E", "2026-11-23 10:00", "未接通", "意向客户"),
    ("F", "2026-11-05 10:00", "已接通", "成交客户"),  # next due 12-05
    ("G", "2026-11-01 10:00", "已接通", "成交客户"),  # does 续约提醒 -60 (due 10-28, open to 11-11)
]
# A: first order 11-17 -> 新购满意度回访 due 11-24.  B: signed 11-17 -> 新购满意度回访 and 新签约回访 due 11-24.
# F: first order 11-03 -> 新购满意度回访 due 11-10, window closed 11-18 with no call: missed.
ORDERS = [("A", "2026-11-17", "首购"), ("B", "2026-11-17", "签约"), ("F", "2026-11-03", "首购")]


def followup(key: str, when: str, result: str, status: str) -> dict:
    owner = CUSTOMERS[key][1]
    return {"客户编号": ID[key], "跟进时间": dt.datetime.fromisoformat(when), "跟进人": owner, "沟通方式": "电话",
            "联系结果": result, "沟通内容": "确认使用情况并介绍新品", "下一步计划": "下周二前发报价单",
            "客户反馈": "考虑中", "跟进状态": status}


def build(folder: Path, port: int, extra: list[tuple] = (), settings: dict | None = None) -> Path:
    customers = pd.DataFrame([{
        "客户编号": ID[k], "客户名称": name, "所属行业": "制造业", "联系人姓名": "王建国", "联系电话": phone,
        "客户来源": "展会推荐", "负责人": owner, "创建时间": dt.datetime(2026, 8, 1, 9, 0), "合同到期日": end,
    } for k, (name, owner, phone, end) in CUSTOMERS.items()])
    follow = pd.DataFrame([followup(*f) for f in [*FOLLOWUPS, *extra]])
    orders = pd.DataFrame([{"客户编号": ID[k], "日期": dt.datetime.fromisoformat(d), "金额": 8000.0, "类型": kind}
                           for k, d, kind in ORDERS])
    values = {"公司名称": COMPANY, "SMTP服务器": "127.0.0.1", "SMTP端口": port, "发件人邮箱": "crm@example.com",
              **(settings or {})}
    rows = [(s.name, values.get(s.name, s.default), s.note) for s in schema.SETTINGS]
    path = folder / "客户.xlsx"
    write_workbook(path, data={
        "客户信息": customers, "跟进记录": follow, "交易记录": orders,
        "团队": pd.DataFrame(TEAM, columns=schema.TEAM.headers[:4]),
        "设置": pd.DataFrame(rows, columns=schema.SETTINGS_SHEET.headers),
    })
    return path


def remind(path: Path, day: dt.datetime, exit_code: int = 0) -> None:
    result = CliRunner().invoke(app, ["remind", str(path), "--today", f"{day:%Y-%m-%d}"])
    assert result.exit_code == exit_code, result.output


def mail(inbox: Inbox, address: str, day: dt.datetime, kind: str = ""):
    """The one mail of ``day`` to ``address`` (``kind``: a word of its subject, for one who gets two)."""
    found = [m for m in inbox.to(address) if f"{day:%m-%d}" in m["Subject"] and kind in m["Subject"]]
    assert len(found) == 1, [m["Subject"] for m in inbox.to(address)]
    return found[0]


def section(text: str, heading: str) -> str:
    """The lines under 【heading】 up to the next heading."""
    match = re.search(rf"【{heading}】\d+\n(.*?)(?=\n\n|\Z)", text, re.S)
    return match.group(1) if match else ""


def line_of(text: str, key: str) -> str:
    """A customer's line and the line of reasons under it."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if CUSTOMERS[key][0] in line)
    return lines[at] + "\n" + lines[at + 1]


def named(text: str) -> set[str]:
    return {k for k, c in CUSTOMERS.items() if c[0] in text}


def tasks(path: Path) -> pd.DataFrame:
    return FileStore(path).tool_frame(schema.TASKS)


def test_a_follow_up_logged_the_day_after_completes_the_task(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port)
    remind(path, TODAY)
    assert "A" in named(body(mail(inbox, "li@example.com", TODAY)))
    # B's call on the 24th was not answered: an attempt, not a completion.
    path = build(tmp_path, inbox.port, [("B", "2026-11-24 15:00", "未接通", "潜在客户")])
    remind(path, TODAY + DAY)
    second = body(mail(inbox, "li@example.com", TODAY + DAY))
    assert {"A", "B"} <= named(second) and "第 2 次提醒" in line_of(second, "A")
    # 李销售 calls A on the 25th and logs it in 跟进记录, as she must anyway; nothing is typed on 回访任务.
    path = build(tmp_path, inbox.port, [("B", "2026-11-24 15:00", "未接通", "潜在客户"),
                                        ("A", "2026-11-25 10:00", "已接通", "成交客户")])
    remind(path, TODAY + 2 * DAY)
    third = body(mail(inbox, "li@example.com", TODAY + 2 * DAY))
    assert "A" not in named(third) and "B" in named(third) and "第 3 次提醒" in line_of(third, "B")
    sheet = tasks(path).set_index("task_id")
    done = sheet.loc[f"{ID['A']}-新购满意度回访-20261124"]
    assert (done["status"], done["evidence"], done["result"]) == ("已完成", "跟进 2026-11-25 10:00 李销售 电话", "")
    # G's renewal call of 11-01 did the -60 day reminder (due 10-28, open until 11-11), in October.
    assert f"{ID['G']}-续约提醒-20261028" not in sheet.index  # done last month: not this month's sheet
    assert sheet.loc[f"{ID['B']}-阶段节奏回访-20261119", "status"] == "逾期"


def test_each_customer_once_with_all_its_reasons_in_sections(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port)
    remind(path, TODAY)
    li = mail(inbox, "li@example.com", TODAY)
    text = body(li)
    assert COMPANY in text and "2026年11月24日 星期二" in text
    assert "逾期 1 · 今天 1 · 本周内 1" in text and li["Subject"] == "今日回访清单（2）11-24：逾期 1 · 今天 1 · 本周内 1"
    assert named(section(text, "逾期")) == {"B"} and named(section(text, "今天")) == {"A"}
    assert named(section(text, "本周内")) == {"G"} and "续约提醒（11-27 到期）" in text
    # B is due for three reasons: one line, the overdue one first.
    assert text.count(CUSTOMERS["B"][0]) == 1
    assert re.search(r"阶段节奏回访（逾期 5 天）；新购满意度回访（今天到期）；新签约回访（今天到期）", line_of(text, "B"))
    assert "138****0002" in line_of(text, "B") and "13800000002" not in text
    # The first mail is the first reminder, however long the task has been overdue.
    assert "次提醒" not in text
    wang = body(mail(inbox, "wang@example.com", TODAY))
    assert named(wang) == {"C", "D"} and "阶段节奏回访（逾期 57 天）" in line_of(wang, "C")
    sheet = tasks(path)
    assert set(sheet.loc[sheet["customer_id"] == ID["B"], "reminders"]) == {1}


def test_reminders_count_mails_actually_sent(tmp_path: Path, inbox: Inbox) -> None:
    """提醒次数 counts what the server accepted: a day whose mail could not go out yet is no reminder."""
    path = build(tmp_path, inbox.port)
    inbox.refuse = 100  # the server is down on the 24th: the mail waits in the ledger (exit 1: mail not sent)
    remind(path, TODAY, exit_code=1)
    assert not inbox.to("li@example.com")
    inbox.refuse = 0
    remind(path, TODAY + DAY)  # the 25th's run delivers the 24th's waiting mail too, after composing its own
    assert mail(inbox, "li@example.com", TODAY)  # the 24th's, late
    second = mail(inbox, "li@example.com", TODAY + DAY)
    assert "第" not in line_of(body(second), "B")  # composed when nothing had been sent: its first reminder
    remind(path, TODAY + 2 * DAY)
    assert "第 3 次提醒" in line_of(body(mail(inbox, "li@example.com", TODAY + 2 * DAY)), "B")
    sheet = tasks(path)
    assert set(sheet.loc[sheet["customer_id"] == ID["B"], "reminders"]) == {3}


def test_cadence_tasks_never_expire_and_the_manager_hears_after_n_days(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port)
    for k in range(3):
        remind(path, TODAY + k * DAY)
        wang = body(mail(inbox, "wang@example.com", TODAY + k * DAY))
        assert {"C", "D"} <= named(section(wang, "逾期")) and "E" not in named(wang)
        boss = body(mail(inbox, "boss@example.com", TODAY + k * DAY))
        assert named(section(boss, "需人工跟进")) == {"E"}
        # B's rhythm fell due on 11-19: seven days overdue on the 26th, it reaches the manager too.
        assert named(section(boss, "逾期未联系")) == {"C", "D"} | ({"B"} if 5 + k >= 7 else set())
        assert f"阶段节奏回访 逾期 {57 + k} 天" in line_of(boss, "C")
    # F's satisfaction call (due 11-10) was never made: missed, counted for 李销售, and on nobody's list.
    boss = body(mail(inbox, "boss@example.com", TODAY))
    assert "本月错过 1" in boss and "F" not in named(boss)
    assert "F" not in named(body(mail(inbox, "li@example.com", TODAY)))
    # Due this month before today: 李销售 A's cadence (11-15, done 11-20), B's (11-19, open), F's 新购 (missed);
    # 王销售 D's (11-15) and E's (11-13), both open.  C's fell due in September.
    people = section(boss, "本月执行")
    assert "李销售  33%\n   已完成 1 / 应回访 3 · 错过 1" in people and "王销售  0%\n   已完成 0 / 应回访 2 · 错过 0" in people
    assert "团队执行率 20%（1/5）" in boss


def test_the_overdue_days_setting_decides_who_reaches_the_manager(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port, settings={"逾期上报天数": 10})
    remind(path, TODAY)
    boss = body(mail(inbox, "boss@example.com", TODAY))
    assert named(section(boss, "逾期未联系")) == {"C"} and "逾期 10 天以上 1" in boss  # D is 9 days overdue


def test_the_task_sheet_leads_with_what_a_person_acts_on(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port)
    remind(path, TODAY)
    sheet = tasks(path)
    sheet.loc[sheet["task_id"] == f"{ID['A']}-新购满意度回访-20261124", "result"] = "已改期"
    from crm_sheets.workbook.write import frame_sheet, write_back

    write_back(path, tool_sheets=[frame_sheet(schema.TASKS, sheet)])
    remind(path, TODAY + DAY)
    # Read by another program: openpyxl sees the columns, the filter and the colours as Excel will.
    ws = openpyxl.load_workbook(path)["回访任务"]
    header = [c.value for c in ws[1]]
    assert header[:11] == ["到期日", "执行人", "客户名称", "联系电话", "回访原因", "话术", "状态", "执行结果",
                           "完成依据", "提醒次数", "任务编号"]
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    rules = {r.formula[0]: r.dxf.fill.bgColor.rgb for cf in ws.conditional_formatting for r in cf.rules}
    assert rules['$G2="逾期"'].endswith("FFC7CE") and rules['$G2="需人工跟进"'].endswith("FFD966")
    kept = tasks(path).set_index("task_id").loc[f"{ID['A']}-新购满意度回访-20261124"]
    assert kept["result"] == "已改期" and kept["status"] == "逾期"  # typed text kept; only 已完成 completes
    first = [ws.cell(row=2, column=c).value for c in (1, 2, 3, 7)]
    assert first[3] == "逾期" and first[2] in {c[0] for c in CUSTOMERS.values()}


@pytest.mark.parametrize("width", [375, 1280])
def test_the_html_mail_reads_well_on_a_phone_and_a_desktop(tmp_path: Path, inbox: Inbox, width: int) -> None:
    needs_chromium()
    path = build(tmp_path, inbox.port)
    remind(path, TODAY)
    for address in ("li@example.com", "boss@example.com"):
        message = mail(inbox, address, TODAY)
        html = message.get_body(("html",)).get_content()
        assert not re.search(r"<(img|link|script|style)\b|url\(|https?://|\ssrc=", html, re.I)  # nothing external
        shown = layout(html, width)
        assert shown["scrollWidth"] <= width  # no sideways scrolling
        assert shown["cardWidth"] <= 600 and "sans-serif" in shown["font"]
        assert all(link.startswith("tel:") for link in shown["links"])
        # The same words as the plain part, in the same order.
        assert re.sub(r"\s+", "", shown["text"]) == re.sub(r"\s+", "", body(message))


def test_tag_writes_the_next_revisit_worked_out_by_hand(tmp_path: Path) -> None:
    """下次回访日期 = the stage rhythm from the last contact that reached the customer (潜在 5, 意向 3, 成交 30
    days), or an open revisit rule's due date when that comes first (回访规则's defaults)."""
    path = build(tmp_path, 2525)
    result = CliRunner().invoke(app, ["tag", str(path), "--today", "2026-11-24"])
    assert result.exit_code in (0, 1), result.output
    customers = FileStore(path).read().tables["customers"].text.set_index("customer_id")
    expected = {
        "A": ("成交客户", "2026-11-24"),  # 11-20 + 30 = 12-20, but 新购满意度回访 (first order 11-17 + 7) is 11-24
        "B": ("潜在客户", "2026-11-19"),  # 11-14 + 5 = 11-19, before the 11-24 rules
        "C": ("意向客户", "2026-09-28"),  # 09-25 + 3
        "D": ("潜在客户", "2026-11-15"),  # 11-10 + 5
        "E": ("意向客户", "2026-11-13"),  # 11-10 + 3; the three 未接通 calls reached nobody
        "F": ("成交客户", "2026-12-05"),  # 11-05 + 30; 新购满意度回访 (11-10) closed 11-18: no longer open
        "G": ("成交客户", "2026-11-27"),  # 11-01 + 30 = 12-01, but 续约提醒 -30 before 12-27 is 11-27
    }
    got = {k: (customers.loc[ID[k], "stage"], customers.loc[ID[k], "next_revisit"][:10]) for k in CUSTOMERS}
    assert got == expected


def test_thirty_days_on_an_injected_clock_nobody_falls_through(tmp_path: Path, inbox: Inbox) -> None:
    """A simulated team works from its morning mails for 30 days; one person calls at most two customers a day.

    Every morning, independently of the tool: a customer overdue on its rhythm is on its owner's mail, and one
    overdue N (7) days or more, or with three unanswered calls in a row, is on the manager's digest.
    """
    start = TODAY
    demo = make_demo(start.date(), seed=5, n_customers=150, n_followups=1200)
    frames = {k: v.copy() for k, v in demo.frames.items()}
    customers = frames["客户信息"]
    frames["客户信息"] = customers = customers[customers["客户编号"] != ""].drop_duplicates("客户编号")
    team = frames["团队"]
    settings = {"SMTP服务器": "127.0.0.1", "SMTP端口": inbox.port, "发件人邮箱": "crm@example.com"}
    frames["设置"] = pd.DataFrame([(s.name, settings.get(s.name, s.default), s.note) for s in schema.SETTINGS],
                                columns=schema.SETTINGS_SHEET.headers)
    path = tmp_path / "team.xlsx"
    write_workbook(path, data=frames)
    owner = dict(zip(customers["客户编号"], customers["负责人"]))
    name = dict(zip(customers["客户编号"], customers["客户名称"].astype(str)))
    tags = dict(zip(customers["客户编号"], customers["客户标签"].fillna("").astype(str)))
    created = dict(zip(customers["客户编号"], pd.to_datetime(customers["创建时间"])))
    email_of = dict(zip(team["姓名"], team["邮箱"]))
    manager = team.loc[team["角色"] == "经理", "邮箱"].iloc[0]
    lazy = "刘洋"
    rng = np.random.default_rng(1)
    clock = [start]
    job = Job(path, clock=lambda: clock[0])
    checked = {"owner": 0, "manager": 0}
    for day in range(30):
        clock[0] = start + day * DAY
        today = pd.Timestamp(clock[0].date())
        job.tick()
        follow = frames["跟进记录"].assign(跟进时间=lambda f: pd.to_datetime(f["跟进时间"], errors="coerce"))
        follow = follow[follow["跟进时间"].notna() & follow["客户编号"].isin(owner)].sort_values("跟进时间", kind="stable")
        digest = body(mail(inbox, manager, clock[0], "日报"))
        for cid in owner:
            mine = follow[follow["客户编号"] == cid]
            last_any = mine["跟进时间"].max() if len(mine) else created[cid]
            if pd.isna(last_any) or last_any < today - pd.Timedelta(days=90):
                continue  # 沉默客户: no rhythm
            reached = mine[~mine["联系结果"].isin(["未接通", "未回复"])]["跟进时间"]
            anchor = reached.max() if len(reached) else created[cid]
            stage = mine["跟进状态"].iloc[-1] if len(mine) and mine["跟进状态"].iloc[-1] in schema.REMIND_DAYS \
                else "潜在客户"
            rhythm = schema.HIGH_RISK_REMIND_DAYS if schema.HIGH_RISK_TAG in tags[cid] else schema.REMIND_DAYS[stage]
            overdue = (today - (anchor.normalize() + pd.Timedelta(days=rhythm))).days
            trailing = mine["联系结果"].tolist()[::-1]
            escalated = len(trailing) >= 3 and all(r == "未接通" for r in trailing[:3])
            if escalated or overdue >= 7:
                assert name[cid] in digest, (clock[0], cid, overdue, escalated)
                checked["manager"] += 1
            elif overdue >= 1 and owner[cid] in email_of:
                own = body(mail(inbox, email_of[owner[cid]], clock[0], "清单"))
                assert name[cid] in section(own, "逾期"), (clock[0], cid, overdue)
                checked["owner"] += 1
        # The team calls whom the morning mail lists as overdue or due today (the lazy one, two at most).
        calls = []
        for person, address in email_of.items():
            mails = [m for m in inbox.to(address) if f"{clock[0]:%m-%d}" in m["Subject"] and "清单" in m["Subject"]]
            if not mails:
                continue
            text = body(mails[0])
            todo = section(text, "逾期") + "\n" + section(text, "今天")
            due = [cid for cid in owner if owner[cid] == person and name[cid] and name[cid] in todo]
            for k, cid in enumerate(due[:2] if person == lazy else due):
                answered = rng.random() < 0.85
                last = follow.loc[follow["客户编号"] == cid, "跟进状态"]
                calls.append({"客户编号": cid, "跟进时间": clock[0].replace(hour=10) + dt.timedelta(minutes=k),
                              "跟进人": person, "沟通方式": "电话", "联系结果": "已接通" if answered else "未接通",
                              "沟通内容": "按回访清单电话跟进，确认需求进展", "下一步计划": "下周二前发报价单",
                              "客户反馈": "考虑中", "跟进状态": last.iloc[-1] if len(last) else "潜在客户"})
        frames["跟进记录"] = pd.concat([frames["跟进记录"], pd.DataFrame(calls)], ignore_index=True)
        write_workbook(path, data=frames)
    assert checked["manager"] > 0 and checked["owner"] > 0, checked
    assert all(m["Message-ID"] for m in inbox.messages) and len({m["Message-ID"] for m in inbox.messages}) == len(
        inbox.messages)


def test_a_next_revisit_that_tag_clears_is_not_reported_as_a_bad_date(tmp_path: Path) -> None:
    # Tag fills 下次回访日期; a hundred days later every customer is 沉默客户 (沉默天数 90) and has none, so tag
    # clears the dates it wrote.  The checks after tagging must see the cleared cells, not the old dates.
    path = build(tmp_path, 2525)
    for day in (TODAY, TODAY + 100 * DAY):
        result = CliRunner().invoke(app, ["tag", str(path), "--today", f"{day:%Y-%m-%d}"])
        assert result.exit_code in (0, 1), result.output
    customers = FileStore(path).read().tables["customers"]
    assert (customers.data["stage"] == "沉默客户").all() and (customers.text["next_revisit"] == "").all()
    checks = FileStore(path).tool_frame(schema.CHECK_RESULTS)
    assert not (checks["code"] == "bad_date").any(), checks.to_string()


def test_a_customer_created_at_a_fraction_of_a_second_with_no_activity_yet(tmp_path: Path) -> None:
    """No follow-up, order or ticket in the whole workbook, and a numbered customer's 创建时间 with a fraction of a
    second (an Excel serial with many decimals): the next revisit counts from the creation day.  By hand: 潜在客户's rhythm
    is 5 days (回访规则's default), created 2026-11-24 10:00:00.5 -> 下次回访日期 2026-11-29."""
    created = dt.datetime(2026, 11, 24, 10, 0, 0, 500000)
    path = corpus.small_book(tmp_path / "b.xlsx", [schema.CUSTOMERS.headers, corpus.customer_row(客户编号="CRM2026112400001", 创建时间=created)])
    result = CliRunner().invoke(app, ["tag", str(path), "--today", "2026-11-26"])
    assert result.exit_code in (0, 1), result.output
    sheet = openpyxl.load_workbook(path)["客户信息"]
    headers = [c.value for c in sheet[1]]
    assert sheet.cell(2, headers.index("下次回访日期") + 1).value.date() == dt.date(2026, 11, 29)
