"""Issue 31 point 5: the first click works on every PC.

``crm-sheets excel-setup`` names the running Python in the user's own xlwings.conf; the values are read back the
two ways xlwings reads that file: its Python reader (xlwings.utils.read_user_config, with ``open()``'s default
encoding set to what it is on the PC in question) and its VBA (GetConfigFromFile in xlwings.bas: ``Open ... For
Input`` decodes the ANSI code page on Windows, ``Input #`` reads comma-separated fields; emulated below, as no
Excel runs here).  Every test keeps HOME and USERPROFILE in its own folder.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from pathlib import Path

import openpyxl
import pytest
import python_calamine
import xlwings
import xlwings.utils
from typer.testing import CliRunner

from crm_sheets import errors, excel_setup
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import TEMPLATES, build_template, write_workbook
from crm_sheets.vba import vba_project

XLWINGS_BAS = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="utf-8")
WIN_PYTHON = r"C:\Users\张三\客户管理\venv\Scripts\python.exe"
# Keys that name one PC's Python or folders: in a workbook's xlwings.conf sheet they override every PC's own file.
MACHINE_KEYS = {"INTERPRETER", "INTERPRETER_WIN", "INTERPRETER_MAC", "PYTHONPATH", "CONDA PATH", "CONDA ENV"}


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.setenv("USERPROFILE", str(folder))
    return folder


def xlwings_reads(path: Path, encoding: str, monkeypatch) -> dict[str, str]:
    """xlwings.utils.read_user_config on ``path``, its ``open()`` defaulting to ``encoding`` as on that PC."""
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(path))
    monkeypatch.setattr(xlwings.utils, "open", functools.partial(open, encoding=encoding), raising=False)
    return xlwings.utils.read_user_config()


def vba_fields(text: str) -> list[str]:
    """What repeated ``Input #`` statements read: a quoted field runs to the next quote (there is no escape) and
    the rest up to the delimiter is skipped; an unquoted one runs to a comma or line end, trimmed; a comma, CRLF,
    CR or LF ends a field (a blank line is one empty field)."""
    fields, i = [], 0
    while i < len(text):
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            break
        if text[i] == '"':
            end = text.find('"', i + 1)
            end = len(text) if end < 0 else end
            fields.append(text[i + 1:end])
            i = end + 1
            while i < len(text) and text[i] not in ",\r\n":
                i += 1
        else:
            end = i
            while end < len(text) and text[end] not in ",\r\n":
                end += 1
            fields.append(text[i:end].rstrip(" \t"))
            i = end
        i += 2 if text.startswith("\r\n", i) else 1
    return fields


def vba_reads(path: Path, key: str, code_page: str) -> str | None:
    """GetConfigFromFile: ``Input #f, sVarName, sVarValue`` until the first name equal to ``key`` ignoring case."""
    fields = vba_fields(path.read_bytes().decode(code_page))
    return next((value for name, value in zip(fields[0::2], fields[1::2]) if name.lower() == key.lower()), None)


def windows(encoding: str = "cp936") -> excel_setup.UserConfig:
    return excel_setup.user_config(excel_setup.WINDOWS, encoding=encoding)


def test_the_files_are_where_xlwings_vba_looks(home: Path) -> None:
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in XLWINGS_BAS
    assert windows().path == home / ".xlwings" / "xlwings.conf"
    mac = excel_setup.user_config(excel_setup.MAC)
    assert f"' ~/{mac.path.relative_to(home).as_posix()}" in XLWINGS_BAS
    assert (windows().key, mac.key) == ("INTERPRETER_WIN", "INTERPRETER_MAC")
    assert all(f'GetConfig("{key}"' in XLWINGS_BAS for key in (windows().key, mac.key))
    assert excel_setup.user_config("linux") is None


def test_a_fresh_file_holds_the_interpreter_in_the_ansi_code_page(home: Path, monkeypatch) -> None:
    done = excel_setup.setup(windows(), WIN_PYTHON)
    conf = home / ".xlwings" / "xlwings.conf"
    assert done.changed and done.config.path == conf
    assert conf.read_bytes() == f'"INTERPRETER_WIN","{WIN_PYTHON}"\r\n'.encode("gbk")
    assert vba_reads(conf, "INTERPRETER_WIN", "cp936") == WIN_PYTHON
    assert xlwings_reads(conf, "cp936", monkeypatch) == {"interpreter_win": WIN_PYTHON}
    assert not [p for p in conf.parent.iterdir() if p != conf]  # no temporary file left behind


