"""Change only the cells the tool maintains inside a user's sheet XML.

The sheet XML is scanned row by row; rows without updates are copied as the
original bytes, and inside an updated row only the target ``<c>`` elements
are replaced (or inserted in column order).  Everything else in the sheet --
formats, formulas, comments anchors, other columns -- is left as it was.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape

from ..model.headers import column_index, column_letters
from ..schema import EXCEL_CELL_LIMIT
from .dimension import widened
from .package import MAIN_NS
from .sheetrows import row_pattern, sheet_rows
from .xmlspan import StartFinder, tag_end

REF_RE = re.compile(rb"\br=[\"']([A-Z]+)(\d+)[\"']")
SPANS_RE = re.compile(rb"\sspans=[\"'][^\"']*[\"']")
STYLE_RE = re.compile(rb"\ss=[\"'](\d+)[\"']")
# Characters XML 1.0 cannot carry, and text that already looks like Excel's escape for them.
_UNWRITABLE = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")  # CR too: XML reads CR LF as LF


@dataclass(frozen=True)
class Syntax:
    """How this sheet spells SpreadsheetML's elements: the prefix bound to the main namespace where its
    sheetData stands (b"" for Excel's default namespace, b"x:" for Open XML SDK's style), and the patterns
    built on it.  Rows and cells never rebind that prefix, so it holds for the whole of sheetData."""

    p: bytes
    row: re.Pattern
    cell: re.Pattern
    cell_start: re.Pattern  # a cell, not <color> or <charset> of rich text
    formula: re.Pattern
    row_number: re.Pattern
    cell_ref: re.Pattern
    row_open: bytes
    cell_open: bytes


@cache
def syntax(prefix: bytes = b"") -> Syntax:
    p = re.escape(prefix)
    return Syntax(
        prefix,
        row_pattern(p),
        re.compile(rb"<" + p + rb"c\b([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.DOTALL),
        re.compile(rb"<" + p + rb"c[\s/>]"),
        re.compile(rb"<" + p + rb"f[\s/>]"),
        re.compile(rb"<" + p + rb'row r="(\d+)"'),
        re.compile(rb"<" + p + rb'c r="([A-Z]+)\d+"'),
        b"<" + prefix + b'row r="',
        b"<" + prefix + b'c r="',
    )

CellValue = str | float | int | dt.datetime | dt.date | None


def excel_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    origin = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - origin
    return delta.days + delta.seconds / 86400


def excel_text(value: str) -> str:
    """Text as a cell's XML holds it: characters XML cannot carry as ``_xHHHH_``, and a literal ``_xHHHH_``
    protected as ``_x005F_xHHHH_`` so that Excel (and every reader) gives back exactly ``value``."""
    if not _UNWRITABLE.search(value):
        return value
    return _UNWRITABLE.sub(lambda m: "_x005F" + m.group() if len(m.group()) > 1 else f"_x{ord(m.group()):04X}_", value)


def _cell_xml(sx: Syntax, ref: bytes, value: CellValue, style: bytes | None, date_style: int, date1904: bool
              ) -> bytes:
    if value.__class__ is float and value != value:  # NaN (checked this way: 400,000 cells a first tag run)
        value = None
    try:
        return sx.cell_open + ref + _cell_rest(sx.p, value, style, date_style, date1904)
    except TypeError:  # a value that cannot be a cache key is written as its text
        return sx.cell_open + ref + _cell_rest(sx.p, str(value), style, date_style, date1904)


@lru_cache(maxsize=1 << 16, typed=True)  # a tag run writes a few stages, tiers, tag cells and dates 100,000 times each
def _cell_rest(p: bytes, value: CellValue, style: bytes | None, date_style: int, date1904: bool) -> bytes:
    """A cell's XML after its r="A1 (attributes and value), for _cell_xml."""
    s_attr = b' s="' + style + b'"' if style is not None else b""
    if isinstance(value, str):  # most maintained cells hold text: checked first
        return _text_rest(p, s_attr, value)
    if value is None:
        return b'"' + s_attr + b"/>"
    if isinstance(value, (dt.datetime, dt.date)):
        s_attr = b' s="' + str(date_style).encode() + b'"'
        number = repr(excel_serial(value, date1904)).encode()
        return b'"' + s_attr + b"><" + p + b"v>" + number + b"</" + p + b"v></" + p + b"c>"
    if isinstance(value, (int, float)):
        return b'"' + s_attr + b"><" + p + b"v>" + repr(value).encode() + b"</" + p + b"v></" + p + b"c>"
    return _text_rest(p, s_attr, str(value))


def _text_rest(p: bytes, s_attr: bytes, value: str) -> bytes:
    text = escape(excel_text(value), quote=False).encode()
    return (b'"' + s_attr + b' t="inlineStr"><' + p + b'is><' + p + b't xml:space="preserve">' + text + b"</" + p
            + b"t></" + p + b"is></" + p + b"c>")


