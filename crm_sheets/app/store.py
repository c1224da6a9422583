"""What a command needs from where the workbook lives: the file on disk, or the book open in Excel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd

from ..model.book import Book
from ..model.outputs import Changes, Output
from ..schema import SHEETS, Sheet

class Store(Protocol):
    name: str  # the workbook's file name, for messages
    folder: Path  # beside the workbook: the mail ledger and the outbox

    def read(self, *, need: tuple[str, ...] = ("customers",), sheets: tuple[Sheet, ...] = SHEETS,
             required: set[str] | None = None) -> Book:
        """The data sheets (and 团队, 选项, 设置, 回访规则) as typed tables."""

    def is_csv(self) -> bool:
        """Whether the file is a CSV (told from its bytes, before anything is read): only some commands take one."""

    def sheet_end(self, sheet: Sheet) -> tuple[list[str], int] | None:
        """A sheet's header row and its last row with a value, without reading its rows; None if the store
        cannot tell (then read the sheet)."""

    def tool_frame(self, sheet: Sheet) -> pd.DataFrame:
        """A tool sheet as staff left it (确认合并, 执行结果 are typed there), keyed by field key."""

    def write(self, book: Book, outputs: Sequence[Output], changes: Changes) -> Path | None:
        """Replace the tool sheets, set the changed cells; the backup made first, if the store keeps one."""

    def progress(self, key: str) -> None:
        """Say what the command is doing (an i18n key)."""

    def expect_write(self) -> None:
        """Refuse at once (OpenInExcel) if the write at the end cannot happen: the cheap check before the work."""