def test_the_keys_already_there_are_kept_byte_for_byte(home: Path, monkeypatch) -> None:
    conf = home / ".xlwings" / "xlwings.conf"
    conf.parent.mkdir()
    before = ['"LICENSE_KEY","abc123"', '"INTERPRETER_WIN","C:\\旧\\python.exe"', "",
              '"CONDA PATH","D:\\工具\\conda"', '"interpreter_win","C:\\other\\python.exe"', '"SHOW CONSOLE","False"']
    conf.write_bytes("\r\n".join(before).encode("gbk") + b"\r\n")
    assert excel_setup.setup(windows(), WIN_PYTHON).changed
    assert conf.read_bytes().split(b"\r\n") == [line.encode("gbk") for line in (
        '"LICENSE_KEY","abc123"', f'"INTERPRETER_WIN","{WIN_PYTHON}"', '"CONDA PATH","D:\\工具\\conda"',
        '"SHOW CONSOLE","False"', "")]
    assert xlwings_reads(conf, "cp936", monkeypatch) == {
        "license_key": "abc123", "interpreter_win": WIN_PYTHON, "conda path": "D:\\工具\\conda",
        "show console": "False"}
    assert [vba_reads(conf, key, "cp936") for key in ("INTERPRETER_WIN", "LICENSE_KEY", "CONDA PATH")] == [
        WIN_PYTHON, "abc123", "D:\\工具\\conda"]


def test_running_it_again_changes_nothing(home: Path) -> None:
    first = excel_setup.setup(windows(), WIN_PYTHON)
    conf = first.config.path
    os.utime(conf, ns=(10**18, 10**18))
    again = excel_setup.setup(windows(), WIN_PYTHON)
    assert not again.changed
    assert conf.stat().st_mtime_ns == 10**18  # not even rewritten


def test_a_name_outside_the_code_page_is_refused_before_anything_is_written(home: Path) -> None:
    with pytest.raises(errors.InterpreterPathCodePage) as raised:
        excel_setup.setup(windows(), "C:\\Users\\Zoë😀\\venv\\Scripts\\python.exe")
    assert "😀" in raised.value.message("zh") and "cp936" in raised.value.message("zh")
    assert not (home / ".xlwings").exists()
    # In a Western code page the same folder's ë is fine, and the file is written in that code page.
    done = excel_setup.setup(windows("cp1252"), "C:\\Users\\Zoë\\venv\\Scripts\\python.exe")
    assert vba_reads(done.config.path, "INTERPRETER_WIN", "cp1252") == "C:\\Users\\Zoë\\venv\\Scripts\\python.exe"


def test_mac_names_the_interpreter_and_installs_xlwings_applescript(home: Path, monkeypatch) -> None:
    (home / "Library" / "Containers" / "com.microsoft.Excel").mkdir(parents=True)  # Excel has run once
    mac = excel_setup.user_config(excel_setup.MAC)
    mac.path.parent.mkdir(parents=True)
    mac.path.write_bytes(b'"LICENSE_KEY","k"\n')
    done = excel_setup.setup(mac, "/Users/zhang/crm-venv/bin/python")
    assert mac.path.read_bytes() == b'"LICENSE_KEY","k"\n"INTERPRETER_MAC","/Users/zhang/crm-venv/bin/python"\n'
    assert xlwings_reads(mac.path, "utf-8", monkeypatch) == {
        "license_key": "k", "interpreter_mac": "/Users/zhang/crm-venv/bin/python"}
    assert vba_reads(mac.path, "INTERPRETER_MAC", "utf-8") == "/Users/zhang/crm-venv/bin/python"
    # The VBA calls AppleScriptTask("xlwings-<version>.applescript"): the installed version's script, in place.
    assert 'AppleScriptTask("xlwings-" & XLWINGS_VERSION & ".applescript"' in XLWINGS_BAS
    script = (home / "Library" / "Application Scripts" / "com.microsoft.Excel"
              / f"xlwings-{xlwings.__version__}.applescript")
    assert done.applescript == script
    assert script.read_bytes() == (Path(xlwings.__file__).parent / script.name).read_bytes()


