"""`crm-sheets job setup` (issue 31): the entry each OS's scheduler reads, with this PC's absolute paths.

The Task Scheduler XML is checked against Microsoft's published schema (tests/fixtures/task-scheduler.xsd, the part
for the elements written, transcribed from Microsoft's page), the LaunchAgent read back by plistlib, the systemd
unit by `systemd-analyze verify` and by running its ExecStart.  Every path has spaces and Chinese in it.
"""

from __future__ import annotations

import os
import plistlib
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from crm_sheets import scheduler_entry as entries
from crm_sheets.cli import app
from crm_sheets.scheduler_entry import System

XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "fixtures" / "task-scheduler.xsd")))
NS = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
# The task jobs/crm-sheets-job.xml held before this command (issue 31): Count 999, a Context naming no Principal.
OLD_TASK = """<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <Triggers><LogonTrigger><Enabled>true</Enabled></LogonTrigger></Triggers>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure><Interval>PT5M</Interval><Count>999</Count></RestartOnFailure>
    <StartWhenAvailable>true</StartWhenAvailable>
  </Settings>
  <Actions Context="Author">
    <Exec><Command>%USERPROFILE%\\crm-sheets\\jobs\\crm-sheets-job.bat</Command></Exec>
  </Actions>
</Task>
"""


@pytest.fixture()
def workbook(tmp_path: Path) -> Path:
    """A real workbook in a folder whose name has spaces, Chinese and the characters each format must escape."""
    folder = tmp_path / "销售 团队 & <共享> %h ${HOME} $$ 'a'"
    folder.mkdir()
    path = folder / "客户 管理.xlsx"
    result = CliRunner().invoke(app, ["new", str(path)])
    assert result.exit_code == 0, result.output
    return path


def setup(*args: str) -> tuple[str, str]:
    """Run `crm-sheets job setup`; returns what it printed: the first line and the registration command."""
    result = CliRunner().invoke(app, ["job", "setup", *args])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    return lines[0], lines[-1]


def test_windows_task_fits_the_published_schema(workbook: Path, tmp_path: Path) -> None:
    _, command = setup(str(workbook), "--for", "windows", "--out", str(tmp_path / "输出"))
    written = tmp_path / "输出" / "crm-sheets-job.xml"
    assert command == f'schtasks /Create /TN "crm-sheets job" /XML "{written}" /F'
    raw = written.read_bytes()
    assert raw.startswith(b"\xff\xfe")  # UTF-16 with its byte-order mark, as schtasks /XML reads it
    assert raw.decode("utf-16").startswith('<?xml version="1.0" encoding="UTF-16"?>')
    task = etree.fromstring(raw)
    assert XSD.validate(task), XSD.error_log

    def text(path: str) -> str:
        return task.findtext(path, namespaces=NS)

    assert text("t:Actions/t:Exec/t:Command") == os.path.abspath(sys.executable)  # no pythonw.exe on Linux
    assert text("t:Actions/t:Exec/t:Arguments") == f'-m crm_sheets job "{workbook}"'
    assert text("t:Actions/t:Exec/t:WorkingDirectory") == str(workbook.parent)
    principal = task.find("t:Principals/t:Principal", NS)
    assert principal.get("id") == task.find("t:Actions", NS).get("Context")
    assert text("t:Principals/t:Principal/t:LogonType") == "InteractiveToken"
    assert text("t:Principals/t:Principal/t:RunLevel") == "LeastPrivilege"
    assert text("t:Triggers/t:LogonTrigger/t:UserId") == text("t:Principals/t:Principal/t:UserId")
    settings = {child.tag.split("}")[1]: child.text for child in task.find("t:Settings", NS)}
    expected = {"MultipleInstancesPolicy": "IgnoreNew", "DisallowStartIfOnBatteries": "false",
                "StopIfGoingOnBatteries": "false", "ExecutionTimeLimit": "PT0S", "StartWhenAvailable": "true"}
    assert {name: settings.get(name) for name in expected} == expected
    assert text("t:Settings/t:RestartOnFailure/t:Count") == "255"


