"""File names made from cell text (a person's name, an e-mail address): one name per text that Windows, Mac and
Linux all accept, that stays inside the folder it is joined to, and that no other text of the same run shares, not
even by case (NTFS and APFS do not tell Amy from amy).  The rules are those of Microsoft's "Naming Files, Paths,
and Namespaces"."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

MAX_STEM = 80  # characters of the name before the extension: room for a deep folder under Windows' 260
MAX_BYTES = 255  # the whole name in UTF-8: ext4's and APFS's limit (80 emoji are 320 bytes)

# <>:"/\|?* and the control characters Windows forbids; lone surrogates, which no file system can store.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\ud800-\udfff]')
_LEADING_DOTS = re.compile(r"^\.+")
# Device names, also with an extension (NUL.txt is NUL), in any case; COM0/LPT0 and CONIN$/CONOUT$ are reserved
# by some Windows versions, so they are avoided too.
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
                      | {f"{port}{n}" for port in ("COM", "LPT") for n in "0123456789\u00b9\u00b2\u00b3"})
_EXTENSION = re.compile(r"(\.[A-Za-z0-9]+)?")


def file_names(texts: Iterable[str], suffix: str = "") -> dict[str, str]:
    """A file name for each distinct text, ending in ``suffix`` (".xlsx"; the caller's own, never from a cell).

    Forbidden characters become "_", a leading "." or "~$" (hidden, or taken for Excel's owner file) too; the
    ends lose their spaces, a trailing dot goes, a reserved device name gets "_" after it, the part before
    ``suffix`` is cut to MAX_STEM characters, an empty name becomes "_".  Texts whose names would be equal when
    case is ignored each get "-" and a hash of their own text, so the same texts always get the same names and
    none takes another's file."""
    if not _EXTENSION.fullmatch(suffix):
        raise ValueError(f"not a file extension: {suffix!r}")
    texts = list(dict.fromkeys(texts))
    level = dict.fromkeys(texts, 0)
    while True:
        names = {text: _name(text, suffix, _tag(text, level[text])) for text in texts}
        holders: dict[str, list[str]] = defaultdict(list)
        for text, name in names.items():
            holders[fold(name)].append(text)
        clashing = [text for group in holders.values() if len(group) > 1 for text in group]
        if not clashing:
            return names
        # Every text of a clash is tagged, whatever order the texts came in; a clash left after the short tag
        # (a text that ends in another's tag) takes the whole hash, and whole hashes of different texts differ.
        for text in clashing:
            level[text] += 1


def fold(name: str) -> str:
    """The form in which two names are the same file on a case-insensitive file system (NTFS, APFS, exFAT)."""
    return unicodedata.normalize("NFC", name).casefold()


def _name(text: str, suffix: str, tag: str) -> str:
    tail = f"-{tag}" if tag else ""
    stem = _LEADING_DOTS.sub(lambda m: "_" * len(m.group()), _FORBIDDEN.sub("_", text.strip()))
    if stem.startswith("~$"):
        stem = "_" + stem[1:]
    stem = _fit(stem, tail, suffix)
    word = (stem + tail + suffix).partition(".")[0].rstrip(" ")
    if word.upper() in _RESERVED:  # a device name has no "-": never the tag, always a start of the stem
        stem = _fit(word + "_" + stem[len(word):], tail, suffix)
    return stem + tail + suffix


def _fit(stem: str, tail: str, suffix: str) -> str:
    """``stem`` cut so that stem + tail stays within MAX_STEM characters and the name within MAX_BYTES, without a
    trailing space or dot (Windows drops them, so "amy." would be "amy")."""
    stem = stem[:MAX_STEM - len(tail)]
    while len((stem + tail + suffix).encode("utf-8")) > MAX_BYTES:
        stem = stem[:-1]
    return stem.rstrip(" .") or "_"


def _tag(text: str, level: int) -> str:
    if not level:
        return ""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:8] if level == 1 else digest
