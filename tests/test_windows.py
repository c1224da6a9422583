"""Issue 31: where the users are.  Windows' file rules (tests/windows_rules.py) in force on Linux: every command,
every button and the job work under them; a file another program holds for a moment is waited for, then
refused in one line with the file untouched; a ~$ owner file Excel no longer holds does not block on Windows."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import functools
import hashlib
import inspect
import logging
import mmap
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

import pytest
import python_calamine
import xlwings as xw
from file_engine import FileBook
from test_cli_docs import command_names
from typer.testing import CliRunner
from windows_rules import SHARING_VIOLATION, SharingViolation, forbidden_name, windows_rules

from crm_sheets import errors, excel, excel_setup, scheduler_entry, schema
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.job import Job
from crm_sheets.stores import file as file_store
from crm_sheets.templates import write_workbook
from crm_sheets.vba import vba_project
from crm_sheets.workbook import safety

DAY = "2026-11-24"
TODAY = dt.datetime(2026, 11, 24, 9, 0)
IN_USE = "文件正被其他程序占用，请稍后再试"


@pytest.fixture()
def rules() -> Iterator[None]:
    with windows_rules():
        yield


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("master") / "客户.xlsm"
    write_workbook(path, data=make_demo(TODAY.date(), n_customers=200, n_followups=1200).frames, vba=vba_project())
    return path


@pytest.fixture()
def book(master: Path, tmp_path: Path) -> Path:
    """The master copied into a folder whose name Windows accepts but a careless quoting would not."""
    folder = tmp_path / "销售 团队 (2026)"
    folder.mkdir()
    return Path(shutil.copy(master, folder / master.name))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hold(path: Path) -> subprocess.Popen:
    """Another program (an antivirus scanner, a sync client) with ``path`` open until it is killed."""
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nf = open(sys.argv[1], 'rb')\nprint('held', "
                               "flush=True)\ntime.sleep(120)", str(path)], stdout=subprocess.PIPE, text=True,
                              encoding="utf-8")
    assert holder.stdout.readline().strip() == "held"
    return holder


# -- the emulation itself: it refuses what Windows refuses, and only that ------------------------------------------

def test_a_file_held_open_cannot_be_replaced_renamed_or_deleted(tmp_path: Path, rules) -> None:
    path, new = tmp_path / "客户.xlsx", tmp_path / "new.tmp"
    path.write_bytes(b"old")
    new.write_bytes(b"new")
    with path.open("rb"):
        for attempt in (lambda: os.replace(new, path), lambda: os.rename(path, tmp_path / "moved.xlsx"),
                        path.unlink, lambda: os.remove(path)):
            with pytest.raises(PermissionError) as refused:
                attempt()
            assert refused.value.winerror == SHARING_VIOLATION
    assert path.read_bytes() == b"old"
    os.replace(new, path)  # closed: allowed
    assert path.read_bytes() == b"new"


def test_a_mapped_file_counts_as_open(tmp_path: Path, rules) -> None:
    path = tmp_path / "客户.xlsx"
    path.write_bytes(b"x" * 4096)
    with path.open("rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    with pytest.raises(SharingViolation):
        path.unlink()
    mapped.close()
    path.unlink()


def test_a_file_another_process_holds_cannot_be_replaced(tmp_path: Path, rules) -> None:
    path, new = tmp_path / "客户.xlsx", tmp_path / "new.tmp"
    path.write_bytes(b"old")
    new.write_bytes(b"new")
    holder = hold(path)
    try:
        with pytest.raises(SharingViolation):
            os.replace(new, path)
    finally:
        holder.kill()
        holder.wait()
    os.replace(new, path)
    assert path.read_bytes() == b"new"


def test_the_rules_reach_the_python_a_test_starts(tmp_path: Path, rules) -> None:
    path = tmp_path / "客户.xlsx"
    path.write_bytes(b"old")
    with path.open("rb"):
        child = subprocess.run([sys.executable, "-c", "import os, sys\ntry:\n    os.unlink(sys.argv[1])\n"
                                "except PermissionError as e:\n    print(e.winerror)", str(path)],
                               capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert child.stdout.strip() == str(SHARING_VIOLATION), child.stderr


@pytest.mark.parametrize("name", ["a<b.xlsx", "a>b", "a:b.eml", 'a"b', "a|b", "a?b", "a*b", "a\x01b", "tab\tname",
                                  "CON", "con.txt", "NUL.xlsx", "PRN", "AUX.eml", "COM1", "com9.xlsx", "LPT1",
                                  "LPT9.log", "name.", "name "])
def test_a_name_windows_forbids_cannot_be_created(tmp_path: Path, name: str, rules) -> None:
    source = tmp_path / "source.txt"
    source.write_text("x", encoding="utf-8")
    for create in (lambda p: p.open("w", encoding="utf-8"), os.mkdir,
                   lambda p: os.open(p, os.O_CREAT | os.O_WRONLY), lambda p: os.replace(source, p)):
        with pytest.raises(OSError) as refused:
            create(tmp_path / name)
        assert refused.value.winerror == 123, name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.txt"]


@pytest.mark.parametrize("name", ["客户[1].xlsx", "CONSOLE.xlsx", "COM10.txt", "张三 (1).xlsx", "a.b.c", ".crm-lock",
                                  "~$客户.xlsx"])
def test_a_name_windows_allows_is_created(tmp_path: Path, name: str, rules) -> None:
    assert forbidden_name(name) is None
    (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / (name + "-dir")).mkdir()


# -- every command, every button and the job under the rules ------------------------------------------------------

def command_lines(book: Path, out: Path) -> dict[str, list[list[str]]]:
    """Each command's lines, in order: the earlier lines give the last one something to do."""
    b = str(book)
    distribute = ["distribute", b, "--out", str(out / "分发"), "--today", DAY]
    return {
        "new": [["new", str(out / "新 客户.xlsx")]],
        "validate": [["validate", b, "--today", DAY]],
        "dedupe": [["dedupe", b, "--today", DAY]],
        "merge": [["dedupe", b, "--today", DAY], ["merge", b, "--today", DAY]],
        "import": [["import", b, str(out / "新客户.csv"), "--today", DAY]],
        "tag": [["tag", b, "--today", DAY]],
        "summary": [["summary", b, "--month", "2026-10", "--today", DAY],
                    ["summary", b, "--month", "2026-10", "--export", str(out / "月报.xlsx"), "--today", DAY]],
        "remind": [["remind", b, "--today", DAY]],
        "export": [["export", b, "--all-owners", "--out", str(out / "导出"), "--today", DAY]],
        "build-templates": [["build-templates", str(out / "模板")]],
        "restore": [["tag", b, "--today", DAY], ["restore", b, "--list"], ["restore", b]],
        "demo": [["demo", str(out / "演示"), "--today", DAY]],
        "excel-setup": [["excel-setup"]],
        "distribute": [distribute],
        "collect": [distribute, ["collect", b, str(out / "分发"), "--today", DAY]],
        "archive": [["archive", b, "--before", "2026-06-01", "--today", DAY], ["archive", b, "--restore"]],
        "job": [["job", b, "--once", "--today", DAY]],
        "job run": [["job", "run", b, "--once", "--today", DAY]],
        "job setup": [["job", "setup", b, "--for", "windows", "--out", str(out / "计划任务")]],
    }


