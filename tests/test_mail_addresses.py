"""Issue 32: a 团队 e-mail cell never becomes a mail header, and a failed command's message tells the truth.

One bad address (a pasted line break with a Bcc header, two addresses, a path) skips that person: everyone
else's mail reaches a real SMTP server on 127.0.0.1 (aiosmtpd) with one recipient each, the person is named on
the command line, in the job's log and in the managers' digest, and validate lists the cell.  "文件未被修改" is
said only when the workbook is byte for byte what it was (SHA-256 before and after); a command that wrote
before it failed says what it wrote.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlwings as xw
from file_engine import FileBook
from smtp import Inbox, body
from test_remind import TEAM, TODAY, build
from typer.testing import CliRunner

from crm_sheets import errors, excel, schema
from crm_sheets.cli import app
from crm_sheets.job import LOG_FILE, Job, file_log
from crm_sheets.mail import LEDGER, OUTBOX, Ledger
from crm_sheets.rules.team import mail_address
from crm_sheets.stores.runs import RunLedger

# (cell, the address it is read as, or None: the person cannot be mailed).  Expected by RFC 5322's rules for one
# mailbox, not by running the code: a display name before <addr> is dropped; CR/LF, a second address, a
# header-like name, ".." in the local part and control or invisible characters are refused.
CELLS = [
    ("wang@example.com", "wang@example.com"),
    ("  wang@example.com  ", "wang@example.com"),
    ("王伟 <wang@example.com>", "wang@example.com"),
    ('"王 伟" <wang@example.com>', "wang@example.com"),
    ("<wang@example.com>", "wang@example.com"),
    ("x/y@example.com", "x/y@example.com"),  # "/" is allowed before the @ (RFC 5322 atext)
    ("li@例子.中国", "li@xn--fsqu00a.xn--fiqs8s"),  # an IDN domain travels as its A-label (RFC 5890)
    ("li@example.com\r\nBcc: x@y.com", None),
    ("li@example.com\nBcc: x@y.com", None),
    ('"x" <li@example.com>\r\nBcc: y', None),
    ("li@example.com, c@d.com", None),
    ("li@example.com; c@d.com", None),
    ("li@example.com c@d.com", None),
    ("x <li@example.com>, y <c@d.com>", None),
    ('"c@d.com, x" <li@example.com>', None),
    ("Bcc: y@z.com <li@example.com>", None),
    ("x/../../../tmp/y@x.com", None),
    ("li@example.com\u2028Bcc: x@y.com", None),  # a Unicode line separator
    ("li@example.com\r\n", "li@example.com"),  # white space around a cell is no part of it (as in every cell)
    ("li@example.com\u200b", None),  # zero-width space
    ("li\u202e@example.com", None),  # right-to-left override
    ("li@example", None),
    ("李销售", None),
]


@pytest.mark.parametrize(("cell", "address"), CELLS)
def test_a_cell_is_one_address_or_nothing(cell: str, address: str | None) -> None:
    assert mail_address(cell) == address


INJECTIONS = ["li@example.com\r\nBcc: x@y.com", "li@example.com, c@d.com", '"x" <li@example.com>\r\nBcc: y',
              "x/../../../tmp/y@x.com"]
INJECTED = ("x@y.com", "c@d.com", "y", "y@x.com")  # addresses the cells try to add


def team_with(li: str) -> list[tuple[str, str, str, str]]:
    return [TEAM[0], ("李销售", li, "销售", "张经理"), TEAM[2]]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path, sheet: str) -> list[list]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


@pytest.mark.parametrize("cell", INJECTIONS)
def test_a_bad_address_skips_one_person_and_everyone_else_is_mailed(tmp_path: Path, inbox: Inbox, cell: str
                                                                     ) -> None:
    path = build(tmp_path, inbox.port, team_with(cell))
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 1, result.output  # done, with a problem found; never 2
    assert "没有发给：李销售" in result.output
    # 王销售's list and 张经理's digest arrive, each to exactly one recipient, the one on 团队.
    assert sorted(r for rs in inbox.recipients for r in rs) == ["boss@example.com", "wang@example.com"]
    assert all(len(rs) == 1 for rs in inbox.recipients)
    for message in inbox.messages:
        assert [message["To"]] == inbox.recipients[inbox.messages.index(message)]
        assert message["Bcc"] is None and message["Cc"] is None
        assert not any(x in str(message["To"]) for x in INJECTED)
    boss, = inbox.to("boss@example.com")
    assert "没有发给：李销售" in body(boss)
    wang, = inbox.to("wang@example.com")
    assert "李销售" not in body(wang)  # the managers' business
    # 回访任务 was written, and 李销售's tasks were not counted as reminded (no mail went out).
    tasks = rows(path, schema.TASKS.name)
    owner, count = tasks[0].index("执行人"), tasks[0].index("提醒次数")
    assert {r[count] for r in tasks[1:] if r[owner] == "李销售"} == {0}
    assert any(r[count] == 1 for r in tasks[1:] if r[owner] == "王销售")
    assert not list(tmp_path.rglob("*y@x.com*")) and not list(Path("/tmp").glob("y@x.com*"))


def test_the_button_names_who_was_not_mailed(tmp_path: Path, inbox: Inbox) -> None:
    """发送提醒 in Excel says what the command line says: who got no mail, and everyone else's went out."""
    path = build(tmp_path, inbox.port, team_with("li@example.com\r\nBcc: x@y.com"))
    engine = FileBook(path)
    xw.Book(impl=engine).set_mock_caller()
    try:
        excel.send_reminders()
    finally:
        del xw.Book._mock_caller
    (message,) = engine.app.alerts
    assert "没有发给：李销售" in message, message
    assert sorted(r for rs in inbox.recipients for r in rs) == ["boss@example.com", "wang@example.com"]


