"""Append the styles of a sheet built by XlsxWriter to the user's styles.xml.

The user's fonts, fills, borders, number formats, cell formats and
conditional-format formats (dxfs) keep their positions (so every existing
``s="N"`` and ``dxfId="N"`` still means what it meant); ours are appended
after them and index maps are returned for rewriting our sheets.
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


def _entries(root: xmlspan.Element, section: str) -> list[xmlspan.Element]:
    found = root.find(MAIN_NS, section)
    return found.findall(MAIN_NS, ITEM_TAG[section]) if found is not None else []


def _appended(user: bytes, root: xmlspan.Element, added: dict[str, list[bytes]]) -> bytes:
    """The user's styles.xml with ``added`` (entries written in the default main namespace) appended to their
    sections, sections created in schema order where missing, counts fixed: one splice over the parsed part,
    however big it is."""
    edits: list[tuple[int, int, bytes]] = []
    for name in SECTION_ORDER:
        new_items = added.get(name)
        if not new_items:
            continue
        section = root.find(MAIN_NS, name)
        if section is None:
            body = b"".join(xmlspan.with_namespace(i, MAIN_NS, root) for i in new_items)
            element = xmlspan.element(root, MAIN_NS, name, [("", "count", str(len(new_items)))], body)
            later = [el for el in (root.find(MAIN_NS, s) for s in SECTION_ORDER[SECTION_ORDER.index(name) + 1:])
                     if el is not None]
            if root.empty:
                raise ValueError("styles.xml without sections")
            at = min(later, key=lambda el: el.start).start if later else root.close_start
            edits.append((at, at, element))
            continue
        body = b"".join(xmlspan.with_namespace(i, MAIN_NS, section) for i in new_items)
        total = len(section.findall(MAIN_NS, ITEM_TAG[name])) + len(new_items)
        tag = (xmlspan.start_tag_with(user, section, "count", str(total)) if "count" in section.attrs
               else user[section.start:section.open_end])
        if section.empty:
            edits.append((section.start, section.end, tag[:-2] + b">" + body + b"</" + section.qname + b">"))
        else:
            edits += [(section.start, section.open_end, tag), (section.close_start, section.close_start, body)]
    return xmlspan.splice(user, edits)


def _attr(entry: bytes, name: str) -> int:
    value = xmlspan.parse(entry).get(name, "0")
    return int(value) if value.isdigit() else 0


def _replace_attr(entry: bytes, name: str, value: int) -> bytes:
    el = xmlspan.parse(entry)
    return xmlspan.set_attribute(entry, el, name, str(value)) if name in el.attrs else entry


def merge_styles(user: bytes, ours: bytes) -> tuple[bytes, dict[int, int], dict[int, int]]:
    """Return the user's styles.xml with ours appended, our xf index -> new index, and our dxf index (the
    formats conditional formatting uses) -> new index."""
    root, donor = xmlspan.parse(user), xmlspan.parse(ours)

    def donor_items(section: str) -> list[bytes]:
        return [ours[e.start:e.end] for e in _entries(donor, section)]

    added: dict[str, list[bytes]] = {}
    maps: dict[str, dict[int, int]] = {}
    for section in ("fonts", "fills", "borders"):
        maps[section], added[section] = _append_unique(_entries(root, section), donor_items(section))

    user_formats = {int(f.get("numFmtId")): f.get("formatCode") for f in _entries(root, "numFmts")
                    if f.get("numFmtId").isdigit()}
    next_id = max([163, *user_formats]) + 1
    fmt_map: dict[int, int] = {}
    added["numFmts"] = []
    for f in _entries(donor, "numFmts"):
        code, fid = f.get("formatCode"), int(f.get("numFmtId", "0"))
        same = [uid for uid, c in user_formats.items() if c == code]
        if same:
            fmt_map[fid] = same[0]
        else:
            fmt_map[fid] = next_id
            added["numFmts"].append(_replace_attr(ours[f.start:f.end], "numFmtId", next_id))
            user_formats[next_id] = code
            next_id += 1

    renumbered = []
    for xf in donor_items("cellXfs"):
        fid = _attr(xf, "numFmtId")
        xf = _replace_attr(xf, "numFmtId", fmt_map.get(fid, fid))
        xf = _replace_attr(xf, "fontId", maps["fonts"].get(_attr(xf, "fontId"), 0))
        xf = _replace_attr(xf, "fillId", maps["fills"].get(_attr(xf, "fillId"), 0))
        xf = _replace_attr(xf, "borderId", maps["borders"].get(_attr(xf, "borderId"), 0))
        renumbered.append(_replace_attr(xf, "xfId", 0))
    xf_map, added["cellXfs"] = _append_unique(_entries(root, "cellXfs"), renumbered)
    # A dxf carries its font, fill and border inline: nothing in it points elsewhere.
    dxf_map, added["dxfs"] = _append_unique(_entries(root, "dxfs"), donor_items("dxfs"))
    return _appended(user, root, added), xf_map, dxf_map


def date_styles(styles: bytes) -> set[int]:
    """Indexes of cell formats that display a date or time."""
    root = xmlspan.parse(styles)
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


def _append_unique(existing: list[xmlspan.Element], ours: list[bytes]) -> tuple[dict[int, int], list[bytes]]:
    """Where each of our entries lands after appending only those the user's list lacks (compared as XML,
    so an entry the user's program wrote with a prefix or other quotes is still found)."""
    position: dict[tuple, int] = {}
    for i, el in enumerate(existing):
        position.setdefault(_key(el), i)
    mapping: dict[int, int] = {}
    new: list[bytes] = []
    for i, item in enumerate(ours):
        key = _key(xmlspan.parse(item))
        if key not in position:
            position[key] = len(existing) + len(new)
            new.append(item)
        mapping[i] = position[key]
    return mapping, new


def _key(el: xmlspan.Element) -> tuple:
    return el.local, tuple(sorted(el.attrs.items())), tuple(_key(c) for c in el.children)
