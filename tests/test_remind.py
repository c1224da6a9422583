"""Revisit reminders against a real SMTP server on 127.0.0.1 (aiosmtpd), the ledger, the job, exports."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import time
from pathlib import Path

import pandas as pd
import pytest
import python_calamine
import trials
from smtp import Inbox, body
from typer.testing import CliRunner

from crm_sheets import faults, schema
from crm_sheets.app import profiles, remind
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.job import Job, file_log
from crm_sheets.mail import LEDGER, Ledger, Mail, SmtpSettings, deliver
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook
from crm_sheets.workbook.read import read_book
from crm_sheets.workbook.write import frame_sheet, write_back

TODAY = dt.datetime(2026, 11, 24, 8, 30)
D = TODAY.replace(hour=10, minute=0)
DAY = dt.timedelta(days=1)
TEAM = [("张经理", "boss@example.com", "经理", ""), ("李销售", "li@example.com", "销售", "张经理"),
        ("王销售", "wang@example.com", "销售", "张经理")]
MOBILE = re.compile(r"1[3-9]\d{9}")
MASKED = re.compile(r"1[3-9]\d\*{4}\d{4}")


def customer(cid: str, name: str, owner: str, phone: str, created: dt.datetime, contract_end=None) -> dict:
    return {"客户编号": cid, "客户名称": name, "所属行业": "制造业", "联系人姓名": "王建国", "联系电话": phone,
            "客户来源": "展会推荐", "负责人": owner, "创建时间": created, "合同到期日": contract_end}


def followup(cid: str, when: dt.datetime, by: str, result: str = "已接通", status: str = "成交客户") -> dict:
    return {"客户编号": cid, "跟进时间": when, "跟进人": by, "沟通方式": "电话", "联系结果": result,
            "沟通内容": "确认使用情况并介绍新品", "下一步计划": "下月再回访", "客户反馈": "满意", "跟进状态": status}


def build(folder: Path, smtp_port: int | None, team: list[tuple[str, ...]] = TEAM,
          more: dict[str, object] | None = None) -> Path:
    """``more``: 设置 values besides the server's.  A: 首购 7 days ago; B: ticket resolved yesterday; C: nothing
    due; D: contract ends in 60 days; E: 签约 7 days ago (also its first order); F: three 未接通 in a row (escalation)."""
    created = TODAY - 60 * DAY
    customers = pd.DataFrame([
        customer("CRM2026092500001", "北京瑞丰科技有限公司", "李销售", "13800000001", created),
        customer("CRM2026092500002", "上海恒达物流有限公司", "王销售", "13800000002", created),
        customer("CRM2026092500003", "杭州华信电子有限公司", "李销售", "13800000003", created),
        customer("CRM2026092500004", "南京金科机械有限公司", "王销售", "13800000004", created, TODAY + 60 * DAY),
        customer("CRM2026092500005", "成都鼎盛商贸有限公司", "李销售", "13800000005", created),
        customer("CRM2026092500006", "武汉宏图建设有限公司", "王销售", "13800000006", created),
    ])
    ids = customers["客户编号"].tolist()
    follow = [followup(i, D - DAY, o) for i, o in zip(ids[:5], ["李销售", "王销售", "李销售", "王销售", "李销售"])]
    follow += [followup(ids[5], D - k * DAY, "王销售", "未接通", "意向客户") for k in (3, 2, 1)]
    orders = pd.DataFrame([
        {"客户编号": ids[0], "日期": D - 7 * DAY, "金额": 5000.0, "类型": "首购"},
        {"客户编号": ids[4], "日期": D - 7 * DAY, "金额": 80000.0, "类型": "签约"},
    ])
    tickets = pd.DataFrame([{"工单编号": "GD2026000001", "客户编号": ids[1], "类型": "维修", "受理时间": D - 3 * DAY,
                             "负责人": "王销售", "状态": "已解决", "解决时间": D - DAY}])
    values = {"SMTP服务器": "127.0.0.1", "SMTP端口": smtp_port, "发件人邮箱": "crm@example.com"} if smtp_port else {}
    values.update(more or {})
    settings = [(s.name, values.get(s.name, s.default), s.note) for s in schema.SETTINGS]
    path = folder / "客户.xlsx"
    write_workbook(path, data={
        "客户信息": customers, "跟进记录": pd.DataFrame(follow), "交易记录": orders, "服务工单": tickets,
        "团队": pd.DataFrame(team, columns=schema.TEAM.headers[:len(team[0])]),
        "设置": pd.DataFrame(settings, columns=schema.SETTINGS_SHEET.headers),
    })
    return path


NAMES = {"CRM2026092500001": "北京瑞丰科技有限公司", "CRM2026092500002": "上海恒达物流有限公司",
         "CRM2026092500003": "杭州华信电子有限公司", "CRM2026092500004": "南京金科机械有限公司",
         "CRM2026092500005": "成都鼎盛商贸有限公司", "CRM2026092500006": "武汉宏图建设有限公司"}


def listed(text: str) -> set[str]:
    """The customers a mail names."""
    return {cid for cid, name in NAMES.items() if name in text}


def test_each_owner_gets_exactly_their_due_customers_with_masked_phones(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port)
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    li, = inbox.to("li@example.com")
    wang, = inbox.to("wang@example.com")
    # 李销售: A (新购满意度回访) and E (新购满意度回访 + 新签约回访, both on one line); 王销售: B (售后回访), D (续约提醒).
    assert li["Subject"].startswith("今日回访清单（2）") and wang["Subject"].startswith("今日回访清单（2）")
    assert listed(body(li)) == {"CRM2026092500001", "CRM2026092500005"}
    assert "新签约回访" in body(li) and body(li).count("新购满意度回访") == 2
    assert listed(body(wang)) == {"CRM2026092500002", "CRM2026092500004"}
    assert "售后回访" in body(wang) and "续约提醒" in body(wang)
    # Each mail shows its own customers' phones (A 13800000001, E …05; B …02, D …04), masked, and no full number.
    for message, phones in ((li, {"138****0001", "138****0005"}), (wang, {"138****0002", "138****0004"})):
        html = message.get_body(("html",)).get_content()
        for text in (body(message), html):
            assert not MOBILE.search(text) and set(MASKED.findall(text)) == phones, text
    boss, = inbox.to("boss@example.com")
    assert listed(body(boss)) == {"CRM2026092500006"} and "需人工跟进" in boss["Subject"]
    sheet = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("回访任务").to_python()
    assert sheet[0] == schema.TASKS.headers
    status, customer = schema.TASKS.headers.index("状态"), schema.TASKS.headers.index("客户编号")
    escalated = [r for r in sheet[1:] if r[customer] == "CRM2026092500006"]
    assert escalated and all(r[status] == "需人工跟进" for r in escalated)


def test_a_managers_digest_covers_the_whole_team_below_them(tmp_path: Path, inbox: Inbox) -> None:
    """王销售 reports to 赵主管, who reports to 张经理: both managers hear of 王销售's escalated customer."""
    team = [*TEAM[:2], ("赵主管", "zhao@example.com", "经理", "张经理"), ("王销售", "wang@example.com", "销售", "赵主管")]
    path = build(tmp_path, inbox.port, team)
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    boss, = inbox.to("boss@example.com")
    zhao, = inbox.to("zhao@example.com")
    assert "CRM2026092500006" in listed(body(boss)) and "CRM2026092500006" in listed(body(zhao))
    export = CliRunner().invoke(app, ["export", str(path), "--owner", "张经理", "--out", str(tmp_path / "boss.xlsx")])
    assert export.exit_code == 0, export.output
    exported = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "boss.xlsx")).get_sheet_by_name("客户信息")
    assert "CRM2026092500006" in {r[0] for r in exported.to_python()[1:]}  # the same team as the digest's
    # Every task row whole in the copy (a new workbook is written row by row: a column at a time kept only the
    # last row of every column after the first).
    tasks = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "boss.xlsx")).get_sheet_by_name("回访任务")
    rows = tasks.to_python()[1:]
    assert rows and all(r[1] and r[2] for r in rows)


