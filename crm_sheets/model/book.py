"""A workbook (or a CSV) as the core sees it, however it was read: the file, the open Excel book."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pandas as pd

from .. import schema
from ..settings import Settings
from .tables import Archived, SheetTable

# For work on 客户信息 alone (dedupe, import): the other data sheets are not read at all.
CUSTOMERS_ONLY = tuple(s for s in schema.SHEETS if s.kind != "data" or s.key == "customers")


@dataclass
class Book:
    """Everything the core needs from one workbook or CSV."""

    path: Path
    kind: Literal["xlsx", "csv", "export"]  # export: a file holding only a customer list, not the template
    tables: dict[str, SheetTable]
    options: dict[str, list[str]]
    team: pd.DataFrame
    settings: Settings
    sheet_names: list[str] = field(default_factory=list)
    rules: pd.DataFrame = field(default_factory=lambda: default_rules())
    # Results worked out from these tables, kept for the next action of the same run (the job's day).
    derived: dict = field(default_factory=dict, repr=False)
    # Rows archived to the history database (archive), read from it only when asked for (stores.history.Archive).
    past: Archived | None = field(default=None, repr=False)

    @property
    def history(self) -> dict[str, SheetTable]:
        """Every archived row, per data sheet key (read once, never written)."""
        return self.past.every_row() if self.past is not None else {}

    @property
    def full(self) -> dict[str, SheetTable]:
        """The data sheets with every archived row after them (row numbers below zero: they are in no sheet):
        exports, collect."""
        if self.past is None:
            return self.tables
        if "full" not in self.derived:
            self.derived["full"] = {k: joined(t, self.history.get(k)) for k, t in self.tables.items()}
        return self.derived["full"]

    @property
    def team_names(self) -> list[str]:
        return [n for n in self.team["name"].tolist() if n]


def default_rules() -> pd.DataFrame:
    return pd.DataFrame(list(schema.DEFAULT_RULES), columns=schema.RULES.keys)


def joined(table: SheetTable, past: SheetTable | None) -> SheetTable:
    """A sheet's rows followed by its archived ones (numbered -1, -2, …)."""
    if past is None or not len(past.data):
        return table
    index = pd.RangeIndex(-1, -1 - len(past.data), -1)
    data = pd.concat([table.data, past.data.reindex(columns=table.data.columns).set_axis(index)])
    text = pd.concat([table.text, past.text.reindex(columns=table.text.columns, fill_value="").set_axis(index)])
    raw = (pd.concat([table.raw, past.raw.reindex(columns=table.raw.columns).set_axis(index)])
           if table.raw is not None and past.raw is not None else None)
    return replace(table, data=data, text=text, raw=raw)
