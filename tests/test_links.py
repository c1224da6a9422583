"""Staff see each problem where they type it (issue 38): every row of the tool sheets leads to its cell in one
click, and the cell 校验结果 names is marked in its sheet.

The expected places are worked out by hand from the rows planted below and the template's column order
(客户信息: A 客户编号, B 客户名称, D 联系人姓名, E 联系电话; 回访任务's C is 客户名称).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import python_calamine
import xlwings as xw
from file_engine import FileBook
from ooxml_check import problems
from support import UNO_TOOL, needs_libreoffice, sheet_part

from crm_sheets import excel, schema
from crm_sheets.app import dedupe, validate
from crm_sheets.model.links import Links
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import CELL_FILL, FLAG_FILL, write_workbook
from crm_sheets.workbook.links import HYPERLINK_LIMIT
from crm_sheets.workbook.write import frame_sheet, write_back

TODAY = dt.datetime(2026, 11, 24, 9, 0)
LINK = re.compile(rb'<hyperlink ref="([A-Z]+)(\d+)" location="([^"]*)"/>')


def customers() -> pd.DataFrame:
    """Four good customers, but row 3's contact is 某总 (vague) and row 5 repeats row 2's phone."""
    rows = [
        ("CRM2026010100001", "上海启明软件有限公司", "信息技术", "周明远", "13812345678"),
        ("CRM2026010100002", "杭州云帆网络科技有限公司", "信息技术", "某总", "13900001111"),
        ("CRM2026010100003", "苏州恒达精密机械有限公司", "制造业", "吴海涛", "13700002222"),
        ("CRM2026010100004", "上海启明软件", "信息技术", "周明远", "13812345678"),
    ]
    frame = pd.DataFrame(rows, columns=["客户编号", "客户名称", "所属行业", "联系人姓名", "联系电话"])
    return frame.assign(客户来源="展会推荐", 负责人="李销售", 创建时间=dt.datetime(2026, 1, 1, 9, 0))


def workbook(folder: Path) -> Path:
    path = folder / "客户.xlsx"
    write_workbook(path, data={schema.CUSTOMERS.name: customers()})
    return path


def hyperlinks(path: Path, sheet: str) -> dict[str, str]:
    """Cell -> the location its hyperlink leads to."""
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, sheet))
    return {f"{c.decode()}{r.decode()}": loc.decode().replace("&#x27;", "'") for c, r, loc in LINK.findall(xml)}


def rows(path: Path, sheet: str) -> list[list]:
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_each_problem_links_to_its_cell(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    validate.run(FileStore(path), today=TODAY)
    found = rows(path, schema.CHECK_RESULTS.name)
    vague = [k for k, r in enumerate(found) if r[0] == "客户信息" and r[1] == 3 and r[2] == "联系人姓名"]
    assert vague, found
    links = hyperlinks(path, schema.CHECK_RESULTS.name)
    assert links[f"A{vague[0] + 1}"] == "'客户信息'!D3"
    assert len(links) == len(found) - 1  # every row under the header
    assert problems(path) == []


def test_duplicates_lead_to_their_customers_rows(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    dedupe.run(FileStore(path), today=TODAY)
    shown = rows(path, schema.DUPLICATES.name)
    links = hyperlinks(path, schema.DUPLICATES.name)
    by_id = {"CRM2026010100001": "'客户信息'!A2", "CRM2026010100004": "'客户信息'!A5"}
    assert {links[f"B{k + 1}"] for k, r in enumerate(shown[1:], start=1)} == set(by_id.values())
    for k, r in enumerate(shown[1:], start=1):
        assert links[f"B{k + 1}"] == by_id[r[1]]
    assert problems(path) == []


def test_past_excels_limit_the_links_go_on_as_formulas(tmp_path: Path) -> None:
    """Excel keeps 65,530 hyperlinks a sheet: the rows after it lead on through HYPERLINK, showing the same text."""
    path = workbook(tmp_path)
    n = HYPERLINK_LIMIT + 3
    frame = pd.DataFrame({"sheet": ["客户信息"] * n, "row": range(2, n + 2), "column": "联系电话", "value": "x",
                          "problem": "p", "fix": "f", "code": "c"})
    targets: list[str | None] = [f"'客户信息'!E{r}" for r in range(2, n + 2)]
    targets[1] = None  # a row leading nowhere has no link, and does not count
    write_back(path, tool_sheets=[frame_sheet(schema.CHECK_RESULTS, frame, links=Links(0, targets))])
    links = hyperlinks(path, schema.CHECK_RESULTS.name)
    assert len(links) == HYPERLINK_LIMIT == 65_530
    assert "A3" not in links and links["A2"] == "'客户信息'!E2"
    last_linked = HYPERLINK_LIMIT + 2  # row 3 skipped
    assert links[f"A{last_linked}"] == f"'客户信息'!E{last_linked}"
    with zipfile.ZipFile(path) as zf:
        xml = zf.read(sheet_part(path, schema.CHECK_RESULTS.name))
    formulas = re.findall(rb'<c r="A(\d+)"[^>]*t="str"><f>([^<]*)</f><v>([^<]*)</v></c>', xml)
    assert [int(r) for r, _f, _v in formulas] == [n, n + 1]
    assert formulas[0][1:] == (f'HYPERLINK("#\'客户信息\'!E{n}","客户信息")'.encode(), "客户信息".encode())
    assert [r[0] for r in rows(path, schema.CHECK_RESULTS.name)[-3:]] == ["客户信息"] * 3  # the shown text
    assert problems(path) == []


def test_a_button_links_the_rows_as_the_command_line_does(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    by_button, by_cli = tmp_path / "button.xlsx", tmp_path / "cli.xlsx"
    shutil.copy(path, by_button)
    shutil.copy(path, by_cli)
    engine = FileBook(by_button)
    xw.Book(impl=engine).set_mock_caller()
    try:
        excel.validate()
    finally:
        del xw.Book._mock_caller
    validate.run(FileStore(by_cli), today=excel._now())
    sheet = next(s for s in engine._sheets if s.name == schema.CHECK_RESULTS.name)
    formulas = {f"A{r}": f for (r, c), f in sheet.formulas.items()}
    expected = {cell: f'=HYPERLINK("#{loc}","{sheet.cells[int(cell[1:]) - 1][0]}")'
                for cell, loc in hyperlinks(by_cli, schema.CHECK_RESULTS.name).items()}
    assert formulas == expected and len(expected) == 1  # the one problem planted
    assert engine.values(schema.CHECK_RESULTS.name) == [list(r) for r in rows(by_cli, schema.CHECK_RESULTS.name)]


def test_the_flagged_cell_is_marked_and_its_row_shaded(tmp_path: Path) -> None:
    """LibreOffice draws 客户信息 after 校验: D3 (某总) and its header in the cell colour, the rest of row 3 in the
    row colour; the fix and a new 校验 take both away.  The user's own cells are not touched."""
    needs_libreoffice()
    path = workbook(tmp_path)
    before = _sheet_xml(path, "客户信息")
    validate.run(FileStore(path), today=TODAY)
    assert _sheet_xml(path, "客户信息") == before  # the marks are the template's conditional formats
    picture = _render(path, tmp_path / "flagged.ppm")
    header, d3 = _bands(picture, CELL_FILL)
    assert abs(header[0] - d3[0]) <= 2 and abs(header[1] - d3[1]) <= 2  # one column: D
    (row,) = _bands(picture, FLAG_FILL)
    assert abs(row[2] - d3[2]) <= 2 and abs(row[3] - d3[3]) <= 2  # the same row
    assert row[0] < d3[0] and row[1] > d3[1]  # on both sides of the cell
    assert not _pixels(picture, FLAG_FILL, (d3[0] + 3, d3[1] - 3, d3[2] + 3, d3[3] - 3))  # not under the cell
    write_back(path, cells={"客户信息": {3: {3: "吴丽华"}}})
    validate.run(FileStore(path), today=TODAY)
    picture = _render(path, tmp_path / "fixed.ppm")
    assert _bands(picture, CELL_FILL) == [] and _bands(picture, FLAG_FILL) == []


