"""Calibration of tests/ooxml_check.py: real Excel output and the writers we rely on
pass; each deliberate corruption fails with the right message."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

lxml_etree = pytest.importorskip("lxml.etree")

from ooxml_check import problems  # noqa: E402  (tests/ is on sys.path under pytest)

HERE = Path(__file__).parent
REAL = HERE / "fixtures" / "real"
TEMPLATES = HERE.parent / "workbook_templates"
X = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = {"x": X}
SHEET1 = "xl/worksheets/sheet1.xml"
TABLE1 = "xl/tables/table1.xml"


# --- helpers -----------------------------------------------------------------

def excel_made() -> list[Path]:
    """Files in fixtures/real whose producers.json entry says Excel (Windows or Mac)."""
    manifest = REAL / "producers.json"
    if not manifest.exists():
        return []
    entries = json.loads(manifest.read_text(encoding="utf-8"))
    return sorted(
        REAL / name for name, info in entries.items()
        if info.get("producer") in ("excel-win", "excel-mac")
        and name.lower().endswith((".xlsx", ".xlsm")) and (REAL / name).exists()
    )


def rewrite(src: Path, dst: Path, edits: dict[str, Callable[[bytes], bytes] | None],
            add: dict[str, bytes] | None = None) -> Path:
    """Copy the zip at src to dst with some members edited (None: dropped) or added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in edits:
                if edits[info.filename] is None:
                    continue
                data = edits[info.filename](data)
            zout.writestr(info.filename, data)
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def xml_edit(fn: Callable) -> Callable[[bytes], bytes]:
    """Turn fn(root) (edits an lxml tree in place) into a bytes -> bytes edit."""
    def edit(data: bytes) -> bytes:
        root = lxml_etree.fromstring(data)
        fn(root)
        return lxml_etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return edit


