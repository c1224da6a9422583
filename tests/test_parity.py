"""Parity: every button gives the CLI's answer (issue 14): the same tool sheets and the same data sheets, cell
for cell.

These tests guard against the two faces diverging, not the answer itself: a bug in the shared code would be in
both and pass here.  The answers are checked against hand-worked ones elsewhere (tests/test_compat.py on
tests/compat_data.py, tests/test_validate_rules.py, tests/test_dedupe.py, tests/test_revisit_loop.py).

A button runs on xlwings' own Book over a file-backed engine (tests/file_engine.py); the CLI runs on a copy of
the same file, read back through the same engine, so both are compared as Excel would hold them.  On the
demo workbook, and on the demo's data as openpyxl saves it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import compat
import pytest
import xlwings as xw
from file_engine import FileBook
from typer.testing import CliRunner

from crm_sheets import excel, schema
from crm_sheets.cli import app
from crm_sheets.templates import write_workbook
from crm_sheets.vba import vba_project
from crm_sheets.workbook.write import write_back

# button -> the CLI command that does the same work
BUTTONS = {
    "validate": ["validate"],
    "dedupe": ["dedupe"],
    "merge": ["merge"],
    "import_customers": ["import", "{source}"],
    "tag": ["tag"],
    "revisit_list": ["remind"],  # the CLI also mails; 回访任务 is the same
    "send_reminders": ["remind"],
    "summary": ["summary"],
}


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(excel, "_now", lambda: compat_today())
    yield
    if hasattr(xw.Book, "_mock_caller"):
        del xw.Book._mock_caller


def compat_today():
    import datetime as dt

    return dt.datetime.fromisoformat(compat.TODAY)  # what --today gives the CLI


@pytest.fixture(scope="module", params=["demo", "openpyxl"])
def workbook(request, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp(request.param)
    path = folder / "客户.xlsm"  # the template with its buttons (and 操作, where the import button reads its file)
    write_workbook(path, data=compat.reference_data(), vba=vba_project())
    if request.param == "openpyxl":
        import openpyxl

        openpyxl.load_workbook(path, keep_vba=True).save(path)
    source = compat.import_source(folder)
    # What staff do before pressing 导入: put the file's path beside the button.
    write_back(path, tool_sheets=[], cells={"操作": {14: {1: str(source)}}})
    return path, source


@pytest.mark.parametrize("button", sorted(BUTTONS))
def test_parity_a_button_and_the_cli_write_the_same_cells(button: str, workbook: tuple[Path, Path],
                                                          tmp_path: Path) -> None:
    path, source = workbook
    by_button, by_cli = tmp_path / "button" / path.name, tmp_path / "cli" / path.name
    for copy in (by_button, by_cli):
        copy.parent.mkdir()
        shutil.copy(path, copy)
        if button == "merge":  # what staff do before pressing 合并: a 疑似重复 to review
            CliRunner().invoke(app, ["dedupe", str(copy), "--today", compat.TODAY])
    engine = FileBook(by_button)
    xw.Book(impl=engine).set_mock_caller()
    getattr(excel, button)()
    assert len(engine.app.alerts) == 1 and "意外错误" not in engine.app.alerts[0], engine.app.alerts
    args = [a.format(source=source) for a in BUTTONS[button]]
    result = CliRunner().invoke(app, [args[0], str(by_cli), *args[1:], "--today", compat.TODAY])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    cli = FileBook(by_cli)
    names = {s.name for s in engine._sheets} | {s.name for s in cli._sheets}
    compared = [n for n in sorted(names) if schema.is_tool_sheet(n) or n in compat.DATA_SHEETS]
    for name in compared:
        ours, theirs = _sheet(engine, name), _sheet(cli, name)
        assert ours == theirs, (button, name, _first_difference(ours, theirs))


def _sheet(book: FileBook, name: str) -> list[list]:
    if name not in {s.name for s in book._sheets}:
        return []
    return compat._normal_rows(book.values(name), in_place=True)


def _first_difference(a: list[list], b: list[list]) -> tuple:
    """(row, [(column, button's, CLI's)], widths) of the first row that differs, for the failure message."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i, [(k, p, q) for k, (p, q) in enumerate(zip(x, y)) if p != q], len(x), len(y)
    return len(a), len(b)
