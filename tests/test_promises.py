"""README's promises outside the mail itself, each through the real CLI in a subprocess (issue 34, point 2).

distribute (and export) never overwrite; `crm-sheets job PATH` stops cleanly on Ctrl-C and SIGTERM, idle, waiting
for Excel or half way through sending; --lang en and the environment choose the language; the job's log rolls at
1 MB keeping 5 old ones; after days switched off the job catches up once.  The workbook is written here by hand
(three people, four customers last reached on 2026-02-10 as 意向客户, so due 3 days later and overdue every day
after), and every expected line, file name, count and day below is worked out by hand from it.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import python_calamine
from smtp import Inbox, serving

from crm_sheets import schema
from crm_sheets.templates import write_workbook

TEAM = [("张经理", "boss@example.com", "经理", ""), ("李销售", "li@example.com", "销售", "张经理"),
        ("王销售", "wang@example.com", "销售", "张经理")]
RECIPIENTS = ["boss@example.com", "li@example.com", "wang@example.com"]  # two owners' lists, one manager's digest
OWNERS = ["李销售", "李销售", "王销售", "王销售"]
LOG = "crm-sheets-job.log"
ROLL_AT, KEPT = 1_000_000, 5  # README: the log rolls at 1 MB and keeps 5 old ones


def workbook(folder: Path, name: str = "客户.xlsx", smtp_port: int | None = None) -> Path:
    people, follow = [], []
    for n, owner in enumerate(OWNERS, 1):
        cid = f"CRM2026010100{n:03d}"
        people.append({"客户编号": cid, "客户名称": f"测试客户{n:03d}有限公司", "所属行业": "制造业",
                       "联系人姓名": "王建国", "联系电话": f"1380000{n:04d}", "客户来源": "展会推荐", "负责人": owner,
                       "创建时间": dt.datetime(2026, 1, 1, 9)})
        follow.append({"客户编号": cid, "跟进时间": dt.datetime(2026, 2, 10, 10), "跟进人": owner, "沟通方式": "电话",
                       "联系结果": "已接通", "沟通内容": "介绍产品", "下一步计划": "下周再联系", "客户反馈": "考虑中",
                       "跟进状态": "意向客户"})
    smtp = {"SMTP服务器": "127.0.0.1", "SMTP端口": smtp_port, "发件人邮箱": "crm@example.com"} if smtp_port else {}
    path = folder / name
    write_workbook(path, data={
        "客户信息": pd.DataFrame(people), "跟进记录": pd.DataFrame(follow),
        "团队": pd.DataFrame(TEAM, columns=schema.TEAM.headers[:4]),
        "设置": pd.DataFrame([(s.name, smtp.get(s.name, s.default), s.note) for s in schema.SETTINGS],
                           columns=schema.SETTINGS_SHEET.headers),
    })
    return path


def environment(**lang: str) -> dict[str, str]:
    """This process's environment (PYTHONPATH included) with only the given language variables set."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANG", "LC_ALL", "CRM_SHEETS_LANG", "CRM_SHEETS_SMTP_PASSWORD")}
    return {**env, **lang}


def crm(folder: Path, *args: str, **lang: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crm_sheets", *args], cwd=folder, env=environment(**lang),
                          check=False, capture_output=True, encoding="utf-8", timeout=300)


def job(folder: Path, *args: str) -> subprocess.Popen[str]:
    """`crm-sheets job 客户.xlsx …` left running, as the scheduled task starts it."""
    return subprocess.Popen([sys.executable, "-m", "crm_sheets", "job", "客户.xlsx", *args], cwd=folder,
                            env=environment(LANG="zh_CN.UTF-8"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            encoding="utf-8")


def wait_for_line(folder: Path, text: str, child: subprocess.Popen[str]) -> None:
    """Until the job's log holds ``text`` (the named event); the job ending first, or never saying it, fails."""
    log, deadline = folder / LOG, time.monotonic() + 240
    while not (log.exists() and text in log.read_text(encoding="utf-8")):
        if child.poll() is not None:
            pytest.fail(f"the job ended before logging {text!r}: {child.communicate()}")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail(f"the job never logged {text!r}")
        time.sleep(0.05)


def log_lines(folder: Path) -> list[str]:
    """The messages of the log, without the time and level in front."""
    return [line.split(" ", 3)[3] for line in (folder / LOG).read_text(encoding="utf-8").splitlines()]


def sheet_names(path: Path) -> list[str]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names


def task_rows(path: Path) -> int:
    return len(python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("回访任务").to_python()) - 1


def outbox(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "outbox").glob("*.eml"))


def plain(path: Path) -> str:
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return mail.get_body(("plain",)).get_content().replace("\r\n", "\n")


# 1. "已有同名文件时不覆盖"

