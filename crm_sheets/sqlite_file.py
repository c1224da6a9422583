"""The SQLite files the tool keeps beside a workbook (the mail and run ledgers, the history database), opened
with a journal mode the disk they are on can carry.

SQLite's write-ahead log keeps its index in shared memory, and https://www.sqlite.org/wal.html says "All processes
using a database must be on the same host computer; WAL does not work over a network filesystem."  Teams keep the
workbook on a shared drive, so there the files use the rollback journal (DELETE), and WAL (readers and the writer
not waiting for each other) only on a disk this computer knows to be its own: anything it cannot tell is treated
as shared.  The journal mode is kept in the file, so a file an older version left in WAL is switched back the
first time it is opened with no other connection on it.  Either way a writer waits up to BUSY_SECONDS for
another instead of failing with "database is locked".
"""

from __future__ import annotations

import ctypes
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path, PureWindowsPath

BUSY_SECONDS = 30
# File systems that live on a disk of this computer, as Linux (/proc/mounts) and macOS (statfs) name them.  NTFS
# and exFAT through FUSE or ntfs3 are left out: not every such driver maps the "-shm" file shared.
LOCAL_FILESYSTEMS = frozenset({
    "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "jfs", "reiserfs", "bcachefs", "nilfs2", "tmpfs", "ramfs",
    "overlay", "vfat", "msdos", "exfat", "apfs", "hfs", "hfsplus", "ufs",
})
# Windows' GetDriveTypeW answers for a disk in this PC (the others: remote, cdrom, unknown, no_root_dir).
LOCAL_DRIVES = frozenset({"removable", "fixed", "ramdisk"})
DRIVE_TYPES = ("unknown", "no_root_dir", "removable", "fixed", "remote", "cdrom", "ramdisk")


def journal_mode(disk: str) -> str:
    """The journal mode for a file on ``disk`` (a file system type, or on Windows the drive type or "unc")."""
    return "wal" if disk in LOCAL_FILESYSTEMS | LOCAL_DRIVES else "delete"


def disk_of(folder: Path) -> str:
    """What ``folder`` is stored on: the file system type, or on Windows the drive's type ("" if unknown)."""
    if sys.platform == "win32":
        return _windows_drive(folder)
    if sys.platform == "darwin":
        return _mac_filesystem(folder)
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return ""
    return linux_filesystem(os.path.realpath(folder), mounts)


def linux_filesystem(path: str, mounts: str) -> str:
    """The type of the last-mounted file system whose mount point holds ``path``, from /proc/mounts' text."""
    best, kind = -1, ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        # the kernel writes a space, tab, newline or backslash in a mount point as a three-digit octal escape
        point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])
        if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) >= best:
            best, kind = len(point), fields[2]
    return kind


def windows_drive(path: str, drive_type: Callable[[str], int]) -> str:
    """A \\\\server\\share path is "unc"; else the name of what GetDriveTypeW (injected) says of its root."""
    anchor = PureWindowsPath(path).anchor
    if anchor.upper().startswith("\\\\?\\UNC\\") or (anchor.startswith("\\\\") and not anchor.startswith("\\\\?\\")):
        return "unc"
    code = drive_type(anchor) if anchor else 0
    return DRIVE_TYPES[code] if 0 <= code < len(DRIVE_TYPES) else "unknown"


def _windows_drive(folder: Path) -> str:
    get = ctypes.windll.kernel32.GetDriveTypeW  # type: ignore[attr-defined]  # Windows only
    get.argtypes, get.restype = [ctypes.c_wchar_p], ctypes.c_uint
    return windows_drive(os.path.realpath(folder), get)


class _MacStatfs(ctypes.Structure):
    """macOS' struct statfs (64-bit inode layout), up to the name of the file system type."""

    _fields_ = [("f_bsize", ctypes.c_uint32), ("f_iosize", ctypes.c_int32), ("f_blocks", ctypes.c_uint64),
                ("f_bfree", ctypes.c_uint64), ("f_bavail", ctypes.c_uint64), ("f_files", ctypes.c_uint64),
                ("f_ffree", ctypes.c_uint64), ("f_fsid", ctypes.c_int32 * 2), ("f_owner", ctypes.c_uint32),
                ("f_type", ctypes.c_uint32), ("f_flags", ctypes.c_uint32), ("f_fssubtype", ctypes.c_uint32),
                ("f_fstypename", ctypes.c_char * 16), ("f_mntonname", ctypes.c_char * 1024),
                ("f_mntfromname", ctypes.c_char * 1024), ("f_flags_ext", ctypes.c_uint32),
                ("f_reserved", ctypes.c_uint32 * 7)]


def _mac_filesystem(folder: Path) -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        statfs = libc["statfs$INODE64"]  # Intel Macs: the 64-bit inode variant; Apple silicon has only that one
    except AttributeError:
        statfs = libc.statfs
    found = _MacStatfs()
    if statfs(os.fsencode(folder), ctypes.byref(found)) != 0:
        return ""
    return found.f_fstypename.decode("utf-8", "replace")


def journal_for(path: Path) -> str:
    """The journal mode for the SQLite file ``path``, from the disk its folder is on."""
    return journal_mode(disk_of(path.parent))


def connect(path: Path, journal: str, **options) -> sqlite3.Connection:
    """An SQLite connection to ``path`` in ``journal`` mode (journal_for's answer), waiting for other writers."""
    db = sqlite3.connect(path, timeout=BUSY_SECONDS, **options)
    try:
        if db.execute("PRAGMA journal_mode").fetchone()[0] != journal:
            db.execute(f"PRAGMA journal_mode={journal}")
    except sqlite3.OperationalError as exc:
        # Leaving WAL needs the file to itself; with another connection on it, the next one to open it alone will.
        if exc.sqlite_errorcode & 0xFF != sqlite3.SQLITE_BUSY:
            raise
    db.execute("PRAGMA synchronous=FULL")
    return db
