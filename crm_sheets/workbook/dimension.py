"""A sheet's <dimension ref="A1:H20"/>: its used range, which openpyxl's read-only mode (and other streaming
readers) take as where the rows end, so every write keeps it over the cells it writes.  It stands before
sheetData, in the head every write has read before the rows stream by.
"""

from __future__ import annotations

import re

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

# The element with its ref split: first column, first row, and (for a range) last column, last row.
_DIMENSION = re.compile(rb"""<(?:\w+:)?dimension\b[^>]*?(\sref=(["']))([A-Za-z]*)(\d*)(?::([A-Za-z]*)(\d*))?\2"""
                        rb"""[^>]*?(?:/>|>\s*</(?:\w+:)?dimension>)""")


def widened(head: bytes, rows: tuple[int, int], cols: tuple[int, int]) -> bytes:
    """A sheet's XML up to sheetData with its dimension grown to take in the cells written in ``rows`` (first
    and last, 1-based) and ``cols`` (first and last, 0-based).

    A dimension is only grown, never shrunk (it may cover cells this write does not know of).  A sheet without
    one is left without: readers then look at every row, and a made-up one covering only the written cells
    would hide the others.  A lone "A1" is what writers that do not count put there (openpyxl's documentation
    says so): it says nothing of the cells already there either, so once a write goes past it, it goes.
    """
    m = _DIMENSION.search(head)
    if m is None or not m.group(3) or not m.group(4):
        return head
    top, left = int(m.group(4)), _column(m.group(3))
    bottom, right = int(m.group(6) or top), _column(m.group(5) or m.group(3))
    new = (min(top, rows[0]), min(left, cols[0]), max(bottom, rows[1]), max(right, cols[1]))
    if new == (top, left, bottom, right):
        return head
    if m.group(5) is None and (top, left) == (1, 0):
        return head[:m.start()] + head[m.end():]
    ref = b"%s%d:%s%d" % (xl_col_to_name(new[1]).encode(), new[0], xl_col_to_name(new[3]).encode(), new[2])
    return head[:m.start(3)] + ref + head[m.end(6) if m.group(5) is not None else m.end(4):]


def _column(letters: bytes) -> int:
    """0-based column of a reference's letters."""
    return xl_cell_to_rowcol(letters.decode().upper() + "1")[1]
