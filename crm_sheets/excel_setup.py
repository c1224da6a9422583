"""``crm-sheets excel-setup``: the workbook's buttons run the Python that crm-sheets is installed in.

xlwings' VBA (``RunPython`` in xlwings.bas) looks a setting up in three places, the first that has it winning: the
hidden ``xlwings.conf`` sheet of the workbook, an ``xlwings.conf`` file beside the workbook, and the user's own
``xlwings.conf`` (``GetConfigFilePath``).  Workbooks travel between PCs, so the interpreter goes into the user's own
file, never into a workbook: INTERPRETER_WIN on Windows, INTERPRETER_MAC on Mac; without it xlwings runs ``python``
from PATH, which the venv is not on.

The file is what xlwings' VBA ``GetConfigFromFile`` reads with ``Input #``: one ``"KEY","value"`` line per key,
the first line of a key wins, and a blank line would pair a key with the next line's key.  VBA's ``Open ... For
Input`` has no encoding: on Windows it decodes the ANSI code page (GBK on a Chinese edition), so the file is
written in it, with CRLF like VBA's own ``Write #``; on Mac xlwings writes UTF-8 with LF.  Other lines of the file
are kept byte for byte.
"""

from __future__ import annotations

import locale
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import errors
from .workbook.safety import while_held

WINDOWS, MAC = "windows", "mac"
# Where the VBA looks (GetConfigFilePath): %USERPROFILE%\.xlwings\ on Windows; on Mac the "home folder" of the
# sandboxed Excel, ~/Library/Containers/com.microsoft.Excel/Data.
MAC_CONTAINER = Path("Library", "Containers", "com.microsoft.Excel")
# xlwings' AppleScript pastes INTERPRETER_MAC unquoted into a shell command (after "|"-splitting its one
# parameter), so the Mac path must be made of characters no shell or AppleScript reads specially; non-ASCII
# names do not survive VBA -> AppleScriptTask -> do shell script either.
MAC_SAFE = re.compile(r"[A-Za-z0-9/._+@,=-]+")


@dataclass(frozen=True)
class UserConfig:
    """The user's own xlwings.conf on one kind of PC, and how xlwings' VBA there reads it."""

    system: str
    path: Path
    key: str
    encoding: str
    newline: bytes


@dataclass(frozen=True)
class Outcome:
    config: UserConfig
    interpreter: str
    changed: bool
    applescript: Path | None = None


def this_system() -> str:
    if sys.platform.startswith("win"):
        return WINDOWS
    return MAC if sys.platform == "darwin" else "linux"


def user_config(system: str | None = None, *, encoding: str | None = None) -> UserConfig | None:
    """The user's xlwings.conf for ``system`` (default this PC's) under this user's home; None where there is no
    Excel (Linux).  ``encoding`` stands in for Windows' ANSI code page (the running Windows' own by default)."""
    system = system or this_system()
    if system == WINDOWS:
        home = Path(os.environ.get("USERPROFILE") or Path.home())
        return UserConfig(WINDOWS, home / ".xlwings" / "xlwings.conf", "INTERPRETER_WIN",
                          encoding or locale.getencoding(), b"\r\n")
    if system == MAC:
        return UserConfig(MAC, Path.home() / MAC_CONTAINER / "Data" / "xlwings.conf", "INTERPRETER_MAC",
                          "utf-8", b"\n")
    return None


def setup(config: UserConfig, interpreter: str | None = None) -> Outcome:
    """Name ``interpreter`` (default: the Python running this) in ``config`` for the buttons; on Mac also put
    xlwings' AppleScript where Excel finds it (what ``xlwings runpython install`` does)."""
    interpreter = interpreter or sys.executable
    line = _line(config, interpreter)
    if config.system == MAC and not (Path.home() / MAC_CONTAINER).is_dir():
        raise errors.ExcelNeverOpened(folder=Path.home() / MAC_CONTAINER)
    old = config.path.read_bytes() if config.path.exists() else None
    new = merged(old or b"", config.key, line, config.newline)
    if new != old:
        _write_atomically(config.path, new)
    script = None
    if config.system == MAC:
        import xlwings
        from xlwings.cli import runpython_install

        runpython_install(None)
        script = (Path.home() / "Library" / "Application Scripts" / "com.microsoft.Excel"
                  / f"xlwings-{xlwings.__version__}.applescript")
    return Outcome(config, interpreter, new != old, script)


def _line(config: UserConfig, interpreter: str) -> bytes:
    """The ``"KEY","value"`` line in the file's encoding; a path xlwings cannot pass on is refused here."""
    if config.system == MAC:
        bad = next((ch for ch in interpreter if not MAC_SAFE.fullmatch(ch)), None)
        if bad is not None:
            raise errors.InterpreterPathMac(path=interpreter, char=bad)
    try:
        return f'"{config.key}","{interpreter}"'.encode(config.encoding)
    except UnicodeEncodeError as exc:
        raise errors.InterpreterPathCodePage(path=interpreter, char=exc.object[exc.start],
                                             encoding=config.encoding) from None


def merged(old: bytes, key: str, line: bytes, newline: bytes) -> bytes:
    """``old`` with ``line`` in place of the first line of ``key`` (or appended), other lines of that key and
    blank lines dropped, every other line kept byte for byte.  Works on bytes: in the ANSI code pages of
    Windows (GBK, Shift-JIS, Big5…) a second byte is never a quote, comma or line end."""
    lines, placed = [], False
    for kept in old.splitlines():
        if not kept.strip():
            continue
        if _first_field(kept).upper() == key.upper():
            if not placed:
                lines.append(line)
                placed = True
            continue
        lines.append(kept)
    if not placed:
        lines.append(line)
    return newline.join(lines) + newline


def _first_field(line: bytes) -> str:
    """The key of a line as VBA's ``Input #`` reads it: quoted up to the next quote, else up to a comma."""
    text = line.decode("ascii", "replace").lstrip(" \t")
    if text.startswith('"'):
        return text[1:].split('"', 1)[0]
    return text.split(",", 1)[0].strip()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        while_held(lambda: os.replace(tmp, path), path.name)
    finally:
        Path(tmp).unlink(missing_ok=True)
