"""The .xlsm template: VBA from macros/*.bas, buttons LibreOffice can press, untouched by file-mode writes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser
from support import UNO_TOOL, members, needs_libreoffice
from typer.testing import CliRunner

import crm_sheets.excel
from crm_sheets.cli import app
from crm_sheets.templates import BUTTONS, ON_DATA_SHEETS
from crm_sheets.vba import module_sources

ROOT = Path(__file__).parent.parent
BUILT = ROOT / "workbook_templates" / "crm-template.xlsm"
CALL = re.compile(r'RunPython "([^"]+)"')


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


def press(path: Path) -> list[dict]:
    needs_libreoffice()
    done = subprocess.run(["/usr/bin/python3", str(UNO_TOOL), "press", str(path)], capture_output=True, text=True,
                          timeout=180, check=False)
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


def test_every_button_runs_its_python_call_in_libreoffice() -> None:
    pressed = press(BUILT)
    expected_calls = dict(re.findall(r'Sub (\w+)\(\)\s+RunPython "([^"]+)"', module_sources()["Module1"]))
    by_sheet: dict[str, set[str]] = {}
    for button in pressed:
        sub = button["macro"].split("Module1.")[1].split("?")[0]
        assert not button["error"], button
        assert button["call"] == expected_calls[sub], button
        by_sheet.setdefault(button["sheet"], set()).add(sub)
        function = re.search(r"crm_sheets\.excel\.(\w+)\(\)", button["call"]).group(1)
        assert callable(getattr(crm_sheets.excel, function)), function
    assert by_sheet["操作"] == {sub for sub, _caption, _what in BUTTONS}
    for sheet, subs in ON_DATA_SHEETS.items():
        assert by_sheet[sheet] == set(subs)


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
    assert all(b["call"] and not b["error"] for b in pressed)


@pytest.mark.parametrize("sub", [sub for sub, _c, _w in BUTTONS])
def test_each_button_sub_is_one_runpython_line(sub: str) -> None:
    source = module_sources()["Module1"]
    body = re.search(rf"Sub {sub}\(\)\r?\n(.*?)End Sub", source, re.DOTALL).group(1)
    assert CALL.fullmatch(body.strip()), body
