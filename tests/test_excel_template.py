"""The .xlsm template: VBA from macros/*.bas, buttons LibreOffice can press, untouched by file-mode writes."""

from __future__ import annotations

import inspect
import json
import locale
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import xlwings
from oletools.olevba import VBA_Parser
from support import UNO_TOOL, members, needs_libreoffice
from typer.testing import CliRunner

import crm_sheets.excel
import crm_sheets.excel_setup
from crm_sheets.cli import app
from crm_sheets.templates import BUTTONS, ON_DATA_SHEETS
from crm_sheets.vba import module_sources, udf_wrappers

ROOT = Path(__file__).parent.parent
BUILT = ROOT / "workbook_templates" / "crm-template.xlsm"
# A button's one line: RunPython with the workbook's xlwings version passed along.
CALL = re.compile(r'RunPython "(import crm_sheets\.excel; crm_sheets\.excel\.\w+\(\')" & XLWINGS_VERSION & "(\'\))"')


def vba_code(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()


def lines(text: str) -> list[str]:
    """Code lines as olevba shows them (it hides VBA's Attribute lines)."""
    return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")
            if line.strip() and not line.startswith("Attribute VB_")]


def press(path: Path, pick: str = "") -> list[dict]:
    needs_libreoffice()
    done = subprocess.run(["/usr/bin/python3", str(UNO_TOOL), "press", str(path), *([pick] if pick else [])],
                          capture_output=True, encoding="utf-8", timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_olevba_reads_back_exactly_the_macros_text() -> None:
    code = vba_code(BUILT)
    for name, source in module_sources().items():
        assert lines(code[name]) == lines(source), name


def test_building_again_gives_the_same_template(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["build-templates", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("crm-template.xlsx", "crm-template.xlsm"):
        fresh, committed = members(tmp_path / name), members(ROOT / "workbook_templates" / name)
        assert fresh.keys() == committed.keys()
        differ = [part for part in fresh if fresh[part] != committed[part]]
        assert not differ, f"{name}: {differ}; run crm-sheets build-templates"


def expected_calls() -> dict[str, str]:
    """Sub -> the Python call its RunPython line makes with the installed xlwings version."""
    subs = re.findall(r"Sub (\w+)\(\)(.*?)End Sub", module_sources()["Module1"], re.DOTALL)
    return {sub: "".join(CALL.search(body).groups()).replace("('')", f"('{xlwings.__version__}')")
            for sub, body in subs}


def test_every_button_runs_its_python_call_in_libreoffice() -> None:
    pressed = press(BUILT)
    calls = expected_calls()
    by_sheet: dict[str, set[str]] = {}
    for button in pressed:
        sub = button["macro"].split("Module1.")[1].split("?")[0]
        assert not button["error"], button
        by_sheet.setdefault(button["sheet"], set()).add(sub)
        if sub == "CrmImport":  # LibreOffice's headless file picker answers "cancel": nothing happens
            assert (button["call"], button["path"]) == ("", ""), button
            continue
        assert button["call"] == calls[sub], button
        function = re.search(r"crm_sheets\.excel\.(\w+)\(", button["call"]).group(1)
        assert callable(getattr(crm_sheets.excel, function)), function
    assert by_sheet["操作"] == {sub for sub, _caption, _what in BUTTONS}
    for sheet, subs in ON_DATA_SHEETS.items():
        assert by_sheet[sheet] == set(subs)


def test_import_hands_the_picked_file_to_python_through_the_path_cell() -> None:
    chosen = "/home/李娜/客户 名单 (2026).csv"
    (button,) = [b for b in press(BUILT, pick=chosen) if b["label"] == "导入"]
    assert not button["error"] and button["path"] == chosen
    assert button["call"] == expected_calls()["CrmImport"]


def test_the_buttons_need_no_add_in() -> None:
    """Standalone: the workbook carries xlwings' own VBA module, of the installed version, and refers to no
    add-in; the add-in variant (build-templates --addin) refers to it instead."""
    from pyopenvba import ExcelFile

    ours = vba_code(BUILT)
    theirs = vba_code(Path(xlwings.__file__).parent / "quickstart_standalone.xlsm")
    assert lines(ours["xlwings"]) == lines(theirs["xlwings"]) and lines(ours["Dictionary"]) == lines(theirs["Dictionary"])
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in ours["xlwings"]
    assert "xlwings" not in [r.name for r in ExcelFile(BUILT).vba_project().references]


def test_the_add_in_variant_stays_available(tmp_path: Path) -> None:
    from pyopenvba import ExcelFile

    result = CliRunner().invoke(app, ["build-templates", str(tmp_path), "--addin"])
    assert result.exit_code == 0, result.output
    built = tmp_path / "crm-template-addin.xlsm"
    assert "xlwings" in [r.name for r in ExcelFile(built).vba_project().references]
    code = vba_code(built)
    assert "xlwings" not in code and lines(code["Module1"]) == lines(module_sources()["Module1"])


def test_worksheet_functions_come_with_the_workbook() -> None:
    """xlwings_udfs as xlwings' "Import Functions" writes it for crm_sheets.excel, and xlwings.conf (hidden)
    naming the module: =CRM_MASK_PHONE(E2) answers without importing anything."""
    code = vba_code(BUILT)
    assert lines(code["xlwings_udfs"]) == lines(udf_wrappers())
    udfs = re.findall(r"@xw\.func\ndef (\w+)\(", inspect.getsource(crm_sheets.excel))
    assert len(udfs) == 4
    for name in udfs:
        assert f'XLPy.CallUDF("crm_sheets.excel", "{name}", ' in code["xlwings_udfs"], name
    conf = openpyxl.load_workbook(BUILT, keep_vba=True)["xlwings.conf"]
    assert conf.sheet_state == "hidden" and [conf["A1"].value, conf["B1"].value] == ["UDF Modules", "crm_sheets.excel"]


def test_file_mode_writes_leave_the_vba_project_alone(tmp_path: Path) -> None:
    path = tmp_path / "客户管理.xlsm"
    shutil.copy(BUILT, path)
    vba_before = members(path)["xl/vbaProject.bin"]
    for command in (["validate", str(path)], ["tag", str(path), "--today", "2026-11-24"],
                    ["summary", str(path), "--today", "2026-11-24"]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 0, result.output  # the template is empty: nothing to report
    assert members(path)["xl/vbaProject.bin"] == vba_before
    pressed = press(path)
    assert len(pressed) == len(BUTTONS) + sum(len(v) for v in ON_DATA_SHEETS.values())
    assert all((b["call"] or b["label"] == "导入") and not b["error"] for b in pressed)


@pytest.mark.parametrize("sub", [sub for sub, _c, _w in BUTTONS])
def test_each_button_sub_is_one_runpython_line(sub: str) -> None:
    """One RunPython line per button; 导入 first asks Excel's file picker for the file (cancel: nothing)."""
    source = module_sources()["Module1"]
    body = re.search(rf"Sub {sub}\(\)\r?\n(.*?)End Sub", source, re.DOTALL).group(1)
    code = [line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith("'")]
    if sub == "CrmImport":
        assert code[1].startswith("chosen = Application.GetOpenFilename(") and "*.csv;*.xlsx" in code[1]
        assert code[2].startswith("If VarType(chosen) = vbBoolean Then Exit Sub")
        assert code[3] == 'ThisWorkbook.Names("CrmImportPath").RefersToRange.Value = chosen'
        code = code[4:]
    assert len(code) == 1 and CALL.fullmatch(code[0]), body


def test_vba_stays_ascii() -> None:
    """The VBA project's code page cannot hold Chinese: ours, xlwings' and the generated modules are ASCII."""
    for name, source in {**module_sources(), **vba_code(BUILT)}.items():
        assert source.isascii(), name


def test_the_demo_is_an_xlsm_with_the_buttons(tmp_path: Path, monkeypatch) -> None:
    """On a Windows PC (emulated, in a home folder of its own) the demo also points Excel at this Python."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setattr(crm_sheets.excel_setup, "this_system", lambda: crm_sheets.excel_setup.WINDOWS)
    result = CliRunner().invoke(app, ["demo", str(tmp_path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    conf = home / ".xlwings" / "xlwings.conf"
    assert str(conf) in result.output
    assert conf.read_bytes() == f'"INTERPRETER_WIN","{sys.executable}"\r\n'.encode(locale.getencoding())
    demo = tmp_path / "crm-demo.xlsm"
    assert str(demo) in result.output and "按钮" in result.output
    assert {k: lines(v) for k, v in vba_code(demo).items()} == {k: lines(v) for k, v in vba_code(BUILT).items()}
    pressed = press(demo)  # after the whole pipeline ran on the file, its buttons still work
    assert {b["label"] for b in pressed} >= {caption for _sub, caption, _what in BUTTONS}
    assert all((b["call"] or b["label"] == "导入") and not b["error"] for b in pressed)