@pytest.mark.parametrize(("change", "complaint"), [
    (("<Count>255</Count>", "<Count>999</Count>"), "Count"),
    (("<Count>255</Count>", "<Count>0</Count>"), "Count"),
    (("<Interval>PT5M</Interval>", "<Interval>PT30S</Interval>"), "Interval"),
    (("<Interval>PT5M</Interval>", "<Interval>P32D</Interval>"), "Interval"),
    (('Context="Author"', 'Context="Admin"'), "Actions"),
    (("<LogonType>InteractiveToken</", "<LogonType>Interactive</"), "LogonType"),
    (("<MultipleInstancesPolicy>IgnoreNew<", "<MultipleInstancesPolicy>Ignore<"), "MultipleInstancesPolicy"),
    (("<StartWhenAvailable>true<", "<StartWhenAvailable>yes<"), "StartWhenAvailable"),
])
def test_the_schema_check_rejects_what_task_scheduler_rejects(workbook: Path, tmp_path: Path,
                                                                change: tuple[str, str], complaint: str) -> None:
    setup(str(workbook), "--for", "windows", "--out", str(tmp_path))
    text = (tmp_path / "crm-sheets-job.xml").read_bytes().decode("utf-16")
    assert change[0] in text
    assert not XSD.validate(etree.fromstring(text.replace(change[0], change[1]).encode("utf-16")))
    assert complaint in str(XSD.error_log.last_error)


def test_the_old_hand_written_task_fails_the_schema() -> None:
    assert not XSD.validate(etree.fromstring(OLD_TASK.encode("utf-16")))
    errors = str(XSD.error_log)
    assert "Count" in errors and "999" in errors
    assert "Author" in errors  # Context names no Principal


def test_windows_starts_the_job_without_a_console_window(tmp_path: Path) -> None:
    scripts = tmp_path / "venv 环境" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").touch()
    book = tmp_path / "客户.xlsx"
    assert entries.launch(book, System.WINDOWS, str(scripts / "python.exe")).interpreter == str(scripts / "python.exe")
    (scripts / "pythonw.exe").touch()
    assert entries.launch(book, System.WINDOWS, str(scripts / "python.exe")).interpreter == str(scripts / "pythonw.exe")
    assert entries.launch(book, System.MAC, str(scripts / "python.exe")).interpreter == str(scripts / "python.exe")


def test_the_job_runs_without_a_console(workbook: Path) -> None:
    """pythonw.exe gives the program no stdout or stderr (None): the job still does the day's work."""
    windowless = ("import runpy, sys; sys.stdout = sys.stderr = None; "
                  "sys.argv = ['crm_sheets', 'job', sys.argv[1], '--once', '--today', '2026-01-05']; "
                  "runpy.run_module('crm_sheets', run_name='__main__')")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    ran = subprocess.run([sys.executable, "-c", windowless, str(workbook)], cwd=workbook.parent, env=env,
                         capture_output=True, timeout=120)
    assert ran.returncode == 0 and ran.stdout == b"" and ran.stderr == b""
    assert "2026-01-05" in (workbook.parent / "crm-sheets-job.log").read_text(encoding="utf-8")


def test_mac_launch_agent_reads_back(workbook: Path, tmp_path: Path) -> None:
    _, command = setup(str(workbook), "--for", "mac", "--out", str(tmp_path / "代理 目录"))
    written = tmp_path / "代理 目录" / "com.crm-sheets.job.plist"
    assert command.endswith(f"launchctl bootstrap gui/$(id -u) {shlex.quote(str(written))}")
    agent = plistlib.loads(written.read_bytes())
    assert agent["Label"] == "com.crm-sheets.job" == written.stem
    assert agent["ProgramArguments"] == [os.path.abspath(sys.executable), "-m", "crm_sheets", "job", str(workbook)]
    assert agent["WorkingDirectory"] == str(workbook.parent)
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    for key in ("StandardOutPath", "StandardErrorPath"):
        assert Path(agent[key]).is_absolute() and Path(agent[key]).parent.name == "crm-sheets"


def _systemd_argv(exec_start: str) -> list[str]:
    """ExecStart's argv as systemd reads it (systemd.unit(5), systemd.service(5)): "%%" is a specifier for "%",
    then the line splits into words (quotes, backslash escapes), then when the command runs "$$" becomes "$" and
    ${NAME} (or a word that is just $NAME) the variable's value, shown here as <NAME> so that a path taken for a
    variable differs."""
    def variables(word: str) -> str:
        if re.fullmatch(r"\$\w+", word):
            return f"<{word[1:]}>"
        return re.sub(r"\$\$|\$\{(\w+)\}", lambda m: f"<{m[1]}>" if m[1] else "$", word)
    return [variables(word) for word in shlex.split(exec_start.replace("%%", "%"))]


def _unit_value(unit: str, key: str) -> str:
    return re.search(rf"^{key}=(.*)$", unit, re.MULTILINE).group(1)


