"""Find elements of a part by namespace URI, with their byte positions, and edit by splicing.

Producers write the same part many ways: a default namespace (Excel), a
prefix on every element (``<x:worksheet>``, Open XML SDK), a namespace
declared on the element that uses it instead of the root (openpyxl's
``<sheet xmlns:r=…>``), single or double quotes.  So parts are parsed with
expat, namespace-aware, and each element is known by (namespace URI, local
name) together with where its tags stand in the bytes.  An edit splices new
bytes in at those positions and leaves every other byte as the producer
wrote it; an element we add gets the prefix already in scope for its
namespace, or declares one.

expat here resolves nothing: a DTD or entity declaration is refused (the
same guard defusedxml installs), so no entity can expand or load.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NoReturn
from xml.parsers import expat

XML_NS = "http://www.w3.org/XML/1998/namespace"
_SEP = "\x01"
# The prefix a reader expects to see where we must declare one (any would do for a namespace-aware reader).
PREFERRED_PREFIX = {"http://schemas.openxmlformats.org/officeDocument/2006/relationships": "r"}


class XmlDamage(ValueError):
    """A part that is not well-formed XML (or declares a DTD)."""


def _refuse(*_args: object) -> NoReturn:
    """The expat handler for a DTD or an entity: such a part is refused, not parsed."""
    raise XmlDamage("DTD or entity declaration")


@dataclass(eq=False)
class Element:
    ns: str
    local: str
    qname: bytes  # as written: b"x:row" or b"row"
    attrs: dict[str, str]  # "{uri}local" for qualified attributes, "local" otherwise
    scope: dict[str, str]  # prefix ("" = default) -> namespace URI in force inside the element
    start: int  # offset of "<"
    open_end: int  # offset just after the start tag's ">"
    close_start: int = 0  # offset of "</" (for an empty element: of "/>")
    end: int = 0  # offset just after the element
    children: list[Element] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.close_start == self.open_end - 2

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def find(self, ns: str, local: str) -> Element | None:
        return next((c for c in self.children if c.ns == ns and c.local == local), None)

    def findall(self, ns: str, local: str) -> list[Element]:
        return [c for c in self.children if c.ns == ns and c.local == local]

    def iter(self, ns: str, local: str) -> Iterator[Element]:
        for c in self.children:
            if c.ns == ns and c.local == local:
                yield c
            yield from c.iter(ns, local)

    def qualify(self, ns: str, local: str, *, attribute: bool = False) -> tuple[bytes, bytes]:
        """The name to write for (ns, local) inside this element, and the declaration it needs (b"" if none).

        An attribute cannot use the default namespace, so it always takes a prefix.
        """
        if not attribute and self.scope.get("") == ns:
            return local.encode(), b""
        for prefix, uri in self.scope.items():
            if prefix and uri == ns:
                return f"{prefix}:{local}".encode(), b""
        if not attribute:
            return local.encode(), f' xmlns="{ns}"'.encode()
        prefix = PREFERRED_PREFIX.get(ns, "ns0")
        if prefix in self.scope:
            prefix = _fresh_prefix(self.scope)
        return f"{prefix}:{local}".encode(), f' xmlns:{prefix}="{ns}"'.encode()


def _fresh_prefix(scope: dict[str, str]) -> str:
    n = 0
    while f"ns{n}" in scope:
        n += 1
    return f"ns{n}"


def parse(data: bytes) -> Element:
    """The root element of a part, with every element's namespace, attributes and byte positions."""
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.namespace_prefixes = True
    stack: list[Element] = []
    pending: dict[str, str] = {}
    root: list[Element] = []

    def declare(prefix: str | None, uri: str | None) -> None:
        pending[prefix or ""] = uri or ""

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, local, prefix = _split(name)
        at = parser.CurrentByteIndex
        scope = dict(stack[-1].scope) if stack else {"xml": XML_NS}
        scope.update(pending)
        pending.clear()
        qname = f"{prefix}:{local}" if prefix else local
        el = Element(ns, local, qname.encode(), {_attr_key(k): v for k, v in attrs.items()}, scope, at,
                     _tag_end(data, at))
        (stack[-1].children if stack else root).append(el)
        stack.append(el)

    def end(_name: str) -> None:
        el = stack.pop()
        at = parser.CurrentByteIndex
        if at == el.open_end and data[at - 2:at] == b"/>":  # <empty/>: the end is reported after "/>"
            el.close_start, el.end = at - 2, at
        else:
            el.close_start, el.end = at, data.index(b">", at) + 1

    parser.StartNamespaceDeclHandler = declare
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlDamage(str(exc)) from None
    if not root:
        raise XmlDamage("no root element")
    return root[0]


class _Found(Exception):
    pass


