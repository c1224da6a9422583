"""The rules every write obeys (SPEC §6): not while Excel has the file open,
one writer at a time, a backup first, and an atomic replace so the file on
disk is always either the old or the new workbook."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from filelock import FileLock, Timeout

from .. import errors

BACKUP_DIR = ".crm-backups"


def excel_lock_file(path: Path) -> Path | None:
    """Excel's owner file (``~$name``) if Excel has the workbook open."""
    for candidate in (path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])):
        if candidate.exists():
            return candidate
    return None


def refuse_if_open(path: Path) -> None:
    """OpenInExcel if Excel has the workbook open: a write would be refused, so say it before any work."""
    lock = excel_lock_file(path)
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
    try:
        guard.acquire(timeout=wait_seconds)
    except Timeout:
        raise errors.Busy(file=path.name) from None
    try:
        yield
    finally:
        guard.release()


def backup_dir(path: Path) -> Path:
    return path.parent / BACKUP_DIR


def list_backups(path: Path) -> list[Path]:
    """Backups of ``path``, newest first."""
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    found = folder.glob(f"{path.stem}.*{path.suffix}")
    return sorted(found, key=lambda p: p.name, reverse=True)


def make_backup(path: Path, keep: int) -> Path:
    folder = backup_dir(path)
    folder.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    shutil.copy2(path, target)
    for old in list_backups(path)[max(keep, 1):]:
        old.unlink(missing_ok=True)
    return target


def replace_atomically(path: Path, produce: Callable[[BinaryIO], None], keep_backups: int = 10) -> Path:
    """Write the new file beside the old one, back the old one up, then swap.

    A crash at any moment leaves either the old file or the new one at
    ``path``; the half-written temporary file is removed on error and is
    ignored by every reader.
    """
    # Leftovers of a writer that was killed; we hold the lock, so none is live.
    for stale in path.parent.glob(f".~{path.stem}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".~{path.stem}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            produce(out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(path, tmp)
        backup = make_backup(path, keep_backups)
        os.replace(tmp, path)
        _sync_dir(path.parent)
        return backup
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _sync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
