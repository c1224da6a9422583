"""操作's status panel written into the user's own sheet: only the panel's cells change (as maintained cells do),
and only the panel's hyperlinks are replaced; the buttons, the cells they use and any link of the user's stay as
they were."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..model.headers import column_index, column_letters
from ..model.outputs import PANEL_COLUMN, PANEL_ROWS, PANEL_WIDTH, PanelOut
from .cells import CellValue, patch_stream
from .links import AFTER_HYPERLINKS

_PREFIX = re.compile(rb"<(\w+:)?sheetData[\s/>]")
_REF = re.compile(rb'\sref="([A-Z]+)(\d+)')


def panel_cells(panel: PanelOut) -> dict[int, dict[int, CellValue]]:
    """{row: {0-based column: value}}: every cell of the panel, an empty one cleared."""
    return {r: {PANEL_COLUMN + c: (None if v == "" else v) for c, v in enumerate(cells)}
            for r, cells in enumerate(panel.rows, start=1)}


def panel_stream(chunks: Iterable[bytes], *, panel: PanelOut, date_styles: set[int], date_style: int,
                 date1904: bool) -> Iterator[bytes]:
    """操作's XML with the panel's cells and links (the sheet is small: its links are placed in one piece)."""
    xml = b"".join(patch_stream(chunks, panel_cells(panel), date_styles=date_styles, date_style=date_style,
                                date1904=date1904))
    yield with_panel_links(xml, panel)


def _in_panel(element: bytes) -> bool:
    found = _REF.search(element)
    if found is None:
        return False
    col, row = column_index(found.group(1).decode()), int(found.group(2))
    return PANEL_COLUMN <= col < PANEL_COLUMN + PANEL_WIDTH and 1 <= row <= PANEL_ROWS


def with_panel_links(xml: bytes, panel: PanelOut) -> bytes:
    """``xml`` whose hyperlinks in the panel are the panel's (internal locations, no relationship), the others
    kept byte for byte."""
    found = _PREFIX.search(xml)
    p = (found.group(1) or b"") if found else b""
    letter = column_letters(PANEL_COLUMN).encode()
    ours = [b'<%shyperlink ref="%s%d" location="%s"/>' % (p, letter, row, _attribute(target))
            for row, target in enumerate(panel.targets, start=1) if target]
    block = re.search(rb"<" + re.escape(p) + rb"hyperlinks>(.*?)</" + re.escape(p) + rb"hyperlinks>", xml, re.DOTALL)
    if block is not None:
        items = re.findall(rb"<" + re.escape(p) + rb"hyperlink\b[^>]*?(?:/>|>.*?</" + re.escape(p) + rb"hyperlink>)",
                           block.group(1), re.DOTALL)
        kept = [item for item in items if not _in_panel(item)]
        links = b"".join(kept + ours)
        new = b"<%shyperlinks>%s</%shyperlinks>" % (p, links, p) if links else b""
        return xml[:block.start()] + new + xml[block.end():]
    if not ours:
        return xml
    tail = found.start() if found else -1  # what follows sheetData comes after it (it may be <sheetData/>)
    marks = [b"<" + p + mark[1:] for mark in AFTER_HYPERLINKS[:-1]] + [b"</" + p + b"worksheet>"]
    at = min((f for mark in marks if (f := xml.find(mark, tail)) >= 0), default=-1)
    if tail < 0 or at < 0:
        raise ValueError("worksheet without sheetData")
    return xml[:at] + b"<%shyperlinks>%s</%shyperlinks>" % (p, b"".join(ours), p) + xml[at:]


def _attribute(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").encode()
