"""A tool sheet's links into the workbook, as Excel keeps them: <hyperlink> elements with an internal location
(no relationship part), and past Excel's 65,530 hyperlinks a sheet, HYPERLINK() formulas holding the shown
text as their value, so a 校验结果 of 100,000 rows still leads from every row."""

from __future__ import annotations

from html import escape

from ..model.headers import column_letters
from .cells import CellValue, Formula

HYPERLINK_LIMIT = 65_530  # Excel drops the hyperlinks of a sheet beyond this many (and says so on opening)
FORMULA_TEXT_LIMIT = 255  # a string argument of an Excel formula holds no more characters
# What comes after <hyperlinks> in a worksheet (CT_Worksheet's order): it goes before the first of these.
AFTER_HYPERLINKS = (b"<printOptions", b"<pageMargins", b"<pageSetup", b"<headerFooter", b"<rowBreaks", b"<colBreaks",
          b"<customProperties", b"<cellWatches", b"<ignoredErrors", b"<smartTags", b"<drawing", b"<legacyDrawing",
          b"<legacyDrawingHF", b"<picture", b"<oleObjects", b"<controls", b"<webPublishItems", b"<tableParts",
          b"<extLst", b"</worksheet>")


def hyperlink_formula(location: str, shown: str) -> str | None:
    """=HYPERLINK("#'客户信息'!E1124","某总") without the =, or None when the text is too long for a formula."""
    if len(shown) > FORMULA_TEXT_LIMIT or len(location) > FORMULA_TEXT_LIMIT - 1:
        return None
    quoted = shown.replace('"', '""')
    return f'HYPERLINK("#{location.replace(chr(34), chr(34) * 2)}","{quoted}")'


def linked_cells(cells: list[CellValue], targets: list[str | None]
                 ) -> tuple[list[CellValue], list[bool], list[tuple[int, str]]]:
    """The link column's cells (past the limit: formulas), whether each shows as a link, and the (row number,
    location) of each hyperlink element (the cells are rows 2, 3, …)."""
    out = list(cells)
    linked = [False] * len(cells)
    elements: list[tuple[int, str]] = []
    for i, (value, target) in enumerate(zip(cells, targets)):
        if target is None or value is None:
            continue
        if len(elements) < HYPERLINK_LIMIT:
            elements.append((i + 2, target))
        else:
            text = hyperlink_formula(target, str(value))
            if text is None:
                continue
            out[i] = Formula(text, str(value))
        linked[i] = True
    return out, linked, elements


def _attribute(text: str) -> bytes:
    return escape(text, quote=False).replace('"', "&quot;").encode()


def with_hyperlinks(xml: bytes, column: int, elements: list[tuple[int, str]]) -> bytes:
    """A sheet XlsxWriter wrote (default namespace, no hyperlinks of its own) with ``elements`` in column
    ``column``."""
    if not elements:
        return xml
    letters = column_letters(column)
    body = b"".join(b'<hyperlink ref="%s%d" location="%s"/>' % (letters.encode(), row,
                                                                 _attribute(location))
                    for row, location in elements)
    block = b"<hyperlinks>" + body + b"</hyperlinks>"
    tail = xml.rfind(b"</sheetData>")
    at = min((found for mark in AFTER_HYPERLINKS if (found := xml.find(mark, tail)) >= 0), default=-1)
    if tail < 0 or at < 0:
        raise ValueError("worksheet without sheetData")
    return xml[:at] + block + xml[at:]
