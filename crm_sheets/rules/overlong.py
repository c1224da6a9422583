"""Text a new workbook cannot hold whole (export, distribute).

An Excel cell stops at 32,767 characters; a workbook written by another program, or joined text, can hold more.
The new workbook shows such text cut, ending in "…" (workbook.write.shown_text), and every cut cell is listed
here for 校验结果 and the command line: a cut is never silent.
"""

from __future__ import annotations

import pandas as pd

from .. import schema
from ..values import fitted
from .validate import PROBLEM_COLUMNS

CODE = "text_cut"
SHOWN = 40  # characters of the cut text shown on 校验结果, as validate shows a value


def cut_cells(sheets: list[tuple[schema.Sheet, pd.DataFrame]], origin: str) -> pd.DataFrame:
    """One problem row (validate's columns) per text cell too long for Excel in ``sheets`` (each frame's rows
    as the new workbook gets them from row 2, columns named by header or field key); ``origin`` names the
    workbook the whole text stays in."""
    found = []
    for sheet, frame in sheets:
        by_name = {**{f.header: f for f in sheet.fields}, **{f.key: f for f in sheet.fields}}
        for name in frame.columns:
            column = frame[name].reset_index(drop=True)
            if column.dtype.kind in "biufcmM":  # numbers and dates: no text to cut
                continue
            long = _lengths(column) > schema.EXCEL_CELL_LIMIT
            if not long.any():
                continue
            field = by_name.get(name)
            found.append(pd.DataFrame({
                "sheet": sheet.name,
                "row": (column.index[long] + 2).astype("int64"),
                "column": field.header if field else str(name),
                "value": column[long].map(lambda v: v[:SHOWN] + "…"),
                "code": CODE,
                "field": field.key if field else str(name),
                "hint": origin,
            }))
    if not found:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
    return pd.concat(found, ignore_index=True)[PROBLEM_COLUMNS]


def _lengths(column: pd.Series) -> pd.Series:
    """Each cell's length in characters, NaN where it holds no text."""
    try:
        return column.str.len()  # pandas' own loop: a column of text, some cells empty or numbers
    except AttributeError:  # a column of no text at all (dates as objects): nothing to cut
        return pd.Series(float("nan"), index=column.index)


def as_shown(text: pd.DataFrame) -> pd.DataFrame:
    """Cells' text as a new workbook shows it (cut where too long), so that distribute records a copy's rows
    and customers as the copy holds them and collect does not take an untouched cut cell for an edit."""
    long = {name: _lengths(text[name]) > schema.EXCEL_CELL_LIMIT for name in text.columns}
    if not any(mask.any() for mask in long.values()):
        return text
    out = text.copy()
    for name, mask in long.items():
        if mask.any():
            out.loc[mask, name] = text.loc[mask, name].map(fitted)
    return out
