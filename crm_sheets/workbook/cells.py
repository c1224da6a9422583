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
from html import escape

ROW_RE = re.compile(rb"<row\b([^>]*?)(/>|>(.*?)</row>)", re.DOTALL)
CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')

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
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return b'<c r="' + ref + b'"' + s_attr + b"/>"
    if isinstance(value, (dt.datetime, dt.date)):
        s_attr = b' s="' + str(date_style).encode() + b'"'
        number = repr(excel_serial(value, date1904)).encode()
        return b'<c r="' + ref + b'"' + s_attr + b"><v>" + number + b"</v></c>"
    if isinstance(value, (int, float)):
        return b'<c r="' + ref + b'"' + s_attr + b"><v>" + repr(value).encode() + b"</v></c>"
    text = escape(str(value), quote=False).encode()
    return b'<c r="' + ref + b'"' + s_attr + b' t="inlineStr"><is><t xml:space="preserve">' + text + b"</t></is></c>"


def patch_cells(
    xml: bytes,
    updates: dict[int, dict[int, CellValue]],
    *,
    date_styles: set[int],
    date_style: int,
    date1904: bool = False,
) -> bytes:
    """Return the sheet XML with ``updates`` ({row: {col index: value}}) applied.

    A date keeps the cell's own format when that format already shows a
    date; otherwise it gets ``date_style``.  Cells holding a formula are the
    user's and are left alone.
    """
    if not updates:
        return xml
    return b"".join(patch_stream([xml], updates, date_styles=date_styles, date_style=date_style, date1904=date1904))


def patch_stream(
    chunks: Iterable[bytes],
    updates: dict[int, dict[int, CellValue]],
    *,
    date_styles: set[int],
    date_style: int,
    date1904: bool = False,
) -> Iterator[bytes]:
    """patch_cells over the sheet XML as it streams by, so a 700 MB sheet never sits in memory whole.

    Each chunk is cut before its last ``<row`` (rows are never split) and the
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
        date_styles, date_style, date1904 = self.styles
        if not self.order:
            return body
        out: list[bytes] = []
        pos = 0
        for m in ROW_RE.finditer(body):
            attrs = m.group(1)
            rm = re.search(rb'\br="(\d+)"', attrs)
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
            out.append(body[pos:m.start()])
            cells = m.group(3) or b""
            new_attrs = re.sub(rb'\sspans="[^"]*"', b"", attrs)
            out.append(
                b"<row" + new_attrs + b">"
                + _patch_row(cells, row, self.pending.pop(row), date_styles, date_style, date1904)
                + b"</row>"
            )
            pos = m.end()
        out.append(body[pos:])
        return b"".join(out)

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
    todo = dict(sorted(cols.items()))
    out: list[bytes] = []
    pos = 0
    implicit_col = -1
    for m in CELL_RE.finditer(cells):
        attrs = m.group(1)
        ref = REF_RE.search(attrs)
        col = column_index(ref.group(1).decode()) if ref else implicit_col + 1
        implicit_col = col
        for missing in [c for c in todo if c < col]:
            out.append(cells[pos:m.start()])
            pos = m.start()
            ref_new = column_letters(missing).encode() + str(row).encode()
            out.append(_cell_xml(ref_new, todo.pop(missing), None, date_style, date1904))
        if col not in todo:
            continue
        value = todo.pop(col)
        if b"<f" in (m.group(2) or b""):
            continue
        style_m = re.search(rb'\ss="(\d+)"', attrs)
        style = style_m.group(1) if style_m else None
        if isinstance(value, (dt.date, dt.datetime)) and style is not None and int(style) in date_styles:
            keep = int(style)
        else:
            keep = date_style
        out.append(cells[pos:m.start()])
        ref_bytes = column_letters(col).encode() + str(row).encode()
        out.append(_cell_xml(ref_bytes, value, style, keep, date1904))
        pos = m.end()
    out.append(cells[pos:])
    for col, value in todo.items():
        out.append(_cell_xml(column_letters(col).encode() + str(row).encode(), value, None, date_style, date1904))
    return b"".join(out)
