"""Test-side checker: would Excel open this .xlsx/.xlsm without a repair prompt?

``problems(path, parts=None)`` returns one readable string per problem found,
``"<part name>: <what is wrong>"``; an empty list means the package passed.

It checks

* every XML part whose content type we have a schema for against the ECMA-376
  *transitional* schemas in ``tests/ooxml/xsd`` (SpreadsheetML, DrawingML
  chart / spreadsheetDrawing / theme, OPC content types and relationships),
  after Markup Compatibility preprocessing (see ``_apply_markup_compatibility``);
* well-formedness of every XML part, and raw characters XML 1.0 forbids
  (U+0000-U+001F other than tab/LF/CR, U+FFFE, U+FFFF: in SpreadsheetML text
  they must be written as ``_xHHHH_``);
* what the schemas cannot say but Excel insists on (worksheet row/cell order,
  style and shared-string indexes, Excel's text/formula length limits, table
  refs and ids, sheet names, relationships that resolve, content types, ...).

Test code only: it needs lxml.  Parts are parsed with a parser that neither
resolves entities nor touches the network nor loads DTDs.
"""

from __future__ import annotations

import copy
import posixpath
import re
import zipfile
from collections.abc import Iterable
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

__all__ = ["problems"]

XSD_DIR = Path(__file__).parent / "ooxml" / "xsd"

# --- namespaces ---------------------------------------------------------------
X = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
CDR = "http://schemas.openxmlformats.org/drawingml/2006/chartDrawing"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_NS = "http://www.w3.org/XML/1998/namespace"
STRICT_X = "http://purl.oclc.org/ooxml/spreadsheetml/main"

REL_TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
REL_OFFICE_DOCUMENT = REL_TYPES + "officeDocument"
REL_STYLES = REL_TYPES + "styles"
REL_SHARED_STRINGS = REL_TYPES + "sharedStrings"

# Short prefixes used only to make schema messages readable.
_PREFIXES = {X: "", R: "r:", A: "a:", XDR: "xdr:", C: "c:", CDR: "cdr:", CT: "", PR: "", MC: "mc:"}

# --- content type -> expected root element ------------------------------------
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
ROOTS: dict[str, str] = {
    _SML + "sheet.main+xml": f"{{{X}}}workbook",
    _SML + "template.main+xml": f"{{{X}}}workbook",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": f"{{{X}}}workbook",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": f"{{{X}}}workbook",
    "application/vnd.ms-excel.addin.macroEnabled.main+xml": f"{{{X}}}workbook",
    _SML + "worksheet+xml": f"{{{X}}}worksheet",
    _SML + "chartsheet+xml": f"{{{X}}}chartsheet",
    _SML + "dialogsheet+xml": f"{{{X}}}dialogsheet",
    _SML + "styles+xml": f"{{{X}}}styleSheet",
    _SML + "sharedStrings+xml": f"{{{X}}}sst",
    _SML + "table+xml": f"{{{X}}}table",
    _SML + "comments+xml": f"{{{X}}}comments",
    _SML + "calcChain+xml": f"{{{X}}}calcChain",
    _SML + "externalLink+xml": f"{{{X}}}externalLink",
    _SML + "connections+xml": f"{{{X}}}connections",
    _SML + "queryTable+xml": f"{{{X}}}queryTable",
    _SML + "sheetMetadata+xml": f"{{{X}}}metadata",
    _SML + "pivotTable+xml": f"{{{X}}}pivotTableDefinition",
    _SML + "pivotCacheDefinition+xml": f"{{{X}}}pivotCacheDefinition",
    _SML + "pivotCacheRecords+xml": f"{{{X}}}pivotCacheRecords",
    "application/vnd.openxmlformats-officedocument.drawing+xml": f"{{{XDR}}}wsDr",
    "application/vnd.openxmlformats-officedocument.drawingml.chart+xml": f"{{{C}}}chartSpace",
    "application/vnd.openxmlformats-officedocument.drawingml.chartshapes+xml": f"{{{C}}}userShapes",
    "application/vnd.openxmlformats-officedocument.theme+xml": f"{{{A}}}theme",
    "application/vnd.openxmlformats-package.relationships+xml": f"{{{PR}}}Relationships",
}
CONTENT_TYPES_PART = "[Content_Types].xml"
CT_WORKSHEET = _SML + "worksheet+xml"
CT_TABLE = _SML + "table+xml"
CT_SST = _SML + "sharedStrings+xml"
CT_STYLES = _SML + "styles+xml"
WORKBOOK_TYPES = {ct for ct, root in ROOTS.items() if root == f"{{{X}}}workbook"}
# what the target of a relationship of these types must be (Excel refuses a
# worksheet relationship to a part typed application/xml, say)
REL_TARGET_TYPES: dict[str, set[str]] = {
    REL_TYPES + "officeDocument": WORKBOOK_TYPES,
    REL_TYPES + "worksheet": {CT_WORKSHEET},
    REL_TYPES + "chartsheet": {_SML + "chartsheet+xml"},
    REL_TYPES + "styles": {CT_STYLES},
    REL_TYPES + "sharedStrings": {CT_SST},
    REL_TYPES + "table": {CT_TABLE},
    REL_TYPES + "comments": {_SML + "comments+xml"},
    REL_TYPES + "theme": {"application/vnd.openxmlformats-officedocument.theme+xml"},
    REL_TYPES + "drawing": {"application/vnd.openxmlformats-officedocument.drawing+xml"},
    REL_TYPES + "chart": {"application/vnd.openxmlformats-officedocument.drawingml.chart+xml"},
}
# Parts with these content types are not XML we can parse (VML from Excel is not
# always well-formed XML), everything else whose type ends in xml is parsed.
NOT_XML = {"application/vnd.openxmlformats-officedocument.vmlDrawing"}

# --- Excel limits ---------------------------------------------------------------
MAX_ROW = 1_048_576
MAX_COL = 16_384
MAX_CELL_TEXT = 32_767
MAX_FORMULA = 8_192
MAX_SHEET_NAME = 31
MAX_PER_PART = 50  # problems reported per part before "... and N more"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)

