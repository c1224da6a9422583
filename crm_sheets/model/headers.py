"""Where each field stands in a sheet: its header found through the schema's aliases, its column letter.

Headers are matched after normalizing whitespace and full-width characters, so a hand-made sheet with "手机号 " or
"联系电话＊" still lines up; the reader of the file and the open Excel book match them alike.
"""

from __future__ import annotations

from .. import values
from ..schema import Sheet


def header_lookup(sheet: Sheet) -> dict[str, str]:
    """Normalized header or alias -> field key; a real header beats an alias."""
    lookup: dict[str, str] = {}
    for f in sheet.fields:
        for alias in f.aliases:
            lookup.setdefault(values.normalize_header(alias), f.key)
    for f in sheet.fields:
        lookup[values.normalize_header(f.header)] = f.key
    return lookup


def match_headers(sheet: Sheet, header_row: list) -> dict[str, int]:
    """Field key -> 0-based column index for the headers found in the row."""
    lookup = header_lookup(sheet)
    found: dict[str, int] = {}
    for col, cell in enumerate(header_row):
        key = lookup.get(values.normalize_header(str(cell))) if cell not in ("", None) else None
        if key and key not in found:
            found[key] = col
    return found


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
