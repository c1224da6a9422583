"""The <row> elements of a sheet's XML, for the code that streams it (cells, rowdrop) and the reader of its two
ends (extent): one reader, so that every one of them takes an attribute quoted either way (r="5" and r='5' are
the same XML)."""

from __future__ import annotations

import re
from collections.abc import Iterator

ROW_NUMBER = re.compile(rb"""\br=(["'])(\d+)\1""")
ANY_PREFIX = rb"(?:\w+:)?"


def row_pattern(prefix: bytes) -> re.Pattern:
    """A whole <row> element under the namespace ``prefix`` (a pattern): its attributes, then "/>" or its
    content."""
    return re.compile(rb"<" + prefix + rb"row\b([^>]*?)(/>|>(.*?)</" + prefix + rb"row>)", re.DOTALL)


ANY_ROW = row_pattern(ANY_PREFIX)


def sheet_rows(body: bytes, pattern: re.Pattern = ANY_ROW) -> Iterator[tuple[re.Match, int | None]]:
    """Each whole <row> element in ``body`` with its r= number (None when it has none)."""
    for m in pattern.finditer(body):
        number = ROW_NUMBER.search(m.group(1))
        yield m, int(number.group(2)) if number else None


def renumbered(row_head: bytes, new: int) -> bytes:
    """A row's start tag with its r= number replaced, in the quotes it had."""
    return ROW_NUMBER.sub(lambda m: b"r=" + m.group(1) + b"%d" % new + m.group(1), row_head, count=1)
