"""Append the styles of a sheet built by XlsxWriter to the user's styles.xml.

The user's fonts, fills, borders, number formats and cell formats keep their
positions (so every existing ``s="N"`` still means what it meant); ours are
appended after them and an index map is returned for rewriting our sheets.
Identical entries are reused, so running a command again adds nothing.
"""

from __future__ import annotations

import re

from . import xmlspan
from .package import MAIN_NS

SECTION_ORDER = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
    "cellStyles", "dxfs", "tableStyles", "colors", "extLst",
)
ITEM_TAG = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf", "dxfs": "dxf"}
BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))


def _root(xml: bytes) -> xmlspan.Element:
    return xmlspan.parse(xml)


def _entries(root: xmlspan.Element, section: str) -> list[xmlspan.Element]:
    found = root.find(MAIN_NS, section)
    return found.findall(MAIN_NS, ITEM_TAG[section]) if found is not None else []


def items(xml: bytes, section: str) -> list[bytes]:
    """Entries of a section of *our* styles (XlsxWriter's, default namespace), as written, in order."""
    return [xml[e.start:e.end] for e in _entries(_root(xml), section)]


def _keys(xml: bytes, section: str) -> list[tuple]:
    """The user's entries of a section, compared as XML (an index means a position in this list)."""
    return [_key(e) for e in _entries(_root(xml), section)]


def _set_section(xml: bytes, name: str, new_items: list[bytes]) -> bytes:
    """Append ``new_items`` (written in the default main namespace) to section ``name``, creating it if absent,
    and fix its count."""
    if not new_items:
        return xml
    root = _root(xml)
    section = root.find(MAIN_NS, name)
    if section is None:
        body = b"".join(xmlspan.with_namespace(i, MAIN_NS, root) for i in new_items)
        element = xmlspan.element(root, MAIN_NS, name, [("", "count", str(len(new_items)))], body)
        later = [root.find(MAIN_NS, s) for s in SECTION_ORDER[SECTION_ORDER.index(name) + 1:]]
        later = [el for el in later if el is not None]
        if later:
            return xmlspan.insert_before(xml, min(later, key=lambda el: el.start), element)
        return xmlspan.append_child(xml, root, element)
    total = len(section.findall(MAIN_NS, ITEM_TAG[name])) + len(new_items)
    body = b"".join(xmlspan.with_namespace(i, MAIN_NS, section) for i in new_items)
    xml = xmlspan.append_child(xml, section, body)
    section = _root(xml).find(MAIN_NS, name)
    return xmlspan.set_attribute(xml, section, "count", str(total)) if "count" in section.attrs else xml


def _attr(entry: bytes, name: str) -> int:
    value = _root(entry).get(name, "0")
    return int(value) if value.isdigit() else 0


def _replace_attr(entry: bytes, name: str, value: int) -> bytes:
    el = _root(entry)
    return xmlspan.set_attribute(entry, el, name, str(value)) if name in el.attrs else entry


def merge_styles(user: bytes, ours: bytes) -> tuple[bytes, dict[int, int]]:
    """Return the user's styles.xml with ours appended, and our xf index -> new index."""
    result = user
    maps: dict[str, dict[int, int]] = {}
    for section in ("fonts", "fills", "borders"):
        mapping, new = _append_unique(_keys(result, section), items(ours, section))
        result = _set_section(result, section, new)
        maps[section] = mapping

    user_formats = {int(f.get("numFmtId")): f.get("formatCode") for f in _entries(_root(result), "numFmts")
                    if f.get("numFmtId").isdigit()}
    next_id = max([163, *user_formats]) + 1
    fmt_map: dict[int, int] = {}
    new_formats = []
    for f in items(ours, "numFmts"):
        code = _format_code(f)
        same = [fid for fid, c in user_formats.items() if c == code]
        if same:
            fmt_map[_attr(f, "numFmtId")] = same[0]
        else:
            fmt_map[_attr(f, "numFmtId")] = next_id
            new_formats.append(_replace_attr(f, "numFmtId", next_id))
            user_formats[next_id] = code
            next_id += 1
    result = _set_section(result, "numFmts", new_formats)

    renumbered = []
    for xf in items(ours, "cellXfs"):
        fid = _attr(xf, "numFmtId")
        xf = _replace_attr(xf, "numFmtId", fmt_map.get(fid, fid))
        xf = _replace_attr(xf, "fontId", maps["fonts"].get(_attr(xf, "fontId"), 0))
        xf = _replace_attr(xf, "fillId", maps["fills"].get(_attr(xf, "fillId"), 0))
        xf = _replace_attr(xf, "borderId", maps["borders"].get(_attr(xf, "borderId"), 0))
        renumbered.append(_replace_attr(xf, "xfId", 0))
    xf_map, new_xfs = _append_unique(_keys(result, "cellXfs"), renumbered)
    result = _set_section(result, "cellXfs", new_xfs)
    return result, xf_map


def _format_code(numfmt: bytes) -> str:
    return _root(numfmt).get("formatCode")


def date_styles(styles: bytes) -> set[int]:
    """Indexes of cell formats that display a date or time."""
    root = _root(styles)
    custom = {e.get("numFmtId"): e.get("formatCode") for e in _entries(root, "numFmts")}
    out = set()
    for i, xf in enumerate(_entries(root, "cellXfs")):
        fid = xf.get("numFmtId", "0")
        if (fid.isdigit() and int(fid) in BUILTIN_DATE_FORMATS) or (fid in custom and _is_date_code(custom[fid])):
            out.add(i)
    return out


def _is_date_code(code: str) -> bool:
    # A number format's own grammar, not XML: quoted text, [colour]/[condition] and \-escapes show no date part.
    text = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return bool(re.search(r"[ymdhs]", text))


def _append_unique(existing: list[tuple], ours: list[bytes]) -> tuple[dict[int, int], list[bytes]]:
    """Where each of our entries lands after appending only those the user's list lacks (compared as XML,
    so an entry the user's program wrote with a prefix or other quotes is still found)."""
    keys = list(existing)
    mapping: dict[int, int] = {}
    new: list[bytes] = []
    for i, item in enumerate(ours):
        key = _key(_root(item))
        if key in keys:
            mapping[i] = keys.index(key)
        else:
            mapping[i] = len(keys)
            keys.append(key)
            new.append(item)
    return mapping, new


def _key(el: xmlspan.Element) -> tuple:
    return el.local, tuple(sorted(el.attrs.items())), tuple(_key(c) for c in el.children)
