"""Text typed into a cell as a one-line message shows it."""

from __future__ import annotations


def visible(text: str) -> str:
    """``text`` with its control characters shown as their symbols (a line break as ␍␊), to say where it is."""
    return "".join(chr(0x2400 + ord(c)) if ord(c) < 0x20 else c for c in text)
