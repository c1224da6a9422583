"""The .xlsx file as the zip package it is (Open Packaging Conventions).

Parts the tool does not change are copied as their original compressed bytes,
so they stay byte-identical and a 100 MB sheet costs a file copy, not a
re-compression.  XML is only ever *read* through defusedxml; changes are made
by inserting text, never by re-serializing the user's XML.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

from defusedxml import ElementTree as SafeET

from .. import errors
from . import xmlspan
from .sniff import ZIP_LOCAL_HEADER

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKSHEET_TYPE = OFFICE_REL_NS + "/worksheet"
OFFICE_DOCUMENT_TYPE = OFFICE_REL_NS + "/officeDocument"
CONTENT_TYPES = "[Content_Types].xml"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def rels_path(part: str) -> str:
    """'xl/worksheets/sheet1.xml' -> 'xl/worksheets/_rels/sheet1.xml.rels'."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    """Target of a relationship, as a part name inside the package."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part) or ".")


class Relationship:
    __slots__ = ("external", "id", "target", "type")

    def __init__(self, id: str, type: str, target: str, external: bool) -> None:
        self.id, self.type, self.target, self.external = id, type, target, external


class Package:
    """An opened workbook package; edits are kept in memory until ``write_to``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path)
        self._infos = self._zip.infolist()
        self._changed: dict[str, bytes] = {}
        self._streamed: dict[str, Callable[[Iterator[bytes]], Iterable[bytes]]] = {}
        self._added: list[str] = []
        self._removed: set[str] = set()

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- parts -------------------------------------------------------------
    def names(self) -> list[str]:
        return [i.filename for i in self._infos if i.filename not in self._removed] + list(self._added)

    def exists(self, name: str) -> bool:
        return name in self._changed or (name not in self._removed and name in self._zip.NameToInfo)

    def read(self, name: str) -> bytes:
        if name in self._changed:
            return self._changed[name]
        if name in self._removed or name not in self._zip.NameToInfo:
            raise errors.MissingPart(file=self.path.name, member=name)
        return self._zip.read(name)

    def xml(self, name: str):
        """A part parsed (defusedxml: no DTD, no entities); a damaged part is a CorruptWorkbook."""
        try:
            return SafeET.fromstring(self.read(name))
        except SafeET.ParseError as exc:
            raise errors.CorruptWorkbook(file=self.path.name, detail=f"{name}: {exc}"[:80]) from None

    def write(self, name: str, data: bytes) -> None:
        if name not in self._zip.NameToInfo and name not in self._added:
            self._added.append(name)
        self._removed.discard(name)
        self._changed[name] = data

    def remove(self, name: str) -> None:
        self._changed.pop(name, None)
        if name in self._added:
            self._added.remove(name)
        if name in self._zip.NameToInfo:
            self._removed.add(name)

    def transform(self, name: str, change: Callable[[Iterator[bytes]], Iterable[bytes]]) -> None:
        """Rewrite an existing part as it is copied: ``change`` gets its bytes in chunks and yields the new ones.

        For parts too big to hold in memory twice (a million-row sheet).
        """
        self._streamed[name] = change

    def changed_parts(self) -> set[str]:
        return set(self._changed) | set(self._streamed) | self._removed

    # -- relationships -----------------------------------------------------
    def relationships(self, part: str) -> list[Relationship]:
        name = rels_path(part) if part else "_rels/.rels"
        if not self.exists(name):
            return []
        root = self.xml(name)
        return [
            Relationship(
                el.get("Id", ""),
                el.get("Type", ""),
                el.get("Target", ""),
                el.get("TargetMode", "") == "External",
            )
            for el in root.iter(f"{{{REL_NS}}}Relationship")
        ]

    def add_relationship(self, part: str, type: str, target_part: str) -> str:
        """Append a relationship to ``part``'s rels and return its new id."""
        name = rels_path(part)
        existing = {r.id for r in self.relationships(part)}
        n = len(existing) + 1
        while f"rId{n}" in existing:
            n += 1
        rid = f"rId{n}"
        attrs = [("", "Id", rid), ("", "Type", type), ("", "Target", relative(part, target_part))]
        if not self.exists(name):
            self.write(name, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                             b'<Relationships xmlns="' + REL_NS.encode() + b'"/>')
        self.append(name, REL_NS, "Relationship", attrs)
        return rid

    def reachable(self, part: str) -> list[str]:
        """Every internal part reachable from ``part`` through relationships."""
        seen: list[str] = []
        stack = [part]
        while stack:
            current = stack.pop()
            for rel in self.relationships(current):
                if rel.external:
                    continue
                target = resolve(current, rel.target)
                if target not in seen and target != part and self.exists(target):
                    seen.append(target)
                    stack.append(target)
        return seen

    def referenced_from(self, parts_to_skip: set[str]) -> set[str]:
        """Parts that some relationship outside ``parts_to_skip`` points at."""
        found: set[str] = set()
        for name in self.names():
            if not name.endswith(".rels"):
                continue
            folder = posixpath.dirname(posixpath.dirname(name))
            source = posixpath.join(folder, posixpath.basename(name)[: -len(".rels")]) if name != "_rels/.rels" else ""
            if source in parts_to_skip:
                continue
            for rel in self.relationships(source):
                if not rel.external:
                    found.add(resolve(source, rel.target))
        return found

    # -- the workbook part -------------------------------------------------
    def workbook_part(self) -> str:
        for rel in self.relationships(""):
            if rel.type == OFFICE_DOCUMENT_TYPE or rel.type.endswith("/officeDocument"):
                return resolve("", rel.target)
        return "xl/workbook.xml"

    def sheets(self) -> list[tuple[str, str, str]]:
        """(sheet name, relationship id, part name) in workbook order."""
        wb = self.workbook_part()
        root = self.xml(wb)
        targets = {r.id: resolve(wb, r.target) for r in self.relationships(wb)}
        out = []
        for el in root.iter(f"{{{MAIN_NS}}}sheet"):
            rid = el.get(f"{{{OFFICE_REL_NS}}}id", "")
            out.append((el.get("name", ""), rid, targets.get(rid, "")))
        return out

    def uses_1904_dates(self) -> bool:
        root = self.xml(self.workbook_part())
        pr = root.find(f"{{{MAIN_NS}}}workbookPr")
        return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")

    def content_type_for(self, part: str, content_type: str) -> None:
        """Declare ``part``'s content type with an Override entry."""
        self.append(CONTENT_TYPES, CT_NS, "Override", [("", "PartName", "/" + part), ("", "ContentType", content_type)])

    def drop_content_type(self, part: str) -> None:
        data = self.read(CONTENT_TYPES)
        root = self.spans(CONTENT_TYPES)
        for el in reversed(root.findall(CT_NS, "Override")):
            if el.get("PartName").lstrip("/").lower() == part.lower():
                data = xmlspan.remove(data, el)
        self.write(CONTENT_TYPES, data)

    def spans(self, name: str) -> xmlspan.Element:
        """A part's elements with their namespaces and byte positions (for edits by splicing)."""
        try:
            return xmlspan.parse(self.read(name))
        except xmlspan.XmlDamage as exc:
            raise errors.CorruptWorkbook(file=self.path.name, detail=f"{name}: {exc}"[:80]) from None

    def append(self, name: str, ns: str, local: str, attrs: list[tuple[str, str, str]]) -> None:
        """Add an element as the last child of the part's root, named as the part's own scope names it."""
        root = self.spans(name)
        self.write(name, xmlspan.append_child(self.read(name), root, xmlspan.element(root, ns, local, attrs)))

    def free_name(self, pattern_part: str) -> str:
        """A part name like ``pattern_part`` ('xl/charts/chart1.xml') not used yet."""
        folder, base = posixpath.split(pattern_part)
        m = re.match(r"(\D*)(\d*)(\..+)$", base)
        stem, ext = (m.group(1), m.group(3)) if m else (base, "")
        taken = {n.lower() for n in self.names()}
        n = 1
        while posixpath.join(folder, f"{stem}{n}{ext}").lower() in taken:
            n += 1
        return posixpath.join(folder, f"{stem}{n}{ext}")

    # -- output --------------------------------------------------------------
    def write_to(self, out: BinaryIO) -> None:
        """Write the package: unchanged members as raw compressed bytes."""
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as dst:
            for info in self._infos:
                name = info.filename
                if name in self._removed:
                    continue
                if name in self._changed:
                    dst.writestr(_fresh_info(name, info), self._changed[name])
                elif name in self._streamed:
                    self._write_streamed(info, dst)
                else:
                    _copy_raw(self._zip, info, dst)
            for name in self._added:
                dst.writestr(_fresh_info(name, None), self._changed[name])

    def _write_streamed(self, info: zipfile.ZipInfo, dst: zipfile.ZipFile) -> None:
        target = _fresh_info(info.filename, info)
        # Level 1: deflating 700 MB at the default level takes longer than everything else in a command.
        setattr(target, "compress_level" if hasattr(target, "compress_level") else "_compresslevel", 1)
        # zlib lets go of the GIL: the next piece inflates and the last one deflates in threads while this one
        # patches (a tag run streams all of 客户信息 through; most of the time is zlib's).
        with self._zip.open(info) as src, dst.open(target, "w", force_zip64=info.file_size > STREAM_ZIP64) as out, \
                ThreadPoolExecutor(2) as pool:
            written = None
            for piece in self._streamed[info.filename](_read_ahead(pool, lambda: src.read(STREAM_CHUNK))):
                if written is not None:
                    written.result()
                written = pool.submit(out.write, piece)
            if written is not None:
                written.result()