@pytest.mark.parametrize("python", ["/Users/zhang/My Python/bin/python", "/Users/zhang/客户/venv/bin/python",
                                    "/Users/zhang/a|b/bin/python"])
def test_mac_refuses_a_path_xlwings_applescript_cannot_run(home: Path, python: str) -> None:
    (home / "Library" / "Containers" / "com.microsoft.Excel").mkdir(parents=True)
    with pytest.raises(errors.InterpreterPathMac):
        excel_setup.setup(excel_setup.user_config(excel_setup.MAC), python)
    assert not (home / "Library" / "Containers" / "com.microsoft.Excel" / "Data").exists()


def test_mac_before_excel_ever_ran_says_so(home: Path) -> None:
    with pytest.raises(errors.ExcelNeverOpened):
        excel_setup.setup(excel_setup.user_config(excel_setup.MAC), "/Users/zhang/crm-venv/bin/python")
    assert not (home / "Library").exists()


def test_the_command_writes_the_running_python_and_says_where(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(excel_setup, "this_system", lambda: excel_setup.WINDOWS)
    monkeypatch.setattr(excel_setup.locale, "getencoding", lambda: "cp936")
    conf = home / ".xlwings" / "xlwings.conf"
    first = CliRunner().invoke(app, ["excel-setup", "--lang", "zh"])
    assert first.exit_code == 0, first.output
    assert sys.executable in first.output and str(conf) in first.output
    assert vba_reads(conf, "INTERPRETER_WIN", "cp936") == sys.executable
    again = CliRunner().invoke(app, ["excel-setup", "--lang", "zh"])
    assert again.exit_code == 0 and "没有改动" in again.output


def test_the_command_on_linux_changes_nothing_and_says_why(home: Path, monkeypatch) -> None:
    monkeypatch.setattr(excel_setup, "this_system", lambda: "linux")
    result = CliRunner().invoke(app, ["excel-setup", "--lang", "zh"])
    assert result.exit_code == 2 and "没有 Excel" in result.output
    assert not list(home.iterdir())


def config_sheet(path: Path) -> dict[str, object]:
    """A workbook's xlwings.conf sheet as GetConfigFromSheet reads it: A1 down to the last filled cell, keys
    upper-cased, values from column B."""
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("xlwings.conf").to_python()
    found = {}
    for row in rows:
        if not row or row[0] in ("", None):
            break
        found[str(row[0]).upper()] = row[1] if len(row) > 1 else None
    return found


def test_the_template_carries_no_pcs_python(tmp_path: Path) -> None:
    build_template(tmp_path / "new.xlsm")
    for book in (TEMPLATES / "crm-template.xlsm", tmp_path / "new.xlsm"):
        assert config_sheet(book) == {"UDF MODULES": "crm_sheets.excel"}


def test_distributed_copies_carry_no_pcs_python_even_if_the_master_does(tmp_path: Path) -> None:
    master = tmp_path / "总表.xlsm"
    write_workbook(master, data=make_demo(dt.date(2026, 11, 30), n_customers=40, n_followups=80).frames,
                   vba=vba_project())
    wb = openpyxl.load_workbook(master, keep_vba=True)  # someone typed this PC's Python into the team book
    for key, value in (("INTERPRETER_WIN", WIN_PYTHON), ("PYTHONPATH", "D:\\团队\\代码")):
        wb["xlwings.conf"].append([key, value])
    wb.save(master)
    assert config_sheet(master)["INTERPRETER_WIN"] == WIN_PYTHON
    done = CliRunner().invoke(app, ["distribute", str(master), "--today", "2026-11-30"])
    assert done.exit_code == 0, done.output
    copies = sorted((tmp_path / "总表-分发").glob("*.xlsm"))
    assert copies
    for copy in copies:
        assert not MACHINE_KEYS & set(config_sheet(copy)), copy.name
        assert config_sheet(copy) == {"UDF MODULES": "crm_sheets.excel"}
