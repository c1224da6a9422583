"""The lossless writer (docs/design.md "Data safety") on a workbook last saved by LibreOffice."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine
import trials
from hypothesis import given
from hypothesis import strategies as st
from support import FIXTURES, MANIFEST, lo_inspect, members, rows_removed, sheet_part

from crm_sheets import errors, faults, schema
from crm_sheets.workbook import cells as cellpatch
from crm_sheets.workbook.safety import list_backups
from crm_sheets.workbook.write import ToolSheet, frame_sheet, write_back, write_standalone


def problems_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sheet": ["客户信息"], "row": [4], "column": ["联系人姓名"], "value": ["某总"],
            "problem": ["联系人不具体"], "fix": ["填写真实姓名"], "code": ["vague_contact"],
        }
    )


def pie_sheet(wb, ws) -> None:
    ws.write_row(0, 0, ["来源", "数量"])
    ws.write_column(1, 0, ["展会推荐", "线上搜索"])
    ws.write_column(1, 1, [3, 5])
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({
        "categories": [ws.name, 1, 0, 2, 0], "values": [ws.name, 1, 1, 2, 1],
        "points": [{"fill": {"color": "#4472C4"}}, {"fill": {"color": "#ED7D31"}}],
    })
    chart.set_title({"name": "新客户来源"})
    ws.insert_chart("D2", chart)


NEW_IDS = {
    3: {0: "CRM2026112400001", 9: dt.datetime(2026, 11, 24, 8, 0)},
    4: {0: "CRM2026112400002", 9: dt.datetime(2026, 11, 24, 8, 0)},
}


@pytest.fixture()
def foreign(tmp_path: Path) -> Path:
    target = tmp_path / "客户管理.xlsm"
    shutil.copy(FIXTURES / "foreign.xlsm", target)
    return target


def _write(path: Path) -> None:
    write_back(
        path,
        tool_sheets=[frame_sheet(schema.CHECK_RESULTS, problems_frame()), ToolSheet("月度汇总-2026-10", pie_sheet)],
        cells={"客户信息": NEW_IDS},
    )


def test_every_member_not_owned_by_the_tool_is_byte_identical(foreign: Path) -> None:
    before = members(foreign)
    data_part = sheet_part(foreign, "客户信息")
    _write(foreign)
    after = members(foreign)
    assert set(before) <= set(after)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= MANIFEST | {data_part}, changed
    # the data sheet changed only inside the rows that received maintained cells
    assert rows_removed(before[data_part], set(NEW_IDS)) == rows_removed(after[data_part], set(NEW_IDS))
    for keep in ("xl/vbaProject.bin", "docProps/custom.xml", "xl/media/image1.png", "xl/charts/chart1.xml",
                 "xl/sharedStrings.xml", "xl/comments1.xml", "xl/ctrlProps/ctrlProps2.xml"):
        assert before[keep] == after[keep], keep
    # the user's styles are a prefix-preserving superset: old indexes mean the same
    old_xfs = re.search(rb"<cellXfs[^>]*>(.*?)</cellXfs>", before["xl/styles.xml"], re.DOTALL).group(1)
    assert old_xfs in after["xl/styles.xml"]


def test_maintained_cells_hold_the_new_values_and_nothing_else_moved(foreign: Path) -> None:
    def grid(path: Path) -> list[list]:
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        return wb.get_sheet_by_name("客户信息").to_python(skip_empty_area=False)

    before = grid(foreign)
    _write(foreign)
    after = grid(foreign)
    for r, row in enumerate(after):
        for c, value in enumerate(row):
            if r + 1 in NEW_IDS and c in NEW_IDS[r + 1]:
                assert value == NEW_IDS[r + 1][c]
            else:
                assert value == before[r][c], (r, c)


def test_second_identical_write_changes_no_byte(foreign: Path) -> None:
    _write(foreign)
    first = foreign.read_bytes()
    _write(foreign)
    assert foreign.read_bytes() == first


def test_libreoffice_still_opens_it_with_chart_picture_comments(foreign: Path) -> None:
    _write(foreign)
    info = lo_inspect(foreign)
    assert info["sheets"][:4] == ["客户信息", "跟进记录", "团队", "我的笔记"]
    assert {"校验结果", "月度汇总-2026-10"} <= set(info["sheets"])
    assert info["charts"]["我的笔记"] == 1 and info["pictures"]["我的笔记"] == 1
    assert info["charts"]["月度汇总-2026-10"] == 1
    assert info["comments"]["客户信息"] == 1 and info["comments"]["我的笔记"] == 1
    assert "拜访区域" in info["names"]
    assert info["cells"]["客户信息"][2][0] == "CRM2026112400001"


def test_refuses_while_excel_has_the_file_open(foreign: Path) -> None:
    (foreign.parent / ("~$" + foreign.name)).write_bytes(b"owner")
    before = foreign.read_bytes()
    with pytest.raises(errors.OpenInExcel):
        _write(foreign)
    assert foreign.read_bytes() == before


@pytest.mark.parametrize("command", [["validate"], ["dedupe"], ["merge"], ["tag"], ["summary"],
                                     ["import", "leads.csv"]])
def test_a_command_says_excel_has_the_file_open_before_reading_it(tmp_path: Path, monkeypatch, command) -> None:
    """The cheap check first: with Excel's owner file there, a write command answers at once (exit 2, the
    message, the file untouched) instead of reading a million rows to be refused at the end."""
    from typer.testing import CliRunner

    from crm_sheets.cli import app
    from crm_sheets.stores.file import FileStore
    from crm_sheets.templates import build_template

    path = tmp_path / "客户.xlsx"
    build_template(path)
    (tmp_path / "leads.csv").write_text("客户名称,联系电话\n宁波新客电子有限公司,13999998888\n", encoding="utf-8")
    (tmp_path / ("~$" + path.name)).write_bytes(b"owner")
    before = path.read_bytes()
    reads = []
    monkeypatch.setattr(FileStore, "read", lambda self, **kwargs: reads.append(self.path))
    args = [command[0], str(path), *(str(tmp_path / a) for a in command[1:])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "Excel" in result.output, result.output
    assert reads == [] and path.read_bytes() == before


def test_backups_rotate(foreign: Path) -> None:
    for _ in range(4):
        write_back(foreign, tool_sheets=[frame_sheet(schema.CHECK_RESULTS, problems_frame())], keep_backups=2)
    backups = list_backups(foreign)
    assert len(backups) == 2
    assert zipfile.ZipFile(backups[0]).testzip() is None


# Where the write stops: the file on disk then, the temporary files beside it, whether the old file's backup is
# made (staged writes the temporary file, swap_in backs the old file up and os.replace puts the new one in place).
AT_STOP = {"lock taken": ("old", 0, False), "temp written": ("old", 1, False), "backup made": ("old", 1, True),
           "replaced": ("new", 0, True)}
ORDER = ["lock wanted", "lock taken", "temp written", "backup made", "replaced"]


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> bytes:
    return trials.uninterrupted(tmp_path_factory.mktemp("validated") / "run")


@pytest.mark.parametrize("point", list(AT_STOP))
def test_stopped_at_each_point_of_the_write_the_file_is_the_old_or_the_new_one(point: str, validated: bytes,
                                                                               tmp_path: Path) -> None:
    """Issue 34: `validate` stopped dead (os._exit, as a power cut) at each point of the write: it got there,
    having passed the points before it in order; the file is the old or the new one as worked out by hand; and
    running the command again leaves the new file and no temporary file."""
    crash = trials.crash_write(point, tmp_path / "run", validated)
    assert crash.exit == faults.EXIT and crash.passed == ORDER[:ORDER.index(point) + 1], crash
    assert (crash.held, len(crash.temps), crash.backup_of_old) == AT_STOP[point], crash
    assert crash.then_held == "new" and crash.then_temps == [], crash


def test_patching_inserts_in_column_order_and_keeps_formulas() -> None:
    xml = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c></row>'
        b'<row r="2"><c r="B2" s="3"><v>1</v></c><c r="D2"><f>B2*2</f><v>2</v></c></row>'
        b"</sheetData></worksheet>"
    )
    out = b"".join(cellpatch.patch_stream(
        [xml], {2: {0: "CRM1", 2: dt.datetime(2024, 3, 10), 3: "x"}, 5: {0: "CRM2"}}, date_styles=set(), date_style=7
    ))
    text = out.decode()
    assert text.index('r="A2"') < text.index('r="B2"') < text.index('r="C2"') < text.index('r="D2"')
    assert '<c r="C2" s="7"><v>45361.0</v></c>' in text
    assert "<f>B2*2</f>" in text
    assert '<row r="5"><c r="A5" t="inlineStr"><is><t xml:space="preserve">CRM2</t></is></c></row>' in text
    assert text.startswith('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                           '<row r="1" spans="1:3">')


def test_restore_lists_and_brings_back_a_backup(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crm_sheets.cli import app

    path = tmp_path / "客户.xlsm"
    shutil.copy(FIXTURES / "foreign.xlsm", path)
    original = path.read_bytes()
    runner = CliRunner()
    assert runner.invoke(app, ["validate", str(path), "--today", "2026-11-24"]).exit_code == 1
    validated = path.read_bytes()
    listing = runner.invoke(app, ["restore", str(path), "--list"])
    assert listing.exit_code == 0 and listing.output.startswith("1. 客户.")
    result = runner.invoke(app, ["restore", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == original
    assert len(list_backups(path)) == 2  # the validated file was kept too
    path.write_bytes(b"damaged")  # restore works when the workbook no longer opens
    assert runner.invoke(app, ["restore", str(path), "--pick", "2"]).exit_code == 0
    assert path.read_bytes() in (original, validated)
    missing = runner.invoke(app, ["restore", str(path), "--pick", "9"])
    assert missing.exit_code == 2 and "restore --list" in missing.output


WORKSHEET_OPEN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_CELL_BODIES = [b"<v>1</v>", b"<f>A1*2</f><v>2</v>", b"", b'<is><r><rPr><color rgb="FFFF0000"/></rPr><t>x</t></r></is>']


@given(st.dictionaries(st.integers(0, 30), st.tuples(st.sampled_from(_CELL_BODIES), st.booleans()), max_size=12),
       st.dictionaries(st.integers(0, 30), st.sampled_from(["new", 3.5, None, dt.datetime(2024, 1, 2)]),
                       min_size=1, max_size=6))
def test_finding_cells_by_reference_equals_walking_every_cell(existing, updates) -> None:
    """The fast path (cells found by r=) writes exactly what the cell-by-cell walk writes."""
    row = b"".join(
        b'<c r="' + cellpatch.column_letters(col).encode() + b'7" s="2"'
        + (b"/>" if closed or not body else b">" + body + b"</c>")
        for col, (body, closed) in sorted(existing.items())
    )
    args = (set(), 5, False)
    fast = cellpatch._patch_row(row, 7, updates, *args)
    walked = cellpatch._patch_row_scan(row, b"7", sorted(updates.items()), *args)
    assert fast == walked


@given(st.sets(st.integers(1, 40), max_size=25), st.dictionaries(st.integers(1, 50), st.just({1: "x"}), min_size=1),
       st.integers(1, 400))
def test_jumping_to_rows_equals_walking_every_row_in_any_chunking(existing, updates, chunk) -> None:
    """Numbered rows are found by r= (fast) with the same result as the row-by-row walk, however the XML streams in."""
    body = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, r) for r in sorted(existing))

    def whole(method: str) -> bytes:
        rows = cellpatch._RowPatcher(updates, set(), 5, False)
        return getattr(rows, method)(body) + rows.finish()

    xml = WORKSHEET_OPEN + b"<sheetData>" + body + b"</sheetData></worksheet>"
    streamed = b"".join(cellpatch.patch_stream([xml[i:i + chunk] for i in range(0, len(xml), chunk)], updates,
                                               date_styles=set(), date_style=5))
    assert whole("_jump") == whole("_walk")
    assert streamed == WORKSHEET_OPEN + b"<sheetData>" + whole("_walk") + b"</sheetData></worksheet>"


_X_OPEN = b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
# The main namespace as default (Excel) and with a prefix (Open XML SDK), an empty sheetData, and a head holding a
# token longer than most pieces (Expat >= 2.6 defers reparsing a token until the input held back has doubled).
SHEET_HEADS = [
    WORKSHEET_OPEN + b'<dimension ref="A1:B2"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>',
    _X_OPEN + b"<x:sheetViews/><x:sheetData><x:row r=\"1\"/></x:sheetData></x:worksheet>",
    WORKSHEET_OPEN + b"<sheetData/></worksheet>",
    WORKSHEET_OPEN + b'<sheetPr codeName="' + b"S" * 300 + b'"/><sheetData></sheetData></worksheet>',
]


@pytest.mark.parametrize("xml", SHEET_HEADS)
def test_sheet_data_is_found_in_pieces_of_any_size_down_to_one_byte(xml: bytes) -> None:
    """Where sheetData starts does not depend on how the part is cut: every piece size from one byte to the whole."""
    qname = b"x:sheetData" if xml.startswith(b"<x:") else b"sheetData"
    at = xml.index(b"<" + qname)
    for size in range(1, len(xml) + 1):
        buffer, start, name, _sx = cellpatch.find_sheet_data(iter([xml[i:i + size] for i in range(0, len(xml), size)]))
        assert (start, name) == (at, qname) and xml.startswith(buffer) and len(buffer) > at, size


def test_a_sheet_without_sheet_data_is_damage_in_pieces_of_any_size() -> None:
    xml = WORKSHEET_OPEN + b"<sheetViews/></worksheet>"
    for size in range(1, len(xml) + 1):
        with pytest.raises(ValueError):
            cellpatch.find_sheet_data(iter([xml[i:i + size] for i in range(0, len(xml), size)]))


@pytest.mark.parametrize("size", [1, 2, 10, 19])
def test_a_good_workbook_streamed_in_small_pieces_is_written_as_in_large_ones(size: int, tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A workbook Excel wrote (Windows; its empty sheets are short after a long root tag) is not refused as
    damage when its sheets stream in pieces of a few bytes: the write gives the bytes it gives in large pieces."""
    from crm_sheets.workbook import package

    paths = []
    for name, chunk in (("large", package.STREAM_CHUNK), ("small", size)):
        path = tmp_path / name / "excel.xlsx"
        path.parent.mkdir()
        shutil.copy(FIXTURES / "real" / "excel-win-calamine-chartsheet.xlsx", path)
        monkeypatch.setattr(package, "STREAM_CHUNK", chunk)
        write_back(path, cells={"Visible": {2: {0: "甲"}}, "Hidden": {1: {1: 2.5}}, "VeryHidden": {1: {0: "乙"}}})
        paths.append(path)
    assert members(paths[0]) == members(paths[1])
    written = openpyxl.load_workbook(paths[1])
    assert [written[n][ref].value for n, ref in (("Visible", "A2"), ("Hidden", "B1"), ("VeryHidden", "A1"))] == [
        "甲", 2.5, "乙"]


