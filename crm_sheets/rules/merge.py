"""Merging confirmed duplicates, and undoing a merge exactly.

The survivor is the row with the oldest 客户编号.  Each field takes the newest
valid value among the cluster's rows (newest = latest 创建时间, then lowest in
the sheet); tags are united.  Merged-away rows are emptied, not deleted, so no
other row of the user's sheet moves; their cells, the survivor's old cells and
every re-pointed 客户编号 are logged verbatim for the undo.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .. import schema
from ..model.tables import SheetTable
from ..values import is_blank, member, split_tags

from ..schema import KIND_MERGED, KIND_REPOINT, KIND_SURVIVOR, STATUS_DONE, STATUS_UNDONE

# sheet name -> row -> field key -> new value (None empties the cell)
CellChanges = dict[str, dict[int, dict[str, object]]]


@dataclass
class MergePlan:
    merge_id: str
    cells: CellChanges = field(default_factory=dict)
    log: pd.DataFrame = field(default_factory=pd.DataFrame)
    survivors: dict[str, list[str]] = field(default_factory=dict)  # survivor id -> merged-away ids


def log_row(merge_id: str, now: dt.datetime, survivor: str, kind: str, sheet: str, row: int,
             cells: dict[str, object]) -> dict:
    out = {"merge_id": merge_id, "merged_at": now, "survivor": survivor, "kind": kind, "status": STATUS_DONE,
           "sheet": sheet, "row": row}
    out.update({f"cell_{k}": v for k, v in cells.items()})
    return out


def invalid_cells(problems: pd.DataFrame) -> set[tuple[int, str]]:
    """(row, field key) of 客户信息's cells that failed validation (validate's problems): they never win a merge."""
    mine = problems[problems["sheet"] == schema.CUSTOMERS.name]
    return {(int(r), k) for r, k in zip(mine["row"], mine["field"])}


def plan_merge(
    tables: dict[str, SheetTable],
    clusters: list[list[str]],
    *,
    invalid: set[tuple[int, str]],
    now: dt.datetime,
    merge_id: str,
) -> MergePlan:
    """What to change for each cluster of 客户编号 (ids not on 客户信息 are ignored).

    ``invalid`` holds (row, field key) cells that failed validation: they never win.
    """
    customers = tables["customers"]
    raw, text, data = customers.cells, customers.text, customers.data
    keys = [k for k in customers.letters if k in raw.columns]
    plan = MergePlan(merge_id=merge_id)
    log: list[dict] = []
    sheet = customers.sheet.name
    by_id = text["customer_id"].reset_index().drop_duplicates("customer_id").set_index("customer_id")["index"]
    refs = {name: t for name, t in tables.items() if name != "customers" and "customer_id" in t.letters}
    repoint: dict[str, str] = {}  # merged-away id -> survivor id
    for ids in clusters:
        rows = [int(by_id[i]) for i in dict.fromkeys(ids) if i in by_id.index]
        if len(rows) < 2:
            continue
        survivor_row = min(rows, key=lambda r: text.at[r, "customer_id"])
        survivor = text.at[survivor_row, "customer_id"]
        created = data["created_at"] if "created_at" in data.columns else pd.Series(pd.NaT, index=data.index)
        newest_first = sorted(rows, key=lambda r: (created[r] if created[r] is not pd.NaT else pd.Timestamp.min, r),
                              reverse=True)
        changes: dict[str, object] = {}
        for key in keys:
            if key in ("customer_id", "created_at"):
                continue
            if key == "tags":
                value = united_tags([text.at[r, "tags"] for r in [survivor_row, *newest_first]])
            else:
                winner = next((r for r in newest_first if text.at[r, key] != "" and (r, key) not in invalid), None)
                value = raw.at[winner, key] if winner is not None else raw.at[survivor_row, key]
            if not _same(value, raw.at[survivor_row, key]):
                changes[key] = value
        away = [r for r in rows if r != survivor_row]
        log.append(log_row(merge_id, now, survivor, KIND_SURVIVOR, sheet, survivor_row,
                            {k: raw.at[survivor_row, k] for k in keys}))
        if changes:
            plan.cells.setdefault(sheet, {})[survivor_row] = changes
        for r in away:
            log.append(log_row(merge_id, now, survivor, KIND_MERGED, sheet, r, {k: raw.at[r, k] for k in keys}))
            plan.cells.setdefault(sheet, {})[r] = dict.fromkeys(keys)
        gone = {text.at[r, "customer_id"] for r in away} - {survivor}
        plan.survivors[survivor] = sorted(gone)
        repoint.update(dict.fromkeys(gone, survivor))
    # One pass over each referring sheet for all clusters (跟进记录 has a million rows).
    for table in refs.values():
        ids = table.text["customer_id"]
        hits = ids[member(ids, repoint)]
        old = table.cells.loc[hits.index, "customer_id"]
        for r, current, verbatim in zip(hits.index.tolist(), hits.tolist(), old.tolist(), strict=True):
            log.append(log_row(merge_id, now, repoint[current], KIND_REPOINT, table.sheet.name, int(r),
                               {"customer_id": verbatim}))
            plan.cells.setdefault(table.sheet.name, {})[int(r)] = {"customer_id": repoint[current]}
    plan.log = pd.DataFrame(log, columns=[f.key for f in schema.MERGE_LOG.fields])
    return plan


def _same(a: object, b: object) -> bool:
    if is_blank(a) and is_blank(b):
        return True
    return type(a) is type(b) and a == b


def united_tags(cells: list[str]) -> str:
    tags = [t for cell in cells for t in split_tags(cell)]
    return ",".join(dict.fromkeys(tags))


def plan_undo(log: pd.DataFrame, merge_id: str) -> tuple[CellChanges, pd.DataFrame]:
    """The cell changes that put merge ``merge_id`` back, and the log with it marked undone."""
    mine = (log["merge_id"].astype(str) == merge_id) & (log["status"] == STATUS_DONE)
    cells: CellChanges = {}
    customer_keys = [f.key for f in schema.CUSTOMERS.fields]
    for entry in log[mine].to_dict("records"):
        row = int(entry["row"])
        if entry["kind"] == KIND_REPOINT:
            cells.setdefault(entry["sheet"], {})[row] = {"customer_id": entry["cell_customer_id"]}
        else:
            restored = {k: (None if is_blank(entry[f"cell_{k}"]) else entry[f"cell_{k}"]) for k in customer_keys}
            cells.setdefault(entry["sheet"], {})[row] = restored
    marked = log.copy()
    marked.loc[mine, "status"] = STATUS_UNDONE
    return cells, marked