class StartFinder:
    """Fed a part in pieces, says where the first (ns, local) element starts and how it is spelled,
    without parsing further (a sheet's head, not its million rows).

    Expat 2.6+ (CPython 3.13, and the 3.11.9/3.12.3 security releases) defers reparsing a token until the
    unparsed input has doubled, its guard against quadratic time on huge tokens; so a piece may be held back
    and the element reported a piece or two later, or not before the end of a small part fed in small pieces.
    The guard is kept (no SetReparseDeferralEnabled(False)): ``close`` tells expat the input has ended, which
    makes it parse what it held back.
    """

    def __init__(self, ns: str, local: str) -> None:
        self.found: tuple[int, bytes] | None = None
        self.before: dict[str, dict[str, str]] = {}  # attributes of the first element of each name met before it
        parser = self._parser = expat.ParserCreate(namespace_separator=_SEP)
        parser.namespace_prefixes = True

        def start(name: str, attrs: dict[str, str]) -> None:
            el_ns, el_local, prefix = _split(name)
            if el_ns == ns:
                self.before.setdefault(el_local, {_attr_key(k): v for k, v in attrs.items()})
            if (el_ns, el_local) == (ns, local):
                self.found = (parser.CurrentByteIndex, (f"{prefix}:{local}" if prefix else local).encode())
                raise _Found

        parser.StartElementHandler = start
        parser.StartDoctypeDeclHandler = _refuse
        parser.EntityDeclHandler = _refuse
        parser.ExternalEntityRefHandler = _refuse

    def feed(self, chunk: bytes) -> tuple[int, bytes] | None:
        """(offset of its "<" from the start of everything fed, qualified name) once the element has begun."""
        return self._parse(chunk, False)

    def close(self) -> tuple[int, bytes] | None:
        """As ``feed``, when all of the part has been fed: what expat held back is parsed too."""
        return self._parse(b"", True)

    def _parse(self, chunk: bytes, last: bool) -> tuple[int, bytes] | None:
        if self.found is None:
            try:
                self._parser.Parse(chunk, last)
            except _Found:
                pass
            except expat.ExpatError as exc:
                raise XmlDamage(str(exc)) from None
        return self.found


def tag_end(data: bytes, start: int) -> int:
    """Offset just after the ">" closing the tag that starts at ``start``."""
    return _tag_end(data, start)


def _split(name: str) -> tuple[str, str, str]:
    parts = name.split(_SEP)
    if len(parts) == 1:
        return "", parts[0], ""
    return parts[0], parts[1], parts[2] if len(parts) > 2 else ""


def _attr_key(name: str) -> str:
    ns, local, _prefix = _split(name)
    return f"{{{ns}}}{local}" if ns else local


# A tag: names and attributes, where a quoted value may hold a ">".
_TAG = re.compile(rb"<[^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>")


def _tag_end(data: bytes, start: int) -> int:
    """Offset just after the ">" closing the tag that starts at ``start``."""
    tag = _TAG.match(data, start)
    if tag is None:
        raise XmlDamage("a tag that does not close")
    return tag.end()


# -- edits: each returns the new bytes; positions after the edit are stale, so parse again --------------
def append_child(data: bytes, parent: Element, fragment: bytes) -> bytes:
    """``fragment`` as the last content of ``parent`` (an empty ``<p/>`` is opened up)."""
    if parent.empty:
        return data[:parent.close_start] + b">" + fragment + b"</" + parent.qname + b">" + data[parent.end:]
    return data[:parent.close_start] + fragment + data[parent.close_start:]


def insert_before(data: bytes, sibling: Element, fragment: bytes) -> bytes:
    return data[:sibling.start] + fragment + data[sibling.start:]


def remove(data: bytes, el: Element) -> bytes:
    return data[:el.start] + data[el.end:]


def element(parent: Element, ns: str, local: str, attrs: list[tuple[str, str, str]], inner: bytes = b"") -> bytes:
    """A new element for ``parent``: ``attrs`` as (namespace or "", local name, value), qualified as in scope there."""
    name, decls = parent.qualify(ns, local)
    out = [b"<", name]
    for attr_ns, attr_local, value in attrs:
        if attr_ns:
            aname, adecl = parent.qualify(attr_ns, attr_local, attribute=True)
            decls += adecl
        else:
            aname = attr_local.encode()
        out += [b" ", aname, b"=", quote(value)]
    out.append(decls)
    if inner:
        return b"".join(out) + b">" + inner + b"</" + name + b">"
    return b"".join(out) + b"/>"


def quote(value: str) -> bytes:
    """An attribute value; tab, LF and CR as references, since a parser would turn them into spaces."""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    text = text.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")
    return b'"' + text.encode() + b'"'


def set_attribute(data: bytes, el: Element, name: str, value: str) -> bytes:
    """Set an unqualified attribute in ``el``'s start tag (added before the tag's end when absent)."""
    return data[:el.start] + start_tag_with(data, el, name, value) + data[el.open_end:]


def start_tag_with(data: bytes, el: Element, name: str, value: str) -> bytes:
    """``el``'s start tag with an unqualified attribute set (for edits gathered and spliced in one pass)."""
    tag = data[el.start:el.open_end]
    found = re.search(rb"(\s" + re.escape(name.encode()) + rb"\s*=\s*)(?:\"[^\"]*\"|'[^']*')", tag)
    if found:
        return tag[:found.start()] + found.group(1) + quote(value) + tag[found.end():]
    cut = len(tag) - (2 if el.empty else 1)
    return tag[:cut].rstrip() + b" " + name.encode() + b"=" + quote(value) + tag[cut:]


def splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Replace each (start, end) span of ``data`` with its bytes; spans do not overlap, and insertions at the
    same place (start == end) keep the order they are listed in."""
    out, pos = [], 0
    for start, end, new in sorted(edits, key=lambda e: e[0]):  # stable: listed order at one place
        out += [data[pos:start], new]
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def with_namespace(fragment: bytes, ns: str, parent: Element) -> bytes:
    """An element written in the default namespace ``ns`` (as XlsxWriter writes), fit to stand in ``parent``."""
    root = parse(fragment)
    if parent.scope.get("") == ns or root.scope.get("") == ns:
        return fragment
    cut = root.start + 1 + len(root.qname)
    return fragment[:cut] + f' xmlns="{ns}"'.encode() + fragment[cut:]