def test_linux_unit_starts_the_job_with_the_exact_paths(workbook: Path, tmp_path: Path) -> None:
    setup(str(workbook), "--for", "linux", "--out", str(tmp_path))
    unit = (tmp_path / "crm-sheets-job.service").read_text(encoding="utf-8")
    argv = _systemd_argv(_unit_value(unit, "ExecStart"))
    assert argv == [os.path.abspath(sys.executable), "-m", "crm_sheets", "job", str(workbook)]
    assert _unit_value(unit, "WorkingDirectory").replace("%%", "%") == str(workbook.parent)
    assert "loginctl enable-linger" in unit
    # The command the unit runs is the job: once, on a day whose work is due, it tags and writes the reminders.
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    ran = subprocess.run([*argv, "--once", "--today", "2026-01-05"], cwd=workbook.parent, env=env,
                         capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "2026-01-05 tag + 回访任务" in ran.stdout
    assert (workbook.parent / "crm-sheets-job.log").exists()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed (apt: systemd)")
def test_systemd_verifies_the_unit(workbook: Path, tmp_path: Path) -> None:
    """systemd itself finds the interpreter at a path with spaces and Chinese (unquoted, it would look for the
    first word only and report it missing)."""
    python = tmp_path / "Python 环境" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.symlink_to(sys.executable)
    folder = tmp_path / "单元"
    folder.mkdir()
    unit = folder / entries.UNIT
    unit.write_bytes(entries.entry(entries.launch(workbook, System.LINUX, str(python)), System.LINUX))
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    checked = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                             encoding="utf-8", env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert entries.UNIT not in checked.stdout + checked.stderr
    unit.write_text(unit.read_text(encoding="utf-8").replace(f'ExecStart="{python}"', f"ExecStart={python}"),
                    encoding="utf-8")
    broken = subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                            encoding="utf-8", env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=60)
    assert broken.returncode != 0  # the check can fail


def test_on_its_own_os_it_writes_to_the_usual_place(workbook: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entries, "this_system", lambda: System.LINUX)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "配置"))
    _first, command = setup(str(workbook))
    assert (tmp_path / "配置" / "systemd" / "user" / "crm-sheets-job.service").exists()
    assert command == "systemctl --user daemon-reload && systemctl --user enable --now crm-sheets-job.service"

    monkeypatch.setattr(entries, "this_system", lambda: System.MAC)
    monkeypatch.setenv("HOME", str(tmp_path / "家 目录"))
    setup(str(workbook))
    agent = tmp_path / "家 目录" / "Library" / "LaunchAgents" / "com.crm-sheets.job.plist"
    assert plistlib.loads(agent.read_bytes())["ProgramArguments"][-1] == str(workbook)
    assert (tmp_path / "家 目录" / "Library" / "Logs" / "crm-sheets").is_dir()  # launchd would not make it

    monkeypatch.setattr(entries, "this_system", lambda: System.WINDOWS)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData 本地"))
    setup(str(workbook))
    assert (tmp_path / "AppData 本地" / "crm-sheets" / "crm-sheets-job.xml").exists()


def test_for_another_os_it_writes_here_and_again_on_a_second_run(workbook: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(entries, "this_system", lambda: System.LINUX)
    here = tmp_path / "这里"
    here.mkdir()
    monkeypatch.chdir(here)
    first, _ = setup(str(workbook), "--for", "windows")
    written = here / "crm-sheets-job.xml"
    assert str(written) in first
    written.write_bytes(b"old")
    setup(str(workbook), "--for", "windows")  # re-run after a move: its own entry is replaced
    assert XSD.validate(etree.fromstring(written.read_bytes()))


def test_a_missing_workbook_is_one_line_and_nothing_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["job", "setup", str(tmp_path / "没有.xlsx"), "--for", "linux",
                                      "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "没有.xlsx" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("words", [["job", "X"], ["job", "run", "X"], ["job", "--once", "X"]])
def test_job_path_still_runs_the_job(tmp_path: Path, words: list[str]) -> None:
    """`job PATH` is `job run PATH`; a missing workbook shows it reached the job (the run's own message)."""
    missing = str(tmp_path / "缺.xlsx")
    result = CliRunner().invoke(app, [w.replace("X", missing) for w in words] + ["--today", "2026-01-05"])
    assert result.exit_code == 2
    assert "缺.xlsx" in result.output and "找不到" in result.output
