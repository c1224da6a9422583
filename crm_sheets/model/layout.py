"""The monthly summary's blocks and where they stand on 月度汇总-YYYY-MM.

Declared once, here, so the file writer (workbook/charts.py) and the live Excel book (stores/excel.py) lay the sheet out
the same way: a heading, then each block's title, header and rows one under the other, with room for its chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

CHART_ROWS = 15  # rows a chart covers at the default row height
FIRST_BLOCK_ROW = 2  # 0-based: the heading, a blank row, then the blocks


@dataclass
class Block:
    title: str
    table: pd.DataFrame
    chart: str  # pie | bar (horizontal) | column | stacked | line
    values: list[str]  # columns drawn as series
    percent: set[str] = field(default_factory=set)  # columns shown as percentages

    @property
    def drawn(self) -> bool:
        """Whether the block has a chart (a table with rows and something to draw)."""
        return bool(len(self.table)) and bool(self.values)


def block_rows(blocks: list[Block]) -> list[int]:
    """The 0-based row of each block's title: its table below it, its chart to the right."""
    rows, row = [], FIRST_BLOCK_ROW
    for block in blocks:
        rows.append(row)
        row += max(len(block.table) + 4, CHART_ROWS + 2)
    return rows


def summary_grid(heading: str, blocks: list[Block], no_data: str) -> list[list]:
    """Every cell of the sheet, row by row (what a live Excel book gets in one bulk write); ``no_data`` stands
    under a table with nothing to draw."""
    starts = block_rows(blocks)
    height = (starts[-1] + len(blocks[-1].table) + 3) if blocks else 1
    grid: list[list] = [[] for _ in range(height)]
    grid[0] = [heading]
    for row, block in zip(starts, blocks):
        grid[row] = [block.title]
        grid[row + 1] = [str(c) for c in block.table.columns]
        for k, record in enumerate(block.table.itertuples(index=False, name=None)):
            grid[row + 2 + k] = list(record)
        if not block.drawn:
            grid[row + 2] = [no_data, *grid[row + 2][1:]]
    return grid