EXISTS_ZH = "总表-李销售.xlsx: 文件已存在，未覆盖；请换一个文件名，或先移走旧文件。"
EXISTS_EN = "总表-李销售.xlsx: already exists and was not overwritten; choose another name or move the old file."


def test_distribute_never_overwrites_a_file_of_the_same_name(tmp_path: Path) -> None:
    master = workbook(tmp_path, "总表.xlsx")
    master_bytes = master.read_bytes()
    copies = tmp_path / "总表-分发"
    copies.mkdir()
    mine = copies / "总表-李销售.xlsx"  # say 李销售's returned copy, not yet collected
    mine.write_bytes(b"Li's week of work")

    for lang, line in (("zh", EXISTS_ZH), ("en", EXISTS_EN)):
        done = crm(tmp_path, "distribute", "总表.xlsx", "--today", "2026-03-03", "--lang", lang)
        assert (done.returncode, done.stdout, done.stderr.strip()) == (2, "", line)
        assert mine.read_bytes() == b"Li's week of work"
        assert sorted(p.name for p in copies.iterdir()) == ["总表-李销售.xlsx"]  # nobody else's copy either
        assert master.read_bytes() == master_bytes

    mine.unlink()  # collected and moved away: now each gets a copy, and a second distribute clobbers none of them
    done = crm(tmp_path, "distribute", "总表.xlsx", "--today", "2026-03-03")
    assert done.returncode == 0, done.stderr
    written = {p.name: p.read_bytes() for p in copies.iterdir()}
    assert sorted(written) == ["总表-张经理.xlsx", "总表-李销售.xlsx", "总表-王销售.xlsx"]
    again = crm(tmp_path, "distribute", "总表.xlsx", "--today", "2026-03-04")
    assert (again.returncode, again.stderr.strip()) == (2, "总表-张经理.xlsx: 文件已存在，未覆盖；请换一个文件名，或先移走旧文件。")
    assert {p.name: p.read_bytes() for p in copies.iterdir()} == written


def test_export_never_overwrites_either(tmp_path: Path) -> None:
    master = workbook(tmp_path, "总表.xlsx")
    master_bytes = master.read_bytes()
    chosen = tmp_path / "李销售的客户.xlsx"
    chosen.write_bytes(b"a file someone keeps")
    done = crm(tmp_path, "export", "总表.xlsx", "--owner", "李销售", "--out", chosen.name, "--today", "2026-03-03")
    assert (done.returncode, done.stdout, done.stderr.strip()) == (
        2, "", "李销售的客户.xlsx: 文件已存在，未覆盖；请换一个文件名，或先移走旧文件。")
    assert chosen.read_bytes() == b"a file someone keeps"

    beside = tmp_path / "总表-李销售.xlsx"  # the default name, beside the workbook
    beside.write_bytes(b"last week's export")
    done = crm(tmp_path, "export", "总表.xlsx", "--owner", "李销售", "--today", "2026-03-03", "--lang", "en")
    assert (done.returncode, done.stderr.strip()) == (2, EXISTS_EN)
    # --all-owners looks at every name before writing any: nothing is left half done.
    done = crm(tmp_path, "export", "总表.xlsx", "--all-owners", "--today", "2026-03-03")
    assert (done.returncode, done.stderr.strip()) == (2, EXISTS_ZH)
    assert beside.read_bytes() == b"last week's export"
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == ["总表-李销售.xlsx", "总表.xlsx", "李销售的客户.xlsx"]
    assert master.read_bytes() == master_bytes


# 2. "Ctrl-C 或 SIGTERM 干净退出"

def stopped_cleanly(folder: Path, child: subprocess.Popen[str], sig: signal.Signals) -> str:
    """Send ``sig``; the job must end with exit code 0, "stopped" as its last log line and nothing on stderr."""
    child.send_signal(sig)
    out, err = child.communicate(timeout=240)
    assert (child.returncode, err) == (0, ""), err
    assert log_lines(folder)[-1] == "stopped"
    return out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_job_stops_cleanly_while_it_waits_for_excel(tmp_path: Path, sig: signal.Signals) -> None:
    path = workbook(tmp_path)
    lock = tmp_path / "~$客户.xlsx"  # Excel has the file open
    lock.write_bytes(b"Excel")
    before = path.read_bytes()
    child = job(tmp_path, "--today", "2026-03-03")
    wait_for_line(tmp_path, "待写入：今天的回访任务、客户阶段和上月月报", child)
    out = stopped_cleanly(tmp_path, child, sig)
    assert out.startswith("后台任务已启动：客户.xlsx，每天 08:30 发送提醒")
    assert path.read_bytes() == before
    assert outbox(tmp_path) == [f"2026-03-03_{to}_{kind}.eml" for to, kind in
                                zip(RECIPIENTS, ("manager", "owner", "owner"))]  # mail did not wait for Excel

    lock.unlink()  # Excel closed; started again, the job writes the day's sheets and sends nothing twice
    done = crm(tmp_path, "job", "客户.xlsx", "--once", "--today", "2026-03-03")
    assert (done.returncode, done.stdout.strip()) == (
        0, "后台任务运行了一次：2026-03-03 tag + 回访任务；summary 2026-02"), done.stderr
    assert task_rows(path) == 4 and "月度汇总-2026-02" in sheet_names(path)
    assert len(outbox(tmp_path)) == 3


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_the_job_stops_cleanly_when_idle(tmp_path: Path, sig: signal.Signals) -> None:
    path = workbook(tmp_path)
    child = job(tmp_path, "--today", "2026-03-03")
    wait_for_line(tmp_path, "mail sent 3 failed 0", child)  # the day's work done: it waits for the next tick
    stopped_cleanly(tmp_path, child, sig)
    assert log_lines(tmp_path) == ["2026-03-03 remind: 3 mails", "2026-03-03 tag + 回访任务", "summary 2026-02",
                                   "mail sent 3 failed 0", "stopped"]
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
    assert task_rows(path) == 4 and "月度汇总-2026-02" in sheet_names(path)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        LOG, "outbox", "客户.xlsx"]  # no temporary file left behind


