"""Rows taken out of a sheet as its XML streams by, the rows below moved up (archive).

The only write that moves a user's rows: every row below a removed one gets its new number, and so do the cells
in it and the ranges that point below it (the sheet's dimension, filter, conditional formats, validations, and
its Tables).  A sheet this cannot move safely is refused before anything is written: formulas (their text names
rows), merged cells or links on a removed row, rows without numbers.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

from .cells import find_sheet_data, row_runs
from .listobjects import TABLE_REL
from .sheetrows import renumbered, sheet_rows
from .package import Package, resolve
from .xmlspan import tag_end

LAST_ROW = 1_048_576
REF = re.compile(rb"(\$?[A-Z]{1,3}\$?)(\d+)")
RANGE_ATTR = re.compile(rb"""(\s(?:ref|sqref)=(["']))(.*?)(\2)""")
CELL_R = re.compile(rb"""(<(?:\w+:)?c\b[^>]*?\br=(["'])[A-Z]{1,3})(\d+)(\2)""")
MERGE_OR_LINK = re.compile(rb"""<(?:\w+:)?(?:mergeCell|hyperlink)\b[^>]*?\bref=(["'])(.*?)\1""")


class CannotMove(Exception):
    """The sheet's rows cannot be moved up safely (the reason is the message)."""


class Shift:
    """Row numbers before and after the removal."""

    def __init__(self, removed: Iterable[int]) -> None:
        self.removed = sorted(set(removed))
        self.gone = set(self.removed)

    def row(self, r: int, *, end: bool = False) -> int:
        """A row's new number; a removed row as the start of a range is the row that moves onto it, as its end
        the row above it."""
        if r >= LAST_ROW:
            return r
        below = bisect_left(self.removed, r)
        return r - below - (1 if end and r in self.gone else 0)

    def ranges(self, text: bytes) -> bytes:
        """A ref or sqref value with every range moved (a range left with no rows keeps one)."""
        out = []
        for part in text.split():
            cells = part.split(b":")
            ends = [m for c in cells if (m := REF.fullmatch(c))]
            if len(ends) < len(cells):
                out.append(part)
                continue
            rows = [int(m.group(2)) for m in ends]
            new = [self.row(rows[0])] + ([max(self.row(rows[1], end=True), self.row(rows[0]))] if len(rows) > 1 else [])
            out.append(b":".join(m.group(1) + str(n).encode() for m, n in zip(ends, new)))
        return b" ".join(out)

    def touches(self, text: bytes) -> bool:
        """Whether a ref names a removed row."""
        for part in text.split():
            rows = [int(m.group(2)) for m in REF.finditer(part)]
            if rows:
                k = bisect_left(self.removed, min(rows))
                if k < len(self.removed) and self.removed[k] <= max(rows):
                    return True
        return False


def shrink_tables(pkg: Package, sheet_part: str, shift: Shift) -> None:
    """The sheet's Tables end where their rows now end."""
    for rel in pkg.relationships(sheet_part):
        if not rel.external and rel.type.endswith(TABLE_REL):
            part = resolve(sheet_part, rel.target)
            if pkg.exists(part):
                pkg.write(part, moved_refs(pkg.read(part), shift))


def moved_refs(xml: bytes, shift: Shift) -> bytes:
    """Every ref= and sqref= of a part (a Table's, or a sheet's head and tail) moved."""
    return RANGE_ATTR.sub(lambda m: m.group(1) + shift.ranges(m.group(3)) + m.group(4), xml)


def drop_rows(chunks: Iterable[bytes], shift: Shift) -> Iterator[bytes]:
    """The sheet XML without the removed rows, everything below them moved up."""
    chunks = iter(chunks)
    buffer, start, qname, sx = find_sheet_data(chunks)
    open_end = tag_end(buffer, start)
    yield moved_refs(buffer[:open_end], shift)
    for run, rest in row_runs(buffer[open_end:], chunks, qname, sx):
        yield _rows(run, shift, sx)
        if rest is not None:
            tail = b"".join(rest)
            for m in MERGE_OR_LINK.finditer(tail):
                if shift.touches(m.group(2)):
                    raise CannotMove(f"{m.group(2).decode()} 有合并单元格或链接")
            yield moved_refs(tail, shift)


def _rows(body: bytes, shift: Shift, sx) -> bytes:
    if sx.formula.search(body):  # a formula's text names rows, anywhere in the sheet: nothing moves under it
        raise CannotMove("表里有公式，公式按行号引用，行不能上移")
    out: list[bytes] = []
    pos = 0
    for m, r in sheet_rows(body, sx.row):
        if r is None:
            raise CannotMove("行没有编号")
        new = shift.row(r)
        if r in shift.gone or new != r:
            out.append(body[pos:m.start()])
            pos = m.end()
            if r in shift.gone:
                continue
            row = m.group(0)
            head = renumbered(row[:len(row) - len(m.group(2))], new)
            out.append(CELL_R.sub(b"\\g<1>%d\\g<4>" % new, head + m.group(2)))
    out.append(body[pos:])
    return b"".join(out)