def test_tool_sheet_rows_put_in_after_the_graft_equal_xlsxwriters_own(foreign: Path, tmp_path: Path) -> None:
    """write_back builds a tool sheet's rows itself, after grafting XlsxWriter's header; a new file gets them from
    XlsxWriter cell by cell.  Both give the same values (python-calamine) and number formats (openpyxl)."""
    tasks = pd.DataFrame({
        "due": [dt.datetime(2026, 11, 24), pd.NaT, dt.datetime(2026, 12, 1, 9, 30), dt.date(2026, 1, 2)],
        "owner": ["李娜", None, "", "王强"],
        "name": ["=HYPERLINK(\"x\")", "a\x01b", "x" * (schema.EXCEL_CELL_LIMIT + 5), "bad\ufffe<&>"],
        "reminders": [1.0, float("nan"), 3, True],
    })
    quality = pd.DataFrame({"scope": ["字段", "负责人"], "rows": [120, 7], "completeness": [0.953, 1.0],
                            "validity": [float("nan"), 0.5]})
    sheets = [frame_sheet(schema.TASKS, tasks), frame_sheet(schema.DATA_QUALITY, quality)]
    write_back(foreign, tool_sheets=sheets)
    standalone = tmp_path / "standalone.xlsx"
    write_standalone(standalone, sheets)

    def cells(path: Path, name: str) -> list[list]:
        shown = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
        formats = [[c.number_format for c in row] for row in openpyxl.load_workbook(path)[name].iter_rows()]
        return [[(v, f if v != "" else None) for v, f in zip(values, fmts)] for values, fmts in zip(shown, formats)]

    for sheet in (schema.TASKS, schema.DATA_QUALITY):
        assert cells(foreign, sheet.name) == cells(standalone, sheet.name), sheet.name
    grafted = cells(foreign, schema.TASKS.name)
    assert [row[2][0] for row in grafted[1:]] == ["=HYPERLINK(\"x\")", "a\x01b",
                                                 "x" * (schema.EXCEL_CELL_LIMIT - 1) + "…", "bad\ufffd<&>"]
    assert grafted[1][0] == (dt.date(2026, 11, 24), "yyyy-mm-dd hh:mm") and grafted[4][9] == ("True", "General")
    assert cells(foreign, schema.DATA_QUALITY.name)[1][4] == (0.953, "0.0%")
    dimension = re.search(rb'<dimension ref="([^"]+)"', zipfile.ZipFile(foreign).read(sheet_part(foreign, "数据质量")))
    assert dimension.group(1) == b"A1:G3"
