"""Customers coming in (an imported list, the customers people added in their copies) matched against the
master's customers and each other, as 查重 judges them: import and collect ask this one function."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..model.tables import SheetTable
from .dedupe import Duplicates, find_duplicates, with_phone_text

COMPARED = ("name", "contact", "phone", "email", "phone_text")
# How an incoming record stands: its group holds a customer of the master; its group holds no customer of the
# master but an earlier incoming record; anything else (alone, or the first incoming record of its group).
KNOWN, REPEAT, NEW = "known", "repeat", "new"


@dataclass
class Matches:
    """Per incoming record (index: the incoming table's own, in its order): ``label`` (its row in ``found``),
    ``group`` (its cluster in ``found``, 0 when alone), ``sure`` (its best link is sure), ``status`` (KNOWN,
    REPEAT or NEW), ``row`` (the group's first row of the master, 0 when none), ``customer_id`` (the 客户编号 of
    the group's first master customer that has one, "" when none) and ``first`` (the group's first incoming
    record, by the incoming table's index; the record itself when alone)."""

    rows: pd.DataFrame
    found: Duplicates  # the groups over the master's rows and the incoming labels


def match_incoming(master: SheetTable, incoming: pd.DataFrame) -> Matches:
    """Match ``incoming`` (typed customers by field key, with ``phone_text`` where known, as with_phone_text
    gives; any unique index) against ``master``'s customers.

    One index convention, in ``found`` and ``label``: the master's records keep their sheet rows (2 and up:
    customers are never archived) and the k-th incoming record (0-based, in the order given) is -(k + 1), so
    both fit one table, no label is shared, and an earlier incoming record sorts after a later one.
    """
    theirs = with_phone_text(master)
    compared = [c for c in COMPARED if c in theirs.columns or c in incoming.columns]
    labels = pd.RangeIndex(-1, -1 - len(incoming), -1)
    mine = incoming.reindex(columns=compared).set_axis(labels)
    found = find_duplicates(pd.concat([theirs.reindex(columns=compared), mine]).fillna(""))
    linked = found.rows.rename_axis("label").reset_index()
    olds = linked[linked["label"] > 0]
    ids = master.text.get("customer_id", pd.Series("", index=master.text.index, dtype=object))
    olds = olds.assign(id=ids.reindex(olds["label"]).fillna("").to_numpy())
    first_row = olds.groupby("cluster")["label"].min()
    numbered = olds[olds["id"] != ""].sort_values("label", kind="stable")
    first_id = numbered.groupby("cluster")["id"].first()
    # Labels fall as records come later: a group's first incoming record has its highest label.
    position = pd.Series(incoming.index, index=labels)
    first_new = linked[linked["label"] < 0].groupby("cluster")["label"].max().map(position)
    group = found.rows["cluster"].reindex(labels).fillna(0).astype("int64")
    rows = pd.DataFrame({
        "label": labels, "group": group.to_numpy(),
        "sure": found.rows["sure"].reindex(labels).eq(True).to_numpy(),
        "row": group.map(first_row).fillna(0).astype("int64").to_numpy(),
        "customer_id": group.map(first_id).astype(object).fillna("").to_numpy(),
        "first": group.map(first_new).fillna(position).to_numpy(dtype=incoming.index.dtype),
    }, index=incoming.index)
    rows["status"] = NEW
    rows.loc[(rows["group"] > 0) & (rows["first"] != rows.index), "status"] = REPEAT
    rows.loc[rows["row"] > 0, "status"] = KNOWN
    return Matches(rows=rows, found=found)