_REF_RE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_ESCAPE_RE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# raw characters XML 1.0 forbids, as UTF-8 bytes: C0 controls but tab, LF, CR; U+FFFE; U+FFFF
_RAW_CONTROL_RE = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
# what Excel accepts in <v> of a number cell (xsd:double lexical space minus INF/NaN)
_NUMBER_RE = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")
_BAD_SHEET_CHARS = set("[]:*?/\\")
BUILTIN_NUMFMT_LIMIT = 164  # ids below this are Excel's built-in (and locale) formats


# =============================================================================
# schemas
# =============================================================================

@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    """One schema set for everything: a wrapper importing each entry schema.

    The validation root must be a global element of one of the imported
    schemas; ``_Checker.schema_problems`` separately checks the root element is the one
    the part's content type calls for.
    """
    imports = ["sml.xsd", "dml-chart.xsd", "dml-spreadsheetDrawing.xsd", "opc-contentTypes.xsd",
               "opc-relationships.xsd"]
    body = "".join(
        f'<xsd:import namespace="{_target_namespace(f)}" schemaLocation="{(XSD_DIR / f).as_uri()}"/>'
        for f in imports
    )
    wrapper = f'<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">{body}</xsd:schema>'
    return etree.XMLSchema(etree.fromstring(wrapper, _PARSER))


def _target_namespace(xsd_file: str) -> str:
    return etree.parse(str(XSD_DIR / xsd_file), _PARSER).getroot().get("targetNamespace")


@lru_cache(maxsize=1)
def _understood() -> frozenset[str]:
    """Namespaces the schemas know: the ones an MC consumer "understands"."""
    return frozenset(_target_namespace(p.name) for p in XSD_DIR.glob("*.xsd")) | {XML_NS}


# =============================================================================
# Markup Compatibility (ECMA-376 Part 3)
# =============================================================================

def _apply_markup_compatibility(root: etree._Element, raw: bytes) -> list[str]:
    """Rewrite ``root`` in place into what an MC consumer that understands only
    the namespaces of our schemas sees, so the transitional schemas can judge it.

    Why: Excel 2010+ writes extensions the 2006 schemas do not know -
    ``x14ac:dyDescent`` on rows, ``xr:uid`` on worksheets/tables, ``<mc:AlternateContent>``
    with ``x15ac:absPath`` in workbook.xml or ``c14`` choices in charts - and marks them
    with Markup Compatibility so that older consumers can drop them.  Validating the
    raw XML would flag every Excel-made file.  Excel itself is a consumer that
    understands more, but whatever it understands beyond the 2006 schemas it got from
    its own writers; what we must prove is that the 2006 core underneath is valid.

    * every ``extLst`` (SpreadsheetML, DrawingML, chart) is dropped first.  Its
      ``<ext uri>`` children are the schemas' own escape hatch (``xsd:any
      processContents="lax"``), so they say nothing about the 2006 core; and real
      Excel output needs it gone: Excel 2016+ puts ``<c:extLst>`` *before*
      ``<c:showDLblsOverMax>`` in every chart (against CT_Chart's sequence), and
      MC-dropping the ``x15:``/``xr:`` element that is an ``<ext>``'s only child
      (workbook.xml from Excel 365) would leave an ``<ext>`` the schema rejects as empty.
    * ``mc:AlternateContent``: replaced by the children of its first ``mc:Choice``
      whose ``Requires`` prefixes are all understood, else of its ``mc:Fallback``,
      else by nothing.
    * ``mc:Ignorable``: elements and attributes in the listed namespaces are dropped
      in the declaring element's subtree unless the namespace is understood
      (``mc:ProcessContent`` elements are unwrapped instead of dropped).
    * the ``mc:*`` attributes themselves and ``xml:space``/``xml:lang`` (core XML,
      allowed on any element, but the schemas type ``<t>`` as a plain string) are removed.

    Elements and attributes in unknown namespaces that are *not* declared ignorable
    stay, and the schema reports them - that is what MC says a consumer must do.

    ``raw`` is the part as bytes: whole-tree passes are skipped when the bytes show
    there is nothing for them to do (a 13 MB sheet is most of the time otherwise).
    """
    found: list[str] = []
    understood = _understood()
    tag_ac, tag_choice, tag_fallback = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"

    if b"extLst" in raw:
        for ext_list in list(root.iter("{*}extLst")):
            if ext_list.getparent() is not None:
                _replace_with_children(ext_list, None)
    if MC.encode() not in raw:
        if b"xml:space" in raw or b"xml:lang" in raw:
            _strip_xml_attributes(root)
        return found

    for ac in list(root.iter(tag_ac)):
        parent = ac.getparent()
        if parent is None:
            continue
        chosen = None
        for branch in ac:
            if branch.tag == tag_choice:
                required = [branch.nsmap.get(p) for p in (branch.get("Requires") or "").split()]
                if required and all(u in understood for u in required):
                    chosen = branch
                    break
            elif branch.tag == tag_fallback:
                chosen = branch
                break
        _replace_with_children(ac, chosen)

    process_content: set[tuple[str, str]] = set()
    for el in root.xpath("//*[@mc:ProcessContent]", namespaces={"mc": MC}):
        for qname in el.get(f"{{{MC}}}ProcessContent").split():
            prefix, _, local = qname.rpartition(":")
            if el.nsmap.get(prefix or None):
                process_content.add((el.nsmap[prefix or None], local))

    for el in root.xpath("//*[@mc:Ignorable]", namespaces={"mc": MC}):
        for prefix in el.get(f"{{{MC}}}Ignorable").split():
            uri = el.nsmap.get(prefix)
            if uri is None:
                found.append(f"line {el.sourceline}: mc:Ignorable names prefix {prefix!r}, which is not declared")
                continue
            if uri in understood:
                continue
            for owner in el.xpath("descendant-or-self::*[@*[namespace-uri()=$u]]", u=uri):
                for key in [k for k in owner.attrib if k.startswith(f"{{{uri}}}")]:
                    del owner.attrib[key]
            for gone in el.xpath("descendant::*[namespace-uri()=$u]", u=uri):
                if gone.getparent() is None:
                    continue
                if (uri, etree.QName(gone).localname) in process_content or (uri, "*") in process_content:
                    _replace_with_children(gone, gone)
                else:
                    _replace_with_children(gone, None)

    for owner in root.xpath("//*[@mc:*]", namespaces={"mc": MC}):
        for key in [k for k in owner.attrib if k.startswith(f"{{{MC}}}")]:
            del owner.attrib[key]
    _strip_xml_attributes(root)
    return found


