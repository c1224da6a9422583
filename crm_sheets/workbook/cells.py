"""Change only the cells the tool maintains inside a user's sheet XML.

The sheet XML is scanned row by row; rows without updates are copied as the
original bytes, and inside an updated row only the target ``<c>`` elements
are replaced (or inserted in column order).  Everything else in the sheet --
formats, formulas, comments anchors, other columns -- is left as it was.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import deque
from collections.abc import Iterable, Iterator
from functools import cache
from html import escape

ROW_RE = re.compile(rb"<row\b([^>]*?)(/>|>(.*?)</row>)", re.DOTALL)
CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')
ROW_NUMBER_RE = re.compile(rb'<row r="(\d+)"')
ROW_R_RE = re.compile(rb'\br="(\d+)"')
SPANS_RE = re.compile(rb'\sspans="[^"]*"')
CELL_REF_RE = re.compile(rb'<c r="([A-Z]+)\d+"')
CELL_START_RE = re.compile(rb"<c[\s/>]")  # a cell, not <color> or <charset> of rich text
STYLE_RE = re.compile(rb'\ss="(\d+)"')

CellValue = str | float | int | dt.datetime | dt.date | None


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def excel_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    origin = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - origin
    return delta.days + delta.seconds / 86400


def _cell_xml(ref: bytes, value: CellValue, style: bytes | None, date_style: int, date1904: bool) -> bytes:
    s_attr = b' s="' + style + b'"' if style is not None else b""
    if isinstance(value, str):  # most maintained cells hold text: checked first
        return _text_cell(ref, s_attr, value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return b'<c r="' + ref + b'"' + s_attr + b"/>"
    if isinstance(value, (dt.datetime, dt.date)):
        s_attr = b' s="' + str(date_style).encode() + b'"'
        number = repr(excel_serial(value, date1904)).encode()
        return b'<c r="' + ref + b'"' + s_attr + b"><v>" + number + b"</v></c>"
    if isinstance(value, (int, float)):
        return b'<c r="' + ref + b'"' + s_attr + b"><v>" + repr(value).encode() + b"</v></c>"
    return _text_cell(ref, s_attr, str(value))


def _text_cell(ref: bytes, s_attr: bytes, value: str) -> bytes:
    text = escape(value, quote=False).encode()
    return b'<c r="' + ref + b'"' + s_attr + b' t="inlineStr"><is><t xml:space="preserve">' + text + b"</t></is></c>"


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
    user's and are left alone.  Each chunk is cut before its last ``<row`` (rows are never split) and the
    complete rows before the cut are patched; unchanged rows pass as they were.
    """
    rows = _RowPatcher(updates, date_styles, date_style, date1904)
    chunks = iter(chunks)
    buffer = b""
    in_data = False
    for chunk in chunks:
        buffer += chunk
        if not in_data:
            start = buffer.find(b"<sheetData")
            open_end = buffer.find(b">", start) if start >= 0 else -1
            if open_end < 0:
                continue
            if buffer[open_end - 1:open_end] == b"/":  # <sheetData/>: no rows at all
                yield buffer[:start] + b"<sheetData>" + rows.finish() + b"</sheetData>"
                buffer = buffer[open_end + 1:]
                yield from _rest(buffer, chunks)
                return
            yield buffer[:open_end + 1]
            buffer = buffer[open_end + 1:]
            in_data = True
        end = buffer.find(b"</sheetData>")
        if end >= 0:
            yield rows.patch(buffer[:end]) + rows.finish()
            yield from _rest(buffer[end:], chunks)
            return
        cut = buffer.rfind(b"<row")
        if cut > 0:
            yield rows.patch(buffer[:cut])
            buffer = buffer[cut:]
    if not in_data:
        raise ValueError("worksheet without sheetData")
    raise ValueError("worksheet XML ends inside sheetData")


def _rest(buffer: bytes, chunks: Iterator[bytes]) -> Iterator[bytes]:
    yield buffer
    yield from chunks