def _sheet_xml(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(sheet_part(path, name))


Picture = tuple[int, int, bytes]


def _render(path: Path, ppm: Path) -> Picture:
    """客户信息's A1:H6 as LibreOffice prints it, as a binary PPM (width, height, RGB bytes)."""
    done = subprocess.run(["/usr/bin/python3", str(UNO_TOOL), "render", str(path), "客户信息", str(ppm), "A1:H6"],
                          capture_output=True, timeout=240)
    assert done.returncode == 0, done.stderr
    data = ppm.read_bytes()
    head = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", data)
    assert head, data[:20]
    return int(head.group(1)), int(head.group(2)), data[head.end():]


def _pixels(picture: Picture, colour: str, box: tuple[int, int, int, int] | None = None) -> list[tuple[int, int]]:
    """(x, y) of the pixels in ``colour`` (within ``box``: x0, x1, y0, y1)."""
    width, height, pixels = picture
    want = bytes.fromhex(colour.lstrip("#"))
    x0, x1, y0, y1 = box or (0, width - 1, 0, height - 1)
    return [(x, y) for y in range(max(y0, 0), min(y1, height - 1) + 1) for x in range(max(x0, 0), min(x1, width - 1) + 1)
            if all(abs(pixels[3 * (y * width + x) + k] - want[k]) <= 6 for k in range(3))]


def _bands(picture: Picture, colour: str) -> list[tuple[int, int, int, int]]:
    """(x0, x1, y0, y1) of each horizontal band of the picture painted in ``colour``, top to bottom."""
    found = _pixels(picture, colour)
    ys = sorted({y for _x, y in found})
    bands: list[list[int]] = []
    for y in ys:
        if bands and y - bands[-1][-1] <= 3:
            bands[-1].append(y)
        else:
            bands.append([y])
    out = []
    for band in bands:
        xs = [x for x, y in found if band[0] <= y <= band[-1]]
        if band[-1] - band[0] >= 4 and max(xs) - min(xs) >= 10:  # a cell, not an edge's stray pixels
            out.append((min(xs), max(xs), band[0], band[-1]))
    return out