def _strip_xml_attributes(root: etree._Element) -> None:
    for owner in root.xpath("//*[@xml:space or @xml:lang]"):
        for key in (f"{{{XML_NS}}}space", f"{{{XML_NS}}}lang"):
            owner.attrib.pop(key, None)


def _replace_with_children(el: etree._Element, source: etree._Element | None) -> None:
    """Put the children of ``source`` (None: nothing) where ``el`` is, dropping ``el``."""
    parent = el.getparent()
    index = parent.index(el)
    tail = el.tail
    kids = list(source) if source is not None else []
    parent.remove(el)
    for offset, kid in enumerate(kids):
        parent.insert(index + offset, kid)
    if tail and tail.strip():  # never happens in SpreadsheetML, which has no mixed content
        if index + len(kids) > 0:
            prev = parent[index + len(kids) - 1]
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


# =============================================================================
# the package
# =============================================================================

class _Package:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path)
        self.infos = [i for i in self.zip.infolist() if not i.is_dir()]
        self.names = [i.filename for i in self.infos]
        self.by_lower = {n.lower(): n for n in self.names}
        self._trees: dict[str, etree._Element | None] = {}
        self.raw: dict[str, bytes] = {}
        self._parse_errors: dict[str, list[str]] = {}
        self._rels: dict[str, list[dict] | None] = {}
        self.defaults: dict[str, str] = {}
        self.overrides: dict[str, str] = {}

    # -- raw access
    def has(self, name: str) -> bool:
        return name.lower() in self.by_lower

    def real_name(self, name: str) -> str:
        return self.by_lower.get(name.lower(), name)

    def read(self, name: str) -> bytes:
        return self.zip.read(self.real_name(name))

    # -- content types
    def load_content_types(self) -> list[str]:
        root = self.tree(CONTENT_TYPES_PART)
        if root is None:
            return []
        for el in root:
            if el.tag == f"{{{CT}}}Default" and el.get("Extension") is not None:
                self.defaults[el.get("Extension").lower()] = el.get("ContentType", "")
            elif el.tag == f"{{{CT}}}Override" and el.get("PartName") is not None:
                self.overrides[unquote(el.get("PartName")).lstrip("/").lower()] = el.get("ContentType", "")
        return []

    def content_type(self, name: str) -> str | None:
        if name == CONTENT_TYPES_PART:
            return None
        ct = self.overrides.get(name.lower())
        if ct is None:
            ext = name.rpartition("/")[2].rpartition(".")
            if ext[1]:
                ct = self.defaults.get(ext[2].lower())
        return ct

    def parts_of_type(self, *types: str) -> list[str]:
        return [n for n in self.names if self.content_type(n) in types]

    # -- XML
    def tree(self, name: str) -> etree._Element | None:
        """Parsed root (cached), or None when missing / ill-formed (see parse_errors)."""
        name = self.real_name(name)
        if name not in self._trees:
            self._trees[name] = None
            errors: list[str] = []
            if not self.has(name):
                errors.append("part is missing")
            else:
                try:
                    data = self.read(name)
                except Exception as exc:  # noqa: BLE001 - bad CRC, bad deflate stream, unsupported compression
                    data = None
                    errors.append(f"cannot read the zip member: {exc}")
                if data is not None:
                    self.raw[name] = data
                    errors.extend(_raw_character_problems(data))
                    try:
                        self._trees[name] = root = etree.fromstring(data, _PARSER)
                    except etree.XMLSyntaxError as exc:
                        errors.append(f"ill-formed XML: {exc}")
                    else:
                        info = root.getroottree().docinfo
                        if info.doctype:  # OPC forbids DTDs in package XML
                            errors.append(f"has a DOCTYPE ({info.doctype}); package XML may not")
                        if (info.encoding or "UTF-8").upper() not in ("UTF-8", "UTF-16"):
                            errors.append(f"encoding {info.encoding}; package XML must be UTF-8 or UTF-16")
            self._parse_errors[name] = errors
        return self._trees[name]

    def parse_errors(self, name: str) -> list[str]:
        self.tree(name)
        return self._parse_errors[self.real_name(name)]

    # -- relationships
    def rels(self, source: str) -> list[dict] | None:
        """Relationships of part ``source`` ("" for the package): list of dicts
        (id, type, target (resolved part name or None), external, raw), or None
        when the part has no .rels part or it is unreadable."""
        rels_name = _rels_name(source)
        if rels_name not in self._rels:
            self._rels[rels_name] = None
            if self.has(rels_name):
                root = self.tree(rels_name)
                if root is not None:
                    out = []
                    for el in root.iter(f"{{{PR}}}Relationship"):
                        external = el.get("TargetMode") == "External"
                        raw = el.get("Target", "")
                        out.append({
                            "id": el.get("Id"), "type": el.get("Type", ""), "raw": raw,
                            "external": external,
                            "target": None if external else _resolve(source, raw),
                        })
                    self._rels[rels_name] = out
        return self._rels[rels_name]

    def related(self, source: str, rel_type: str) -> str | None:
        for rel in self.rels(source) or []:
            if rel["type"] == rel_type and rel["target"]:
                return rel["target"]
        return None

    def workbook_part(self) -> str | None:
        target = self.related("", REL_OFFICE_DOCUMENT)
        if target and self.has(target):
            return self.real_name(target)
        wbs = self.parts_of_type(*WORKBOOK_TYPES)
        return wbs[0] if wbs else None


