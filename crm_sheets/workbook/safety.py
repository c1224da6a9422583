"""The rules every write obeys (docs/design.md "Data safety"): not while Excel has the file open,
one writer at a time, a backup first, and an atomic replace so the file on
disk is always either the old or the new workbook."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

from filelock import FileLock, Timeout

from .. import errors, faults

BACKUP_DIR = ".crm-backups"
T = TypeVar("T")


def excel_lock_file(path: Path) -> Path | None:
    """Excel's owner file (``~$name``) beside the workbook, if there is one."""
    for candidate in (path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])):
        if candidate.exists():
            return candidate
    return None


def _opens_for_writing(path: Path) -> bool:
    """Whether the workbook can be opened for writing now (Windows: Excel holds an open workbook deny-write)."""
    try:
        with path.open("r+b"):
            return True
    except PermissionError as exc:
        # Anything but a sharing violation (a read-only file, say) is not Excel: the write will say what it is.
        return getattr(exc, "winerror", None) not in SHARING_VIOLATIONS
    except FileNotFoundError:
        return True


def open_in_excel(path: Path, *, windows: bool | None = None,
                  opens_for_writing: Callable[[Path], bool] = _opens_for_writing) -> Path | None:
    """Excel's owner file if Excel has the workbook open.

    Excel crashes and power cuts leave ``~$name`` behind.  On Windows the open itself tells: Excel holds the
    workbook with a sharing mode that refuses writers, so a workbook that opens for writing is not open in
    Excel and its owner file is stale.  On a Mac or Linux nothing is locked that way; the owner file decides.
    """
    lock = excel_lock_file(path)
    if lock is None:
        return None
    if (os.name == "nt") if windows is None else windows:
        return None if opens_for_writing(path) else lock
    return lock


def refuse_if_open(path: Path) -> None:
    """OpenInExcel if Excel has the workbook open: a write would be refused, so say it before any work."""
    lock = open_in_excel(path)
    if lock is not None:
        raise errors.OpenInExcel(file=path.name, lock=lock.name)


def lock_wait() -> float:
    """Seconds a writer waits for another one (the job, a button) to finish: CRM_SHEETS_LOCK_WAIT, else 60."""
    try:
        return max(0.0, float(os.environ.get("CRM_SHEETS_LOCK_WAIT", "60")))
    except ValueError:
        return 60.0


@contextmanager
def exclusive(path: Path, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the workbook's writer lock; refuse if Excel has the file open or another writer keeps it too long."""
    wait_seconds = lock_wait() if wait_seconds is None else wait_seconds
    refuse_if_open(path)
    guard = FileLock(str(path.with_name(f".{path.name}.crm-lock")))
    faults.reached("lock wanted")
    try:
        guard.acquire(timeout=wait_seconds)
    except Timeout:
        raise errors.Busy(file=path.name) from None
    faults.reached("lock taken")
    try:
        yield
    finally:
        guard.release()


def backup_dir(path: Path) -> Path:
    return path.parent / BACKUP_DIR


def _backup_name(path: Path) -> re.Pattern[str]:
    # Matched by name, not globbed: a workbook called 客户[1].xlsx (how a browser saves a second download) would be
    # a glob class, and 客户.xlsx's pattern would also take 客户.old.xlsx's backups.
    return re.compile(re.escape(path.stem) + r"\.\d{8}-\d{6}-\d{6}" + re.escape(path.suffix))


def list_backups(path: Path) -> list[Path]:
    """Backups of ``path``, newest first."""
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    pattern = _backup_name(path)
    found = [p for p in folder.iterdir() if pattern.fullmatch(p.name)]
    return sorted(found, key=lambda p: p.name, reverse=True)


def make_backup(path: Path) -> Path:
    folder = backup_dir(path)
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.copy2(path, target)
    return target


def prune_backups(path: Path, keep: int) -> None:
    for old in list_backups(path)[max(keep, 1):]:
        try:
            old.unlink(missing_ok=True)
        except PermissionError:  # a sync client holding an old backup: it goes next time
            pass


# Seconds between tries when another program holds the file for a moment (antivirus scanning the new file, a sync
# client uploading it, Explorer's preview pane): about six seconds in all.
RETRY_DELAYS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.5, 3.0)
# ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION; ERROR_ACCESS_DENIED is what a file being deleted or scanned gives.
SHARING_VIOLATIONS = (32, 33)


def _in_use(exc: PermissionError) -> bool:
    return getattr(exc, "winerror", None) in (*SHARING_VIOLATIONS, 5) or os.name == "nt"


def staged(path: Path, produce: Callable[[BinaryIO], None]) -> Path:
    """The new file written beside ``path`` (a hidden temporary file, flushed to disk, the old file's mode).

    The caller closes everything it holds on ``path`` before swap_in: Windows refuses to replace a file that any
    handle holds open.
    """
    # Leftovers of a writer that was killed; we hold the lock, so none is live.
    for stale in path.parent.glob(".~*.tmp"):
        if stale.name.startswith(f".~{path.stem}."):
            try:
                stale.unlink(missing_ok=True)
            except PermissionError:
                pass
    fd, tmp_name = tempfile.mkstemp(prefix=f".~{path.stem}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            produce(out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(path, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    faults.reached("temp written")
    return tmp


def while_held(action: Callable[[], T], name: str, *, sleep: Callable[[float], None] = time.sleep) -> T:
    """``action()``, tried again with back-off while another program holds the file (antivirus scanning it, a sync
    client uploading it, Explorer's preview pane); FileInUse naming ``name`` after about six seconds."""
    for delay in RETRY_DELAYS:
        try:
            return action()
        except PermissionError as exc:
            if not _in_use(exc):
                raise
        sleep(delay)
    try:
        return action()
    except PermissionError as exc:
        if not _in_use(exc):
            raise
        raise errors.FileInUse(file=name) from None


def swap_in(path: Path, tmp: Path, keep_backups: int = 10, *, sleep: Callable[[float], None] = time.sleep) -> Path:
    """Back the old file up, then put ``tmp`` in its place; returns the backup.

    A crash at any moment leaves either the old file or the new one at ``path``.  A file another program holds
    for a moment is tried again with back-off; one held for longer gives FileInUse with the file untouched.
    """
    made: list[Path] = []

    def swap() -> None:
        made[:] = made or [make_backup(path)]
        faults.reached("backup made")
        os.replace(tmp, path)
        faults.reached("replaced")

    try:
        while_held(swap, path.name, sleep=sleep)
    except BaseException:
        tmp.unlink(missing_ok=True)
        for backup in made:
            backup.unlink(missing_ok=True)
        raise
    _sync_dir(path.parent)
    prune_backups(path, keep_backups)
    return made[0]


def replace_atomically(path: Path, produce: Callable[[BinaryIO], None], keep_backups: int = 10) -> Path:
    """Write the new file beside the old one, back the old one up, then swap (staged, then swap_in)."""
    return swap_in(path, staged(path, produce), keep_backups)


def _sync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
