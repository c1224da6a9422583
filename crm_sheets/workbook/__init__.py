"""The .xlsx/.xlsm (and CSV) file format.

app/ reads a file that is not its store's workbook (a lead list to import, a person's copy to collect) through
these names only; the modules behind them are the stores' business.
"""

from .read import read_book, read_tool_sheet

__all__ = ["read_book", "read_tool_sheet"]