def _rels_name(source: str) -> str:
    folder, _, base = source.rpartition("/")
    return f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"


def _resolve(source: str, target: str) -> str | None:
    """Part name a relationship target points at; None if it leaves the package."""
    target = unquote(target.split("#", 1)[0])
    if not target:  # "#Sheet1!A1": a location inside the document, not a part
        return ""
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
    norm = posixpath.normpath(joined) if joined else ""
    if norm.startswith("../") or norm in ("..", ".", ""):
        return None
    return norm


# =============================================================================
# generic helpers
# =============================================================================

def _raw_character_problems(data: bytes) -> list[str]:
    out = []
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 part: scan the decoded text
        try:
            data = data.decode("utf-16").encode("utf-8", "surrogatepass")
        except UnicodeError:
            return out
    for m in _RAW_CONTROL_RE.finditer(data):
        ch = m.group().decode("utf-8")
        line = data.count(b"\n", 0, m.start()) + 1
        col = m.start() - (data.rfind(b"\n", 0, m.start()) + 1) + 1
        out.append(f"raw character U+{ord(ch):04X} at line {line}, byte {col} "
                   f"(XML cannot hold it; in cell text it must be written as _x{ord(ch):04X}_)")
        if len(out) >= 10:
            out.append("... more raw control characters not listed")
            break
    return out


def _decode_escapes(text: str) -> str:
    """SpreadsheetML ``_xHHHH_`` escapes decoded (``_x005F_`` protects a literal)."""
    if "_x" not in text:
        return text
    return _ESCAPE_RE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _excel_len(text: str) -> int:
    """Length as Excel counts it: UTF-16 code units."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _col_letters(n: int) -> str:
    s = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        s = chr(65 + rem) + s
    return s


def _parse_cell(ref: str | None) -> tuple[int, int] | None:
    """(row, col) of "B12", or None if it is not a valid cell reference."""
    if not ref:
        return None
    m = _REF_RE.fullmatch(ref)
    if not m:
        return None
    col, row = _col_number(m.group(1)), int(m.group(2))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        return None
    return row, col


def _parse_range(ref: str | None) -> tuple[int, int, int, int] | None:
    """(r1, c1, r2, c2) of "A1:D9" or "A1", or None if invalid or reversed."""
    if not ref:
        return None
    first, _, last = ref.partition(":")
    a = _parse_cell(first)
    b = _parse_cell(last) if last else a
    if a is None or b is None or a[0] > b[0] or a[1] > b[1]:
        return None
    return a[0], a[1], b[0], b[1]


def _text_of(el: etree._Element) -> str:
    """Text of an <is>/<si>/comment <text> (CT_Rst): its <t> plus its runs' <t>, not phonetic runs."""
    t_tag, r_tag = f"{{{X}}}t", f"{{{X}}}r"
    if len(el) == 1 and el[0].tag == t_tag:  # the common case: plain text
        return el[0].text or ""
    parts = []
    for child in el:
        if child.tag == t_tag:
            parts.append(child.text or "")
        elif child.tag == r_tag:
            parts.extend(t.text or "" for t in child.iterchildren(t_tag))
    return "".join(parts)


def _schema_message(entry) -> str:
    msg = entry.message
    for uri, prefix in _PREFIXES.items():
        msg = msg.replace(f"{{{uri}}}", prefix)
    return f"line {entry.line}: {msg}"


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


# =============================================================================
# checks
# =============================================================================