class HeldInbox(Inbox):
    """An SMTP server that holds its answer to the first message until the test lets it go."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived, self.release = threading.Event(), threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.arrived.set()
        self.release.wait(timeout=240)  # the job sits in the middle of sending, waiting for this reply
        return await super().handle_DATA(server, session, envelope)


def test_sigterm_in_the_middle_of_sending_finishes_the_run_then_stops(tmp_path: Path) -> None:
    with serving(HeldInbox()) as inbox:
        path = workbook(tmp_path, smtp_port=inbox.port)
        child = job(tmp_path, "--today", "2026-03-03")
        try:
            assert inbox.arrived.wait(timeout=240), child.poll() or "no mail reached the server"
            child.send_signal(signal.SIGTERM)
        finally:
            inbox.release.set()
        _out, err = child.communicate(timeout=240)
        assert (child.returncode, err) == (0, ""), err
        assert log_lines(tmp_path) == ["2026-03-03 remind: 3 mails", "2026-03-03 tag + 回访任务", "summary 2026-02",
                                       "mail sent 3 failed 0", "stopped"]
        assert sorted(str(m["To"]) for m in inbox.messages) == RECIPIENTS
        assert task_rows(path) == 4
        again = crm(tmp_path, "job", "客户.xlsx", "--once", "--today", "2026-03-03")
        assert (again.returncode, again.stdout.strip()) == (0, "后台任务运行了一次：现在没有要做的事")
        assert len(inbox.messages) == 3


# 3. "--lang en 输出英文（或设置 LANG=en_US.UTF-8）"

MISSING = {"zh": "missing.xlsx: 找不到这个文件，请检查路径。", "en": "missing.xlsx: file not found; check the path."}


@pytest.mark.parametrize("args, env, lang", [
    ((), {}, "zh"),  # nothing set: Chinese
    ((), {"LANG": "zh_CN.UTF-8"}, "zh"),
    ((), {"LANG": "C.UTF-8"}, "zh"),
    ((), {"LANG": "en_US.UTF-8"}, "en"),
    (("--lang", "en"), {"LANG": "zh_CN.UTF-8"}, "en"),  # the option wins over the environment
    (("--lang", "zh"), {"LANG": "en_US.UTF-8"}, "zh"),
    ((), {"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # LC_ALL over LANG, as for every program
    ((), {"LC_ALL": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ((), {"CRM_SHEETS_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, "en"),  # crm-sheets' own over the locale
    ((), {"CRM_SHEETS_LANG": "zh", "LANG": "en_US.UTF-8"}, "zh"),
    (("--lang", "zh"), {"CRM_SHEETS_LANG": "en"}, "zh"),
])
def test_the_language_comes_from_lang_or_the_environment(tmp_path: Path, args: tuple[str, ...],
                                                          env: dict[str, str], lang: str) -> None:
    done = crm(tmp_path, "validate", "missing.xlsx", *args, **env)
    assert (done.returncode, done.stdout, done.stderr.strip()) == (2, "", MISSING[lang])


def test_a_file_that_is_no_workbook_is_told_in_either_language(tmp_path: Path) -> None:
    notes = tmp_path / "客户.xlsx"
    notes.write_text("客户名称,电话\n北京瑞丰,13800000001\n", encoding="utf-8")
    en = crm(tmp_path, "validate", "客户.xlsx", LANG="en_US.UTF-8")
    zh = crm(tmp_path, "validate", "客户.xlsx")
    assert (en.returncode, en.stderr.strip()) == (
        2, "客户.xlsx: this is a CSV/text file named .xlsx; rename it to .csv and try again.")
    assert (zh.returncode, zh.stderr.strip()) == (2, "客户.xlsx: 这是 CSV/文本文件，扩展名却是 .xlsx；请把扩展名改为 .csv 再试。")
    assert notes.read_text(encoding="utf-8") == "客户名称,电话\n北京瑞丰,13800000001\n"


# 4. "日志 crm-sheets-job.log（滚动）"

def test_the_job_log_rolls_at_one_megabyte_and_keeps_five_old_ones(tmp_path: Path) -> None:
    workbook(tmp_path)
    log = tmp_path / LOG
    small = b"2026-01-05 08:30:00,000 INFO 2026-01-05 remind: 3 mails\n" * 100
    log.write_bytes(small)
    done = crm(tmp_path, "job", "客户.xlsx", "--once", "--today", "2026-03-03")
    assert done.returncode == 0, done.stderr
    grown = log.read_bytes()
    assert grown.startswith(small) and b"2026-03-03 remind: 3 mails" in grown[len(small):]
    assert not (tmp_path / f"{LOG}.1").exists()  # far below 1 MB: appended to

    # A log that has filled up (a year of mornings), with five old ones beside it already.
    full = (grown * (ROLL_AT // len(grown) + 1))[:ROLL_AT - 10]
    log.write_bytes(full)
    older = {n: f"old log number {n}\n".encode() * 1000 for n in range(1, KEPT + 1)}
    for n, text in older.items():
        (tmp_path / f"{LOG}.{n}").write_bytes(text)
    done = crm(tmp_path, "job", "客户.xlsx", "--once", "--today", "2026-03-04")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / f"{LOG}.1").read_bytes() == full
    for n in range(2, KEPT + 1):
        assert (tmp_path / f"{LOG}.{n}").read_bytes() == older[n - 1]
    assert not (tmp_path / f"{LOG}.{KEPT + 1}").exists()  # the oldest went
    assert log_lines(tmp_path) == ["2026-03-04 remind: 3 mails", "2026-03-04 tag + 回访任务", "mail sent 3 failed 0"]


# 5. "停机后补做一次"

def test_after_days_switched_off_the_job_catches_up_once(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    first = crm(tmp_path, "job", "客户.xlsx", "--once", "--today", "2026-02-27")
    assert first.returncode == 0, first.stderr
    assert "月度汇总-2026-01" in sheet_names(path)  # the first run ever writes last month's
    # Off on 02-28, 03-01 (the 1st: February's summary) and 03-02; on again on 03-03.
    done = crm(tmp_path, "job", "客户.xlsx", "--once", "--today", "2026-03-03")
    assert done.returncode == 0, done.stderr
    caught_up = "补做一次：2026-02-28 至 2026-03-02 没有运行（电脑关机或任务停止），今天的提醒和回访任务只做一次，不逐日重做"
    assert done.stdout.strip() == ("后台任务运行了一次：" + caught_up + "；2026-03-03 remind: 3 mails；"
                                   "2026-03-03 tag + 回访任务；summary 2026-02；mail sent 3 failed 0")
    assert log_lines(tmp_path)[4:] == [caught_up, "2026-03-03 remind: 3 mails", "2026-03-03 tag + 回访任务",
                                       "summary 2026-02", "mail sent 3 failed 0"]
    assert outbox(tmp_path) == [f"{day}_{to}_{kind}.eml" for day in ("2026-02-27", "2026-03-03")
                                for to, kind in zip(RECIPIENTS, ("manager", "owner", "owner"))]
    li = plain(tmp_path / "outbox" / "2026-03-03_li@example.com_owner.eml")
    # Due 02-13, so 18 days overdue; the second mail 李销售 really got about them, not the fifth.
    assert li.count("阶段节奏回访（逾期 18 天，第 2 次提醒）") == 2
    assert "测试客户001有限公司" in li and "测试客户002有限公司" in li
    assert [n for n in sheet_names(path) if n.startswith("月度汇总")] == ["月度汇总-2026-01", "月度汇总-2026-02"]
    summary = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("月度汇总-2026-02").to_python()

    before = path.read_bytes()
    again = crm(tmp_path, "job", "客户.xlsx", "--once", "--today", "2026-03-03")
    assert (again.returncode, again.stdout.strip()) == (0, "后台任务运行了一次：现在没有要做的事")
    assert path.read_bytes() == before and len(outbox(tmp_path)) == 6

    nextday = crm(tmp_path, "job", "客户.xlsx", "--once", "--today", "2026-03-04")  # back to every morning
    assert nextday.stdout.strip() == ("后台任务运行了一次：2026-03-04 remind: 3 mails；2026-03-04 tag + 回访任务；"
                                      "mail sent 3 failed 0"), nextday.stderr
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    assert book.get_sheet_by_name("月度汇总-2026-02").to_python() == summary  # written once, not again
