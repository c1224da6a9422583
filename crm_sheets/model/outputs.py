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


# 操作's status panel: a block the tool owns, right of the buttons and their notes (columns A and B) so neither
# the buttons nor the cells they use (B14, B15, B17) move.
PANEL_SHEET = "操作"
PANEL_COLUMN = 3  # 0-based: D
PANEL_WIDTH = 3  # D what, E how many or when, F by whom or a note
PANEL_ROWS = 25  # always written whole, so a shorter panel leaves nothing of the last one behind


@dataclass
class PanelOut:
    """The status panel's rows (PANEL_WIDTH cells each, text or a number), and where each row's first cell leads
    (a reference such as '校验结果'!A1, or None)."""

    rows: list[list[str | int]]
    targets: list[str | None]