@pytest.mark.parametrize("cell", INJECTIONS)
def test_validate_lists_the_cell_on_check_results(tmp_path: Path, cell: str) -> None:
    path = build(tmp_path, None, team_with(cell))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "邮箱不能用来发提醒" in result.output
    found = rows(path, schema.CHECK_RESULTS.name)
    head = found[0]
    listed = [dict(zip(head, r)) for r in found[1:] if r[head.index("工作表")] == "团队"]
    assert len(listed) == 1
    row = listed[0]
    assert (row["行号"], row["列"], row["问题代码"]) == (3, "邮箱", "bad_team_email")  # 李销售 is on row 3
    assert "\r" not in row["值"] and "\n" not in row["值"]  # shown as ␍␊, where the break is
    assert row["值"].replace("\u240d", "\r").replace("\u240a", "\n") == cell


def test_a_name_before_the_address_is_read_as_the_address(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port, team_with("李 销售 <li@example.com>"))
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    assert sorted(r for rs in inbox.recipients for r in rs) == ["boss@example.com", "li@example.com",
                                                                "wang@example.com"]
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0


def test_the_job_skips_the_person_says_so_in_its_log_and_goes_on(tmp_path: Path) -> None:
    path = build(tmp_path, None, team_with("li@example.com\r\nBcc: x@y.com"))
    done = Job(path, clock=lambda: TODAY, log=file_log(tmp_path)).tick()
    assert any(line.startswith(f"{TODAY:%Y-%m-%d} remind: 2 mails") for line in done), done
    log = (tmp_path / LOG_FILE).read_text(encoding="utf-8")
    assert "没有发给：李销售" in log
    mails = sorted(p.name for p in (tmp_path / OUTBOX).iterdir())
    assert mails == ["2026-11-24_boss@example.com_manager.eml", "2026-11-24_wang@example.com_owner.eml"]
    digest = email.message_from_bytes((tmp_path / OUTBOX / mails[0]).read_bytes(), policy=email.policy.default)
    assert "没有发给：李销售" in body(digest)
    assert RunLedger(tmp_path).ran("sheets", TODAY.date())  # the day's sheets were written too
    once = CliRunner().invoke(app, ["job", str(path), "--once", "--today", "2026-11-25"])
    assert once.exit_code == 0 and "没有发给：李销售" in once.output, once.output


def test_an_address_with_a_slash_stays_inside_outbox(tmp_path: Path) -> None:
    path = build(tmp_path, None, team_with("a/../../b@example.com"))  # ".." refused; the cell is skipped
    assert CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"]).exit_code == 1
    fresh = tmp_path / "again"
    fresh.mkdir()
    path = build(fresh, None, team_with("x/y@example.com"))  # valid, and a path if taken as one
    assert CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"]).exit_code == 0
    outbox = fresh / OUTBOX
    made = sorted(p.relative_to(fresh) for p in fresh.rglob("*.eml"))
    assert len(made) == 3 and all(p.parent == Path(OUTBOX) for p in made), made
    assert all(p.is_file() for p in outbox.iterdir())  # no folder "x" made inside either


def test_a_sender_that_is_no_address_is_refused_before_anything_is_written(tmp_path: Path, inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port)
    book = openpyxl.load_workbook(path)
    for row in book["设置"].iter_rows(min_row=2):
        if row[0].value == "发件人邮箱":
            row[1].value = "crm@example.com\r\nBcc: x@y.com"
    book.save(path)
    before = sha256(path)
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 2 and "发件人邮箱" in result.output and "␍␊Bcc" in result.output, result.output
    assert sha256(path) == before and not inbox.messages