def with_rows(xml: bytes, columns: list[tuple[int, list[CellValue], int | None]], date_style: int, date1904: bool
              ) -> bytes:
    """A tool sheet as XlsxWriter wrote it (its header row only) with the rows of ``columns`` ((0-based column,
    a cell for each row from row 2 on with None for a blank, the xf of its cells or None)) added to sheetData,
    and its dimension widened to them."""
    sx = syntax()  # XlsxWriter's spelling: the default namespace
    styled = [(_letters(col), cells, None if xf is None else str(xf).encode()) for col, cells, xf in sorted(columns)]
    rows = []
    last_row = 0
    for i, record in enumerate(zip(*(cells for _letters_, cells, _xf in styled)), start=2):
        number = b"%d" % i
        cells = [_cell_xml(sx, letters + number, value, xf, date_style, date1904)
                 for (letters, _cells, xf), value in zip(styled, record) if value is not None]
        if cells:
            rows.append(sx.row_open + number + b'">' + b"".join(cells) + b"</row>")
            last_row = i
    if not rows:
        return xml
    cols = [col for col, _cells, _xf in columns]
    xml = widened(xml, (2, last_row), (min(cols), max(cols)))
    if b"<sheetData/>" in xml:
        return xml.replace(b"<sheetData/>", b"<sheetData>" + b"".join(rows) + b"</sheetData>", 1)
    return xml.replace(b"</sheetData>", b"".join(rows) + b"</sheetData>", 1)


def too_long(updates: dict[int, dict[int, CellValue]]) -> tuple[int, int] | None:
    """(row, column) of the first text longer than a cell can hold, or None."""
    for row, cols in updates.items():
        for col, value in cols.items():
            if isinstance(value, str) and len(value) > EXCEL_CELL_LIMIT:
                return row, col
    return None


def find_sheet_data(chunks: Iterator[bytes]) -> tuple[bytes, int, bytes, Syntax]:
    """Read on until sheetData starts: (what was read, where the element starts, its qualified name, the
    sheet's spelling); a worksheet without one is damage (ValueError)."""
    finder = StartFinder(MAIN_NS, "sheetData")
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        if (found := finder.feed(chunk)) is not None:
            break
    else:
        found = finder.close()  # the part has ended: what expat held back (reparse deferral) is parsed now
    if found is None:
        raise ValueError("worksheet without sheetData")
    start, qname = found
    return buffer, start, qname, syntax(qname[:-len(b"sheetData")])


def patch_stream(
    chunks: Iterable[bytes],
    updates: dict[int, dict[int, CellValue]],
    *,
    date_styles: set[int],
    date_style: int,
    date1904: bool = False,
) -> Iterator[bytes]:
    """The sheet XML with ``updates`` ({row: {col index: value}}) applied, as it streams by, so a 700 MB
    sheet never sits in memory whole.

    A date keeps the cell's own format when that format already shows a
    date; otherwise it gets ``date_style``.  Cells holding a formula are the
    user's and are left alone.  sheetData is found namespace-aware (expat reads
    the head up to it); each chunk after it is cut before its last row start (rows are never split) and the
    complete rows before the cut are patched; unchanged rows pass as they were.
    """
    chunks = iter(chunks)
    buffer, start, qname, sx = find_sheet_data(chunks)
    rows = _RowPatcher(updates, date_styles, date_style, date1904, sx)
    open_end = tag_end(buffer, start)
    head = _written_inside(buffer[:start], updates)
    if buffer[open_end - 2:open_end] == b"/>":  # <sheetData/>: no rows at all
        yield head + b"<" + qname + b">" + rows.finish() + b"</" + qname + b">"
        yield from _rest(buffer[open_end:], chunks)
        return
    yield head + buffer[start:open_end]
    for run, rest in row_runs(buffer[open_end:], chunks, qname, sx):
        if rest is None:
            yield rows.patch(run)
        else:
            yield rows.patch(run) + rows.finish()
            yield from rest


def _written_inside(head: bytes, updates: dict[int, dict[int, CellValue]]) -> bytes:
    """The sheet's head with its dimension grown over the cells ``updates`` writes (an appended row included)."""
    cols = {col for row in updates.values() for col in row}
    if not cols:
        return head
    written = [row for row, row_cols in updates.items() if row_cols]
    return widened(head, (min(written), max(written)), (min(cols), max(cols)))


