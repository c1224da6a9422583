"""Sheet XML whose attributes are in single quotes (valid XML; some writers use them): every code that reads
<row> elements reads it as it reads double quotes.  The XML is written by hand below, and so are the answers."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl

from crm_sheets.workbook.cells import patch_stream
from crm_sheets.workbook.extent import sheet_end
from crm_sheets.workbook.rowdrop import Shift, drop_rows

SHEET = (b"<?xml version='1.0' encoding='UTF-8'?>"
         b"<worksheet xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
         b"<dimension ref='A1:B4'/><sheetData>"
         b"<row r='1'><c r='A1' t='inlineStr'><is><t>\xe5\xae\xa2\xe6\x88\xb7\xe5\x90\x8d\xe7\xa7\xb0</t></is></c>"
         b"<c r='B1' t='inlineStr'><is><t>\xe8\xb4\x9f\xe8\xb4\xa3\xe4\xba\xba</t></is></c></row>"
         b"<row r='2'><c r='A2' t='inlineStr'><is><t>one</t></is></c></row>"
         b"<row r='3'><c r='A3' t='inlineStr'><is><t>two</t></is></c></row>"
         b"<row r='4'><c r='A4' t='inlineStr'><is><t>three</t></is></c></row>"
         b"</sheetData><autoFilter ref='A1:B4'/></worksheet>")


def test_the_ends_of_a_sheet_are_read(tmp_path: Path) -> None:
    made = tmp_path / "made.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "客户信息"
    book.active["A1"] = "x"
    book.save(made)
    path = tmp_path / "single.xlsx"
    with zipfile.ZipFile(made) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            out.writestr(item, SHEET if item.filename == "xl/worksheets/sheet1.xml" else src.read(item))
    assert sheet_end(path, "客户信息") == (["客户名称", "负责人"], 4)


def test_a_cell_is_written_into_its_row_not_into_a_second_row_of_the_same_number() -> None:
    out = b"".join(patch_stream([SHEET], {3: {1: "new"}}, date_styles=set(), date_style=0))
    assert out.count(b"r='3'") == 1 and b"<row" in out
    row = out[out.index(b"<row r='3'"):]
    row = row[:row.index(b"</row>")]
    assert b">two<" in row and b">new<" in row and b'r="B3"' in row


def test_removed_rows_move_the_rows_below_with_their_cells_and_ranges() -> None:
    out = b"".join(drop_rows([SHEET], Shift([2])))
    assert b">one<" not in out
    assert b"<row r='2'><c r='A2' t='inlineStr'><is><t>two</t>" in out
    assert b"<row r='3'><c r='A3' t='inlineStr'><is><t>three</t>" in out
    assert b"<dimension ref='A1:B3'/>" in out and b"<autoFilter ref='A1:B3'/>" in out
