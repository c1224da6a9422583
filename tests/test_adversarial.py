"""Issue 32, point 7: every input of tests/adversarial.py through every command that reads or writes it.

For each input: the command's exit code (never 2 for one bad cell, never an unexpected error), the reasons
validate gives for that cell, nothing written outside the folder the workbook is in, the typed text still in
its cell afterwards (or, on import, the row listed on 导入错误), and formula-like text never a formula."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
import python_calamine
from adversarial import INPUTS, Input
from corpus import UNEXPECTED, customer_row
from support import members, sheet_part
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app

DAY = "2026-11-24"
BASE_TEAM = [["张伟", "zw@example.com", "经理", ""], ["李娜", "ln@example.com", "销售", "张伟"]]
DUE = dt.datetime(2026, 11, 20)  # every customer has a revisit due, so remind and the job mail every owner


def customers_for(case: Input) -> list[list]:
    """A well-formed customer, and the one the input goes into (owned by the input's person)."""
    owner = case.value if (case.sheet, case.column) == ("团队", "姓名") else "李娜"
    cells: dict[str, object] = {"负责人": owner, "下次回访日期": DUE}
    if case.sheet == "客户信息":
        cells[case.column] = case.value
    name = cells.pop("客户名称", "杭州远景科技有限公司")
    phone = cells.pop("联系电话", "13912345678")
    return [customer_row(负责人="张伟", 下次回访日期=DUE), customer_row(name, phone, **cells)]


def team_for(case: Input) -> list[list]:
    if case.sheet != "团队":
        return BASE_TEAM
    person = {"姓名": case.value, "邮箱": "ww@example.com"} | {case.column: case.value}
    return [*BASE_TEAM, [person["姓名"], person["邮箱"], "销售", "张伟"]]


def typed_book(path: Path, case: Input, *, only_first: bool = False) -> Path:
    """The input typed into a workbook openpyxl writes; text longer than an Excel cell (openpyxl and XlsxWriter
    cut it at 32,767 characters) is put whole into the sheet's XML afterwards, as other programs write it."""
    wb = openpyxl.Workbook()
    customers = wb.active
    customers.title = schema.CUSTOMERS.name
    overlong = {}
    for row in [schema.CUSTOMERS.headers, *customers_for(case)[:1 if only_first else 2]]:
        for i, v in enumerate(row):
            if isinstance(v, str) and len(v) > schema.EXCEL_CELL_LIMIT:
                marker = f"OVERLONG{len(overlong)}"
                overlong[marker] = v
                row[i] = marker
        customers.append(row)
    for row in customers.iter_rows():
        for c in row:
            if c.data_type == "f":  # typed as text: openpyxl would otherwise store "=…" as a formula
                c.data_type = "s"
    team = wb.create_sheet(schema.TEAM.name)
    for row in [schema.TEAM.headers, *team_for(case)]:
        team.append(row)
    wb.save(path)
    if overlong:
        part = sheet_part(path, schema.CUSTOMERS.name)
        parts = members(path)
        for marker, text in overlong.items():
            parts[part] = parts[part].replace(marker.encode(), escape(text).encode())
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in parts.items():
                zf.writestr(name, data)
    return path


def cli(*args: str):
    result = CliRunner().invoke(app, [*args, "--today", DAY, "--lang", "zh"])
    assert UNEXPECTED not in result.output and "Traceback" not in result.output, (args, result.output)
    return result


def reasons_for(path: Path, sheet: str, column: str, row: int) -> set[str]:
    checked = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(schema.CHECK_RESULTS.name)
    return {r[6] for r in checked.to_python()[1:] if r[0] == sheet and r[2] == column and int(r[1]) == row}


def cell(path: Path, sheet: str, column: str, row: int) -> object:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return rows[row - 1][rows[0].index(column)]


def outside(root: Path, folder: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.is_relative_to(folder))


def input_row(case: Input) -> int:
    """The input's row in its sheet (1-based, the header is row 1)."""
    return 3 if case.sheet == "客户信息" else len(BASE_TEAM) + 2


TYPED = [c for c in INPUTS if c.column != "联系电话"]  # a phone's exact digits are an import's business


@pytest.mark.parametrize("case", TYPED, ids=lambda c: c.id)
def test_typed_in_the_workbook_through_every_command(case: Input, tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b" / "c" / "目标"  # ../../../ from a folder inside it stays in tmp_path
    folder.mkdir(parents=True)
    path = typed_book(folder / "客户.xlsx", case)
    row = input_row(case)

    checked = cli("validate", str(path))
    assert checked.exit_code == (1 if case.reasons else 0), checked.output
    assert reasons_for(path, case.sheet, case.column, row) == set(case.reasons), checked.output
    for args in (["tag", str(path)], ["dedupe", str(path)], ["remind", str(path)],
                 ["export", str(path), "--all-owners", "--out", str(folder / "导出")],
                 ["distribute", str(path), "--out", str(folder / "分发")], ["summary", str(path)],
                 ["job", str(path), "--once"]):
        done = cli(*args)
        assert done.exit_code in (0, 1), (args, done.output)
    assert cell(path, case.sheet, case.column, row) == case.value  # kept exactly as typed
    assert outside(tmp_path, folder) == []
    people = len(team_for(case))
    assert len(list((folder / "分发").iterdir())) == people  # a book for everyone, whatever their name
    sheet = members(path)[sheet_part(path, case.sheet)]
    assert b"<f>" not in sheet and b"<f " not in sheet


IMPORTED = [c for c in INPUTS if c.sheet == "客户信息"]


@pytest.mark.parametrize("case", IMPORTED, ids=lambda c: c.id)
def test_imported_from_a_csv_nothing_typed_is_lost(case: Input, tmp_path: Path) -> None:
    folder = tmp_path / "目标"
    folder.mkdir()
    path = typed_book(folder / "客户.xlsx", case, only_first=True)
    source = folder / "导入.csv"
    incoming = customers_for(case)[1]
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(schema.CUSTOMERS.headers[1:9])
        writer.writerow(["" if v is None else v for v in incoming[1:9]])
    done = cli("import", str(path), str(source))
    assert done.exit_code in (0, 1), done.output
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rejected = [r for r in book.get_sheet_by_name(schema.IMPORT_ERRORS.name).to_python()[1:]
                if any(str(v) for v in r)] if schema.IMPORT_ERRORS.name in book.sheet_names else []
    names = [r[1] for r in book.get_sheet_by_name(schema.CUSTOMERS.name).to_python()[1:]]
    if case.refused:  # the row is listed with the typed text, not cut or emptied
        assert {r[6] for r in rejected} >= case.refused and incoming[1] not in names, rejected
        return
    assert not rejected, rejected
    row = names.index(incoming[1]) + 2
    expected = case.stored if case.stored is not None else case.value
    assert str(cell(path, case.sheet, case.column, row)) == expected
    cli("validate", str(path))
    assert reasons_for(path, case.sheet, case.column, row) == set(case.reasons)
