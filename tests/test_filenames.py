"""Issue 31, point 8: file names made from cells (outbox mails, distribute's and export's workbooks).

The rules the names are checked against are written here from Microsoft's "Naming Files, Paths, and Namespaces"
(Win32 file I/O documentation), not taken from crm_sheets/filenames.py; on Python 3.13 and later the standard
library's own ntpath.isreserved checks every name too.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ntpath
import posixpath
import struct
import tempfile
import unicodedata
from pathlib import Path

import python_calamine
from corpus import customer_row, xlsx
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app
from crm_sheets.filenames import file_names
from crm_sheets.mail import Ledger, Mail, deliver

# "Do not use the following reserved names for the name of a file: CON, PRN, AUX, NUL, COM1 … COM9, COM¹, COM²,
# COM³, LPT1 … LPT9, LPT¹, LPT², and LPT³. Also avoid these names followed immediately by an extension; for
# example, NUL.txt and NUL.tar.gz are both equivalent to NUL."
DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{port}{n}" for port in ("COM", "LPT") for n in "123456789¹²³"}
# "Use any character in the current code page for a name, … except for the following reserved characters:
# < > : " / \ | ? *" and "Integer value zero … characters whose integer representations are in the range from 1
# through 31"; "Do not end a file or directory name with a space or a period."
FORBIDDEN = set('<>:"/\\|?*') | {chr(i) for i in range(32)}
NASTY = ["CON", "con", "nul.txt", "Com1", "COM¹", "lpt³", "aux ", "PRN.", ".", "..", "../", "..\\", "/", "\\",
         "C:", "c:\\Windows\\", "\\\\server\\share\\", "/etc/passwd", "~$", "._", ".~", " ", "\u3000", "\x00",
         "\x1f", "\n", "<", ">", ":", '"', "|", "?", "*", "Amy", "amy", "AMY", "é", "e\u0301", "😀", "李娜", "-"]


def windows_accepts(name: str) -> bool:
    """A single file name that Windows creates as typed, per the rules quoted above."""
    return (name not in ("", ".", "..") and not FORBIDDEN & set(name) and not name.endswith((" ", "."))
            and name.partition(".")[0].rstrip(" ").upper() not in DEVICES)


def check_batch(texts: list[str], suffix: str, folder: Path) -> dict[str, str]:
    names = file_names(texts, suffix)
    assert set(names) == set(texts)
    for text, name in names.items():
        assert windows_accepts(name), (text, name)
        if hasattr(ntpath, "isreserved"):  # Python 3.13+
            assert not ntpath.isreserved(name), (text, name)
        assert name.endswith(suffix) and len(name) - len(suffix) <= 80, (text, name)
        assert len(name.encode("utf-8")) <= 255, (text, name)
        assert not name.startswith((".", "~$")), (text, name)  # never hidden, never taken for Excel's owner file
        # one component, no drive, no root: joined to a folder it stays in that folder
        assert ntpath.basename(name) == posixpath.basename(name) == name and not ntpath.splitdrive(name)[0]
        target = folder / name
        assert target.resolve().parent == folder.resolve()
        target.write_bytes(text.encode("utf-8", "surrogatepass"))
    # Amy and amy, é and e + combining accent: the same file on NTFS and APFS, so never the same name here
    folded = {unicodedata.normalize("NFC", n).casefold() for n in names.values()}
    assert len(folded) == len(names)
    assert sorted(p.name for p in folder.iterdir()) == sorted(names.values())  # nothing else, nothing overwritten
    for text, name in names.items():
        assert (folder / name).read_bytes() == text.encode("utf-8", "surrogatepass")
    return names


cell = st.lists(st.one_of(st.sampled_from(NASTY), st.characters(exclude_categories=())), max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(cell, max_size=12), st.sampled_from(["", ".xlsx", ".xlsm", ".eml"]))
@example(NASTY, ".xlsx")
@example(["Amy", "amy", "AMY", "amy-" + "0" * 8, "a" * 200, "a" * 201, "😀" * 90], ".eml")
def test_any_cells_make_valid_distinct_names_inside_the_folder(texts: list[str], suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        names = check_batch(texts, suffix, Path(tmp))
    assert file_names(reversed(texts), suffix) == names  # the same texts give the same names, in any order


def test_names_as_the_documented_rules_make_them() -> None:
    names = file_names(["李娜 <lina@x.com>", "con", "NUL.tar", "COM²", "Amy", "../../etc", "a" * 100, "张伟"], ".xlsx")
    assert names["李娜 <lina@x.com>"] == "李娜 _lina@x.com_.xlsx"
    assert names["con"] == "con_.xlsx" and names["NUL.tar"] == "NUL_.tar.xlsx" and names["COM²"] == "COM²_.xlsx"
    assert names["Amy"] == "Amy.xlsx" and names["张伟"] == "张伟.xlsx"  # alone, a plain name keeps its own spelling
    assert names["../../etc"] == "___.._etc.xlsx"
    assert names["a" * 100] == "a" * 80 + ".xlsx"
    both = file_names(["Amy", "amy"], ".xlsx")
    assert both["Amy"] != both["amy"] and both["Amy"].lower() != both["amy"].lower()
    assert both == file_names(["amy", "Amy"], ".xlsx") == file_names(["Amy", "amy", "Amy"], ".xlsx")


# -- where the names are used ---------------------------------------------------------------------------------
TEAM = ["张伟", "../逃出", "/etc/passwd", "C:\\Windows\\win.ini", "\\\\server\\share\\x", "CON", "Amy", "amy",
        "李娜 <ln@x.com>", "某" * 100, "...", "~$王"]


def team_book(path: Path) -> Path:
    team = [schema.TEAM.headers] + [[name, f"p{i}@example.com", "经理" if i == 0 else "销售",
                                    "" if i == 0 else "张伟"] for i, name in enumerate(TEAM)]
    customers = [schema.CUSTOMERS.headers] + [
        customer_row(f"客户{i}科技有限公司", f"1381234{i:04d}", 负责人=name, 客户编号=f"C{i:05d}")
        for i, name in enumerate(TEAM)]
    return xlsx(path, {schema.CUSTOMERS.name: customers, schema.TEAM.name: team})


def owners(folder: Path) -> dict[str, str]:
    """File name -> the person its 分发信息 names."""
    found = {}
    for path in folder.iterdir():
        origin = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("分发信息").to_python()
        found[path.name] = dict(origin[1:])["负责人"]
    return found


def every_file(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_distribute_gives_everyone_a_safe_workbook_inside_the_folder_and_collect_reads_them(tmp_path: Path) -> None:
    master = team_book(tmp_path / "客户.xlsx")
    done = CliRunner().invoke(app, ["distribute", str(master), "--today", "2026-11-24", "--lang", "zh"])
    assert done.exit_code == 0, done.output
    folder = tmp_path / "客户-分发"
    assert every_file(tmp_path) == {master} | set(folder.iterdir())  # nothing written anywhere else
    made = owners(folder)
    assert sorted(made.values()) == sorted(TEAM)  # one workbook each, the person's own
    assert all(windows_accepts(name) for name in made)
    assert len({name.casefold() for name in made}) == len(TEAM)
    # Beside them macOS's AppleDouble file (exFAT stick, SMB share) and Excel's owner file: collect passes them by.
    (folder / "._客户-张伟.xlsx").write_bytes(apple_double())
    (folder / "~$客户-张伟.xlsx").write_bytes(b"\x06Excel owner" + b"\x00" * 150)
    again = CliRunner().invoke(app, ["collect", str(master), "--today", "2026-11-24", "--lang", "zh"])
    assert again.exit_code == 0, again.output
    assert "没有写入" in again.output  # untouched copies: read, nothing to bring back


def test_export_all_owners_names_each_file_safely(tmp_path: Path) -> None:
    master = team_book(tmp_path / "客户.xlsx")
    out = tmp_path / "exports"
    done = CliRunner().invoke(app, ["export", str(master), "--all-owners", "--out", str(out), "--today", "2026-11-24"])
    assert done.exit_code == 0, done.output
    assert every_file(tmp_path) == {master} | set(out.iterdir())
    names = [p.name for p in out.iterdir()]
    assert len(names) == len({n.casefold() for n in names}) == len(TEAM)
    assert all(windows_accepts(name) for name in names)


def test_outbox_mails_get_safe_names_even_for_display_name_addresses(tmp_path: Path) -> None:
    recipients = ["李娜 <lina@x.com>", "Amy@x.com", "amy@x.com", "CON <con@x.com>"]
    ledger = Ledger(tmp_path)
    now = dt.datetime(2026, 11, 24, 8, 30)
    mails = [Mail(key=f"2026-11-24|{r}|owner", recipient=r, subject="今日回访清单", text="1. 客户", html="<p>1</p>")
             for r in recipients]
    assert ledger.add(mails, "crm@x.com", now) == len(recipients)
    assert deliver(ledger, None, tmp_path, now) == {"sent": len(recipients), "failed": 0}
    files = list((tmp_path / "outbox").iterdir())
    assert len({f.name.casefold() for f in files}) == len(recipients)
    assert all(windows_accepts(f.name) and f.name.startswith("2026-11-24_") and "_owner" in f.name
               for f in files)
    to = {email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["To"] for f in files}
    assert len(to) == len(recipients)  # each mail in its own file, none overwrote another


def apple_double() -> bytes:
    """What macOS writes as ._name beside a file on a volume without extended attributes: the AppleDouble header
    (magic 0x00051607, version 2, "Mac OS X" filler), a Finder-info and a resource-fork entry, padded to 4 KB."""
    header = struct.pack(">II16sH", 0x00051607, 0x00020000, b"Mac OS X        ", 2)
    entries = struct.pack(">III", 9, 50, 3730) + struct.pack(">III", 2, 3780, 316)
    return (header + entries).ljust(4096, b"\x00")
