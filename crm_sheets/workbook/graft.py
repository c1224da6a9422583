"""Transplant sheets built in memory by XlsxWriter into the user's package.

XlsxWriter writes a correct sheet (with native charts) into a fresh package.
Its sheet, drawing and chart parts are copied into the user's package under
free part names; shared strings become inline strings (the user's
sharedStrings.xml is not touched); style indexes are remapped to the entries
appended to the user's styles.xml.  A tool-owned sheet that already exists is
replaced in place, so the workbook's sheet order and defined names stay valid.

The donor's own sheets are rewritten with patterns: they are XlsxWriter's
output, whose spelling is fixed (default namespace, ``r=`` first, double
quotes), and a 100,000-row tool sheet must not cost a parse.  Every part of
the user's is found and edited namespace-aware (xmlspan), whoever wrote it.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape
from xml.sax.saxutils import quoteattr

from defusedxml import ElementTree as SafeET

from . import xmlspan
from .package import (
    CONTENT_TYPES,
    CT_NS,
    MAIN_NS,
    OFFICE_REL_NS,
    WORKSHEET_TYPE,
    Package,
    relative,
    rels_path,
    resolve,
)
from .styles import merge_styles

WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class Donor:
    """A package written by XlsxWriter, read back for its parts."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.pkg_names = set(self.zip.namelist())
        strings = self.zip.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in self.pkg_names else b""
        self.strings = _shared_strings(strings)
        types = SafeET.fromstring(self.zip.read(CONTENT_TYPES))
        self.overrides = {
            el.get("PartName", "").lstrip("/"): el.get("ContentType", "")
            for el in types.iter(f"{{{CT_NS}}}Override")
        }
        wb = SafeET.fromstring(self.zip.read("xl/workbook.xml"))
        targets = {
            r.get("Id"): resolve("xl/workbook.xml", r.get("Target", ""))
            for r in SafeET.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        }
        rel_attr = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
        self.sheet_parts = {el.get("name"): targets[el.get(rel_attr)] for el in wb.iter(f"{{{MAIN_NS}}}sheet")}

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def relationships(self, part: str) -> list[tuple[str, str, str]]:
        name = rels_path(part)
        if name not in self.pkg_names:
            return []
        root = SafeET.fromstring(self.zip.read(name))
        return [(r.get("Id", ""), r.get("Type", ""), r.get("Target", "")) for r in root]


def _shared_strings(xml: bytes) -> list[str]:
    if not xml:
        return []
    root = SafeET.fromstring(xml)
    ns = f"{{{MAIN_NS}}}"
    return ["".join(t.text or "" for t in si.iter(f"{ns}t")) for si in root.iter(f"{ns}si")]


def _inline_cell(match: re.Match, strings: list[str]) -> bytes:
    attrs, index = match.group(1), int(match.group(2))
    attrs = attrs.replace(b' t="s"', b' t="inlineStr"')
    text = escape(strings[index], quote=False).encode()
    return b"<c" + attrs + b'><is><t xml:space="preserve">' + text + b"</t></is></c>"


def _remap_styles(xml: bytes, xf_map: dict[int, int], dxf_map: dict[int, int]) -> bytes:
    def cell(m: re.Match) -> bytes:
        return m.group(1) + str(xf_map.get(int(m.group(2)), 0)).encode() + b'"'

    def dxf(m: re.Match) -> bytes:
        return m.group(1) + str(dxf_map.get(int(m.group(2)), 0)).encode() + b'"'

    xml = re.sub(rb'(<c\b[^>]*?\ss=")(\d+)"', cell, xml)
    xml = re.sub(rb'(<row\b[^>]*?\ss=")(\d+)"', cell, xml)
    xml = re.sub(rb'(<cfRule\b[^>]*?\sdxfId=")(\d+)"', dxf, xml)
    return re.sub(rb'(<col\b[^>]*?\sstyle=")(\d+)"', cell, xml)