class _Checker:
    def __init__(self, path):
        self.pkg = _Package(path)
        self.pkg.load_content_types()

    # -- workbook-level lookups
    def _workbook_part_of(self, rel_type: str, content_type: str) -> str | None:
        """The workbook's part of a kind: by its relationship, else the first part of that content type."""
        wb = self.pkg.workbook_part()
        part = self.pkg.related(wb, rel_type) if wb else None
        if part is None:
            found = self.pkg.parts_of_type(content_type)
            part = found[0] if found else None
        return part

    def styles_part(self) -> str | None:
        return self._workbook_part_of(REL_STYLES, CT_STYLES)

    def _tree_of(self, part: str | None):
        return self.pkg.tree(part) if part and self.pkg.has(part) else None

    @cached_property
    def xf_count(self) -> int | None:
        """How many cell formats styles.xml declares (None without a readable styles part)."""
        root = self._tree_of(self.styles_part())
        if root is None:
            return None
        xfs = root.find(f"{{{X}}}cellXfs")
        return 0 if xfs is None else len(xfs.findall(f"{{{X}}}xf"))

    def sst_part(self) -> str | None:
        return self._workbook_part_of(REL_SHARED_STRINGS, CT_SST)

    @cached_property
    def sst_count(self) -> int | None:
        """How many shared strings there are (None without a readable shared strings part)."""
        root = self._tree_of(self.sst_part())
        return None if root is None else len(root.findall(f"{{{X}}}si"))

    # -- driver
    def run(self, parts: Iterable[str] | None) -> list[str]:
        pkg = self.pkg
        out: list[str] = []
        wb = pkg.workbook_part() or next((n for n in pkg.names if n.lower() == "xl/workbook.xml"), None)
        wb_root = pkg.tree(wb) if wb else None
        if wb_root is not None and etree.QName(wb_root).namespace == STRICT_X:
            return [f"{wb}: Strict OOXML (ISO/IEC 29500 Strict); this checker and our schemas are transitional only"]
        if parts is None:
            out.extend(self.package_problems())
            # [Content_Types].xml first; when it is missing package_problems says so
            selected = [n for n in pkg.names if n == CONTENT_TYPES_PART] + [
                n for n in pkg.names if n != CONTENT_TYPES_PART]
        else:
            selected = []
            for p in parts:
                p = p.lstrip("/")
                if not pkg.has(p):
                    out.append(f"{p}: part is missing")
                else:
                    selected.append(pkg.real_name(p))
        self.selected = set(selected)
        for name in selected:
            found = self.part_problems(name)
            if len(found) > MAX_PER_PART:
                found = [*found[:MAX_PER_PART], f"... and {len(found) - MAX_PER_PART} more problems"]
            out.extend(f"{name}: {p}" for p in found)
        return out

    def package_problems(self) -> list[str]:
        pkg = self.pkg
        out = []
        seen: dict[str, str] = {}
        for n in pkg.zip.namelist():
            if n.lower() in seen:
                out.append(f"{n}: zip holds this part name twice (case-insensitively)")
            seen[n.lower()] = n
        if not pkg.has(CONTENT_TYPES_PART):
            out.append(f"{CONTENT_TYPES_PART}: part is missing")
        if not pkg.has("_rels/.rels"):
            out.append("_rels/.rels: part is missing")
        elif pkg.related("", REL_OFFICE_DOCUMENT) is None:
            out.append("_rels/.rels: no officeDocument relationship to the workbook")
        return out

    def part_problems(self, name: str) -> list[str]:
        pkg = self.pkg
        out: list[str] = []
        ct = pkg.content_type(name)
        if name != CONTENT_TYPES_PART and ct is None and pkg.has(CONTENT_TYPES_PART):
            out.append("no content type (no <Override> for it and no <Default> for its extension "
                       "in [Content_Types].xml)")
        is_xml = name == CONTENT_TYPES_PART or (
            ct is not None and ct not in NOT_XML and ct.endswith(("+xml", "/xml"))
        )
        if not is_xml:
            return out
        root = pkg.tree(name)
        out.extend(pkg.parse_errors(name))
        if root is None:
            return out
        # relationships of this part: every internal target exists, every r:* attribute resolves
        rels = pkg.rels(name) if name != CONTENT_TYPES_PART else None
        source = _rels_source(name)
        if source is not None:  # a .rels part: its internal targets must exist
            out.extend(self.target_problems(pkg.rels(source) or []))
        elif rels is not None and pkg.real_name(_rels_name(name)) not in self.selected:
            out.extend(f"{_rels_name(name)}: {p}" for p in self.target_problems(rels))
        out.extend(self.r_attribute_problems(name, root, rels))
        # what the schema cannot say (run on the tree as written)
        if ct == CT_WORKSHEET:
            out.extend(self.worksheet_problems(root))
        elif ct in WORKBOOK_TYPES:
            out.extend(self.workbook_problems(name, root, rels))
        elif ct == CT_TABLE:
            out.extend(self.table_problems(name, root))
        elif ct == CT_SST:
            out.extend(self.sst_problems(root))
        elif ct == CT_STYLES:
            out.extend(self.styles_problems(root))
        # the schema
        expected = f"{{{CT}}}Types" if name == CONTENT_TYPES_PART else ROOTS.get(ct)
        if expected is not None:
            out.extend(self.schema_problems(self.pkg.real_name(name), root, expected, ct))
        return out

    # -- schema
    def schema_problems(self, name: str, root: etree._Element, expected: str, ct: str | None) -> list[str]:
        if root.tag != expected:
            return [f"root element is {root.tag}, but content type {ct} needs {expected}"]
        # validate a copy: the semantic checks above used the tree as written
        root = copy.deepcopy(root)
        out = _apply_markup_compatibility(root, self.pkg.raw.get(name, b""))
        schema = _schema()
        if not schema.validate(root):
            out.extend(_schema_message(e) for e in schema.error_log)
        return out

    # -- relationships
    def target_problems(self, rels: list[dict]) -> list[str]:
        out = []
        for rel in rels:
            if rel["external"] or rel["target"] == "":
                continue
            if rel["target"] is None:
                out.append(f"relationship {rel['id']}: target {rel['raw']!r} is outside the package")
            elif not self.pkg.has(rel["target"]):
                out.append(f"relationship {rel['id']}: target {rel['raw']!r} ({rel['target']}) "
                           f"is not in the package")
            elif rel["type"] in REL_TARGET_TYPES:
                ct = self.pkg.content_type(self.pkg.real_name(rel["target"]))
                if ct not in REL_TARGET_TYPES[rel["type"]]:
                    out.append(f"relationship {rel['id']} ({rel['type'].rpartition('/')[2]}): target "
                               f"{rel['target']} has content type {ct}")
        return out

    def r_attribute_problems(self, name: str, root: etree._Element, rels: list[dict] | None) -> list[str]:
        ids = {r["id"] for r in rels or []}
        out = []
        for el in root.xpath("//*[@r:*]", namespaces={"r": R}):
            for key, value in el.attrib.items():
                if key.startswith(f"{{{R}}}") and value and value not in ids:
                    local = key.rpartition("}")[2]
                    where = _rels_name(name)
                    out.append(f"line {el.sourceline}: r:{local}={value!r} on <{etree.QName(el).localname}> "
                               f"is not a relationship in {where}"
                               + ("" if rels is not None else " (that part is missing)"))
        return out

    # -- worksheet
    def worksheet_problems(self, root: etree._Element) -> list[str]:
        out: list[str] = []
        xf_count = self.xf_count
        sst_count = self.sst_count
        sst_part = self.sst_part() or "the shared strings part"
        styles_part = self.styles_part() or "styles"

        def style_problem(what: str, s: str | None) -> None:
            if s is None:
                return
            idx = _int(s)
            if idx is None or idx < 0:
                out.append(f"{what}: style index s={s!r} is not a non-negative integer")
            elif xf_count is None:
                if idx != 0:
                    out.append(f"{what}: style index s={idx} but the workbook has no styles part")
            elif idx >= xf_count:
                out.append(f"{what}: style index {idx} out of range "
                           f"({styles_part} has {xf_count} <xf> in cellXfs)")

        # <cols>
        for cols in root.iterchildren(f"{{{X}}}cols"):
            prev_max = 0
            for col in cols.iterchildren(f"{{{X}}}col"):
                lo, hi = _int(col.get("min")), _int(col.get("max"))
                if lo is None or hi is None or not (1 <= lo <= hi <= MAX_COL):
                    out.append(f"<col min={col.get('min')!r} max={col.get('max')!r}> is not a valid column range")
                    continue
                if lo <= prev_max:
                    out.append(f"<col min={lo} max={hi}> overlaps or precedes the previous <col> (max={prev_max})")
                prev_max = max(prev_max, hi)
                style_problem(f"<col min={lo} max={hi}>", col.get("style"))

        sheet_data = root.find(f"{{{X}}}sheetData")
        if sheet_data is not None:
            self._cells_problems(out, sheet_data, style_problem, sst_count, sst_part)

        # merged cells: valid, more than one cell, no overlaps
        merges = []
        for mc_el in root.iter(f"{{{X}}}mergeCell"):
            ref = mc_el.get("ref")
            rng = _parse_range(ref)
            if rng is None:
                out.append(f"mergeCell ref {ref!r} is not a valid range")
            elif rng[0] == rng[2] and rng[1] == rng[3]:
                out.append(f"mergeCell ref {ref!r} is a single cell")
            else:
                merges.append((rng, ref))
        merges.sort()
        active: list[tuple] = []
        for rng, ref in merges:
            active = [a for a in active if a[0][2] >= rng[0]]
            for other, other_ref in active:
                if other[1] <= rng[3] and rng[1] <= other[3]:
                    out.append(f"mergeCell {ref} overlaps mergeCell {other_ref}")
            active.append((rng, ref))
        return out

    @staticmethod
    def _cells_problems(out: list[str], sheet_data, style_problem, sst_count, sst_part) -> None:
        """Rows, cells, values, text and formula lengths of <sheetData>, appended to ``out``."""
        row_tag, c_tag = f"{{{X}}}row", f"{{{X}}}c"
        v_tag, f_tag, is_tag = f"{{{X}}}v", f"{{{X}}}f", f"{{{X}}}is"
        ref_re = _REF_RE
        prev_row = 0
        for row in sheet_data:
            if row.tag != row_tag:
                continue  # the schema reports it
            r_attr = row.get("r")
            if r_attr is None:
                rnum = prev_row + 1
            else:
                rnum = _int(r_attr)
                if rnum is None or not (1 <= rnum <= MAX_ROW):
                    out.append(f"line {row.sourceline}: <row r={r_attr!r}> is not a row number 1..{MAX_ROW}")
                    continue
            if rnum == prev_row:
                out.append(f"duplicate row {rnum}")
            elif rnum < prev_row:
                out.append(f"row {rnum} after row {prev_row}")
            prev_row = max(prev_row, rnum)
            s = row.get("s")
            if s is not None:
                style_problem(f"row {rnum}", s)
            prev_col = 0
            for c in row:
                if c.tag != c_tag:
                    continue
                ref = c.get("r")
                if ref is None:
                    col = prev_col + 1
                    ref = f"{_col_letters(col)}{rnum}"
                else:
                    m = ref_re.fullmatch(ref)
                    if m is None:
                        out.append(f"row {rnum}: cell r={ref!r} is not a cell reference like B7")
                        continue
                    col, crow = _col_number(m.group(1)), int(m.group(2))
                    if col > MAX_COL or not 1 <= crow <= MAX_ROW:
                        out.append(f"row {rnum}: cell {ref} is outside the sheet (XFD{MAX_ROW})")
                        continue
                    if crow != rnum:
                        out.append(f"cell {ref} is inside <row r=\"{rnum}\">: its row does not match")
                if col == prev_col:
                    out.append(f"duplicate cell {ref}")
                elif col < prev_col:
                    out.append(f"row {rnum}: cell {ref} after cell {_col_letters(prev_col)}{rnum} "
                               f"(cells out of order)")
                prev_col = max(prev_col, col)
                s = c.get("s")
                if s is not None and s != "0":
                    style_problem(f"cell {ref}", s)
                t = c.get("t")
                v = c.find(v_tag)
                vtext = v.text if v is not None else None
                if t == "s":
                    idx = _int(vtext)
                    if vtext is None:
                        pass  # <c t="s"/>, no value: an empty cell
                    elif idx is None or idx < 0:
                        out.append(f"cell {ref}: shared string index {vtext!r} is not a non-negative integer")
                    elif sst_count is None:
                        out.append(f"cell {ref}: shared string index {idx} but the workbook has no "
                                   f"shared strings part")
                    elif idx >= sst_count:
                        out.append(f"cell {ref}: shared string index {idx} out of range "
                                   f"({sst_part} has {sst_count} <si>)")
                elif t == "inlineStr":
                    is_el = c.find(is_tag)
                    text = _text_of(is_el) if is_el is not None else ""
                    if len(text) > MAX_CELL_TEXT // 2:  # else it cannot be over, even in UTF-16 units
                        n = _excel_len(_decode_escapes(text))
                        if n > MAX_CELL_TEXT:
                            out.append(f"cell {ref}: inline string is {n} characters "
                                       f"(Excel's limit is {MAX_CELL_TEXT})")
                elif t == "str":
                    if vtext is not None and len(vtext) > MAX_CELL_TEXT // 2:
                        n = _excel_len(_decode_escapes(vtext))
                        if n > MAX_CELL_TEXT:
                            out.append(f"cell {ref}: formula string value is {n} characters "
                                       f"(Excel's limit is {MAX_CELL_TEXT})")
                elif t is None or t == "n":
                    if vtext is not None and not _NUMBER_RE.fullmatch(vtext):
                        out.append(f"cell {ref}: number cell holds {vtext[:40]!r}, which is not a number")
                elif t == "b" and vtext is not None and vtext.strip() not in ("0", "1"):
                    out.append(f"cell {ref}: boolean cell holds {vtext[:40]!r} (must be 0 or 1)")
                f = c.find(f_tag)
                if f is not None and f.text and len(f.text) > MAX_FORMULA:
                    out.append(f"cell {ref}: formula is {len(f.text)} characters "
                               f"(Excel's limit is {MAX_FORMULA})")

    # -- shared strings
    def sst_problems(self, root: etree._Element) -> list[str]:
        out = []
        for i, si in enumerate(root.iterchildren(f"{{{X}}}si")):
            text = _text_of(si)
            if len(text) > MAX_CELL_TEXT // 2:
                n = _excel_len(_decode_escapes(text))
                if n > MAX_CELL_TEXT:
                    out.append(f"<si> {i} is {n} characters (Excel's limit is {MAX_CELL_TEXT})")
        return out

    # -- styles
    def styles_problems(self, root: etree._Element) -> list[str]:
        out = []

        def count(list_tag: str, item_tag: str) -> int:
            el = root.find(f"{{{X}}}{list_tag}")
            return 0 if el is None else len(el.findall(f"{{{X}}}{item_tag}"))

        fonts, fills, borders = count("fonts", "font"), count("fills", "fill"), count("borders", "border")
        style_xfs = count("cellStyleXfs", "xf")
        numfmts = {nf.get("numFmtId") for nf in root.iter(f"{{{X}}}numFmt")}
        for list_tag in ("cellStyleXfs", "cellXfs"):
            holder = root.find(f"{{{X}}}{list_tag}")
            if holder is None:
                continue
            for i, xf in enumerate(holder.iterchildren(f"{{{X}}}xf")):
                for attr, n, what in (("fontId", fonts, "fonts"), ("fillId", fills, "fills"),
                                      ("borderId", borders, "borders")):
                    idx = _int(xf.get(attr))
                    if idx is not None and idx >= n:
                        out.append(f"{list_tag} xf {i}: {attr}={idx} but there are {n} {what}")
                if list_tag == "cellXfs":
                    idx = _int(xf.get("xfId"))
                    if idx is not None and idx >= style_xfs:
                        out.append(f"cellXfs xf {i}: xfId={idx} but there are {style_xfs} cellStyleXfs")
                nf = xf.get("numFmtId")
                if nf is not None and (_int(nf) or 0) >= BUILTIN_NUMFMT_LIMIT and nf not in numfmts:
                    out.append(f"{list_tag} xf {i}: numFmtId={nf} is neither built in nor in <numFmts>")
        return out

    # -- workbook
    def workbook_problems(self, name: str, root: etree._Element, rels: list[dict] | None) -> list[str]:
        out = []
        names: dict[str, str] = {}
        ids: set[str] = set()
        sheets = root.findall(f"{{{X}}}sheets/{{{X}}}sheet")
        if not sheets:
            out.append("the workbook has no <sheet>")
        visible = 0
        for sh in sheets:
            sname, sid = sh.get("name") or "", sh.get("sheetId")
            if not sname:
                out.append("a sheet has an empty name")
            if len(sname) > MAX_SHEET_NAME:
                out.append(f"sheet name {sname!r} is {len(sname)} characters (Excel's limit is {MAX_SHEET_NAME})")
            bad = sorted(set(sname) & _BAD_SHEET_CHARS)
            if bad:
                out.append(f"sheet name {sname!r} contains {''.join(bad)!r}")
            if sname.startswith("'") or sname.endswith("'"):
                out.append(f"sheet name {sname!r} begins or ends with an apostrophe")
            key = sname.casefold()
            if key in names:
                out.append(f"sheet name {sname!r} duplicates {names[key]!r} (names are case-insensitive)")
            names[key] = sname
            if sid in ids:
                out.append(f"sheetId {sid} is used twice")
            ids.add(sid)
            if sh.get("state", "visible") == "visible":
                visible += 1
        if sheets and not visible:
            out.append("every sheet is hidden; Excel needs one visible sheet")
        # defined names: unique per scope, scope in range
        seen: set[tuple[str, str | None]] = set()
        for dn in root.iter(f"{{{X}}}definedName"):
            key = ((dn.get("name") or "").casefold(), dn.get("localSheetId"))
            if key in seen:
                out.append(f"defined name {dn.get('name')!r} is defined twice in the same scope")
            seen.add(key)
            local = _int(dn.get("localSheetId"))
            if local is not None and not 0 <= local < len(sheets):
                out.append(f"defined name {dn.get('name')!r}: localSheetId {local} but there are {len(sheets)} sheets")
        return out

    # -- tables
    def table_problems(self, name: str, root: etree._Element) -> list[str]:
        out = []
        ref = root.get("ref")
        rng = _parse_range(ref)
        if rng is None:
            out.append(f"table ref {ref!r} is not a valid range")
        af = root.find(f"{{{X}}}autoFilter")
        if af is not None:
            af_ref = af.get("ref")
            af_rng = _parse_range(af_ref)
            if af_rng is None:
                out.append(f"autoFilter ref {af_ref!r} is not a valid range")
            elif rng is not None and not (rng[0] <= af_rng[0] and rng[1] <= af_rng[1]
                                          and af_rng[2] <= rng[2] and af_rng[3] <= rng[3]):
                out.append(f"autoFilter ref {af_ref} is not inside table ref {ref}")
        cols_el = root.find(f"{{{X}}}tableColumns")
        if cols_el is not None:
            columns = cols_el.findall(f"{{{X}}}tableColumn")
            declared = _int(cols_el.get("count"))
            if declared is not None and declared != len(columns):
                out.append(f"tableColumns count={declared} but it holds {len(columns)} <tableColumn>")
            if rng is not None and len(columns) != rng[3] - rng[1] + 1:
                out.append(f"{len(columns)} table columns but ref {ref} is {rng[3] - rng[1] + 1} columns wide")
            col_names: dict[str, str] = {}
            col_ids: set[str] = set()
            for tc in columns:
                cname = tc.get("name") or ""
                if cname.casefold() in col_names:
                    out.append(f"table column name {cname!r} is used twice (case-insensitively)")
                col_names[cname.casefold()] = cname
                if tc.get("id") in col_ids:
                    out.append(f"table column id {tc.get('id')} is used twice")
                col_ids.add(tc.get("id"))
            if rng is not None and root.get("headerRowCount", "1") != "0":
                out.extend(self.table_header_problems(name, rng, columns))
        display = root.get("displayName")
        if display is not None and not _valid_table_name(display):
            out.append(f"table displayName {display!r} is not a valid Excel name "
                       f"(letters, digits, _ . \\ only, not starting with a digit, not a cell reference)")
        # tables on the same sheet may not overlap
        host = self.table_hosts().get(name)
        if host is not None and rng is not None:
            for other, other_host in self.table_hosts().items():
                if other == name or other_host != host or self.pkg.tree(other) is None:
                    continue
                orng = _parse_range(self.pkg.tree(other).get("ref"))
                if orng and orng[0] <= rng[2] and rng[0] <= orng[2] and orng[1] <= rng[3] and rng[1] <= orng[3]:
                    out.append(f"table ref {ref} overlaps {other} ({self.pkg.tree(other).get('ref')}) on {host}")
        # across the package: ids and names unique
        my_id, my_name = root.get("id"), (root.get("displayName") or root.get("name") or "").casefold()
        for other in self.pkg.parts_of_type(CT_TABLE):
            if other == name:
                continue
            oroot = self.pkg.tree(other)
            if oroot is None:
                continue
            if my_id is not None and oroot.get("id") == my_id:
                out.append(f"table id {my_id} is also used by {other}")
            oname = (oroot.get("displayName") or oroot.get("name") or "").casefold()
            if my_name and oname == my_name:
                out.append(f"table name {root.get('displayName')!r} is also used by {other}")
        return out


    def table_hosts(self) -> dict[str, str]:
        """table part -> the worksheet whose <tableParts> names it."""
        if not hasattr(self, "_table_hosts"):
            self._table_hosts: dict[str, str] = {}
            for sheet in self.pkg.parts_of_type(CT_WORKSHEET):
                for rel in self.pkg.rels(sheet) or []:
                    if rel["type"] == REL_TYPES + "table" and rel["target"] and self.pkg.has(rel["target"]):
                        self._table_hosts[self.pkg.real_name(rel["target"])] = sheet
        return self._table_hosts

    def shared_texts(self) -> list[str]:
        if not hasattr(self, "_shared_texts"):
            part = self.sst_part()
            root = self.pkg.tree(part) if part and self.pkg.has(part) else None
            self._shared_texts = [] if root is None else [_text_of(si) for si in root.iterchildren(f"{{{X}}}si")]
        return self._shared_texts

    def table_header_problems(self, name: str, rng: tuple[int, int, int, int], columns) -> list[str]:
        """Header cells must hold the column names as text: Excel removes the table otherwise
        (openpyxl's docs on tables say so too)."""
        host = self.table_hosts().get(name)
        sheet = self.pkg.tree(host) if host else None
        if sheet is None:
            return []
        rows = sheet.xpath("x:sheetData/x:row[@r=$r]", namespaces={"x": X}, r=str(rng[0]))
        cells = {}
        if rows:
            for c in rows[0].iterchildren(f"{{{X}}}c"):
                pos = _parse_cell(c.get("r"))
                if pos is not None:
                    cells[pos[1]] = c
        shared = None
        out = []
        for offset, tc in enumerate(columns):
            col = rng[1] + offset
            if col > rng[3]:
                break
            ref = f"{_col_letters(col)}{rng[0]}"
            want = _decode_escapes(tc.get("name") or "")
            c = cells.get(col)
            t = c.get("t") if c is not None else None
            v = c.find(f"{{{X}}}v") if c is not None else None
            if c is None or (v is None and t != "inlineStr"):
                have = None
            elif t == "s":
                shared = shared if shared is not None else self.shared_texts()
                idx = _int(v.text)
                have = shared[idx] if idx is not None and 0 <= idx < len(shared) else None
            elif t == "inlineStr":
                is_el = c.find(f"{{{X}}}is")
                have = _text_of(is_el) if is_el is not None else None
            elif t == "str":
                have = v.text or ""
            else:
                out.append(f"table column {want!r}: header cell {ref} on {host} is not text")
                continue
            if have is None:
                out.append(f"table column {want!r}: header cell {ref} on {host} is empty")
            elif _decode_escapes(have) != want:
                out.append(f"table column {want!r}: header cell {ref} on {host} holds {_decode_escapes(have)!r}")
        return out


