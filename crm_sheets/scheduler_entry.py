"""The entry that has the operating system start `crm-sheets job` for one workbook, with this PC's paths filled in.

Windows: a Task Scheduler task (XML, UTF-16) started at logon; Mac: a LaunchAgent (plist); Linux: a systemd user
unit.  Each starts ``<interpreter> -m crm_sheets job <workbook>`` in the workbook's folder, so it runs the Python
crm-sheets is installed in whatever PATH says.  The job itself logs to crm-sheets-job.log beside the workbook.
"""

from __future__ import annotations

import datetime as dt
import enum
import getpass
import os
import plistlib
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path, PurePath

TASK_NAME = "crm-sheets job"
LABEL = "com.crm-sheets.job"
UNIT = "crm-sheets-job.service"
LINUX_REGISTER = f"systemctl --user daemon-reload && systemctl --user enable --now {UNIT}"
TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"
# A daily start as well as the logon one: after a failure outlives its restarts, the next morning starts it again
# (a job already running is left alone).
DAILY_START = dt.time(6, 0)
RESTART_EVERY, RESTARTS = "PT5M", 255  # the schema's limits: PT1M-P31D, unsignedByte 1-255


class System(enum.StrEnum):
    WINDOWS = "windows"
    MAC = "mac"
    LINUX = "linux"


def this_system() -> System:
    if sys.platform == "win32":
        return System.WINDOWS
    return System.MAC if sys.platform == "darwin" else System.LINUX


@dataclass(frozen=True)
class Launch:
    """What the scheduler starts: the interpreter, the workbook, and where the output goes (all absolute)."""

    interpreter: str
    workbook: str
    logs: str
    user: str | None

    @property
    def folder(self) -> str:
        return str(PurePath(self.workbook).parent)

    @property
    def argv(self) -> list[str]:
        return [self.interpreter, "-m", "crm_sheets", "job", self.workbook]


def launch(workbook: Path, system: System, interpreter: str = sys.executable) -> Launch:
    """The launch for this PC.  The interpreter is kept as given, not resolved: a venv's python is a link whose
    location is what makes it the venv's."""
    book = Path(os.path.abspath(workbook))
    python = os.path.abspath(interpreter)
    if system is System.WINDOWS:
        python = _windowless(python)
    logs = Path.home() / "Library" / "Logs" / "crm-sheets" if system is System.MAC else book.parent
    return Launch(interpreter=python, workbook=str(book), logs=str(logs), user=_user(system))


def _windowless(python: str) -> str:
    """pythonw.exe beside python.exe starts without a console window (python.org's installer and venvs have it)."""
    quiet = Path(python).with_name("pythonw.exe")
    return str(quiet) if Path(python).name.lower() == "python.exe" and quiet.exists() else python


def _user(system: System) -> str | None:
    if system is System.WINDOWS and os.environ.get("USERNAME"):
        domain = os.environ.get("USERDOMAIN")
        return f"{domain}\\{os.environ['USERNAME']}" if domain else os.environ["USERNAME"]
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name known: the task runs as whoever registers it
        return None


def file_name(system: System) -> str:
    return {System.WINDOWS: "crm-sheets-job.xml", System.MAC: f"{LABEL}.plist", System.LINUX: UNIT}[system]


def usual_folder(system: System) -> Path:
    """Where the entry goes when --out is not given: the OS's own place on its own OS, else the current folder."""
    if system is not this_system():
        return Path.cwd()
    if system is System.WINDOWS:
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "crm-sheets"
    if system is System.MAC:
        return Path.home() / "Library" / "LaunchAgents"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user"


def entry(launch: Launch, system: System) -> bytes:
    """The file's bytes, in the encoding its OS reads."""
    if system is System.WINDOWS:
        return windows_task(launch)
    return mac_agent(launch) if system is System.MAC else linux_unit(launch).encode("utf-8")


def register_command(system: System, path: Path) -> str:
    """The one command that registers the written entry with the OS."""
    if system is System.WINDOWS:
        return f'schtasks /Create /TN "{TASK_NAME}" /XML "{path}" /F'
    if system is System.MAC:
        # bootout first: bootstrap refuses a label that is loaded already (re-running setup after a move).
        return (f"launchctl bootout gui/$(id -u)/{LABEL} 2>/dev/null; "
                f"launchctl bootstrap gui/$(id -u) {shlex.quote(str(path))}")
    if path.parent == usual_folder(System.LINUX):
        return LINUX_REGISTER
    return f"systemctl --user daemon-reload && systemctl --user enable --now {shlex.quote(str(path))}"


