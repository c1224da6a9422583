"""Write results back into the user's workbook without harming anything else.

Tool-owned sheets are built in memory by XlsxWriter and grafted in; data
sheets change only in the maintained cells; every other part of the package
is copied byte for byte.  The swap is atomic, after a backup, under a lock.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..errors import CorruptWorkbook, TargetExists, TextTooLong
from ..schema import Sheet
from ..values import fitted, is_blank
from . import cells as cellpatch
from .graft import graft, styles_part
from ..model.links import Links
from ..model.outputs import PANEL_SHEET, PanelOut
from .links import linked_cells, with_hyperlinks
from .listobjects import grow_tables
from .package import Package
from .panel import panel_stream
from .rowdrop import Shift, drop_rows, shrink_tables
from .safety import exclusive, staged, swap_in
from .styles import date_styles

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
LINK_COLOUR = "#0563C1"  # Excel's own for a hyperlink
LAST_ROW = 1_048_575  # 0-based: Excel's last row
# The donor sheet that only exists so XlsxWriter emits the date cell format.
_FORMAT_SHEET = "formats"


@dataclass
class Body:
    """A tool sheet's rows under its header row, column by column: (0-based column, the cells as written --
    None, a date, a number or text --, the number format of its numbers or None).  Dates show as
    DATETIME_FORMAT."""

    columns: list[tuple[int, list[cellpatch.CellValue], str | None]]
    links: Links | None = None  # where each row leads (written into a workbook, not into a new file)

    def write(self, wb: Workbook, ws: Worksheet) -> None:
        """Through XlsxWriter, row by row: a workbook in constant_memory mode (a new person's copy) flushes each
        row as the next one starts."""
        when = wb.add_format({"num_format": DATETIME_FORMAT})
        formats = [wb.add_format({"num_format": fmt}) if fmt else None for _col, _cells, fmt in self.columns]
        for row, record in enumerate(zip(*(cells for _col, cells, _fmt in self.columns)), start=1):
            for (col, _cells, _fmt), fmt, value in zip(self.columns, formats, record):
                write_value(ws, row, col, value, fmt, date_format=when)


@dataclass
class ToolSheet:
    """A sheet the tool owns: a function that writes all but its rows of data, and those rows."""

    name: str
    build: Callable[[Workbook, Worksheet], None]
    body: Body | None = None

    def fill(self, wb: Workbook, ws: Worksheet) -> None:
        """The whole sheet through XlsxWriter (a new file)."""
        self.build(wb, ws)
        if self.body is not None:
            self.body.write(wb, ws)


def frame_sheet(sheet: Sheet, frame: pd.DataFrame, name: str | None = None, links: Links | None = None
                ) -> ToolSheet:
    """A tool sheet showing ``frame`` (columns = the sheet's field keys)."""

    def build(wb: Workbook, ws: Worksheet) -> None:
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        ws.freeze_panes(1, 0)
        for col, f in enumerate(sheet.fields):
            ws.write_string(0, col, f.header, head)
            ws.set_column(col, col, f.width)
        dress(wb, ws, sheet)

    body = Body([(col, [written(v) for v in frame[f.key].tolist()],
                  "0.0%" if f.type == "number" and f.key in _RATIO_KEYS else None)
                 for col, f in enumerate(sheet.fields) if f.key in frame.columns], links)
    return ToolSheet(name or sheet.name, build, body)


def dress(wb: Workbook, ws: Worksheet, sheet: Sheet) -> None:
    """What a sheet declares beyond its cells, over whole columns (so rows Excel's buttons write later are
    covered too): an autoFilter on the header, rows coloured by a field's value."""
    last_col = len(sheet.fields) - 1
    if sheet.hidden:
        ws.hide()
    if sheet.filtered:
        ws.autofilter(0, 0, LAST_ROW, last_col)
    for key, value, colour in sheet.highlights:
        letter = xl_col_to_name(sheet.keys.index(key))
        ws.conditional_format(1, 0, LAST_ROW, last_col, {
            "type": "formula", "criteria": f'=${letter}2="{value}"', "format": wb.add_format({"bg_color": colour}),
        })


_RATIO_KEYS = {"completeness", "validity", "timeliness"}


def write_value(ws: Worksheet, row: int, col: int, value: object, fmt=None, *, date_format=None,
                text: bool = False) -> None:
    """One cell through XlsxWriter's typed writers: blanks stay empty, text never turns into a formula."""
    value = written(value, text=text)
    if value is None:
        return
    if isinstance(value, (dt.datetime, dt.date)):
        ws.write_datetime(row, col, value, date_format or fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_number(row, col, value, fmt)


def written(value: object, *, text: bool = False) -> cellpatch.CellValue:
    """What a tool sheet's cell holds for ``value``: None for a blank, a date, a number (not a bool), or text
    (``text``: numbers too) as shown_text gives it."""
    if is_blank(value):
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not text:
        return value
    return shown_text(str(value))


def shown_text(text: str) -> str:
    """Text for a tool sheet, which only shows the user's data: cut visibly at Excel's cell limit (values.fitted),
    and XML's two non-characters shown as U+FFFD (XlsxWriter would write them raw)."""
    return fitted(text).replace("\ufffe", "\ufffd").replace("\uffff", "\ufffd")


@dataclass
class WriteResult:
    backup: Path
    changed_parts: set[str]


def write_back(
    path: str | Path,
    *,
    tool_sheets: Sequence[ToolSheet] = (),
    cells: dict[str, dict[int, dict[int, cellpatch.CellValue]]] | None = None,
    removed: Mapping[str, Iterable[int]] | None = None,
    keep_backups: int = 10,
    panel: PanelOut | None = None,
) -> WriteResult:
    """Replace the tool sheets and maintained cells of the workbook at ``path``.

    ``cells`` maps sheet name -> {row number: {0-based column: value}}; ``removed`` sheet name -> rows taken
    out, the rows below moved up (archive; a sheet either has cells set or rows removed in one write); ``panel``
    the status panel, on 操作 where the workbook has it.
    """
    path = Path(path)
    with exclusive(path), _damage_named(path):
        with Package(path) as pkg:
            date_xf = _donor_into(pkg, list(tool_sheets))
            date1904 = pkg.uses_1904_dates()
            styles_xml = pkg.read(styles_part(pkg))
            known_dates = date_styles(styles_xml)
            parts = {name: part for name, _rid, part in pkg.sheets()}
            for sheet_name, updates in (cells or {}).items():
                overflow = cellpatch.too_long(updates)
                if overflow:
                    raise TextTooLong(file=path.name, sheet=sheet_name,
                                      cell=f"{cellpatch.column_letters(overflow[1])}{overflow[0]}")
                if updates:
                    grow_tables(pkg, parts[sheet_name], max(updates), {c for row in updates.values() for c in row})
                    pkg.transform(parts[sheet_name], partial(cellpatch.patch_stream, updates=updates,
                                                             date_styles=known_dates, date_style=date_xf,
                                                             date1904=date1904))
            if panel is not None and PANEL_SHEET in parts:
                pkg.transform(parts[PANEL_SHEET], partial(panel_stream, panel=panel, date_styles=known_dates,
                                                          date_style=date_xf, date1904=date1904))
            for sheet_name, rows in (removed or {}).items():
                shift = Shift(rows)
                if shift.removed:
                    shrink_tables(pkg, parts[sheet_name], shift)
                    pkg.transform(parts[sheet_name], partial(drop_rows, shift=shift))
            changed = pkg.changed_parts()
            new = staged(path, pkg.write_to)
        # Closed before the swap: Windows refuses to replace a file this process still holds open.
        backup = swap_in(path, new, keep_backups)
    return WriteResult(backup=backup, changed_parts=changed)


@contextmanager
def _damage_named(path: Path) -> Iterator[None]:
    """A package part missing the element every workbook has (no <Types>, no <sheetData>) is damage, not a bug."""
    try:
        yield
    except ValueError as exc:
        raise CorruptWorkbook(file=path.name, detail=str(exc)[:80]) from None


def _donor_into(pkg: Package, tool_sheets: list[ToolSheet]) -> int:
    """Build the tool sheets with XlsxWriter, graft them, return the date xf index."""
    buf = io.BytesIO()
    # constant_memory: rows go out as they are written, with inline strings, so a 100,000-row 回访任务 is neither
    # held as cell objects nor turned from shared into inline strings when grafted (every builder writes in
    # row order, as the template's writer needs too).
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False})
    for ts in tool_sheets:
        ts.build(wb, wb.add_worksheet(ts.name))
    when = wb.add_format({"num_format": DATETIME_FORMAT})
    donor = wb.add_worksheet(_FORMAT_SHEET)
    donor.write_datetime(0, 0, dt.datetime(2000, 1, 1), when)
    # The rows of data go in after the graft, built from the cells at once (XlsxWriter takes ~8 µs a cell:
    # a second for a 15,000-row 回访任务); each number format they use gets a donor cell, so its xf exists.
    number_formats = {fmt: wb.add_format({"num_format": fmt}) for ts in tool_sheets if ts.body
                      for _col, _cells, fmt in ts.body.columns if fmt}
    for col, fmt in enumerate(number_formats.values(), start=1):
        donor.write_number(0, col, 0, fmt)
    link = wb.add_format({"font_color": LINK_COLOUR, "underline": 1})
    if any(ts.body and ts.body.links for ts in tool_sheets):
        donor.write_number(1, 0, 0, link)
    wb.close()
    xf_map = graft(pkg, buf.getvalue(), [ts.name for ts in tool_sheets])
    # Equal formats share one index, which only the first of them records in xf_index.
    date_xf = xf_map[when._get_xf_index()]
    parts = {name: part for name, _rid, part in pkg.sheets()}
    link_xf = xf_map.get(link._get_xf_index(), 0)
    for ts in tool_sheets:
        if ts.body is not None:
            columns: list[tuple[int, list[cellpatch.CellValue], int | list[int | None] | None]] = [
                (col, cells, xf_map[number_formats[fmt]._get_xf_index()] if fmt else None)
                for col, cells, fmt in ts.body.columns]
            elements: list[tuple[int, str]] = []
            links = ts.body.links
            for k, (col, cells, xf) in enumerate(columns):
                if links is not None and col == links.column:
                    cells, shown, elements = linked_cells(cells, links.targets)
                    columns[k] = (col, cells, [link_xf if s else xf for s in shown])  # type: ignore[misc]
            xml = cellpatch.with_rows(pkg.read(parts[ts.name]), columns, date_xf, pkg.uses_1904_dates())
            pkg.write(parts[ts.name], with_hyperlinks(xml, links.column, elements) if links else xml)
    return date_xf


def write_standalone(target: str | Path, tool_sheets: list[ToolSheet]) -> None:
    """Tool sheets on their own in a new workbook (e.g. a summary to send around)."""
    target = Path(target)
    if target.exists():
        raise TargetExists(file=target.name)
    wb = xlsxwriter.Workbook(str(target), {"strings_to_numbers": False, "strings_to_formulas": False})
    for ts in tool_sheets:
        ts.fill(wb, wb.add_worksheet(ts.name))
    wb.close()