def test_every_command_is_tried_under_the_rules(tmp_path: Path) -> None:
    assert set(command_lines(tmp_path / "a.xlsx", tmp_path)) == set(command_names())


@pytest.mark.parametrize("name", sorted(command_lines(Path("a.xlsx"), Path("."))))
def test_every_command_works_under_windows_rules(name: str, book: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "输出"
    out.mkdir()
    (out / "新客户.csv").write_text("客户名称,所属行业,联系人姓名,联系电话,客户来源,负责人\n"
                                    "宁波新客电子有限公司,制造业,钱多多,13999998888,展会推荐,张伟\n", encoding="gbk")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    with windows_rules():
        for line in command_lines(book, out)[name]:
            result = CliRunner().invoke(app, [*line, "--lang", "zh"] if line[0] != "excel-setup" else line)
            expected = {2} if line[0] == "excel-setup" else {0, 1}  # Linux has no Excel to set up: one line, exit 2
            assert result.exit_code in expected, (line, result.output)
            assert "意外错误" not in result.output and "Traceback" not in result.output, (line, result.output)
    assert not [p.name for p in book.parent.iterdir() if p.name.startswith(".~")]  # no temporary file left
    assert schema.CUSTOMERS.name in python_calamine.CalamineWorkbook.from_path(str(book)).sheet_names


def buttons() -> set[str]:
    """The entry points the workbook's buttons call through RunPython (xlwings passes the VBA module's version)."""
    return {name for name, fn in inspect.getmembers(excel, inspect.isfunction)
            if fn.__module__ == excel.__name__ and list(inspect.signature(fn).parameters) == ["vba_xlwings"]}


BUTTON_ORDER = ["validate", "dedupe", "merge", "import_customers", "tag", "revisit_list", "send_reminders", "test_chat",
                "summary", "distribute", "collect"]


def test_every_button_is_pressed_under_the_rules() -> None:
    assert set(BUTTON_ORDER) == buttons()


def test_every_button_works_under_windows_rules(book: Path, tmp_path: Path, monkeypatch, rules) -> None:
    monkeypatch.setattr(excel, "_now", lambda: TODAY)
    source = tmp_path / "新客户.csv"
    source.write_text("客户名称,所属行业,联系人姓名,联系电话,客户来源,负责人\n"
                      "宁波新客电子有限公司,制造业,钱多多,13999998888,展会推荐,张伟\n", encoding="gbk")
    engine = FileBook(book)
    workbook = xw.Book(impl=engine)
    workbook.sheets["操作"].range("B14").value = str(source)
    workbook.sheets["操作"].range("B17").value = str(tmp_path / "分发")
    workbook.set_mock_caller()
    try:
        for button in BUTTON_ORDER:
            before = len(engine.app.alerts)
            getattr(excel, button)()
            said = engine.app.alerts[before:]
            assert len(said) == 1 and "意外错误" not in said[0], (button, said)
            assert engine.app.status_bar is False
    finally:
        del xw.Book._mock_caller
    assert "新增 1 个客户" in "".join(engine.app.alerts)
    assert sorted((tmp_path / "分发").glob("*.xlsm")), "distribute wrote no one's workbook"
    assert list((book.parent / "outbox").glob("*.eml")), "send_reminders sent nothing"


# -- a file held for a moment, and one held for long -------------------------------------------------------------

@pytest.fixture()
def quick_retries(monkeypatch) -> tuple[float, ...]:
    delays = (0.01, 0.02, 0.04)
    monkeypatch.setattr(safety, "RETRY_DELAYS", delays)
    return delays


def busy_for(times: int, monkeypatch) -> list[str]:
    """os.replace refuses the first ``times`` swaps as Windows does while a scanner holds the file."""
    real, calls = os.replace, []

    def replace(src, dst, **kwargs):
        calls.append(str(dst))
        if len(calls) <= times:
            raise SharingViolation(13, "[WinError 32] the file is being used by another process", str(dst))
        return real(src, dst, **kwargs)

    monkeypatch.setattr(safety.os, "replace", replace)
    return calls


def test_a_file_held_for_a_moment_is_written_after_a_retry(book: Path, quick_retries, monkeypatch) -> None:
    before = digest(book)
    calls = busy_for(2, monkeypatch)
    result = CliRunner().invoke(app, ["tag", str(book), "--today", DAY, "--lang", "zh"])
    assert result.exit_code in (0, 1) and "写入前的备份" in result.output, result.output
    assert len(calls) == 3 and digest(book) != before
    assert len(safety.list_backups(book)) == 1  # one backup, not one per try
    assert not list(book.parent.glob(".~*.tmp"))


def test_a_file_held_for_long_is_refused_in_one_line_and_left_untouched(book: Path, quick_retries,
                                                                         monkeypatch) -> None:
    before, backups = digest(book), safety.list_backups(book)
    calls = busy_for(10**6, monkeypatch)
    result = CliRunner().invoke(app, ["tag", str(book), "--today", DAY, "--lang", "zh"])
    assert result.exit_code == 2
    assert result.output.strip() == f"{book.name}: {IN_USE}（可能是杀毒软件、同步盘或预览窗格）；文件未被修改。"
    assert len(calls) == len(quick_retries) + 1
    assert digest(book) == before and safety.list_backups(book) == backups
    assert not list(book.parent.glob(".~*.tmp"))


def test_a_permission_problem_that_is_not_a_holder_is_not_retried(book: Path, quick_retries, monkeypatch) -> None:
    def refuse(src, dst, **kwargs):
        calls.append(dst)
        raise PermissionError(13, "Permission denied", str(dst))  # a read-only share on Linux: no winerror

    calls: list = []
    monkeypatch.setattr(safety.os, "replace", refuse)
    result = CliRunner().invoke(app, ["tag", str(book), "--today", DAY, "--lang", "zh"])
    assert result.exit_code != 0 and IN_USE not in result.output
    assert len(calls) == 1


def test_another_program_holding_the_workbook_under_the_rules(book: Path, quick_retries, rules) -> None:
    before = digest(book)
    holder = hold(book)
    try:
        refused = CliRunner().invoke(app, ["validate", str(book), "--today", DAY, "--lang", "zh"])
    finally:
        holder.kill()
        holder.wait()
    assert refused.exit_code == 2 and IN_USE in refused.output, refused.output
    assert digest(book) == before and not list(book.parent.glob(".~*.tmp"))
    done = CliRunner().invoke(app, ["validate", str(book), "--today", DAY, "--lang", "zh"])
    assert done.exit_code in (0, 1), done.output
    assert digest(book) != before


def test_the_job_sends_the_days_mail_while_another_program_holds_the_workbook(tmp_path: Path, quick_retries,
                                                                              rules) -> None:
    first = dt.datetime(2026, 12, 1, 9, 0)
    path = tmp_path / "客户.xlsx"
    write_workbook(path, data=make_demo(first.date(), n_customers=60, n_followups=400).frames)
    before = digest(path)
    clock = [first]
    job = Job(path, clock=lambda: clock[0], log=logging.getLogger("test-windows-job"))
    holder = hold(path)
    try:
        job.tick()
    finally:
        holder.kill()
        holder.wait()
    assert digest(path) == before
    mails = sorted((tmp_path / "outbox").glob(f"{first.date()}_*.eml"))
    bodies = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default).get_body(("plain",)).get_content()
              for p in mails]
    assert bodies, "the day's mail waits for no workbook"
    waiting = [b for b in bodies if "待写入" in b]
    assert waiting and all("记一笔" not in b for b in waiting)  # in the managers' digest, not the owners' lists
    assert any("被其他程序占用" in b for b in waiting)

    clock[0] = first.replace(hour=10)  # the next tick, the file free: the day's sheets are written, no mail twice
    done = job.tick()
    assert digest(path) != before, done
    assert sorted((tmp_path / "outbox").glob(f"{first.date()}_*.eml")) == mails
    tasks = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(schema.TASKS.name).to_python()
    assert len(tasks) > 1