def _read_ahead(pool: ThreadPoolExecutor, read: Callable[[], bytes]) -> Iterator[bytes]:
    """What ``read`` gives until it gives b"", each next piece read in ``pool`` while the last is used."""
    coming = pool.submit(read)
    while chunk := coming.result():
        coming = pool.submit(read)
        yield chunk


# Streamed parts are read in pieces of this size; one that may grow past 2 GB gets a ZIP64 header up front.
STREAM_CHUNK = 1 << 24
STREAM_ZIP64 = 1 << 30


def _fresh_info(name: str, like: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=like.date_time if like else (1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = like.external_attr if like else 0o600 << 16
    return info


def _copy_raw(src: zipfile.ZipFile, info: zipfile.ZipInfo, dst: zipfile.ZipFile) -> None:
    """Copy one member's compressed bytes without inflating them.

    zipfile has no public raw copy; the local header is written fresh from
    the central-directory entry (so data descriptors are not needed) and the
    compressed stream is streamed across unchanged.
    """
    fp = src.fp
    if fp is None or dst.fp is None:
        raise ValueError("the zip file is closed")
    fp.seek(info.header_offset)
    header = fp.read(ZIP_LOCAL_HEADER)
    name_len = int.from_bytes(header[26:28], "little")
    extra_len = int.from_bytes(header[28:30], "little")
    fp.seek(info.header_offset + ZIP_LOCAL_HEADER + name_len + extra_len)
    new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    new.compress_type = info.compress_type
    new.external_attr = info.external_attr
    new.create_system = info.create_system
    new.flag_bits = info.flag_bits & ~0x08
    new.CRC = info.CRC
    new.compress_size = info.compress_size
    new.file_size = info.file_size
    new.header_offset = dst.fp.tell()
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    dst.fp.write(new.FileHeader(zip64))
    remaining = info.compress_size
    while remaining:
        chunk = fp.read(min(remaining, 1 << 20))
        if not chunk:
            raise zipfile.BadZipFile(f"truncated member {info.filename}")
        dst.fp.write(chunk)
        remaining -= len(chunk)
    dst.filelist.append(new)
    dst.NameToInfo[new.filename] = new
    dst.start_dir = dst.fp.tell()
