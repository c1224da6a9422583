"""The terminal and log streams the CLI writes to."""

from __future__ import annotations

import io
import sys


def replace_unprintable() -> None:
    """A console that cannot show a character (a GBK console, a scheduled task's log in the ANSI code page) gets
    "?" for it instead of a UnicodeEncodeError: a customer's emoji must not stop a command.  The stream keeps
    its encoding; rich's consoles look sys.stdout/sys.stderr up at each write, so they write through these.
    (Python's Windows console stream is UTF-16 and never needs it; pythonw has no streams at all.)"""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
