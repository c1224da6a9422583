"""What a command writes, whichever store takes it: tool sheets and the maintained cells it changes."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..schema import Sheet
from .layout import Block

# sheet name -> row number -> field key -> new value: the maintained cells a command changes.
Changes = dict[str, dict[int, dict[str, object]]]


@dataclass
class FrameOut:
    """A tool sheet showing a table (columns = the sheet's field keys)."""

    sheet: Sheet
    frame: pd.DataFrame


@dataclass
class SummaryOut:
    """A 月度汇总-YYYY-MM sheet: blocks of small tables, each with its chart."""

    name: str
    heading: str
    blocks: list[Block]
    no_data: str  # the words under a block with nothing to draw


Output = FrameOut | SummaryOut