def _valid_table_name(name: str) -> bool:
    if not name or len(name) > 255:
        return False
    first = name[0]
    if not (first.isalpha() or first in "_\\"):
        return False
    if any(not (ch.isalnum() or ch in "_.\\") for ch in name):
        return False
    upper = name.upper()
    return not (upper in ("R", "C") or _parse_cell(upper) is not None or re.fullmatch(r"R[0-9]*C[0-9]*", upper))


def _rels_source(name: str) -> str | None:
    """The part whose relationships ``name`` holds ("" for the package), or None if not a .rels part."""
    folder, _, base = name.rpartition("/")
    if not base.endswith(".rels") or not (folder == "_rels" or folder.endswith("/_rels")):
        return None
    parent = folder[: -len("_rels")].rstrip("/")
    src = base[: -len(".rels")]
    return f"{parent}/{src}" if parent else src


# =============================================================================
# public API
# =============================================================================

def problems(path: str | Path, parts: Iterable[str] | None = None) -> list[str]:
    """Everything that would make Excel repair (or refuse) the workbook at ``path``.

    ``parts``: part names (``"xl/worksheets/sheet1.xml"``) to check; default every
    part.  Each part gets: its content type exists; if XML - well-formed, no raw
    forbidden characters, its relationships resolve, the checks for its kind, and
    validation against the schema for its content type when we have one.  Without
    ``parts`` the package-wide checks run too.  Returns ``"<part>: <problem>"``
    strings; ``[]`` means no problem found.
    """
    try:
        checker = _Checker(path)
    except zipfile.BadZipFile as exc:
        return [f"{path}: not a zip package: {exc}"]
    with checker.pkg.zip:
        return checker.run(parts)