# -- the ~$ owner file ---------------------------------------------------------------------------------------------

def opener(answer: bool, asked: list[Path]):
    def opens_for_writing(path: Path) -> bool:
        asked.append(path)
        return answer
    return opens_for_writing


def test_on_windows_a_stale_owner_file_does_not_block(tmp_path: Path) -> None:
    path = tmp_path / "客户.xlsx"
    path.write_bytes(b"book")
    asked: list[Path] = []
    assert safety.open_in_excel(path, windows=True, opens_for_writing=opener(True, asked)) is None
    assert asked == []  # no owner file: nothing to try
    lock = tmp_path / "~$客户.xlsx"
    lock.write_bytes(b"Excel")
    assert safety.open_in_excel(path, windows=True, opens_for_writing=opener(True, asked)) is None  # stale
    assert safety.open_in_excel(path, windows=True, opens_for_writing=opener(False, asked)) == lock  # Excel has it
    assert asked == [path, path]


def test_on_mac_and_linux_the_owner_file_decides(tmp_path: Path) -> None:
    path = tmp_path / "客户.xlsx"
    path.write_bytes(b"book")
    (tmp_path / "~$客户.xlsx").write_bytes(b"Excel")
    asked: list[Path] = []
    assert safety.open_in_excel(path, windows=False, opens_for_writing=opener(True, asked)) == tmp_path / "~$客户.xlsx"
    assert asked == []


