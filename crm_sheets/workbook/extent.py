"""Where a sheet's header is and where its rows end, without reading its cells.

collect appends to a master's 跟进记录 of a million rows: it needs that sheet's header (which column is which)
and its last row, not its content.  Both sit at the two ends of the sheet's XML, so the part is streamed once
(decompressing 600 MB takes under a second; parsing it into cells takes seconds).  Anything unexpected (rows
without numbers, a header row that is not row 1) gives None, and the caller reads the sheet as usual.
"""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

from .package import Package
from .sheetrows import sheet_rows

CHUNK = 1 << 22
TAIL = 1 << 20
CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
CELL_TYPE = re.compile(rb"""\bt=(["'])(\w+)\1""")
CELL_REF = re.compile(rb"""\br=(["'])([A-Z]+)\d+\1""")
VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)
TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.DOTALL)
PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.DOTALL)
ITEM = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.DOTALL)


def sheet_end(path: Path, sheet_name: str) -> tuple[list[str], int] | None:
    """(the texts of row 1, the number of the last row holding a value), or None when the XML does not say."""
    with Package(path) as pkg:
        part = {name: p for name, _rid, p in pkg.sheets()}.get(sheet_name)
        strings_part = next((n for n in pkg.names() if n.lower().endswith("sharedstrings.xml")), None)
    if not part:
        return None
    with zipfile.ZipFile(path) as zf, zf.open(part) as stream:
        head, tail = b"", b""
        while chunk := stream.read(CHUNK):
            if not head or _first_row(head) is None:
                head += chunk
            tail = (tail + chunk)[-TAIL:]
        first = _first_row(head)
        if first is None or first[0] != 1:
            return None
        last = _last_row(tail)
        if last is None:
            return None
        cells = [_text(attrs, inner) for attrs, inner in first[1]]
        shared: list[str] = []
        if any(isinstance(h, int) for h in cells):
            found = _shared(zf, strings_part, max(h for h in cells if isinstance(h, int))) if strings_part else None
            if found is None:
                return None
            shared = found
        header = [shared[h] if isinstance(h, int) else h for h in cells]
    return header, last


def _rows(data: bytes, limit: int | None = None) -> list[tuple[int | None, int, int]]:
    """(row number, start of its cells, end of its cells) for each whole row element in ``data``."""
    out: list[tuple[int | None, int, int]] = []
    for m, number in sheet_rows(data):
        if limit is not None and len(out) >= limit:
            break
        cells = m.span(3) if m.group(3) is not None else (m.end(), m.end())  # <row r="5"/>: no cells
        out.append((number, *cells))
    return out


def _first_row(head: bytes) -> tuple[int, list[tuple[bytes, bytes]]] | None:
    rows = _rows(head, limit=1)
    if not rows:
        return None
    number, start, end = rows[0]
    return None if number is None else (number, _cells(head[start:end]))


def _cells(row: bytes) -> list[tuple[bytes, bytes]]:
    """(attributes, inner XML) of each cell, placed at its column (a gap is an empty cell)."""
    out: list[tuple[bytes, bytes]] = []
    for m in CELL.finditer(row):
        ref = CELL_REF.search(m.group(1))
        if ref:
            col = 0
            for ch in ref.group(2):
                col = col * 26 + ch - 64
            out += [(b"", b"")] * (col - 1 - len(out))
        out.append((m.group(1), m.group(2) or b""))
    return out


def _last_row(tail: bytes) -> int | None:
    """The last row in the tail with a value in any cell (a row of formatting only is no row)."""
    for number, start, end in reversed(_rows(tail)):
        if number is None:
            return None
        if any(VALUE.search(inner) or TEXT.search(inner) for _attrs, inner in _cells(tail[start:end])):
            return number
    return None


def _text(attrs: bytes, inner: bytes) -> str | int:
    """A cell's text, or its shared-string index (an int) when it has one."""
    kind = CELL_TYPE.search(attrs)
    value = VALUE.search(inner)
    if kind and kind.group(2) == b"e":  # #VALUE! and the like name no column
        return ""
    if kind and kind.group(2) == b"s" and value:
        return int(value.group(1))
    if kind and kind.group(2) == b"inlineStr":
        return unescape(b"".join(TEXT.findall(PHONETIC.sub(b"", inner))).decode())
    return unescape(value.group(1).decode()) if value else ""


def _shared(zf: zipfile.ZipFile, part: str, upto: int) -> list[str] | None:
    """The shared strings up to index ``upto``, read no further than needed."""
    out: list[str] = []
    buffer = b""
    with zf.open(part) as stream:
        while len(out) <= upto:
            chunk = stream.read(CHUNK)
            buffer += chunk
            end = 0
            for m in ITEM.finditer(buffer):
                out.append(unescape(b"".join(TEXT.findall(PHONETIC.sub(b"", m.group(1) or b""))).decode()))
                end = m.end()
            buffer = buffer[end:]
            if not chunk:
                break
    return out if len(out) > upto else None