# --- Messages tell the truth -------------------------------------------------------------------------------


def test_remind_that_wrote_its_sheet_and_then_failed_to_mail_says_so(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    (tmp_path / OUTBOX).write_bytes(b"a file where the outbox folder goes")  # the mail step cannot write
    before = sha256(path)
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 2
    assert sha256(path) != before
    assert "文件未被修改" not in result.output
    assert "客户.xlsx 的“回访任务”已写入" in result.output and ".crm-backups" in result.output, result.output
    assert "FileExistsError" in result.output  # and what failed after it
    english = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24", "--lang", "en"])
    assert english.exit_code == 2
    assert "“回访任务” was written" in english.output and "not changed" not in english.output, english.output


def test_an_error_before_any_write_says_unchanged_and_it_is(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    (tmp_path / LEDGER).mkdir()  # the mail ledger cannot be opened: remind fails before it writes
    before = sha256(path)
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 2 and "意外错误" in result.output, result.output
    assert sha256(path) == before
    assert result.output.startswith("客户.xlsx: 出现意外错误") and "文件未被修改" in result.output
    english = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24", "--lang", "en"])
    assert english.exit_code == 2 and "the file was not changed" in english.output, english.output


def test_the_job_that_wrote_the_day_and_then_failed_says_what_it_wrote(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    (tmp_path / OUTBOX).write_bytes(b"not a folder")
    before = sha256(path)
    result = CliRunner().invoke(app, ["job", str(path), "--once", "--today", "2026-11-24"])
    assert result.exit_code == 2
    assert sha256(path) != before and "文件未被修改" not in result.output
    assert "“回访任务”" in result.output and "已写入" in result.output, result.output


def test_summary_export_that_failed_after_the_sheet_was_written_says_so(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    before = sha256(path)
    target = tmp_path / "no-such-folder" / "月报.xlsx"
    result = CliRunner().invoke(app, ["summary", str(path), "--month", "2026-10", "--export", str(target)])
    assert result.exit_code == 2
    assert sha256(path) != before and "文件未被修改" not in result.output
    assert "“月度汇总-2026-10”已写入" in result.output, result.output


def test_export_all_owners_that_failed_half_way_names_the_books_it_wrote(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    out = tmp_path / "copies"
    out.mkdir()
    # 王销售's book cannot be made: its name is a link into a folder that does not exist (exists() is False).
    (out / "客户-王销售.xlsx").symlink_to(tmp_path / "gone" / "x.xlsx")
    before = sha256(path)
    result = CliRunner().invoke(app, ["export", str(path), "--all-owners", "--out", str(out),
                                      "--today", "2026-11-24"])
    assert result.exit_code == 2
    assert sha256(path) == before  # the master is not written by export
    written = sorted(p.name for p in out.iterdir() if p.is_file())
    assert written == ["客户-张经理.xlsx", "客户-李销售.xlsx"]
    assert all(str(out / name) in result.output for name in written) and "已写入" in result.output, result.output


def test_distribute_that_failed_half_way_names_the_books_it_wrote(tmp_path: Path) -> None:
    path = build(tmp_path, None)
    out = tmp_path / "copies"
    out.mkdir()
    (out / "客户-王销售.xlsx").symlink_to(tmp_path / "gone" / "x.xlsx")
    result = CliRunner().invoke(app, ["distribute", str(path), "--out", str(out), "--today", "2026-11-24"])
    assert result.exit_code == 2
    written = sorted(p.name for p in out.iterdir() if p.is_file())
    assert written == ["客户-张经理.xlsx", "客户-李销售.xlsx"]
    assert all(str(out / name) in result.output for name in written) and "已写入" in result.output, result.output


def test_an_error_told_after_a_write_drops_its_claim_that_nothing_changed() -> None:
    in_use = errors.FileInUse(file="客户.xlsx")
    assert in_use.message().endswith("；文件未被修改。")
    told = errors.PartlyDone(wrote="客户.xlsx 的“回访任务”", backup=None, cause=in_use)
    assert "文件未被修改" not in told.message() and "not changed" not in told.message("en")


@pytest.mark.parametrize("recipient", INJECTIONS)
def test_no_mail_is_made_for_an_address_that_was_not_checked(tmp_path: Path, recipient: str) -> None:
    """The last guard (mail.message): whatever reaches it, a header is made only from one checked address."""
    from crm_sheets.mail import Mail

    ledger = Ledger(tmp_path)
    mail = Mail(key=f"2026-11-24|{recipient}|owner", recipient=recipient, subject="今日回访清单", text="1",
                html="<p>1</p>")
    with pytest.raises(ValueError, match="not one address"):
        ledger.add([mail], "crm@example.com", TODAY)
    assert ledger.counts() == {}
