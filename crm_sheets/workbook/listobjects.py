"""Excel Tables (``xl/tables/tableN.xml``, what Ctrl+T makes) over a data sheet.

A Table's ``ref`` is the range Excel treats as the list: filters, banding,
structured references and new-row autofill all stop at its last row.  When
the tool adds rows below a Table that starts on the header row, the Table
(and its autoFilter) grows to cover them; nothing else in the part changes.
"""

from __future__ import annotations

import re

from . import xmlspan
from ..model.headers import column_index, column_letters
from .package import MAIN_NS, Package, resolve

TABLE_REL = "/table"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$")


def grow_tables(pkg: Package, sheet_part: str, last_row: int, columns: set[int]) -> None:
    """Grow the sheet's Tables that hold any of ``columns`` down to ``last_row``."""
    for rel in pkg.relationships(sheet_part):
        if rel.external or not rel.type.endswith(TABLE_REL):
            continue
        part = resolve(sheet_part, rel.target)
        if not pkg.exists(part):
            continue
        xml = grown(pkg.read(part), last_row, columns)
        if xml is not None:
            pkg.write(part, xml)


def grown(xml: bytes, last_row: int, columns: set[int]) -> bytes | None:
    """The Table part reaching down to ``last_row``, or None when it needs no change or is not ours to grow:
    a Table that starts below the header row, holds none of the columns written, or ends in a totals row."""
    root = xmlspan.parse(xml)
    ref = _bounds(root.get("ref"))
    if (root.ns, root.local) != (MAIN_NS, "table") or ref is None:
        return None
    c0, r0, c1, r1 = ref
    totals = root.get("totalsRowCount", "0")
    if r0 != 1 or r1 >= last_row or (totals.isdigit() and int(totals) > 0):
        return None
    if not any(c0 <= c <= c1 for c in columns):
        return None
    # The autoFilter stands after the table's start tag: edit it first, so the start tag's position still holds.
    auto = root.find(MAIN_NS, "autoFilter")
    filtered = _bounds(auto.get("ref")) if auto is not None else None
    if auto is not None and filtered is not None:
        a0, _ar0, a1, _ar1 = filtered
        xml = xmlspan.set_attribute(xml, auto, "ref", _ref(a0, r0, a1, last_row))
    return xmlspan.set_attribute(xml, root, "ref", _ref(c0, r0, c1, last_row))


def _bounds(ref: str) -> tuple[int, int, int, int] | None:
    m = _REF.match(ref.strip().upper())
    if not m:
        return None
    return column_index(m.group(1)), int(m.group(2)), column_index(m.group(3)), int(m.group(4))


def _ref(c0: int, r0: int, c1: int, r1: int) -> str:
    return f"{column_letters(c0)}{r0}:{column_letters(c1)}{r1}"
