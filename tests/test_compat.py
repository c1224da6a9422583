"""Every workbook in, an Excel-clean workbook out (issue 13, docs/design.md "Data safety").

Hand-written data (tests/compat_data.py) as other programs save it (tests/compat.py) goes through every write
command; on each producer's file each command must give the answer worked out by hand in compat_data.py,
leave every part it does not own byte-identical, and write only parts that are valid for Excel
(tests/ooxml_check.py).  That it also gives, cell for cell, the answer it gives on our own template is a parity
check: it guards against one producer's file being read differently, not the answer itself.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import compat
import compat_data as hand
import ooxml_check
import pandas as pd
import pytest
import python_calamine as calamine
from support import needs_libreoffice
from typer.testing import CliRunner

from crm_sheets import errors, schema
from crm_sheets.cli import app
from crm_sheets.workbook import listobjects, xmlspan
from crm_sheets.workbook.cells import excel_text
from crm_sheets.workbook.package import MAIN_NS, Package
from crm_sheets.workbook.write import write_back

PRODUCERS = compat.producers(hand.frames)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("corpus")
    ref = compat.reference(folder, hand.frames)
    source = compat.import_source(folder, hand.frames)
    ours = folder / "ours"
    ours.mkdir()
    shutil.copy(ref, ours / ref.name)
    return {"ref": ref, "source": source, "steps": compat.pipeline(ours / ref.name, source, check=_written_ok)}


def _written_ok(path: Path, step: compat.Step, before: bytes) -> None:
    """Every part the command wrote is valid for Excel, but for what its producer had already written there
    (Tencent Docs writes 6-digit colours into styles.xml; Excel opens them, and they are not ours to change)."""
    with zipfile.ZipFile(path) as zf:
        present = set(zf.namelist())
    written = sorted(step.changed & present)
    old = path.with_name(".before-" + path.name)
    old.write_bytes(before)
    try:
        had = {_unplaced(p) for p in ooxml_check.problems(old, [n for n in written if n in _members(old)])}
    finally:
        old.unlink()
    new = [p for p in ooxml_check.problems(path, written) if _unplaced(p) not in had]
    assert new == [], step.command


def _unplaced(problem: str) -> str:
    """A problem without its line number (an edit above it moves it, it is still the same problem)."""
    return re.sub(r"\bline \d+: ", "", problem)


def _as_worked_out_by_hand(step: compat.Step) -> None:
    """The command's answer against compat_data's, worked out by hand from the data."""
    sheets, customers = step.answer["tool_sheets"], step.answer["customers"]
    ids = [row[0] for row in customers[1:]]
    assert step.exit_code == hand.EXIT_CODES[step.command], (step.command, step.answer["message"])
    if step.command == "validate":
        assert {(r[0], r[1], r[2], r[-1]) for r in sheets["校验结果"][1:]} == hand.PROBLEMS
        assert ids[-1] == hand.TYPED_TODAY
    elif step.command == "dedupe":
        assert {(r[1], r[-1] if len(r) == 11 else "") for r in sheets["疑似重复"][1:]} == hand.DUPLICATES
    elif step.command == "merge":
        assert hand.MERGED_AWAY not in ids and len(ids) == len(hand.CUSTOMERS) - 1
        assert {(r[3], r[7]) for r in sheets["合并记录"][1:]} == hand.MERGE_LOG
    elif step.command == "import":
        assert ids[-3:] == hand.IMPORTED
        assert {(r[1], r[-1]) for r in sheets["导入错误"][1:]} == hand.IMPORT_ERRORS
    elif step.command == "tag":
        header = customers[0]
        at = [header.index(h) for h in ("客户阶段", "最近跟进时间", "下次回访日期")]
        got = {row[0]: tuple(row[i] if i < len(row) else "" for i in at) for row in customers[1:]}
        assert got == hand.TAGGED
    elif step.command == "summary":
        assert hand.SUMMARY_SHEET in sheets
    elif step.command == "remind":
        assert {(r[0], r[1], r[-1], r[6]) for r in sheets["回访任务"][1:]} == hand.TASKS
        assert f"今天的提醒 {hand.MAILS} 封" in step.answer["message"]


def test_on_our_template_every_command_gives_the_hand_worked_answer(corpus: dict) -> None:
    for step in corpus["steps"]:
        _as_worked_out_by_hand(step)


@pytest.mark.parametrize("producer", sorted(PRODUCERS))
def test_every_command_gives_the_hand_worked_answer_and_leaves_the_rest_alone(producer: str, corpus: dict,
                                                                              tmp_path: Path) -> None:
    if producer == "libreoffice":
        needs_libreoffice()
    path = PRODUCERS[producer](corpus["ref"], tmp_path)
    original = _members(path)
    owned_at_start = compat.owned_parts(path)
    steps = compat.pipeline(path, corpus["source"], check=_written_ok)
    for ours, theirs in zip(corpus["steps"], steps, strict=True):
        _as_worked_out_by_hand(theirs)
        # Parity: the whole answer (every tool sheet, every maintained cell) as on our own template.
        assert theirs.answer == ours.answer, theirs.command
        assert theirs.changed <= theirs.allowed, (theirs.command, sorted(theirs.changed - theirs.allowed))
    # Across the whole run, too: what another program wrote and we do not own is as it was.
    final = _members(path)
    owned = owned_at_start | compat.owned_parts(path)  # a tool sheet's parts at the start were the tool's too
    assert {n for n, data in original.items() if n not in owned and final.get(n) != data} == set()


def test_the_corpus_holds_what_the_issue_asks_for() -> None:
    producers = pd.Series(compat.real_files()).value_counts()
    assert producers.get("excel-win", 0) + producers.get("excel-mac", 0) >= 5
    assert producers.get("excel-mac", 0) >= 1 and producers.get("wps", 0) >= 2 and producers.get("tencent", 0) >= 1
    for name in compat.real_files():
        assert (compat.REAL / name).is_file(), name
    with zipfile.ZipFile(compat.REAL / "wps-sheetjs-cellimages.xlsx") as zf:
        assert "xl/cellimages.xml" in zf.namelist()


def test_wps_parts_stay_byte_identical(corpus: dict, tmp_path: Path) -> None:
    path = compat.grafted(compat.REAL / "wps-sheetjs-cellimages.xlsx")(corpus["ref"], tmp_path)
    before = _members(path)
    compat.pipeline(path, corpus["source"])
    after = _members(path)
    for name in ("xl/cellimages.xml", "xl/_rels/cellimages.xml.rels", "docProps/custom.xml", "docProps/core.xml",
                 "xl/worksheets/sheet1.xml", "xl/media/image1.jpeg", "xl/theme/theme1.xml"):
        assert after[name] == before[name], name


def test_tables_grow_over_added_rows_and_never_end_above_the_data(corpus: dict, tmp_path: Path) -> None:
    path = compat.by_xlsxwriter_tables(corpus["ref"], tmp_path)
    compat.pipeline(path, corpus["source"])
    wb = calamine.CalamineWorkbook.from_path(str(path))
    with Package(path) as pkg:
        sheets = {name: part for name, _rid, part in pkg.sheets()}
        for name in compat.DATA_SHEETS:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            last = max(i + 1 for i, row in enumerate(rows) if any(v not in ("", None) for v in row))
            tables = [p for p in pkg.reachable(sheets[name]) if "/tables/" in p]
            assert tables, name
            for part in tables:
                root = xmlspan.parse(pkg.read(part))
                assert root.get("ref").endswith(str(last)), (name, root.get("ref"), last)
                assert root.find(MAIN_NS, "autoFilter").get("ref") == root.get("ref")


def test_a_table_below_the_header_or_with_a_totals_row_is_not_grown() -> None:
    ns = f'xmlns="{MAIN_NS}"'
    table = (f'<table {ns} id="1" name="T" ref="A1:C5"><autoFilter ref="A1:C5"/>'
             '<tableColumns count="3"/></table>').encode()
    grown = listobjects.grown(table, 9, {0})
    assert b'ref="A1:C9"' in grown and b'<autoFilter ref="A1:C9"/>' in grown
    assert listobjects.grown(table, 4, {0}) is None  # already covers the rows
    assert listobjects.grown(table, 9, {7}) is None  # none of its columns written
    assert listobjects.grown(table.replace(b'ref="A1:C5"', b'ref="A3:C5"', 1), 9, {0}) is None
    assert listobjects.grown(table.replace(b'id="1"', b'id="1" totalsRowCount="1"'), 9, {0}) is None


def test_control_characters_round_trip_and_long_text_is_refused(corpus: dict, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    shutil.copy(corpus["ref"], path)
    result = CliRunner().invoke(app, ["import", str(path), str(corpus["source"]), "--today", compat.TODAY])
    assert result.exit_code == 1, result.output
    wb = calamine.CalamineWorkbook.from_path(str(path))
    names = [r[1] for r in wb.get_sheet_by_name(schema.CUSTOMERS.name).to_python()]
    contacts = [r[3] for r in wb.get_sheet_by_name(schema.CUSTOMERS.name).to_python()]
    assert "苏州\x0b恒达精密机械有限公司" in names  # a vertical tab pasted from Word
    assert "郑_x000B_丽华" in contacts  # text that only looks like Excel's escape
    assert "宁波长文贸易有限公司" not in names
    errors_sheet = compat.answer(path, "")["tool_sheets"]["导入错误"]
    assert any(row[-1] == "text_too_long" and row[1] == 5 for row in errors_sheet)
    assert all(len(str(v)) < 1000 for row in errors_sheet for v in row)


@pytest.mark.parametrize(("text", "written"), [
    ("a\x0bb", "a_x000B_b"),
    ("tab\tlf\n", "tab\tlf\n"),  # XML carries these two
    ("cr\r\nlf", "cr_x000D_\nlf"),  # a reader takes CR LF in XML for LF: Excel writes CR escaped
    ("_x000B_", "_x005F_x000B_"),
    ("_x12_ _xZZZZ_", "_x12_ _xZZZZ_"),  # not an escape: left as it is
    ("\x00\x1f\ufffe\uffff", "_x0000__x001F__xFFFE__xFFFF_"),
])
def test_text_is_written_as_excel_escapes_it(text: str, written: str) -> None:
    assert excel_text(text) == written


def test_validate_reports_text_over_the_cell_limit(tmp_path: Path) -> None:
    # openpyxl and XlsxWriter both cut text at 32,767 characters, so the over-long cell is written by hand, as
    # an exporter that does not know Excel's limit writes it.
    path = tmp_path / "long.xlsx"
    template = Path(__file__).parent.parent / "workbook_templates" / "crm-template.xlsx"
    part = compat_sheet_part(template, schema.FOLLOWUPS.name)
    row = ('<row r="2"><c r="F2" t="inlineStr"><is><t>' + "谈" * 40000 + "</t></is></c></row>").encode()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                root = xmlspan.parse(data)
                data = xmlspan.append_child(data, root.find(MAIN_NS, "sheetData"), row)
            dst.writestr(info, data)
    before = _members(path)
    result = CliRunner().invoke(app, ["validate", str(path), "--today", compat.TODAY])
    assert result.exit_code == 1, result.output
    problems = compat.answer(path, "")["tool_sheets"]["校验结果"]
    assert any(row[-1] == "text_too_long" and row[0] == schema.FOLLOWUPS.name and row[1] == 2 for row in problems)
    written = [name for name, data in _members(path).items() if before.get(name) != data]
    assert part not in written and ooxml_check.problems(path, written) == []


def compat_sheet_part(path: Path, name: str) -> str:
    with Package(path) as pkg:
        return {n: part for n, _rid, part in pkg.sheets()}[name]


def test_a_write_never_puts_more_than_a_cell_holds(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    shutil.copy(Path(__file__).parent.parent / "workbook_templates" / "crm-template.xlsx", path)
    before = path.read_bytes()
    with pytest.raises(errors.TextTooLong) as caught:
        write_back(path, cells={schema.CUSTOMERS.name: {2: {7: "x" * 32768}}})
    assert "H2" in str(caught.value)
    assert path.read_bytes() == before
    write_back(path, cells={schema.CUSTOMERS.name: {2: {7: "x" * 32767}}})
    assert ooxml_check.problems(path) == []


def test_a_new_sheet_entry_declares_the_prefix_it_uses(tmp_path: Path) -> None:
    """openpyxl declares r: on each <sheet>, not on the root: the sheet we add must declare it too."""
    import openpyxl

    path = tmp_path / "opx.xlsx"
    openpyxl.load_workbook(Path(__file__).parent.parent / "workbook_templates" / "crm-template.xlsx").save(path)
    with zipfile.ZipFile(path) as zf:
        assert b'<sheets><sheet xmlns:r="' in zf.read("xl/workbook.xml")
    result = CliRunner().invoke(app, ["dedupe", str(path), "--today", compat.TODAY])
    assert result.exit_code == 0, result.output  # an empty template: no duplicates, and 疑似重复 added
    with Package(path) as pkg:
        assert "疑似重复" in [name for name, _rid, _part in pkg.sheets()]
    assert ooxml_check.problems(path) == []


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}
