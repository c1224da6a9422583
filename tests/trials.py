"""Crash and concurrency trials (issue 9), shared by the tests and by tests/reliability.py."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import python_calamine

from crm_sheets import schema
from crm_sheets.workbook.write import frame_sheet, write_back

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2026-11-24"


@dataclass
class KillTally:
    trials: int = 0
    opened: int = 0
    old: int = 0
    new: int = 0
    other: int = 0


def _write_once(path: Path) -> None:
    """The write-back every trial makes: a 20,000-row tool sheet into a LibreOffice-made workbook."""
    n = 20_000
    frame = pd.DataFrame({"sheet": ["客户信息"] * n, "row": range(2, n + 2), "column": ["联系电话"] * n,
                          "value": ["123"] * n, "problem": ["电话号码无效"] * n, "fix": ["改成11位手机号"] * n,
                          "code": ["bad_phone"] * n})
    write_back(path, tool_sheets=[frame_sheet(schema.CHECK_RESULTS, frame)], keep_backups=3)


def _fork_write(path: Path) -> int:
    pid = os.fork()
    if pid == 0:  # the child writes and leaves without running the parent's cleanup
        code = 0
        try:
            _write_once(path)
        except BaseException:  # noqa: BLE001 - any failure is reported through the exit code
            code = 1
        os._exit(code)
    return pid


def opens(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            if zf.testzip() is not None:
                return False
        return "客户信息" in python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception:  # noqa: BLE001 - anything that cannot be opened counts as not opening
        return False


def kill_trials(folder: Path, n: int = 100, seed: int = 11) -> KillTally:
    """``n`` write-backs, each SIGKILLed at a random moment; the file must open and be the old or the new one."""
    original = FIXTURES / "foreign.xlsm"
    reference = folder / "reference" / "客户管理.xlsm"
    reference.parent.mkdir(parents=True)
    shutil.copy(original, reference)
    started = time.perf_counter()
    _, status = os.waitpid(_fork_write(reference), 0)
    duration = time.perf_counter() - started
    assert status == 0, "the uninterrupted write failed"
    old, new = original.read_bytes(), reference.read_bytes()
    rng = random.Random(seed)
    tally = KillTally()
    for i in range(n):
        path = folder / f"k{i}" / "客户管理.xlsm"
        path.parent.mkdir()
        shutil.copy(original, path)
        pid = _fork_write(path)
        time.sleep(rng.uniform(0, duration * 1.2))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        tally.trials += 1
        tally.opened += opens(path)
        now = path.read_bytes()
        tally.old += now == old
        tally.new += now == new
        tally.other += now not in (old, new)
        shutil.rmtree(path.parent)
    return tally


def cli(*args: str, cwd: Path, lock_wait: int = 60) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from crm_sheets.cli import main; main()", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8",
                            env={**os.environ, "CRM_SHEETS_LOCK_WAIT": str(lock_wait)})


@dataclass
class ConcurrencyTally:
    runs: int = 0
    both_finished: int = 0
    nothing_lost: int = 0
    refused_clearly: int = 0


def concurrent_writers(path: Path, rounds: int = 3) -> ConcurrencyTally:
    """The job and a CLI command writing the same workbook at once, ``rounds`` times.

    Both must finish (one waits for the other's lock), and the file must then hold what each wrote:
    the job's 回访任务 and 月度汇总, and the ids that validate gave.
    """
    tally = ConcurrencyTally()
    for _ in range(rounds):
        job = cli("job", str(path), "--once", "--today", TODAY, cwd=path.parent)
        check = cli("validate", str(path), "--today", TODAY, cwd=path.parent)
        errors = (job.communicate(timeout=300)[1], check.communicate(timeout=300)[1])
        tally.runs += 1
        # exit 1 is "done, problems found"; a traceback exits 1 too, and is no finish
        tally.both_finished += all(p.returncode in (0, 1) for p in (job, check)) and not any(
            "Traceback" in e for e in errors)
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        names = set(wb.sheet_names)
        ids = [r[0] for r in wb.get_sheet_by_name(schema.CUSTOMERS.name).to_python()[1:] if any(r)]
        tally.nothing_lost += ({schema.TASKS.name, schema.CHECK_RESULTS.name} <= names
                               and any(n.startswith(schema.MONTHLY_PREFIX) for n in names) and all(ids))
        (path.parent / ".crm-mail.sqlite").unlink(missing_ok=True)  # so the next round's job has its day to do
    return tally


def refused_while_locked(path: Path) -> bool:
    """Another writer holds the lock past the wait: the command refuses in one line and leaves the file alone."""
    from filelock import FileLock

    before = path.read_bytes()
    with FileLock(str(path.with_name(f".{path.name}.crm-lock"))):
        proc = cli("tag", str(path), "--today", TODAY, cwd=path.parent, lock_wait=2)
        _out, err = proc.communicate(timeout=120)
    lines = [line for line in err.splitlines() if line.strip()]
    return proc.returncode == 2 and len(lines) == 1 and path.name in lines[0] and path.read_bytes() == before
