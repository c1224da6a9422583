"""Tell what a file really is before anything parses it.

Extensions lie (an .xls renamed to .xlsx, a CSV saved as .xlsx), so the
decision is made from the bytes, and every refusal names the file and says
what to do.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Literal

import olefile

from .. import errors

ZIP_MAGIC = b"PK\x03\x04"
ZIP_ENCRYPTED = 0x1  # general-purpose flag bit 0 of a zip member's headers
# The fixed part of a member's local header, before its name and extra field (zipfile keeps it unexported).
ZIP_LOCAL_HEADER = 30
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
# A real sheet XML compresses 10-30x; a ratio this high on a big member is a bomb.
MAX_RATIO = 100
BOMB_MIN_SIZE = 20 * 1024 * 1024

XML_SUFFIXES = (".xml", ".rels", ".vml")
PROLOG_BYTES = 4096
DTD_MARK = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)

FileKind = Literal["xlsx", "csv"]


def sniff(path: Path) -> FileKind:
    """Return 'xlsx' or 'csv', or raise a CrmError saying what the file is."""
    name = path.name
    if not path.is_file():
        raise errors.FileMissing(file=name)
    with path.open("rb") as fh:
        head = fh.read(4096)
    suffix = path.suffix.lower() or "（无扩展名）"
    if head.startswith(ZIP_MAGIC) or (head.startswith(b"PK") and suffix in WORKBOOK_SUFFIXES):
        _check_package(path)
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        if _is_encrypted(path):
            raise errors.PasswordProtected(file=name)
        raise errors.LegacyXls(file=name, suffix=suffix)
    if suffix == ".csv" or suffix == ".txt":
        return "csv"
    if suffix in WORKBOOK_SUFFIXES and head and _looks_like_text(head):
        raise errors.TextAsWorkbook(file=name, suffix=suffix)
    if not head:
        raise errors.NotAWorkbook(file=name)
    if suffix in WORKBOOK_SUFFIXES:
        raise errors.NotAWorkbook(file=name)
    raise errors.UnsupportedFile(file=name, suffix=suffix)


def _check_package(path: Path) -> None:
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if any(_encrypted_member(zf, info) for info in infos):
                raise errors.PasswordProtected(file=name)
            if "mimetype" in names and zf.read("mimetype").startswith(b"application/vnd.oasis"):
                raise errors.UnsupportedFile(file=name, suffix=".ods")
            if "[Content_Types].xml" not in names or not any(n.endswith("workbook.xml") for n in names):
                raise errors.NotAWorkbook(file=name)
            for info in infos:
                if info.file_size > BOMB_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise errors.ZipBomb(file=name, member=info.filename)
            for info in infos:
                if info.filename.endswith(XML_SUFFIXES):
                    with zf.open(info) as fh:
                        # a DTD can only stand in the prolog, before the root element
                        if DTD_MARK.search(fh.read(PROLOG_BYTES)):
                            raise errors.UnsafeXml(file=name, member=info.filename)
    except zipfile.BadZipFile as exc:
        raise errors.CorruptWorkbook(file=name, detail=str(exc)) from None
    except (EOFError, OSError, zlib.error, NotImplementedError) as exc:
        raise errors.CorruptWorkbook(file=name, detail=type(exc).__name__) from None


def _encrypted_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether the member's central or local header sets the zip encryption flag (general-purpose bit 0).

    Excel never writes zip encryption, but a file another program locked this way cannot be read, and zipfile
    checks only the central header; a flag in either header is a password the user has to remove.
    """
    if info.flag_bits & ZIP_ENCRYPTED:
        return True
    fp = zf.fp
    if fp is None:
        raise ValueError("the zip file is closed")
    fp.seek(info.header_offset)
    local = fp.read(ZIP_LOCAL_HEADER)
    return local[:4] == ZIP_MAGIC and bool(int.from_bytes(local[6:8], "little") & ZIP_ENCRYPTED)


def _is_encrypted(path: Path) -> bool:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists("EncryptionInfo") or ole.exists("EncryptedPackage")
    except OSError:
        return False


def _looks_like_text(head: bytes) -> bool:
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return b"\x00" not in head
