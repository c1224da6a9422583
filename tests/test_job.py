"""The job never drops a day's work (issue 14): a write Excel refused is made as soon as the file is free.

The clock is injected and the time zone is the workbook's (Asia/Shanghai); Excel having the file open is
Excel's own owner file (``~$name``) beside it.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import python_calamine

from crm_sheets import schema
from crm_sheets.demo_data import make_demo
from crm_sheets.job import Job
from crm_sheets.mail import LEDGER
from crm_sheets.stores.runs import RunLedger
from crm_sheets.templates import write_workbook

FIRST = dt.datetime(2026, 12, 1, 9, 0)  # after 设置's 08:30, on the 1st: the day's run and November's summary


@pytest.fixture()
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "客户.xlsx"
    write_workbook(path, data=make_demo(FIRST.date(), n_customers=60, n_followups=400).frames)
    return path


def sheets(path: Path) -> list[str]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names


def task_rows(path: Path) -> int:
    """Rows on 回访任务 below its header (the template has the sheet, empty)."""
    return len(python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(schema.TASKS.name)
               .to_python()) - 1


def mails_of(folder: Path, day: dt.date) -> list[Path]:
    return sorted((folder / "outbox").glob(f"{day}_*.eml"))


def test_a_write_refused_at_nine_is_made_at_ten_and_mail_goes_out_at_nine(workbook: Path, caplog) -> None:
    lock = workbook.with_name("~$" + workbook.name)
    lock.write_bytes(b"Excel")
    clock = [FIRST]
    job = Job(workbook, clock=lambda: clock[0], log=logging.getLogger("test-job"))
    with caplog.at_level(logging.WARNING, logger="test-job"):
        job.tick()
    before = workbook.read_bytes()
    assert task_rows(workbook) == 0 and "月度汇总-2026-11" not in sheets(workbook)
    sent = mails_of(workbook.parent, FIRST.date())
    assert sent, "the reminders do not wait for the workbook"
    assert any("待写入" in r.message and "上月月报" in r.message for r in caplog.records)

    clock[0] = FIRST.replace(minute=30)  # still open: nothing is written, nothing is sent twice
    job.tick()
    assert workbook.read_bytes() == before
    assert mails_of(workbook.parent, FIRST.date()) == sent

    lock.unlink()
    clock[0] = FIRST.replace(hour=10)
    done = job.tick()
    names = sheets(workbook)
    assert task_rows(workbook) > 0 and "月度汇总-2026-11" in names, done
    assert mails_of(workbook.parent, FIRST.date()) == sent
    runs = RunLedger(workbook.parent)
    assert runs.ran("sheets", FIRST.date()) and runs.ran("monthly", FIRST.date())
    assert job.tick() == []  # and that is the day's work done


def test_a_day_the_workbook_stayed_locked_is_told_to_the_managers(workbook: Path) -> None:
    lock = workbook.with_name("~$" + workbook.name)
    lock.write_bytes(b"Excel")
    clock = [FIRST]
    job = Job(workbook, clock=lambda: clock[0], log=logging.getLogger("test-job"))
    for hour in (9, 13, 17, 23):
        clock[0] = FIRST.replace(hour=hour)
        job.tick()
    assert task_rows(workbook) == 0
    lock.unlink()
    clock[0] = FIRST + dt.timedelta(days=1)
    job.tick()
    assert task_rows(workbook) > 0
    bodies = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()
              for p in mails_of(workbook.parent, clock[0].date())]
    assert any("12-01 工作簿一整天被占用" in body for body in bodies)
    owners = [b for b in bodies if "记一笔" in b]  # the owners' lists end with how the loop closes
    assert owners and not any("一整天被占用" in b for b in owners)  # a manager's business, not every owner's


FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v0.sqlite"  # a mail ledger an older version wrote


def upgraded(folder: Path, runs: list[tuple[str, str]]) -> None:
    """The mail ledger of an install before the run ledger had its own file: the job's rows in its table runs."""
    shutil.copy(FIXTURE, folder / LEDGER)
    with closing(sqlite3.connect(folder / LEDGER)) as db, db:
        db.executemany("INSERT INTO runs VALUES (?, ?)", runs)


def test_an_upgraded_install_does_not_redo_the_day_the_old_ledger_recorded(workbook: Path) -> None:
    upgraded(workbook.parent, [("mail", "2026-12-01"), ("sheets", "2026-12-01"), ("monthly", "2026-12-01")])
    before = workbook.read_bytes()
    # The old ledger's two mails still waiting go out; the day's work is not done again.
    assert Job(workbook, clock=lambda: FIRST.replace(hour=10)).tick() == ["mail sent 2 failed 0"]
    assert workbook.read_bytes() == before and mails_of(workbook.parent, FIRST.date()) == []
    with closing(sqlite3.connect(workbook.parent / LEDGER)) as db:
        assert db.execute("SELECT name FROM sqlite_master WHERE name = 'runs'").fetchall() == []
        assert dict(db.execute("SELECT status, COUNT(*) FROM mail GROUP BY status")) == {"sent": 9}


def test_an_upgraded_install_catches_up_from_the_last_day_the_old_ledger_recorded(workbook: Path) -> None:
    # "daily": the day's mail and sheets as one row, as the versions before they were recorded apart wrote it.
    upgraded(workbook.parent, [("daily", "2026-11-27"), ("monthly", "2026-11-01")])
    done = Job(workbook, clock=lambda: FIRST).tick()
    assert done[0] == "补做一次：2026-11-28 至 2026-11-30 没有运行（电脑关机或任务停止），今天的提醒和回访任务只做一次，不逐日重做"
    assert done[1].startswith("2026-12-01 remind: ") and "2026-12-01 tag + 回访任务" in done
    assert "summary 2026-11" in done and task_rows(workbook) > 0 and "月度汇总-2026-11" in sheets(workbook)


@pytest.mark.parametrize(("yesterday", "told"), [([("mail", "2026-11-30")], True), ([("daily", "2026-11-30")], False)])
def test_an_old_ledgers_day_of_mail_without_sheets_is_told_to_the_managers(workbook: Path, yesterday, told) -> None:
    upgraded(workbook.parent, [*yesterday, ("monthly", "2026-12-01")])
    Job(workbook, clock=lambda: FIRST).tick()
    bodies = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()
              for p in mails_of(workbook.parent, FIRST.date())]
    assert bodies and any("11-30 工作簿一整天被占用" in body for body in bodies) == told
