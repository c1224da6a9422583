"""Append the styles of a sheet built by XlsxWriter to the user's styles.xml.

The user's fonts, fills, borders, number formats and cell formats keep their
positions (so every existing ``s="N"`` still means what it meant); ours are
appended after them and an index map is returned for rewriting our sheets.
Identical entries are reused, so running a command again adds nothing.
"""

from __future__ import annotations

import re

SECTION_ORDER = (
    "numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
    "cellStyles", "dxfs", "tableStyles", "colors", "extLst",
)
ITEM_TAG = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf", "dxfs": "dxf"}
BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))


def _section(xml: bytes, name: str) -> re.Match | None:
    return re.search(
        rb"<((?:\w+:)?)" + name.encode() + rb"\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?" + name.encode() + rb">)",
        xml,
        re.DOTALL,
    )


def _items(fragment: bytes, tag: str) -> list[bytes]:
    t = tag.encode()
    pattern = rb"<(?:\w+:)?" + t + rb"\b[^>]*?/>|<(?:\w+:)?" + t + rb"\b[^>]*?>.*?</(?:\w+:)?" + t + rb">"
    return re.findall(pattern, fragment, re.DOTALL)


def items(xml: bytes, section: str) -> list[bytes]:
    m = _section(xml, section)
    return _items(m.group(3) or b"", ITEM_TAG[section]) if m else []


def _prefixed(fragment: bytes, prefix: bytes) -> bytes:
    if not prefix:
        return fragment
    return re.sub(rb"<(/?)([A-Za-z])", rb"<\1" + prefix + rb"\2", fragment)


def _set_section(xml: bytes, name: str, new_items: list[bytes]) -> bytes:
    """Append ``new_items`` to section ``name`` (creating it if absent) and fix its count."""
    if not new_items:
        return xml
    root_prefix = re.search(rb"<((?:\w+:)?)styleSheet\b", xml)
    prefix = root_prefix.group(1) if root_prefix else b""
    body = b"".join(_prefixed(i, prefix) for i in new_items)
    m = _section(xml, name)
    if m is None:
        element = b"<" + prefix + name.encode() + b' count="' + str(len(new_items)).encode() + b'">' + body
        element += b"</" + prefix + name.encode() + b">"
        later = [s for s in SECTION_ORDER[SECTION_ORDER.index(name) + 1:] if _section(xml, s)]
        if later:
            pos = _section(xml, later[0]).start()
        else:
            pos = re.search(rb"</(?:\w+:)?styleSheet>", xml).start()
        return xml[:pos] + element + xml[pos:]
    tag_prefix, attrs, inner = m.group(1), m.group(2), m.group(3) or b""
    total = len(_items(inner, ITEM_TAG[name])) + len(new_items)
    if re.search(rb'\bcount="\d+"', attrs):
        attrs = re.sub(rb'\bcount="\d+"', b'count="' + str(total).encode() + b'"', attrs)
    element = b"<" + tag_prefix + name.encode() + attrs + b">" + inner + body + b"</" + tag_prefix + name.encode() + b">"
    return xml[: m.start()] + element + xml[m.end():]


def _attr(element: bytes, name: str) -> int:
    m = re.search(rb"\b" + name.encode() + rb'="(\d+)"', element)
    return int(m.group(1)) if m else 0


def _replace_attr(element: bytes, name: str, value: int) -> bytes:
    pattern = rb"\b" + name.encode() + rb'="\d+"'
    if re.search(pattern, element):
        return re.sub(pattern, name.encode() + b'="' + str(value).encode() + b'"', element, count=1)
    return element


def merge_styles(user: bytes, ours: bytes) -> tuple[bytes, dict[int, int]]:
    """Return the user's styles.xml with ours appended, and our xf index -> new index."""
    result = user
    maps: dict[str, dict[int, int]] = {}
    for section in ("fonts", "fills", "borders"):
        mapping, new = _append_unique(items(result, section), items(ours, section))
        result = _set_section(result, section, new)
        maps[section] = mapping

    user_formats = {_attr(f, "numFmtId"): _format_code(f) for f in items(result, "numFmts")}
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
    xf_map, new_xfs = _append_unique(items(result, "cellXfs"), renumbered)
    result = _set_section(result, "cellXfs", new_xfs)
    return result, xf_map


def _format_code(numfmt: bytes) -> bytes:
    m = re.search(rb'formatCode="([^"]*)"', numfmt)
    return m.group(1) if m else b""


def date_styles(styles: bytes) -> set[int]:
    """Indexes of cell formats that display a date or time."""
    custom = {_attr(f, "numFmtId"): _format_code(f) for f in items(styles, "numFmts")}
    out = set()
    for i, xf in enumerate(items(styles, "cellXfs")):
        fid = _attr(xf, "numFmtId")
        if fid in BUILTIN_DATE_FORMATS or (fid in custom and _is_date_code(custom[fid])):
            out.add(i)
    return out


def _is_date_code(code: bytes) -> bool:
    text = re.sub(rb'"[^"]*"|\[[^\]]*\]|\\.', b"", code).lower()
    return bool(re.search(rb"[ymdhs]", text))


def _append_unique(existing: list[bytes], ours: list[bytes]) -> tuple[dict[int, int], list[bytes]]:
    """Where each of our entries lands after appending only those the user's list lacks."""
    mapping: dict[int, int] = {}
    new: list[bytes] = []
    for i, item in enumerate(ours):
        if item in existing:
            mapping[i] = existing.index(item)
        elif item in new:
            mapping[i] = len(existing) + new.index(item)
        else:
            mapping[i] = len(existing) + len(new)
            new.append(item)
    return mapping, new