def text_edit(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        assert old in data, old
        return data.replace(old, new, 1)
    return edit


def cell(root, ref: str):
    return root.find(f".//x:c[@r='{ref}']", NS)


def row(root, r: int):
    return root.find(f".//x:row[@r='{r}']", NS)


def make_small(path: Path) -> Path:
    """A small valid workbook from XlsxWriter: shared strings, numbers, formulas, a table."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Data")
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, ["Name", "Amount", "Double"], bold)
    for i, (name, amount) in enumerate([("alpha", 1), ("VTHERE", 2), ("gamma", 3)], start=1):
        ws.write_string(i, 0, name)
        ws.write_number(i, 1, amount)
        ws.write_formula(i, 2, f"=B{i + 1}*2", None, amount * 2)
    ws.add_table("E1:F4", {"columns": [{"header": "Key"}, {"header": "Value"}],
                           "data": [["a", 1], ["b", 2], ["c", 3]]})
    wb.add_worksheet("Second").write("A1", "x")
    wb.close()
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    path = make_small(tmp_path_factory.mktemp("ooxml") / "small.xlsx")
    assert problems(path) == []
    return path


def reported(found: list[str], pattern: str) -> None:
    """Some problem matches pattern (a regex)."""
    assert found, "expected a problem, got none"
    assert any(re.search(pattern, p) for p in found), found


# --- valid files pass ----------------------------------------------------------

@pytest.mark.parametrize("path", excel_made(), ids=lambda p: p.name)
def test_real_excel_files_pass(path):
    assert problems(path) == []


@pytest.mark.parametrize("name", ["crm-template.xlsx", "crm-template.xlsm"])
def test_templates_pass(name):
    path = TEMPLATES / name
    if not path.exists():
        pytest.skip(f"{path} not built")
    assert problems(path) == []


def test_xlsxwriter_many_features_pass(tmp_path):
    import xlsxwriter

    path = tmp_path / "features.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户 Data")
    money = wb.add_format({"num_format": "#,##0.00 [$¥-804]", "border": 1, "bg_color": "#DDEBF7"})
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["Name", "Amount", "When", "Note"], wb.add_format({"bold": True}))
    for r in range(1, 30):
        ws.write_string(r, 0, f"客户{r} _x0041_ \t tab")
        ws.write_number(r, 1, r * 1.5, money)
        ws.write_number(r, 2, 45000 + r, date)
        ws.write_rich_string(r, 3, "plain ", wb.add_format({"italic": True}), "italic", " end")
    ws.write_formula(31, 1, "=SUM(B2:B30)", money)
    ws.write_array_formula("F2:F4", "{=B2:B4*2}")
    ws.write_dynamic_array_formula("G2", "=UNIQUE(A2:A10)")
    ws.write_boolean(32, 0, True)
    ws.write_url(33, 0, "https://example.com/a b", string="link")
    ws.write_url(34, 0, "internal:'客户 Data'!A1", string="self")
    ws.merge_range("H1:J2", "merged", money)
    ws.data_validation("B2:B30", {"validate": "decimal", "criteria": ">", "value": 0})
    ws.data_validation("K2:K30", {"validate": "list", "source": ["a", "b", "c"]})
    ws.conditional_format("B2:B30", {"type": "data_bar"})
    ws.conditional_format("C2:C30", {"type": "cell", "criteria": ">", "value": 45010, "format": money})
    ws.write_comment("A1", "a comment\nwith two lines")
    ws.autofilter("A1:D30")
    ws.freeze_panes(1, 1)
    ws.set_column("A:A", 20)
    ws.set_column("B:D", 12)
    ws.set_row(0, 24)
    ws.insert_textbox("M2", "a text box")
    chart = wb.add_chart({"type": "line"})
    chart.add_series({"values": "='客户 Data'!$B$2:$B$30", "categories": "='客户 Data'!$A$2:$A$30"})
    ws.insert_chart("M8", chart)
    pie = wb.add_chart({"type": "pie"})
    pie.add_series({"values": "='客户 Data'!$B$2:$B$5", "data_labels": {"percentage": True}})
    ws.insert_chart("M24", pie)
    ws2 = wb.add_worksheet("Table")
    ws2.add_table("B2:D6", {"name": "Orders", "total_row": True,
                            "columns": [{"header": "Item", "total_string": "Total"},
                                        {"header": "Qty", "total_function": "sum"},
                                        {"header": "Price", "total_function": "average"}],
                            "data": [["a", 1, 2.5], ["b", 2, 3.5], ["c", 3, 4.5]]})
    ws2.hide_gridlines(2)
    ws2.protect()
    wb.define_name("Rate", "=0.13")
    wb.define_name("Table!Local", "=Table!$B$2")
    cs = wb.add_chartsheet("Chart")
    col = wb.add_chart({"type": "column"})
    col.add_series({"values": "='客户 Data'!$B$2:$B$10"})
    cs.set_chart(col)
    wb.add_worksheet("Hidden").hide()
    wb.set_properties({"title": "features", "author": "test"})
    wb.close()
    assert problems(path) == []


def test_xlsxwriter_xlsm_with_vba_passes(tmp_path):
    import xlsxwriter

    template = TEMPLATES / "crm-template.xlsm"
    if not template.exists():
        pytest.skip("crm-template.xlsm not built")
    with zipfile.ZipFile(template) as z:
        vba = next(n for n in z.namelist() if n.lower().endswith("vbaproject.bin"))
        (tmp_path / "vbaProject.bin").write_bytes(z.read(vba))
    path = tmp_path / "macro.xlsm"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_vba_project(str(tmp_path / "vbaProject.bin"))
    ws = wb.add_worksheet()
    ws.write("A1", "hello")
    ws.insert_button("B3", {"macro": "Hello", "caption": "Press"})
    wb.close()
    assert problems(path) == []


def test_openpyxl_workbook_passes(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.table import Table, TableStyleInfo

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Clients"
    ws.append(["Name", "Amount", "Status"])
    for i in range(1, 40):
        ws.append([f"name {i}", i * 2.5, "open" if i % 2 else "closed"])
    ws["E1"] = "=SUM(B2:B40)"
    ws["A1"].font = Font(bold=True, color="FF1F4E79")
    ws["A1"].fill = PatternFill("solid", fgColor="FFDDEBF7")
    ws["A1"].border = Border(bottom=Side(style="thin"))
    ws["A1"].alignment = Alignment(wrap_text=True)
    ws["B2"].number_format = "0.00%"
    ws["A2"].comment = Comment("hello", "me")
    ws.merge_cells("G1:H3")
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 30
    dv = DataValidation(type="list", formula1='"open,closed"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("C2:C40")
    table = Table(displayName="Clients", ref="A1:C40")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9", showRowStripes=True)
    ws.add_table(table)
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=40), titles_from_data=True)
    ws.add_chart(chart, "J2")
    wb.defined_names["Total"] = DefinedName("Total", attr_text="Clients!$E$1")
    wb.create_sheet("Empty")
    path = tmp_path / "openpyxl.xlsx"
    wb.save(path)
    assert problems(path) == []


def test_a_large_sheet_is_checked_to_its_last_row(tmp_path):
    """20,000 rows pass, and the same sheet with its last two rows swapped is refused for that: the check walks
    every row (it used to assert a time instead, which says nothing on a loaded machine)."""
    import xlsxwriter

    path = tmp_path / "large.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    fmt = wb.add_format({"num_format": "0.00"})
    for r in range(20_000):
        ws.write_string(r, 0, f"客户 {r}")
        ws.write_number(r, 1, r * 1.25, fmt)
        ws.write_string(r, 2, "status" if r % 3 else "other")
        ws.write_number(r, 3, r)
        ws.write_formula(r, 4, f"=B{r + 1}*2")
        ws.write_string(r, 5, f"note {r % 97}")
    wb.close()
    assert problems(path) == []
    swapped = rewrite(path, tmp_path / "swapped.xlsx",
                      {SHEET1: xml_edit(lambda root: row(root, 19_999).addprevious(row(root, 20_000)))})
    assert any(re.search(r"row 19999 after row 20000$", p) for p in problems(swapped)), problems(swapped)


def test_boundaries_pass(small, tmp_path):
    """32,767 characters of cell text (some written as _xHHHH_ escapes) and an
    8,192-character formula are Excel's maxima, not over them."""
    text = "_x0041_" * 100 + "x" * (32_767 - 100)  # 32,767 after decoding, longer as written

    def fix(root):
        c = cell(root, "A2")
        for child in list(c):
            c.remove(child)
        c.set("t", "inlineStr")
        t = lxml_etree.SubElement(lxml_etree.SubElement(c, f"{{{X}}}is"), f"{{{X}}}t")
        t.text = text
        f = cell(root, "C2").find("x:f", NS)
        f.text = "B2" + "+1" * ((8_192 - 2) // 2)
        assert len(f.text) == 8_192

    found = problems(rewrite(small, tmp_path / "max.xlsx", {SHEET1: xml_edit(fix)}))
    assert found == []


# --- Markup Compatibility ------------------------------------------------------

X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def test_ignorable_attribute_is_dropped_only_when_declared_ignorable(small, tmp_path):
    declared = text_edit(
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        f'<worksheet xmlns="{X}" xmlns:mc="{MC}" xmlns:x14ac="{X14AC}" mc:Ignorable="x14ac"'.encode(),
    )
    undeclared = text_edit(
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        f'<worksheet xmlns="{X}" xmlns:x14ac="{X14AC}"'.encode(),
    )
    dy = text_edit(b'<row r="2" ', b'<row r="2" x14ac:dyDescent="0.25" ')

    ok = rewrite(small, tmp_path / "ok.xlsx", {SHEET1: lambda d: dy(declared(d))})
    assert problems(ok) == []
    bad = rewrite(small, tmp_path / "bad.xlsx", {SHEET1: lambda d: dy(undeclared(d))})
    reported(problems(bad), r"^xl/worksheets/sheet1\.xml: line \d+: .*dyDescent.*not allowed")


def test_alternate_content_fallback_is_what_gets_validated(small, tmp_path):
    head = text_edit(
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"',
        f'<workbook xmlns="{X}" xmlns:mc="{MC}" xmlns:x15ac="http://schemas.microsoft.com/office/'
        f'spreadsheetml/2010/11/ac"'.encode(),
    )

    def block(fallback: bytes) -> Callable[[bytes], bytes]:
        return text_edit(b"<bookViews>", b'<mc:AlternateContent><mc:Choice Requires="x15ac">'
                         b'<x15ac:absPath url="C:\\x\\"/></mc:Choice>' + fallback
                         + b"</mc:AlternateContent><bookViews>")

    good = rewrite(small, tmp_path / "ac.xlsx", {"xl/workbook.xml": lambda d: block(b"")(head(d))})
    assert problems(good) == []
    bad_fallback = b"<mc:Fallback><foo/></mc:Fallback>"
    bad = rewrite(small, tmp_path / "ac-bad.xlsx", {"xl/workbook.xml": lambda d: block(bad_fallback)(head(d))})
    reported(problems(bad), r"^xl/workbook\.xml: line \d+: Element 'foo': This element is not expected")


# --- corruptions fail, each with its message ----------------------------------

def swap_rows(root):
    row(root, 2).addprevious(row(root, 3))


def swap_cells(root):
    a1, b1 = cell(root, "A1"), cell(root, "B1")
    a1.addprevious(b1)


def duplicate_ref(root):
    cell(root, "B2").set("r", "A2")


def row_mismatch(root):
    cell(root, "B2").set("r", "B3")


def style_out_of_range(root):
    cell(root, "B2").set("s", "99")


def sst_out_of_range(root):
    cell(root, "A2").find("x:v", NS).text = "999"


def long_inline_string(root):
    c = cell(root, "A3")
    for child in list(c):
        c.remove(child)
    c.set("t", "inlineStr")
    lxml_etree.SubElement(lxml_etree.SubElement(c, f"{{{X}}}is"), f"{{{X}}}t").text = "y" * 32_768


def long_formula(root):
    cell(root, "C2").find("x:f", NS).text = "B2" + "+1" * 4_095 + "1"  # 8,193 characters


def foreign_element(root):
    root.find("x:sheetData", NS).append(lxml_etree.Element(f"{{{X}}}foo"))


def wrong_attribute_type(root):
    root.find("x:pageMargins", NS).set("left", "wide")


def table_ref_smaller(root):
    root.set("ref", "E1:F3")  # autoFilter stays E1:F4


def table_columns_wrong(root):
    root.find("x:tableColumns", NS).set("count", "3")
    root.set("ref", "E1:G4")
    root.find("x:autoFilter", NS).set("ref", "E1:G4")


def number_cell_with_text(root):
    cell(root, "B2").find("x:v", NS).text = "12,5"


def header_mismatch(root):
    root.findall("x:tableColumns/x:tableColumn", NS)[1].set("name", "Val")


def table_name_with_space(root):
    root.set("displayName", "My Table")


def unresolved_rid(root):
    root.find("x:sheets/x:sheet", NS).set("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
                                          "rId99")


def duplicate_sheet_name(root):
    root.findall("x:sheets/x:sheet", NS)[1].set("name", "DATA")


def long_sheet_name(root):
    root.findall("x:sheets/x:sheet", NS)[1].set("name", "S" * 32)


def duplicate_sheet_id(root):
    root.findall("x:sheets/x:sheet", NS)[1].set("sheetId", "1")


def drop_rels_default(root):
    for d in root.findall("{http://schemas.openxmlformats.org/package/2006/content-types}Default"):
        if d.get("Extension") == "rels":
            root.remove(d)


def sheet2_as_plain_xml(root):
    for o in root.findall("{http://schemas.openxmlformats.org/package/2006/content-types}Override"):
        if o.get("PartName") == "/xl/worksheets/sheet2.xml":
            root.remove(o)


CORRUPTIONS = {
    "rows out of order": (SHEET1, swap_rows, r"^xl/worksheets/sheet1\.xml: row 2 after row 3$"),
    "cells out of order": (SHEET1, swap_cells, r"^xl/worksheets/sheet1\.xml: row 1: cell A1 after cell B1"),
    "duplicate ref": (SHEET1, duplicate_ref, r"^xl/worksheets/sheet1\.xml: duplicate cell A2$"),
    "row mismatch": (SHEET1, row_mismatch, r"^xl/worksheets/sheet1\.xml: cell B3 is inside <row r=\"2\">"),
    "style index": (SHEET1, style_out_of_range,
                    r"^xl/worksheets/sheet1\.xml: cell B2: style index 99 out of range \(xl/styles\.xml has 2 <xf>"),
    "shared string index": (SHEET1, sst_out_of_range,
                            r"^xl/worksheets/sheet1\.xml: cell A2: shared string index 999 out of range "
                            r"\(xl/sharedStrings\.xml has 12 <si>\)"),
    "long inline string": (SHEET1, long_inline_string,
                           r"^xl/worksheets/sheet1\.xml: cell A3: inline string is 32768 characters"),
    "long formula": (SHEET1, long_formula, r"^xl/worksheets/sheet1\.xml: cell C2: formula is 8193 characters"),
    "element the schema does not allow": (SHEET1, foreign_element,
                                          r"^xl/worksheets/sheet1\.xml: line \d+: Element 'foo': "
                                          r"This element is not expected"),
    "wrong attribute type": (SHEET1, wrong_attribute_type,
                             r"^xl/worksheets/sheet1\.xml: line \d+: Element 'pageMargins', attribute 'left': "
                             r"'wide' is not a valid value of the atomic type 'xs:double'"),
    "table ref smaller than autoFilter": (TABLE1, table_ref_smaller,
                                          r"^xl/tables/table1\.xml: autoFilter ref E1:F4 is not inside table "
                                          r"ref E1:F3$"),
    "table columns": (TABLE1, table_columns_wrong,
                      r"^xl/tables/table1\.xml: tableColumns count=3 but it holds 2 <tableColumn>"),
    "number cell holding text": (SHEET1, number_cell_with_text,
                                 r"^xl/worksheets/sheet1\.xml: cell B2: number cell holds '12,5', "
                                 r"which is not a number"),
    "table header cell differs from the column name": (
        TABLE1, header_mismatch,
        r"^xl/tables/table1\.xml: table column 'Val': header cell F1 on xl/worksheets/sheet1\.xml holds 'Value'$"),
    "table name with a space": (TABLE1, table_name_with_space,
                                r"^xl/tables/table1\.xml: table displayName 'My Table' is not a valid Excel name"),
    "unresolved r:id": ("xl/workbook.xml", unresolved_rid,
                        r"^xl/workbook\.xml: line \d+: r:id='rId99' on <sheet> is not a relationship in "
                        r"xl/_rels/workbook\.xml\.rels"),
    "duplicate sheet name": ("xl/workbook.xml", duplicate_sheet_name,
                             r"^xl/workbook\.xml: sheet name 'DATA' duplicates 'Data'"),
    "long sheet name": ("xl/workbook.xml", long_sheet_name, r"^xl/workbook\.xml: sheet name 'S{32}' is 32 characters"),
    "duplicate sheetId": ("xl/workbook.xml", duplicate_sheet_id, r"^xl/workbook\.xml: sheetId 1 is used twice"),
    "missing content type": ("[Content_Types].xml", drop_rels_default, r"^_rels/\.rels: no content type"),
    "worksheet typed as plain XML": ("[Content_Types].xml", sheet2_as_plain_xml,
                                     r"^xl/_rels/workbook\.xml\.rels: relationship rId2 \(worksheet\): target "
                                     r"xl/worksheets/sheet2\.xml has content type application/xml"),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corruption_is_reported(case, small, tmp_path):
    part, fn, pattern = CORRUPTIONS[case]
    bad = rewrite(small, tmp_path / "bad.xlsx", {part: xml_edit(fn)})
    found = problems(bad)
    reported(found, pattern)
    assert len(found) <= 3, found  # the problem, not a cascade


def test_raw_vertical_tab_is_reported(small, tmp_path):
    bad = rewrite(small, tmp_path / "vt.xlsx", {"xl/sharedStrings.xml": text_edit(b"VTHERE", b"bad\x0bchar")})
    found = problems(bad)
    reported(found, r"^xl/sharedStrings\.xml: raw character U\+000B at line \d+.*_x000B_")
    reported(found, r"^xl/sharedStrings\.xml: ill-formed XML")


def test_doctype_is_reported(small, tmp_path):
    bad = rewrite(small, tmp_path / "dtd.xlsx", {
        SHEET1: text_edit(b"?>", b'?><!DOCTYPE worksheet [<!ENTITY e "x">]>')})
    reported(problems(bad), r"^xl/worksheets/sheet1\.xml: has a DOCTYPE")


def test_raw_noncharacter_is_reported(small, tmp_path):
    bad = rewrite(small, tmp_path / "ffff.xlsx", {"xl/sharedStrings.xml": text_edit(b"VTHERE", "x\uffffy".encode())})
    reported(problems(bad), r"^xl/sharedStrings\.xml: raw character U\+FFFF at line \d+")


def test_escaped_vertical_tab_is_fine(small, tmp_path):
    ok = rewrite(small, tmp_path / "vt-ok.xlsx", {"xl/sharedStrings.xml": text_edit(b"VTHERE", b"ok_x000B_char")})
    assert problems(ok) == []


def test_long_shared_string_is_reported(small, tmp_path):
    bad = rewrite(small, tmp_path / "long-si.xlsx", {"xl/sharedStrings.xml": text_edit(b"VTHERE", b"z" * 32_768)})
    reported(problems(bad), r"^xl/sharedStrings\.xml: <si> \d+ is 32768 characters")


def test_duplicate_table_id_is_reported(small, tmp_path):
    def second_table(root):
        root.set("ref", "H1:I4")
        root.find("x:autoFilter", NS).set("ref", "H1:I4")
        root.set("name", "Table2")
        root.set("displayName", "Table2")  # id stays 1

    with zipfile.ZipFile(small) as z:
        table = xml_edit(second_table)(z.read(TABLE1))
    bad = rewrite(small, tmp_path / "dup-id.xlsx", {
        "[Content_Types].xml": text_edit(b"</Types>", b'<Override PartName="/xl/tables/table2.xml" ContentType='
                                         b'"application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>'
                                         b"</Types>"),
    }, add={"xl/tables/table2.xml": table})
    reported(problems(bad), r"^xl/tables/table1\.xml: table id 1 is also used by xl/tables/table2\.xml")


def test_missing_relationship_target_is_reported(small, tmp_path):
    bad = rewrite(small, tmp_path / "no-table.xlsx", {TABLE1: None})
    reported(problems(bad), r"^xl/worksheets/_rels/sheet1\.xml\.rels: relationship rId1: target "
                        r"'\.\./tables/table1\.xml' \(xl/tables/table1\.xml\) is not in the package")


def test_part_without_content_type_is_reported(small, tmp_path):
    bad = rewrite(small, tmp_path / "extra.xlsx", {}, add={"xl/printerSettings/printerSettings1.bin": b"\0"})
    reported(problems(bad), r"^xl/printerSettings/printerSettings1\.bin: no content type")


def test_parts_argument_limits_the_check(small, tmp_path):
    bad = rewrite(small, tmp_path / "bad.xlsx", {SHEET1: xml_edit(swap_rows)})
    assert problems(bad, parts=["xl/workbook.xml", "xl/styles.xml"]) == []
    assert problems(bad, parts=[SHEET1]) == ["xl/worksheets/sheet1.xml: row 2 after row 3"]
    assert problems(bad, parts=["xl/nope.xml"]) == ["xl/nope.xml: part is missing"]