def test_second_reminder_after_24_hours_and_typed_done_still_counts(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port)
    remind.run(FileStore(path), today=TODAY)
    first_ids = set(FileStore(path).tool_frame(schema.TASKS)["task_id"])
    remind.run(FileStore(path), today=TODAY)  # same day again: nothing new is sent
    assert len(inbox.to("li@example.com")) == 1
    # Staff type 已完成 on A's task instead of logging a follow-up; E's stay open.
    tasks = FileStore(path).tool_frame(schema.TASKS)
    tasks.loc[tasks["customer_id"] == "CRM2026092500001", "result"] = "已完成"
    write_back(path, tool_sheets=[frame_sheet(schema.TASKS, tasks)])
    remind.run(FileStore(path), today=TODAY + DAY)
    second = inbox.to("li@example.com")[-1]
    assert len(inbox.to("li@example.com")) == 2
    assert listed(body(second)) == {"CRM2026092500005"}
    assert body(second).count("第 2 次提醒") == 2  # E's two tasks, due yesterday: one line, both reasons
    after = FileStore(path).tool_frame(schema.TASKS).set_index("task_id")
    assert first_ids & set(after.index)  # the same task keeps its id
    a_task = after[after["customer_id"] == "CRM2026092500001"].iloc[0]
    assert (a_task["status"], a_task["result"], a_task["evidence"]) == ("已完成", "已完成", "执行结果 已完成")


