"""Windows' file rules, emulated on Linux so the suite can show that every write works there.

Two rules that Linux does not have and that break programs written on it:

* A file that any process holds open cannot be replaced, renamed or deleted: Python's open() (and most
  programs', Excel's and antivirus scanners' included) does not grant FILE_SHARE_DELETE, so MoveFileEx and
  DeleteFile fail with ERROR_SHARING_VIOLATION (WinError 32), which Python raises as PermissionError.  A
  mapped file counts as open.
* Some names cannot be created: ``<>:"/\\|?*`` and control characters, the device names CON, PRN, AUX, NUL,
  COM1–9 and LPT1–9 (with any extension), and a name ending in a dot or a space (Microsoft, "Naming Files,
  Paths, and Namespaces").

``install()`` patches the os / io functions Python code reaches these operations through; "held open" is read
from /proc, so handles opened by native code (calamine, fastexcel, SQLite) and by other processes count too.
With ``CRM_SHEETS_WINDOWS_RULES=1`` in the environment, sitecustomize.py beside this file installs the rules
in every Python subprocess a test starts.
"""

from __future__ import annotations

import builtins
import io
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ENV = "CRM_SHEETS_WINDOWS_RULES"
SHARING_VIOLATION = 32
INVALID_NAME = 123  # ERROR_INVALID_NAME
_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])(\..*)?$", re.IGNORECASE)
_FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}


class SharingViolation(PermissionError):
    """What Windows raises when the file is open elsewhere."""

    winerror = SHARING_VIOLATION


def forbidden_name(name: str) -> str | None:
    """Why Windows would refuse to create a file or folder called ``name`` (None: it would not)."""
    if any(ch in _FORBIDDEN for ch in name):
        return "forbidden character"
    if _RESERVED.match(name):
        return "reserved device name"
    if name not in (".", "..") and name.endswith((".", " ")):
        return "trailing dot or space"
    return None


def holders(path: str | os.PathLike) -> list[int]:
    """The processes (pids) holding ``path`` open or mapped."""
    try:
        target = os.path.realpath(path)
        os.stat(target)
    except OSError:
        return []
    return [int(pid) for pid in filter(str.isdigit, os.listdir("/proc")) if _holds(pid, target)]


def _holds(pid: str, target: str) -> bool:
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return True
            except OSError:
                continue
        with _real_open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as maps:
            return any(line.rstrip("\n").endswith(" " + target) for line in maps)
    except OSError:  # the process ended, or is not ours to read
        return False


_real_open = builtins.open
_real = {name: getattr(os, name) for name in ("replace", "rename", "unlink", "remove", "rmdir", "open", "mkdir")}
_WRITE_MODES = set("wax+")


def _full(path, dir_fd: int | None) -> str:
    path = os.fsdecode(path) if not isinstance(path, int) else ""
    if dir_fd is not None and not os.path.isabs(path):
        return os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
    return path


def _refuse_if_held(op: str, *paths: str) -> None:
    for path in paths:
        if path and os.path.isfile(path) and holders(path):
            raise SharingViolation(13, f"[WinError 32] {op}: the file is being used by another process", path)


def _refuse_name(path: str) -> None:
    name = os.path.basename(path.rstrip("/")) if path else ""
    why = forbidden_name(name) if name else None
    if why:
        err = OSError(22, f"[WinError 123] {why}: {name!r}", path)
        err.winerror = INVALID_NAME  # type: ignore[attr-defined]
        raise err


def _moving(op: str) -> Callable:
    real = _real[op]

    def move(src, dst, *, src_dir_fd=None, dst_dir_fd=None):
        source, target = _full(src, src_dir_fd), _full(dst, dst_dir_fd)
        _refuse_if_held(op, source, target)
        _refuse_name(target)
        return real(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    return move


def _deleting(op: str) -> Callable:
    real = _real[op]

    def delete(path, *args, dir_fd=None, **kwargs):
        _refuse_if_held(op, _full(path, dir_fd))
        return real(path, *args, dir_fd=dir_fd, **kwargs)

    return delete


def _creating_open(path, flags, mode=0o777, *, dir_fd=None):
    if flags & os.O_CREAT and not isinstance(path, int):
        full = _full(path, dir_fd)
        if not os.path.exists(full):
            _refuse_name(full)
        elif flags & os.O_TRUNC:
            _refuse_if_held("truncate", full)
    return _real["open"](path, flags, mode, dir_fd=dir_fd)


def _mkdir(path, mode=0o777, *, dir_fd=None):
    _refuse_name(_full(path, dir_fd))
    return _real["mkdir"](path, mode, dir_fd=dir_fd)


def _open(file, mode="r", *args, **kwargs):
    if not isinstance(file, int) and _WRITE_MODES & set(mode):
        full = os.fsdecode(file)
        if not os.path.exists(full):
            _refuse_name(full)
    return _real_open(file, mode, *args, **kwargs)


def install() -> Callable[[], None]:
    """Put the rules in force in this process; returns the function that lifts them."""
    patches = {
        (os, "replace"): _moving("replace"), (os, "rename"): _moving("rename"),
        (os, "unlink"): _deleting("unlink"), (os, "remove"): _deleting("remove"),
        (os, "rmdir"): _deleting("rmdir"), (os, "open"): _creating_open, (os, "mkdir"): _mkdir,
        (builtins, "open"): _open, (io, "open"): _open,
    }
    saved = {key: getattr(*key) for key in patches}
    for (module, name), fn in patches.items():
        setattr(module, name, fn)

    def lift() -> None:
        for (module, name), fn in saved.items():
            setattr(module, name, fn)

    return lift


@contextmanager
def windows_rules() -> Iterator[None]:
    """The rules in force in this process and in the Python subprocesses it starts."""
    before = {k: os.environ.get(k) for k in (ENV, "PYTHONPATH")}
    here = str(Path(__file__).parent / "windows_site")
    os.environ[ENV] = "1"
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [here, before["PYTHONPATH"]]))
    lift = install()
    try:
        yield
    finally:
        lift()
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