@pytest.mark.parametrize(("winerror", "in_excel"), [(32, True), (33, True), (5, False), (None, False)])
def test_only_a_sharing_violation_means_excel_has_it(tmp_path: Path, monkeypatch, winerror, in_excel) -> None:
    path = tmp_path / "客户.xlsx"
    path.write_bytes(b"book")

    def refused(self, *args, **kwargs):
        error = PermissionError(13, "refused", str(self))
        if winerror is not None:
            error.winerror = winerror
        raise error

    monkeypatch.setattr(Path, "open", refused)
    assert safety._opens_for_writing(path) is not in_excel


def test_a_command_on_windows_writes_past_a_stale_owner_file(book: Path, monkeypatch) -> None:
    book.with_name("~$" + book.name).write_bytes(b"Excel crashed")
    real = safety.open_in_excel

    def on(windows: bool) -> None:
        decide = functools.partial(real, windows=windows)  # the real opener: nothing holds the workbook
        monkeypatch.setattr(safety, "open_in_excel", decide)
        monkeypatch.setattr(file_store, "open_in_excel", decide)

    before = digest(book)
    on(windows=False)
    refused = CliRunner().invoke(app, ["tag", str(book), "--today", DAY, "--lang", "zh"])
    assert refused.exit_code == 2 and "Excel" in refused.output and digest(book) == before  # the owner file decides
    on(windows=True)
    done = CliRunner().invoke(app, ["tag", str(book), "--today", DAY, "--lang", "zh"])
    assert done.exit_code in (0, 1) and "写入前的备份" in done.output, done.output  # 1: the demo's problems
    assert digest(book) != before