def prepare_sheet_xml(xml: bytes, donor: Donor, xf_map: dict[int, int], dxf_map: dict[int, int]) -> bytes:
    xml = re.sub(
        rb'<c\b([^>]*?\st="s"[^>]*)><v>(\d+)</v></c>',
        lambda m: _inline_cell(m, donor.strings),
        xml,
    )
    # A second selected tab would group it with the user's active sheet.
    xml = xml.replace(b' tabSelected="1"', b"")
    return _remap_styles(xml, xf_map, dxf_map)


def graft(pkg: Package, donor_bytes: bytes, sheet_names: list[str]) -> dict[int, int]:
    """Put each named donor sheet into ``pkg``; return the donor xf -> user xf map."""
    donor = Donor(donor_bytes)
    styles = styles_part(pkg)
    merged, xf_map, dxf_map = merge_styles(pkg.read(styles), donor.read("xl/styles.xml"))
    pkg.write(styles, merged)
    current = {name: part for name, _rid, part in pkg.sheets()}
    for name in sheet_names:
        source = donor.sheet_parts[name]
        if current.get(name):
            target = current[name]
            _drop_owned_parts(pkg, target)
        else:
            target = pkg.free_name("xl/worksheets/sheet1.xml")
            _add_sheet_entry(pkg, name, target)
        pkg.write(target, prepare_sheet_xml(donor.read(source), donor, xf_map, dxf_map))
        _copy_related(pkg, donor, source, target)
    return xf_map


def styles_part(pkg: Package) -> str:
    wb = pkg.workbook_part()
    for rel in pkg.relationships(wb):
        if rel.type.endswith("/styles"):
            return resolve(wb, rel.target)
    return "xl/styles.xml"


def _drop_owned_parts(pkg: Package, sheet_part: str) -> None:
    """Remove the old drawings/charts of a tool sheet that nothing else uses."""
    owned = pkg.reachable(sheet_part)
    still_used = pkg.referenced_from({sheet_part, *owned})
    for part in owned:
        if part in still_used:
            continue
        pkg.remove(part)
        pkg.remove(rels_path(part))
        pkg.drop_content_type(part)
    pkg.remove(rels_path(sheet_part))


def _add_sheet_entry(pkg: Package, name: str, part: str) -> None:
    wb = pkg.workbook_part()
    rid = pkg.add_relationship(wb, WORKSHEET_TYPE, part)
    root = pkg.spans(wb)
    sheets = root.find(MAIN_NS, "sheets")
    if sheets is None:
        raise ValueError("workbook without sheets")
    ids = [int(el.get("sheetId", "0")) for el in sheets.findall(MAIN_NS, "sheet") if el.get("sheetId", "").isdigit()]
    entry = xmlspan.element(sheets, MAIN_NS, "sheet",
                            [("", "name", name), ("", "sheetId", str(max(ids, default=0) + 1)),
                             (OFFICE_REL_NS, "id", rid)])
    pkg.write(wb, xmlspan.append_child(pkg.read(wb), sheets, entry))
    pkg.content_type_for(part, WORKSHEET_CT)


def _copy_related(pkg: Package, donor: Donor, source: str, target: str) -> None:
    """Copy the donor parts hanging off ``source`` (drawings, charts) under free names."""
    rels = donor.relationships(source)
    if not rels:
        return
    entries = []
    for rid, rtype, rtarget in rels:
        child_source = resolve(source, rtarget)
        child_target = pkg.free_name(child_source)
        pkg.write(child_target, donor.read(child_source))
        pkg.content_type_for(child_target, donor.overrides[child_source])
        _copy_related(pkg, donor, child_source, child_target)
        entries.append(
            f'<Relationship Id="{rid}" Type={quoteattr(rtype)} Target={quoteattr(relative(target, child_target))}/>'
        )
    pkg.write(
        rels_path(target),
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(entries).encode()
        + b"</Relationships>",
    )