def row_runs(buffer: bytes, chunks: Iterator[bytes], qname: bytes, sx: Syntax
             ) -> Iterator[tuple[bytes, Iterator[bytes] | None]]:
    """sheetData's rows as they stream by, in runs of whole <row> elements (each chunk is cut before its last
    row start); the last run comes with the rest of the part, from </sheetData> on."""
    closing = b"</" + qname
    row_start = b"<" + sx.p + b"row"
    while True:
        end = buffer.find(closing)
        if end >= 0:
            yield buffer[:end], _rest(buffer[end:], chunks)
            return
        cut = buffer.rfind(row_start)
        if cut > 0:
            yield buffer[:cut], None
            buffer = buffer[cut:]
        chunk = next(chunks, None)
        if chunk is None:
            raise ValueError("worksheet XML ends inside sheetData")
        buffer += chunk


def _rest(buffer: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield buffer
    yield from chunks


class _RowPatcher:
    """The rows still to write, carried from one stretch of <row> elements to the next."""

    def __init__(self, updates: dict[int, dict[int, CellValue]], date_styles: set[int], date_style: int,
                 date1904: bool, sx: Syntax | None = None) -> None:
        self.pending = dict(sorted(updates.items()))
        self.order = deque(self.pending)  # rows still to write, ascending
        self.implicit_row = 0
        self.sx = sx or syntax()
        self.styles = (date_styles, date_style, date1904)

    def patch(self, body: bytes) -> bytes:
        """Complete <row> elements with their updates applied (rows that have none inserted in order)."""
        if not self.order:
            return body
        if body.count(b"<" + self.sx.p + b"row") == body.count(self.sx.row_open):
            return self._jump(body)
        return self._walk(body)

    def _jump(self, body: bytes) -> bytes:
        """Every row is numbered: go straight to the rows with updates (merge touches a few of a million)."""
        sx = self.sx
        last = body.rfind(sx.row_open)
        at = last + len(sx.row_open)
        self.implicit_row = int(body[at:body.index(b'"', at)]) if last >= 0 else self.implicit_row
        out: list[bytes] = []
        pos = 0
        while self.order and self.order[0] <= self.implicit_row:
            row = self.order.popleft()
            start = body.find(sx.row_open + b'%d"' % row, pos)
            if start < 0:  # no such row yet: it goes before the first row below it
                start = next(m.start() for m in sx.row_number.finditer(body, pos) if int(m.group(1)) > row)
                out += [body[pos:start], _new_row(sx, row, self.pending.pop(row), *self.styles[1:])]
                pos = start
                continue
            attrs, content, end = _element(body, start, sx.p + b"row")
            out += [body[pos:start], self._patched(attrs, content, row)]
            pos = end
        out.append(body[pos:])
        return b"".join(out)

    def _walk(self, body: bytes) -> bytes:
        """Rows without r= count from the row before, so every row is looked at."""
        _date_styles, date_style, date1904 = self.styles
        out: list[bytes] = []
        pos = 0
        for m, number in sheet_rows(body, self.sx.row):
            row = number if number is not None else self.implicit_row + 1
            self.implicit_row = row
            # rows with updates that have no <row> element yet come before this one
            while self.order and self.order[0] < row:
                missing = self.order.popleft()
                out.append(body[pos:m.start()])
                pos = m.start()
                out.append(_new_row(self.sx, missing, self.pending.pop(missing), date_style, date1904))
            if row not in self.pending:
                if not self.order:
                    break
                continue
            self.order.popleft()
            out += [body[pos:m.start()], self._patched(m.group(1), m.group(3), row)]
            pos = m.end()
        out.append(body[pos:])
        return b"".join(out)

    def _patched(self, attrs: bytes, content: bytes | None, row: int) -> bytes:
        # spans= would no longer cover an inserted cell; it is only a hint, so it goes.
        attrs = SPANS_RE.sub(b"", attrs) if b"spans=" in attrs else attrs
        p = self.sx.p
        cells = _patch_row(content or b"", row, self.pending.pop(row), *self.styles, self.sx)
        return b"<" + p + b"row" + attrs + b">" + cells + b"</" + p + b"row>"

    def finish(self) -> bytes:
        """Rows below the last one in the sheet."""
        _date_styles, date_style, date1904 = self.styles
        rows = [_new_row(self.sx, row, cols, date_style, date1904) for row, cols in self.pending.items()]
        self.pending.clear()
        self.order.clear()
        return b"".join(rows)


def _new_row(sx: Syntax, row: int, cols: dict[int, CellValue], date_style: int, date1904: bool) -> bytes:
    cells = b"".join(
        _cell_xml(sx, column_letters(c).encode() + str(row).encode(), v, None, date_style, date1904)
        for c, v in sorted(cols.items())
    )
    return sx.row_open + str(row).encode() + b'">' + cells + b"</" + sx.p + b"row>"


def _patch_row(
    cells: bytes, row: int, cols: dict[int, CellValue], date_styles: set[int], date_style: int, date1904: bool,
    sx: Syntax | None = None,
) -> bytes:
    sx = sx or syntax()
    todo = sorted(cols.items())
    row_number = str(row).encode()
    # Every writer we know puts r= first; then each target cell is found by its reference in C, not by a
    # Python loop over every cell of the row (a tag run patches every row of 客户信息).
    # (Counting "<c" first: when it equals the cells with r=, no regex need look; rich text's <color> makes it
    # differ, and then the cells are counted properly.)
    numbered = cells.count(sx.cell_open)
    if cells.count(b"<" + sx.p + b"c") != numbered and len(sx.cell_start.findall(cells)) != numbered:
        return _patch_row_scan(cells, row_number, todo, date_styles, date_style, date1904, sx)
    out: list[bytes] = []
    pos = 0
    last = None
    for col, value in todo:
        ref = _letters(col) + row_number
        start = cells.find(sx.cell_open + ref + b'"', pos)
        if start < 0:
            if last is None:
                last = _last_column(cells, sx)
            # Not there: it goes before the first cell further right, found by its reference like the target
            # (a tag run fills maintained cells in every row: mostly at the right end, with nothing to look for).
            insert = next((at for right in range(col + 1, last + 1)
                           if (at := cells.find(sx.cell_open + _letters(right) + row_number + b'"', pos)) >= 0),
                          len(cells))
            out += [cells[pos:insert], _cell_xml(sx, ref, value, None, date_style, date1904)]
            pos = insert
            continue
        attrs, content, end = _element(cells, start, sx.p + b"c")
        out.append(cells[pos:start])
        out.append(_replacement(sx, cells[start:end], attrs, content, ref, value, date_styles, date_style, date1904))
        pos = end
    out.append(cells[pos:])
    return b"".join(out)


def _last_column(cells: bytes, sx: Syntax) -> int:
    """The column of a row's last cell (cells with r=, in order), -1 for none."""
    found = sx.cell_ref.match(cells, max(cells.rfind(sx.cell_open), 0))
    return _index(found.group(1)) if found else -1


def _patch_row_scan(
    cells: bytes, row_number: bytes, todo: list[tuple[int, CellValue]], date_styles: set[int], date_style: int,
    date1904: bool, sx: Syntax | None = None,
) -> bytes:
    """_patch_row for cells without a leading r= (implicit positions count from the cell before)."""
    sx = sx or syntax()
    pending = dict(todo)
    out: list[bytes] = []
    pos = 0
    implicit_col = -1
    for m in sx.cell.finditer(cells):
        ref = REF_RE.search(m.group(1))
        col = _index(ref.group(1)) if ref else implicit_col + 1
        implicit_col = col
        for missing in [c for c in pending if c < col]:
            out.append(cells[pos:m.start()])
            pos = m.start()
            out.append(_cell_xml(sx, _letters(missing) + row_number, pending.pop(missing), None, date_style,
                                 date1904))
        if col not in pending:
            continue
        out.append(cells[pos:m.start()])
        out.append(_replacement(sx, m.group(0), m.group(1), m.group(2), _letters(col) + row_number, pending.pop(col),
                                date_styles, date_style, date1904))
        pos = m.end()
    out.append(cells[pos:])
    for col, value in pending.items():
        out.append(_cell_xml(sx, _letters(col) + row_number, value, None, date_style, date1904))
    return b"".join(out)


def _element(xml: bytes, start: int, name: bytes) -> tuple[bytes, bytes | None, int]:
    """(attributes, content or None when it closes itself, end) of the element ``name`` at ``start``: what
    Syntax.row / Syntax.cell match, found by bytes.find (a tag run patches every row of 客户信息; a regex
    scanning each row costs more than the rest of the patch)."""
    attrs_at = start + 1 + len(name)
    gt = xml.index(b">", attrs_at)
    if xml[gt - 1] == 0x2F:  # "/>"
        return xml[attrs_at:gt - 1], None, gt + 1
    closing = b"</" + name + b">"
    end = xml.index(closing, gt)
    return xml[attrs_at:gt], xml[gt + 1:end], end + len(closing)


def _replacement(sx: Syntax, cell: bytes, attrs: bytes, content: bytes | None, ref: bytes, value: CellValue,
                 date_styles: set[int], date_style: int, date1904: bool) -> bytes:
    """The new cell for an existing one: a formula stays the user's; a date keeps a date format it has."""
    if sx.formula.search(content or b""):
        return cell
    style_m = STYLE_RE.search(attrs)
    style = style_m.group(1) if style_m else None
    keep = int(style) if isinstance(value, dt.date) and style is not None and int(style) in date_styles else date_style
    return _cell_xml(sx, ref, value, style, keep, date1904)


@cache
def _letters(col: int) -> bytes:
    return column_letters(col).encode()


@cache
def _index(letters: bytes) -> int:
    return column_index(letters.decode())