class _RowPatcher:
    """The rows still to write, carried from one stretch of <row> elements to the next."""

    def __init__(self, updates: dict[int, dict[int, CellValue]], date_styles: set[int], date_style: int,
                 date1904: bool) -> None:
        self.pending = dict(sorted(updates.items()))
        self.order = deque(self.pending)  # rows still to write, ascending
        self.implicit_row = 0
        self.styles = (date_styles, date_style, date1904)

    def patch(self, body: bytes) -> bytes:
        """Complete <row> elements with their updates applied (rows that have none inserted in order)."""
        if not self.order:
            return body
        if body.count(b"<row") == body.count(b'<row r="'):
            return self._jump(body)
        return self._walk(body)

    def _jump(self, body: bytes) -> bytes:
        """Every row is numbered: go straight to the rows with updates (merge touches a few of a million)."""
        last = body.rfind(b'<row r="')
        self.implicit_row = int(body[last + 8:body.index(b'"', last + 8)]) if last >= 0 else self.implicit_row
        out: list[bytes] = []
        pos = 0
        while self.order and self.order[0] <= self.implicit_row:
            row = self.order.popleft()
            start = body.find(b'<row r="%d"' % row, pos)
            if start < 0:  # no such row yet: it goes before the first row below it
                start = next(m.start() for m in ROW_NUMBER_RE.finditer(body, pos) if int(m.group(1)) > row)
                out += [body[pos:start], _new_row(row, self.pending.pop(row), *self.styles[1:])]
                pos = start
                continue
            m = ROW_RE.match(body, start)
            out += [body[pos:start], self._patched(m, row)]
            pos = m.end()
        out.append(body[pos:])
        return b"".join(out)

    def _walk(self, body: bytes) -> bytes:
        """Rows without r= count from the row before, so every row is looked at."""
        _date_styles, date_style, date1904 = self.styles
        out: list[bytes] = []
        pos = 0
        for m in ROW_RE.finditer(body):
            rm = ROW_R_RE.search(m.group(1))
            row = int(rm.group(1)) if rm else self.implicit_row + 1
            self.implicit_row = row
            # rows with updates that have no <row> element yet come before this one
            while self.order and self.order[0] < row:
                missing = self.order.popleft()
                out.append(body[pos:m.start()])
                pos = m.start()
                out.append(_new_row(missing, self.pending.pop(missing), date_style, date1904))
            if row not in self.pending:
                if not self.order:
                    break
                continue
            self.order.popleft()
            out += [body[pos:m.start()], self._patched(m, row)]
            pos = m.end()
        out.append(body[pos:])
        return b"".join(out)

    def _patched(self, m: re.Match, row: int) -> bytes:
        # spans= would no longer cover an inserted cell; it is only a hint, so it goes.
        attrs = SPANS_RE.sub(b"", m.group(1)) if b"spans=" in m.group(1) else m.group(1)
        return b"<row" + attrs + b">" + _patch_row(m.group(3) or b"", row, self.pending.pop(row), *self.styles) + b"</row>"

    def finish(self) -> bytes:
        """Rows below the last one in the sheet."""
        _date_styles, date_style, date1904 = self.styles
        rows = [_new_row(row, cols, date_style, date1904) for row, cols in self.pending.items()]
        self.pending.clear()
        self.order.clear()
        return b"".join(rows)


def _new_row(row: int, cols: dict[int, CellValue], date_style: int, date1904: bool) -> bytes:
    cells = b"".join(
        _cell_xml(column_letters(c).encode() + str(row).encode(), v, None, date_style, date1904)
        for c, v in sorted(cols.items())
    )
    return b'<row r="' + str(row).encode() + b'">' + cells + b"</row>"


def _patch_row(
    cells: bytes, row: int, cols: dict[int, CellValue], date_styles: set[int], date_style: int, date1904: bool
) -> bytes:
    todo = sorted(cols.items())
    row_number = str(row).encode()
    # Every writer we know puts r= first; then each target cell is found by its reference in C, not by a
    # Python loop over every cell of the row (a tag run patches every row of 客户信息).
    if len(CELL_START_RE.findall(cells)) != cells.count(b'<c r="'):
        return _patch_row_scan(cells, row_number, todo, date_styles, date_style, date1904)
    out: list[bytes] = []
    pos = 0
    for col, value in todo:
        ref = _letters(col) + row_number
        start = cells.find(b'<c r="' + ref + b'"', pos)
        if start < 0:
            # Not there: it goes before the first cell further right.
            insert = next((m.start() for m in CELL_REF_RE.finditer(cells, pos) if _index(m.group(1)) > col),
                          len(cells))
            out += [cells[pos:insert], _cell_xml(ref, value, None, date_style, date1904)]
            pos = insert
            continue
        m = CELL_RE.match(cells, start)
        out.append(cells[pos:start])
        out.append(_replacement(m, ref, value, date_styles, date_style, date1904))
        pos = m.end()
    out.append(cells[pos:])
    return b"".join(out)


def _patch_row_scan(
    cells: bytes, row_number: bytes, todo: list[tuple[int, CellValue]], date_styles: set[int], date_style: int,
    date1904: bool
) -> bytes:
    """_patch_row for cells without a leading r= (implicit positions count from the cell before)."""
    pending = dict(todo)
    out: list[bytes] = []
    pos = 0
    implicit_col = -1
    for m in CELL_RE.finditer(cells):
        ref = REF_RE.search(m.group(1))
        col = _index(ref.group(1)) if ref else implicit_col + 1
        implicit_col = col
        for missing in [c for c in pending if c < col]:
            out.append(cells[pos:m.start()])
            pos = m.start()
            out.append(_cell_xml(_letters(missing) + row_number, pending.pop(missing), None, date_style, date1904))
        if col not in pending:
            continue
        out.append(cells[pos:m.start()])
        out.append(_replacement(m, _letters(col) + row_number, pending.pop(col), date_styles, date_style, date1904))
        pos = m.end()
    out.append(cells[pos:])
    for col, value in pending.items():
        out.append(_cell_xml(_letters(col) + row_number, value, None, date_style, date1904))
    return b"".join(out)


def _replacement(m: re.Match, ref: bytes, value: CellValue, date_styles: set[int], date_style: int,
                 date1904: bool) -> bytes:
    """The new cell for an existing one: a formula stays the user's; a date keeps a date format it has."""
    if b"<f" in (m.group(2) or b""):
        return m.group(0)
    style_m = STYLE_RE.search(m.group(1))
    style = style_m.group(1) if style_m else None
    keep = int(style) if isinstance(value, dt.date) and style is not None and int(style) in date_styles else date_style
    return _cell_xml(ref, value, style, keep, date1904)


@cache
def _letters(col: int) -> bytes:
    return column_letters(col).encode()


@cache
def _index(letters: bytes) -> int:
    return column_index(letters.decode())
