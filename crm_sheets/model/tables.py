"""The in-memory shape of a sheet that the core works on (no file, no Excel)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from ..schema import Sheet


@dataclass
class SheetTable:
    """One data sheet as read from a workbook or CSV.

    ``data`` holds typed values keyed by schema field key (text as ``str`` with
    ``""`` for empty, phone normalized or ``""`` when unusable, dates as
    ``datetime64[ns]`` with NaT, numbers as ``float64`` with NaN).  ``text``
    has the same index and columns and holds each cell as the user sees it.
    The index is the 1-based row number in the file, so every finding can name
    its row.  ``letters`` maps field key to the column letter in the file.
    ``raw`` holds the cell values as python-calamine returned them.  ``headers`` maps field key to the
    header as the file wrote it; ``columns`` is the file's header row.
    """

    sheet: Sheet
    data: pd.DataFrame
    text: pd.DataFrame
    letters: dict[str, str]
    source: str = ""
    raw: pd.DataFrame | None = None  # the cells as read (for verbatim copies)
    headers: dict[str, str] = field(default_factory=dict)
    columns: tuple[str, ...] = ()

    @property
    def cells(self) -> pd.DataFrame:
        """``raw``, for the commands that copy cells verbatim (every table read from a file keeps them)."""
        if self.raw is None:
            raise ValueError(f"{self.sheet.name} was read without its cells")
        return self.raw

    @property
    def ignored(self) -> list[str]:
        """The file's columns that no field was read from, in the file's order."""
        used = set(self.headers.values())
        return [c for c in self.columns if c and c not in used]

    def column_label(self, key: str) -> str:
        """'E列 联系电话' style label for messages."""
        return f"{self.letters.get(key, '?')}列 {self.sheet.field(key).header}"


class Archived(Protocol):
    """Rows moved out of a workbook's sheets into its history database (stores.history.Archive)."""

    def every_row(self) -> dict[str, SheetTable]: ...

    def rows_for_rules(self, key: str, columns: list[str], keep: Callable[[pd.DataFrame], np.ndarray] | None = None,
                       deciding: list[str] | None = None, standing_before: pd.Timestamp | None = None
                       ) -> SheetTable | None: ...

    def kept_beside(self, key: str, kind: str, columns: list[str], make: Callable[[pd.DataFrame], pd.DataFrame]
                    ) -> pd.DataFrame | None: ...