def windows_task(launch: Launch) -> bytes:
    """A task for Microsoft's Task Scheduler schema (version 1.3), UTF-16 with a BOM as schtasks /XML reads it."""
    task = ET.Element("Task", version="1.3", xmlns=TASK_NS)
    info = _sub(task, "RegistrationInfo")
    if launch.user:
        _sub(info, "Author", launch.user)
    _sub(info, "Description", "crm-sheets: daily revisit reminders and the monthly summary")
    triggers = _sub(task, "Triggers")
    logon = _sub(triggers, "LogonTrigger")
    _sub(logon, "Enabled", "true")
    if launch.user:
        _sub(logon, "UserId", launch.user)
    daily = _sub(triggers, "CalendarTrigger")
    _sub(daily, "Enabled", "true")
    _sub(daily, "StartBoundary", dt.datetime.combine(dt.date(2025, 1, 1), DAILY_START).isoformat())
    _sub(_sub(daily, "ScheduleByDay"), "DaysInterval", "1")
    principal = _sub(_sub(task, "Principals"), "Principal", id="Author")
    if launch.user:
        _sub(principal, "UserId", launch.user)
    _sub(principal, "LogonType", "InteractiveToken")
    _sub(principal, "RunLevel", "LeastPrivilege")
    settings = _sub(task, "Settings")
    for name, value in [("MultipleInstancesPolicy", "IgnoreNew"), ("DisallowStartIfOnBatteries", "false"),
                        ("StopIfGoingOnBatteries", "false"), ("AllowHardTerminate", "true"),
                        ("StartWhenAvailable", "true"), ("RunOnlyIfNetworkAvailable", "false"),
                        ("AllowStartOnDemand", "true"), ("Enabled", "true"), ("Hidden", "false"),
                        ("ExecutionTimeLimit", "PT0S")]:
        _sub(settings, name, value)
    restart = _sub(settings, "RestartOnFailure")
    _sub(restart, "Interval", RESTART_EVERY)
    _sub(restart, "Count", str(RESTARTS))
    run = _sub(_sub(task, "Actions", Context="Author"), "Exec")
    _sub(run, "Command", launch.interpreter)
    _sub(run, "Arguments", subprocess.list2cmdline(launch.argv[1:]))  # the C runtime's quoting, which Python parses
    _sub(run, "WorkingDirectory", launch.folder)
    ET.indent(task)
    text = '<?xml version="1.0" encoding="UTF-16"?>\n' + ET.tostring(task, encoding="unicode") + "\n"
    return text.encode("utf-16")  # Python's utf-16 writes the byte-order mark


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def mac_agent(launch: Launch) -> bytes:
    """A LaunchAgent: started at login and every morning, started again after a crash (not after a clean stop)."""
    logs = PurePath(launch.logs)
    return plistlib.dumps({
        "Label": LABEL,
        "ProgramArguments": launch.argv,
        "WorkingDirectory": launch.folder,
        "RunAtLoad": True,
        "StartCalendarInterval": {"Hour": DAILY_START.hour, "Minute": DAILY_START.minute},
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 60,
        "StandardOutPath": str(logs / "crm-sheets-job.out.log"),
        "StandardErrorPath": str(logs / "crm-sheets-job.err.log"),
    })


def linux_unit(launch: Launch) -> str:
    return f"""\
# systemd user unit: the crm-sheets background job, written by `crm-sheets job setup` (run it again after
# moving the workbook or the Python environment).
# Register (the file in ~/.config/systemd/user): {LINUX_REGISTER}
# Keep it running when nobody is logged in: loginctl enable-linger "$USER"
# SMTP password: keyring set crm-sheets <发件人邮箱>   (or Environment=CRM_SHEETS_SMTP_PASSWORD=… under [Service])
[Unit]
Description=crm-sheets daily reminders and monthly summary
After=network-online.target

[Service]
Type=simple
WorkingDirectory={_systemd_specifiers(launch.folder)}
ExecStart={" ".join(_systemd_word(arg) for arg in launch.argv)}
Restart=on-failure
RestartSec=60
# SIGTERM stops the job cleanly between two steps.
KillSignal=SIGTERM
TimeoutStopSec=120

[Install]
WantedBy=default.target
"""


def _systemd_specifiers(text: str) -> str:
    return text.replace("%", "%%")


def _systemd_word(arg: str) -> str:
    """One ExecStart argument as systemd.service(5) reads it: specifiers (%) first, then quotes and C escapes,
    then $VARIABLE substitution when it runs."""
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("$", "$$")
    return f'"{_systemd_specifiers(escaped)}"'
