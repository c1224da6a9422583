"""Summary sheets: each block a small table with a native Excel chart beside it.

Every series and pie slice gets an explicit colour: LibreOffice-saved
workbooks have no theme, and theme-coloured charts render blank there.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from ..model.layout import Block, block_rows
from .write import ToolSheet, write_value

PALETTE = ("#4472C4", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5", "#70AD47", "#264478", "#9E480E", "#636363",
           "#997300", "#255E91", "#43682B")
CHART_SIZE = {"x_scale": 1.1, "y_scale": 1.0}


def summary_sheet(name: str, heading: str, blocks: list[Block], no_data: str) -> ToolSheet:
    """A tool sheet with the blocks one under the other, each chart to the right of its table (``no_data`` in
    its place where a block has nothing to draw)."""

    def build(wb: Workbook, ws: Worksheet) -> None:
        title = wb.add_format({"bold": True, "font_size": 14})
        block_title = wb.add_format({"bold": True, "font_size": 11, "font_color": "#1F4E79"})
        head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        percent = wb.add_format({"num_format": "0.0%"})
        ratio = wb.add_format({"num_format": "0.00"})
        ws.write_string(0, 0, heading, title)
        ws.set_column(0, 0, 16)
        ws.set_column(1, 6, 12)
        for row, block in zip(block_rows(blocks), blocks):
            ws.write_string(row, 0, block.title, block_title)
            table = block.table
            for col, header in enumerate(table.columns):
                ws.write_string(row + 1, col, str(header), head)
            for r, record in enumerate(table.itertuples(index=False, name=None), start=row + 2):
                for col, value in enumerate(record):
                    column = table.columns[col]
                    fmt = percent if column in block.percent else (ratio if isinstance(value, float) else None)
                    write_value(ws, r, col, value, fmt)
            if block.drawn:
                ws.insert_chart(row, len(table.columns) + 1, _chart(wb, ws.name, block, row + 1), CHART_SIZE)
            else:
                ws.write_string(row + 2, 0, no_data)

    return ToolSheet(name, build)


def _chart(wb: Workbook, sheet: str, block: Block, header_row: int):
    kind = {"stacked": {"type": "column", "subtype": "stacked"}}.get(block.chart, {"type": block.chart})
    chart = wb.add_chart(kind)
    table = block.table
    first, last = header_row + 1, header_row + len(table)
    categories = [sheet, first, 0, last, 0]
    for k, column in enumerate(block.values):
        col = list(table.columns).index(column)
        colour = PALETTE[k % len(PALETTE)]
        series: dict[str, object] = {
            "name": [sheet, header_row, col],
            "categories": categories,
            "values": [sheet, first, col, last, col],
        }
        if block.chart == "pie":
            series["points"] = [{"fill": {"color": PALETTE[i % len(PALETTE)]}} for i in range(len(table))]
            series["data_labels"] = {"percentage": True}
        elif block.chart == "line":
            series["line"] = {"color": colour, "width": 2.25}
            series["marker"] = {"type": "circle", "fill": {"color": colour}, "border": {"color": colour}}
        else:
            series["fill"] = {"color": colour}
            series["border"] = {"color": colour}
        chart.add_series(series)
    chart.set_title({"name": block.title, "name_font": {"size": 11, "bold": True}})
    chart.set_legend({"position": "bottom"} if len(block.values) > 1 or block.chart == "pie" else {"none": True})
    if block.chart != "pie" and set(block.values) <= block.percent:
        axis = chart.set_x_axis if block.chart == "bar" else chart.set_y_axis
        axis({"num_format": "0%"})
    if block.chart == "bar":
        chart.set_y_axis({"reverse": True})
    return chart

