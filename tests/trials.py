"""Crash and concurrency trials (issues 9 and 34), shared by the tests and by tests/reliability.py.

A run does not die at a random moment: it stops at a named point (crm_sheets.faults), the test asserts it got
there, and what the file must hold at that point is known by hand.  Two writers overlap by the same means: the
first waits at a point holding the lock until the test lets it go.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
from filelock import FileLock

from crm_sheets import faults, schema
from crm_sheets.workbook.safety import list_backups

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2026-11-24"
# Where the write path can stop, and which file is on disk then (the swap is os.replace, after the backup).
WRITE_POINTS = {"lock taken": "old", "temp written": "old", "backup made": "old", "replaced": "new"}


def cli(*args: str, cwd: Path, lock_wait: int = 60, fault: str = "", mark: Path | None = None,
        gate: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "CRM_SHEETS_LOCK_WAIT": str(lock_wait), faults.FAULT: fault,
           faults.MARK: str(mark or ""), faults.GATE: str(gate or "")}
    return subprocess.Popen([sys.executable, "-c", "from crm_sheets.cli import main; main()", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", env=env)


def passed(mark: Path) -> list[str]:
    """The points a run reached, in order."""
    return mark.read_text(encoding="utf-8").splitlines() if mark.exists() else []


def wait_for(point: str, mark: Path, proc: subprocess.Popen, deadline: float = 300) -> bool:
    """Wait until the run has reached ``point`` (True) or ended without reaching it (False)."""
    end = time.monotonic() + deadline
    while point not in passed(mark):
        if proc.poll() is not None or time.monotonic() > end:
            return point in passed(mark)
        time.sleep(0.02)
    return True


def stopped(proc: subprocess.Popen, mark: Path) -> tuple[int, list[str], str]:
    """How a run stopped: its exit code, the points it passed, its stderr."""
    _out, err = proc.communicate(timeout=600)
    return proc.returncode, passed(mark), err


def opens(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.testzip() is not None:
                return False
        return "客户信息" in python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # noqa: BLE001 - anything that cannot be opened counts as not opening
        return False


def temps(path: Path) -> list[str]:
    """A writer's temporary files beside the workbook."""
    return sorted(p.name for p in path.parent.glob(f".~{path.stem}.*.tmp"))


@dataclass
class Crash:
    point: str
    exit: int
    passed: list[str]
    held: str  # the workbook at the stop: "old", "new" or "other"
    temps: list[str]
    backup_of_old: bool  # a backup byte-identical to the old file is there
    then_held: str  # the workbook after the next command (the same one, run to the end)
    then_temps: list[str] = field(default_factory=list)


def _which(data: bytes, old: bytes, new: bytes) -> str:
    return "old" if data == old else "new" if data == new else "other"


def crash_write(point: str, folder: Path, new: bytes) -> Crash:
    """`validate` on the LibreOffice-made workbook, stopped at ``point``; then run again to the end.  ``new`` is
    the file an uninterrupted run writes."""
    path = folder / "客户管理.xlsm"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "foreign.xlsm", path)
    old = path.read_bytes()
    mark = folder / "mark.txt"
    code, seen, _err = stopped(cli("validate", str(path), "--today", TODAY, cwd=folder, fault=point, mark=mark), mark)
    crash = Crash(point=point, exit=code, passed=seen, held=_which(path.read_bytes(), old, new), temps=temps(path),
                  backup_of_old=any(b.read_bytes() == old for b in list_backups(path)), then_held="")
    again = cli("validate", str(path), "--today", TODAY, cwd=folder)
    again.communicate(timeout=600)
    crash.then_held, crash.then_temps = _which(path.read_bytes(), old, new), temps(path)
    return crash


def uninterrupted(folder: Path) -> bytes:
    """What `validate` writes into the LibreOffice-made workbook when nothing stops it."""
    path = folder / "客户管理.xlsm"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "foreign.xlsm", path)
    proc = cli("validate", str(path), "--today", TODAY, cwd=folder)
    _out, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, err  # done, problems found
    return path.read_bytes()


def kill_trials(folder: Path) -> dict[str, Crash]:
    """The write stopped once at each point of WRITE_POINTS."""
    new = uninterrupted(folder / "reference")
    return {point: crash_write(point, folder / f"k{i}", new) for i, point in enumerate(WRITE_POINTS)}


@dataclass
class Overlap:
    first_paused: list[str]  # the points the first writer had passed while it held the lock
    second_waiting: list[str]  # the points the second had passed then
    second_running: bool  # the second had not finished then
    exits: tuple[int | None, int | None]
    tracebacks: bool
    second_then: list[str]  # the points the second passed in all
    sheets: set[str]  # the sheets of the file in the end
    second_saw_first: bool  # the file the second one replaced (its backup) holds the first one's result, not its own


def overlap(path: Path) -> Overlap:
    """`validate` takes the writer lock and is held there; `summary` starts, reads, and waits for the lock; then
    validate is let go.  Both must finish, one after the other, each result in the file."""
    folder = path.parent
    gate = FileLock(str(folder / "gate.lock"))
    first_mark, second_mark = folder / "first.txt", folder / "second.txt"
    with gate:
        first = cli("validate", str(path), "--today", TODAY, cwd=folder, fault="pause:lock taken", mark=first_mark,
                    gate=folder / "gate.lock")
        assert wait_for("lock taken", first_mark, first), first.communicate()
        second = cli("summary", str(path), "--today", TODAY, cwd=folder, mark=second_mark)
        assert wait_for("lock wanted", second_mark, second), second.communicate()
        first_paused, second_waiting, second_running = passed(first_mark), passed(second_mark), second.poll() is None
    errors = [p.communicate(timeout=600)[1] for p in (first, second)]
    names = set(python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names)
    newest = python_calamine.CalamineWorkbook.from_path(str(list_backups(path)[0])).sheet_names
    return Overlap(first_paused=first_paused, second_waiting=second_waiting, second_running=second_running,
                   exits=(first.returncode, second.returncode), tracebacks=any("Traceback" in e for e in errors),
                   second_then=passed(second_mark), sheets=names,
                   second_saw_first=schema.CHECK_RESULTS.name in newest
                   and not any(n.startswith(schema.MONTHLY_PREFIX) for n in newest))


def refused_while_locked(path: Path) -> bool:
    """Another writer holds the lock past the wait: the command refuses in one line and leaves the file alone."""
    before = path.read_bytes()
    with FileLock(str(path.with_name(f".{path.name}.crm-lock"))):
        proc = cli("tag", str(path), "--today", TODAY, cwd=path.parent, lock_wait=2)
        _out, err = proc.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    return proc.returncode == 2 and len(lines) == 1 and path.name in lines[0] and path.read_bytes() == before