def test_renewal_at_60_and_30_days_and_the_signing_chain(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    book = read_book(path)
    _sheet, _ = remind.remind_plan(book, TODAY, FileStore(book.path).tool_frame(schema.TASKS))
    _life, tasks = profiles.customer_profiles(book, TODAY)
    renewal = tasks[(tasks["customer_id"] == "CRM2026092500004") & (tasks["rule"] == "续约提醒")]
    assert sorted(renewal["due"].dt.date) == [TODAY.date(), (TODAY + 30 * DAY).date()]
    chain = tasks[(tasks["customer_id"] == "CRM2026092500005") & (tasks["rule"] == "新签约回访")]
    signed = (D - 7 * DAY).date()
    assert sorted(chain["due"].dt.date) == [signed + 7 * DAY, signed + 30 * DAY, signed + 90 * DAY]
    later, _ = remind.remind_plan(book, TODAY + 30 * DAY, FileStore(book.path).tool_frame(schema.TASKS))
    open_later = later[later["status"].isin(["待执行", "逾期"])]
    assert ("CRM2026092500004", "续约提醒") in set(zip(open_later["customer_id"], open_later["rule"]))


def test_a_refusing_server_gets_every_reminder_exactly_once(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port)
    inbox.refuse = 4
    outcome = remind.run(FileStore(path), today=TODAY)
    assert outcome.delivery["failed"] >= 1
    ledger, smtp = Ledger(tmp_path), SmtpSettings("127.0.0.1", inbox.port, "crm@example.com")
    clock = TODAY
    for _ in range(20):  # the job retries every minute; back-off decides who is due
        clock += dt.timedelta(minutes=5)
        deliver(ledger, smtp, tmp_path, clock)
        if ledger.counts().get("pending", 0) == 0:
            break
    assert ledger.counts() == {"sent": len(outcome.mails)}
    ids = [m["Message-ID"] for m in inbox.messages]
    assert len(ids) == len(set(ids)) == len(outcome.mails)


@pytest.mark.parametrize(("nth", "ledger"), [(1, {"sending": 1, "pending": 2}),
                                            (2, {"sent": 1, "sending": 1, "pending": 1})])
def test_stopped_after_the_server_took_a_mail_the_rerun_sends_each_exactly_once(tmp_path: Path, inbox: Inbox,
                                                                              nth: int, ledger: dict) -> None:
    """Issue 34: remind stopped dead (as by a power cut) right after the server accepted its ``nth`` mail and before
    the ledger noted it; run again, every person has exactly one mail: zero duplicates, none missing."""
    path = build(tmp_path, inbox.port)
    mark = tmp_path / "mark.txt"
    args = ("remind", str(path), "--today", "2026-11-24")
    first = trials.cli(*args, cwd=tmp_path, fault=f"mail sent, not yet recorded:{nth}", mark=mark)
    code, seen, err = trials.stopped(first, mark)
    assert code == faults.EXIT and seen.count("mail sent, not yet recorded") == nth, (code, seen, err)
    assert len(inbox.messages) == nth
    assert Ledger(tmp_path).counts() == ledger  # the one the server took is marked sending
    again = trials.cli(*args, cwd=tmp_path)
    _out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err
    # One each for the two owners and the manager's digest (build's team).
    assert sorted(r for rs in inbox.recipients for r in rs) == ["boss@example.com", "li@example.com",
                                                                "wang@example.com"]
    assert len({m["Message-ID"] for m in inbox.messages}) == 3
    assert Ledger(tmp_path).counts() == {"sent": 3}
    counted = Ledger(tmp_path).reminders(TODAY.date() + DAY)
    assert counted and set(counted.values()) == {1}  # each task's reminder counted once


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def test_without_smtp_remind_writes_one_eml_per_person(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    ledger = tmp_path / LEDGER
    before = (_bytes(path), sorted(tmp_path.iterdir()))
    first = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24", "--dry-run"])
    assert first.exit_code == 0, first.output
    assert (_bytes(path), sorted(tmp_path.iterdir())) == before  # no ledger, no outbox, the workbook as it was
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 3
    for file in files:
        message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
        assert message["Subject"] and re.search(r"[\u4e00-\u9fff]", message["Subject"])
        assert b"=?utf-8?" in file.read_bytes()  # encoded-word subject
        assert message.get_content_type() == "multipart/alternative"
    before = (_bytes(path), _bytes(ledger), sorted(tmp_path.rglob("*")))
    assert before[1] is not None
    dry = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-25", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert (_bytes(path), _bytes(ledger), sorted(tmp_path.rglob("*"))) == before  # nothing written, nothing queued


@pytest.mark.parametrize(("zone", "date"), [("Asia/Shanghai", "Tue, 24 Nov 2026 08:30:00 +0800"),
                                             ("America/New_York", "Tue, 24 Nov 2026 08:30:00 -0500")])
def test_mail_is_dated_in_the_machines_own_zone(tmp_path: Path, monkeypatch, zone: str, date: str) -> None:
    """Issue 31: the 08:30 mail says 08:30 in the zone of the PC that sends it (Shanghai +8; New York in November
    is on standard time, -5), not 08:30 UTC (16:30 in China)."""
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        ledger = Ledger(tmp_path)
        ledger.add([Mail(key="2026-11-24|li@example.com|owner", recipient="li@example.com", subject="今日回访清单",
                         text="1. 客户", html="<p>1. 客户</p>")], "crm@example.com", TODAY)
        deliver(ledger, None, tmp_path, TODAY)
    finally:
        monkeypatch.undo()
        time.tzset()
    (mail,) = (tmp_path / "outbox").glob("*.eml")
    assert email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)["Date"] == date


def test_first_run_over_the_demo_history_lists_nothing_whose_window_closed(tmp_path: Path) -> None:
    path = tmp_path / "demo.xlsx"
    write_workbook(path, data=make_demo(TODAY.date(), n_customers=400, n_followups=3000).frames)
    outcome = remind.run(FileStore(path), today=TODAY)
    sheet = FileStore(path).tool_frame(schema.TASKS)
    month_start = pd.Timestamp(TODAY.date()).replace(day=1)
    expired = sheet[sheet["status"] == "已过期"]
    # Years of history: what expired before this month is not listed; what expired this month is (a miss).
    assert (pd.to_datetime(expired["due"]) >= month_start - pd.Timedelta(days=31)).all()
    assert len(sheet) < 400 * 3
    owners = [m for m in outcome.mails if m.key.endswith("|owner")]
    assert owners and not any("已过期" in m.text for m in owners)


def test_an_owners_export_holds_only_their_rows_and_no_full_phone(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    result = CliRunner().invoke(app, ["export", str(path), "--owner", "李销售", "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    export = tmp_path / "客户-李销售.xlsx"
    wb = python_calamine.CalamineWorkbook.from_path(str(export))
    customers = wb.get_sheet_by_name("客户信息").to_python()[1:]
    assert {r[8] for r in customers} == {"李销售"} and len(customers) == 3
    followups = wb.get_sheet_by_name("跟进记录").to_python()[1:]
    assert {r[0] for r in followups} <= {r[0] for r in customers}
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).to_python():
            assert not any(isinstance(c, str) and MOBILE.search(c) for c in row), (name, row)
    boss = CliRunner().invoke(app, ["export", str(path), "--owner", "张经理", "--out", str(tmp_path / "boss.xlsx")])
    assert boss.exit_code == 0
    rows = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "boss.xlsx")).get_sheet_by_name("客户信息")
    assert len(rows.to_python()) - 1 == 6  # the manager's team covers everyone
    unknown = CliRunner().invoke(app, ["export", str(path), "--owner", "赵六"])
    assert unknown.exit_code == 2 and "团队" in unknown.output


def test_the_smtp_password_never_reaches_any_file_or_message(tmp_path: Path, inbox: Inbox, monkeypatch) -> None:
    secret = "s3cret-Пароль-密码-7f1d"  # noqa: S105 - the made-up password the test looks for everywhere
    monkeypatch.setenv("CRM_SHEETS_SMTP_PASSWORD", secret)
    path = build(tmp_path, inbox.port)  # this server offers no AUTH: the login fails and the mail waits
    outputs = []
    for command in (["remind", str(path), "--today", "2026-11-24"], ["validate", str(path)],
                    ["export", str(path), "--all-owners", "--today", "2026-11-24"]):
        result = CliRunner().invoke(app, command)
        outputs.append(result.output)
    Job(path, clock=lambda: TODAY, log=file_log(tmp_path)).tick()
    assert Ledger(tmp_path).counts().get("pending", 0) >= 1
    found = [p for p in tmp_path.rglob("*") if p.is_file() and secret.encode("utf-8") in p.read_bytes()]
    assert not found, found
    assert not any(secret in text for text in outputs)
