"""Read a big sheet column-wise (fastexcel: calamine into Arrow), without a Python object per cell.

A 1,048,575-row 跟进记录 read as Python rows costs ~2 GB; as Arrow text columns
a fraction of it and half the time.  Every cell arrives as text (dates as
ISO text, numbers as their digits), so this path is used for sheets whose
cells the tool never copies verbatim.  It is taken only when the sheet's
used range provably starts at A1 (the row and column numbers in every
message and every write depend on it); otherwise the caller reads rows.
"""

from __future__ import annotations

import ctypes
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa

from ..model.headers import column_index
from .package import MAIN_NS, Package
from .xmlspan import StartFinder, tag_end

# Text the way a person sees these cells in Excel (seconds and midnight left out).
_MIDNIGHT = r"^(\d{4}-\d\d-\d\d) 00:00:00$"
_SECONDS = r"^(\d{4}-\d\d-\d\d \d\d:\d\d):\d\d$"
_RANGE = re.compile(r"^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$")
_CHUNK = 1 << 24

Merged = list[tuple[tuple[int, int], tuple[int, int]]]


@cache
def _patterns(prefix: bytes) -> tuple[re.Pattern, re.Pattern]:
    """The first <c> of the first <row> (its row, its reference, whether it is empty), and a merged range,
    spelled with the prefix the sheet binds to the main namespace."""
    p = re.escape(prefix)
    first = re.compile(rb"\s*<" + p + rb"row\b(?:[^>]*?\br=[\"'](\d+)[\"'])?[^>]*>\s*<" + p
                       + rb"c\b(?:[^>]*?\br=[\"']([A-Z]+\d+)[\"'])?[^>]*?(/?)>")
    merge = re.compile(rb"<" + p + rb"mergeCell\b[^>]*\bref=[\"']([A-Z]+)(\d+):([A-Z]+)(\d+)[\"']")
    return first, merge


@dataclass
class Layout:
    """What the head and tail of a sheet's XML say about where its cells are."""

    a1_first: bool  # the first cell of sheetData is A1 and holds something
    dimension: tuple[int, int, int, int] | None  # declared used range: first row, first col, rows, cols (0-based)
    merged: Merged

    def starts_at_a1(self, rows: int, cols: int) -> bool:
        """Whether a used range of that size, as calamine trims it, begins at A1."""
        return self.a1_first or self.dimension == (0, 0, rows, cols)


def sheet_layout(path: Path, sheet_name: str) -> Layout:
    """One streaming pass over the sheet's XML: expat reads the head up to <sheetData> (for <dimension> and how
    the sheet spells the main namespace), a pattern in that spelling reads the first cell and, after the
    data, <mergeCells>."""
    with Package(path) as pkg:
        part = next((p for name, _rid, p in pkg.sheets() if name == sheet_name), "")
    dimension = None
    merged: Merged = []
    with zipfile.ZipFile(path) as zf, zf.open(part) as fh:
        head = fh.read(_CHUNK)
        finder = StartFinder(MAIN_NS, "sheetData")
        found = finder.feed(head)
        if found is None:
            return Layout(False, None, [])
        start, qname = found
        first_cell, merge = _patterns(qname[:-len(b"sheetData")])
        ref = _RANGE.match(finder.before.get("dimension", {}).get("ref", "").upper())
        if ref:
            c0, r0 = column_index(ref.group(1)), int(ref.group(2)) - 1
            c1 = column_index(ref.group(3)) if ref.group(3) else c0
            r1 = int(ref.group(4)) - 1 if ref.group(4) else r0
            dimension = (r0, c0, r1 - r0 + 1, c1 - c0 + 1)
        first = first_cell.match(head, tag_end(head, start))
        a1_first = first is not None and first.group(1) in (None, b"1") and first.group(2) in (None, b"A1") and (
            first.group(3) != b"/")
        tail, chunk = b"", head
        while chunk:
            window = tail + chunk
            at = window.find(b"mergeCell")
            if at >= 0:
                rest = window[max(at - 16, 0):] + fh.read()
                merged = [((int(m[2]) - 1, column_index(m[1].decode())), (int(m[4]) - 1, column_index(m[3].decode())))
                          for m in merge.findall(rest)]
                break
            tail = window[-64:]
            chunk = fh.read(_CHUNK)
    return Layout(a1_first, dimension, merged)


def read_columns(reader, path: Path, sheet_name: str) -> tuple[pd.DataFrame, Merged] | None:
    """The sheet as text columns (row 1 included; index = 0-based row), or None when its start is not provable."""
    with ThreadPoolExecutor(1) as pool:  # the XML scan inflates in zlib (no GIL) while fastexcel parses
        scan = pool.submit(sheet_layout, path, sheet_name)
        table = reader.load_sheet_by_name(sheet_name, header_row=None, dtypes="string").to_arrow()
        layout = scan.result()
    if not layout.starts_at_a1(table.num_rows, table.num_columns):
        return None
    columns = {}
    for i, column in enumerate(table.columns):
        text = pd.Series(column.cast(pa.large_string()).to_pandas(types_mapper=_as_text), copy=False).fillna("")
        when = text.str.len() == len("2024-03-10 14:30:00")
        if when.any():
            text[when] = text[when].str.replace(_MIDNIGHT, r"\1", regex=True).str.replace(_SECONDS, r"\1", regex=True)
        columns[i] = text
    frame = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    del table
    pa.default_memory_pool().release_unused()  # the parse buffers, before the next sheet or the work starts
    return frame, layout.merged


def _as_text(arrow_type: pa.DataType):
    return pd.StringDtype("pyarrow", na_value=np.nan) if pa.types.is_large_string(arrow_type) else None


def columns_ahead(path: Path, names: list[str], pool: ThreadPoolExecutor
                  ) -> Callable[[str], tuple[pd.DataFrame, Merged] | None]:
    """Start reading the sheets ``names`` in ``pool``: a reader of them that waits for the one asked (None for one
    the column reader cannot read; the row reader then does, and reports what is wrong)."""
    reader = None

    def load(name: str) -> tuple[pd.DataFrame, Merged] | None:
        nonlocal reader  # one worker: the sheets load one after another
        try:
            if reader is None:
                reader = fastexcel.read_excel(str(path))
            return read_columns(reader, path, name)
        except Exception:  # noqa: BLE001 - anything fastexcel cannot do, the row reader does
            return None

    ahead = {name: pool.submit(load, name) for name in names}
    return lambda name: ahead[name].result() if name in ahead else None


@cache
def one_heap() -> None:
    """Threads allocate from the one heap (glibc's M_ARENA_MAX): what a reading thread frees after handing its
    columns over would otherwise stay in a heap of its own, ~170 MB more at Excel's row limit."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(-8, 1)
