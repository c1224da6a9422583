"""The job never drops a day's work (issue 14): a write Excel refused is made as soon as the file is free.

The clock is injected and the time zone is the workbook's (Asia/Shanghai); Excel having the file open is
Excel's own owner file (``~$name``) beside it.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
from pathlib import Path

import pytest
import python_calamine

from crm_sheets import schema
from crm_sheets.demo_data import make_demo
from crm_sheets.job import Job
from crm_sheets.mail import Ledger
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
    ledger = Ledger(workbook.parent)
    assert ledger.ran("sheets", FIRST.date()) and ledger.ran("monthly", FIRST.date())
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