# -- backups of a workbook named the way a browser names a second download -----------------------------------------

@pytest.mark.parametrize(("name", "lookalike"), [("客户[1]", "客户1"), ("报价[a-z]*?", "报价q-x")])
def test_backups_of_a_name_with_brackets_are_found_kept_and_restored(tmp_path: Path, master: Path, name: str,
                                                                     lookalike: str) -> None:
    path = Path(shutil.copy(master, tmp_path / f"{name}.xlsm"))
    other = Path(shutil.copy(master, tmp_path / f"{lookalike}.xlsm"))  # a name the glob of ``name`` would match
    original = digest(path)
    for _ in range(3):
        assert CliRunner().invoke(app, ["tag", str(other), "--today", DAY]).exit_code in (0, 1)
    assert CliRunner().invoke(app, ["validate", str(path), "--today", DAY]).exit_code in (0, 1)
    assert CliRunner().invoke(app, ["tag", str(path), "--today", DAY]).exit_code in (0, 1)
    found = safety.list_backups(path)
    assert len(found) == 2 and all(p.name.startswith(f"{name}.") for p in found)
    safety.prune_backups(path, keep=1)
    assert safety.list_backups(path) == found[:1] and len(safety.list_backups(other)) == 3
    listing = CliRunner().invoke(app, ["restore", str(path), "--list", "--lang", "zh"])
    assert listing.exit_code == 0 and found[0].name in listing.output, listing.output
    restored = CliRunner().invoke(app, ["restore", str(path), "--lang", "zh"])
    assert restored.exit_code == 0, restored.output
    assert digest(path) == digest(found[0]) != original  # the state after validate, before tag


# -- excel-setup on Windows, under the rules ---------------------------------------------------------------------

def test_excel_setup_for_windows_rewrites_the_users_config_under_the_rules(tmp_path: Path, monkeypatch, rules,
                                                                          quick_retries) -> None:
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    config = excel_setup.user_config("windows", encoding="gbk")
    python = r"C:\Users\张三\客户管理\venv\Scripts\python.exe"
    config.path.parent.mkdir()
    config.path.write_bytes('"INTERPRETER_WIN","C:\\old\\python.exe"\r\n"CONDA PATH",""\r\n'.encode("gbk"))
    # The add-in reading it: the swap waits, then refuses in one line.
    with config.path.open("rb"), pytest.raises(errors.FileInUse):
        excel_setup.setup(config, python)
    assert not [p.name for p in config.path.parent.iterdir() if p.name != config.path.name]  # no temporary left
    assert excel_setup.setup(config, python).changed
    assert config.path.read_bytes().decode("gbk").splitlines()[0] == f'"INTERPRETER_WIN","{python}"'


# -- README's steps are the commands the tool prints ---------------------------------------------------------------

def readme_steps(title: str, fence: str, make_venv: str, scripts: str) -> tuple[str, list[str]]:
    """A README section and its block of steps: a venv, pip install into it, excel-setup, job setup, registration."""
    section = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8").split(f"## {title}")[1] \
        .split("\n## ")[0]
    steps = section.split(f"```{fence}\n")[1].split("```")[0].strip().splitlines()
    venv = steps[0].removeprefix(make_venv) + scripts
    assert steps[1].startswith(venv + "python -m pip install ")
    assert steps[2] == venv + "crm-sheets excel-setup"
    assert steps[3].startswith(venv + "crm-sheets job setup ")
    return section, steps


def test_readme_windows_steps_are_one_command_each_and_register_what_job_setup_writes() -> None:
    section, steps = readme_steps("在 Windows 上", "bat", "py -m venv ", "\\Scripts\\")
    task = PureWindowsPath(r"%LOCALAPPDATA%\crm-sheets") / "crm-sheets-job.xml"
    assert steps[4] == scheduler_entry.register_command(scheduler_entry.System.WINDOWS, task)
    for must in ("解除锁定", "Unblock-File", "受信任位置", "文件正被其他程序占用"):
        assert must in section, must


def test_readme_mac_steps_are_one_command_each_and_register_what_job_setup_writes() -> None:
    section, steps = readme_steps("在 Mac 上", "bash", "python3 -m venv ", "/bin/")
    home = "/Users/zhangsan"
    agent = Path(home) / "Library" / "LaunchAgents" / "com.crm-sheets.job.plist"
    assert steps[4] == scheduler_entry.register_command(scheduler_entry.System.MAC, agent).replace(home, "~")
    assert "xlwings runpython install" in section
