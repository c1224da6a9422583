"""One team, many workbooks (SPEC §5): what collect brings from people's copies into the master.

A distributed copy carries its customers as they were when it was made (the baseline).  Per customer field,
three values are compared: the baseline, the copy and the master.  Only the copy changed it: the master takes
the copy's value.  Both changed it, differently: a conflict, and the master keeps its value.  Customers the
copy added (ids the baseline does not have) are judged against the master and each other as dedupe does: a
sure duplicate is the customer it repeats, anything else is a new customer.  Follow-ups and orders are
appended once (a row already in the master, by its content after re-pointing its 客户编号, is not appended
again); tickets by 工单编号.  A workbook that was not distributed (no baseline) updates the customers whose ids
the master has with its non-empty values, as an import with --merge would.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .. import schema, values
from ..tables import SheetTable
from .dedupe import find_duplicates, with_phone_text
from .ids import new_ids
from .privacy import mask_phone

# The customer fields staff write (the tool keeps the rest: stage, tier, dates of contact).
EDITED = tuple(f.key for f in schema.CUSTOMERS.fields if not f.maintained)
HISTORY = ("followups", "orders")
MASK = "*"
ADDED, UPDATED, SAME_AS, UNSURE = "新增", "更新", "与已有客户相同", "新增（疑似重复）"


@dataclass
class Copy:
    """One person's workbook as collect reads it."""

    source: str
    tables: dict[str, SheetTable]
    who: str = ""
    baseline: pd.DataFrame | None = None  # text by field key, one row per distributed customer; None: not ours


@dataclass
class CollectPlan:
    updates: dict[int, dict[str, object]] = field(default_factory=dict)  # customer row -> key -> typed value
    added: dict[str, pd.DataFrame] = field(default_factory=dict)  # sheet key -> typed rows to append, in order
    conflicts: pd.DataFrame = field(default_factory=lambda: _frame(schema.SYNC_CONFLICTS))
    log: pd.DataFrame = field(default_factory=lambda: _frame(schema.COLLECT_LOG))

    @property
    def changed(self) -> bool:
        return bool(self.updates) or any(len(f) for f in self.added.values())


def _frame(sheet: schema.Sheet) -> pd.DataFrame:
    return pd.DataFrame({f.key: pd.Series(dtype=object) for f in sheet.fields})


def baseline(customers: SheetTable, rows: pd.Index) -> pd.DataFrame:
    """The distributed customers' cells as the copy shows them (text by field key)."""
    keys = [k for k in ("customer_id", *EDITED) if k in customers.text.columns]
    return customers.text.loc[rows, keys].reset_index(drop=True)


class _Master:
    """The master as the plan changes it: current customer cells, where the next row of each sheet goes, and
    what its history already holds."""

    def __init__(self, tables: dict[str, SheetTable]) -> None:
        self.tables = tables
        customers = tables["customers"]
        self.text = customers.text.copy()
        ids = self.text["customer_id"].astype(str)
        self.row_of = {i: int(r) for r, i in zip(ids.index[::-1], ids.to_numpy()[::-1]) if i}
        self.twice = set(ids[ids.duplicated() & (ids != "")])
        self.next_row = {key: (int(t.text.index.max()) + 1 if len(t.text) else 2) for key, t in tables.items()}
        self.seen = {key: _hash(tables[key].text, tables[key].sheet) for key in HISTORY if key in tables}
        self.tickets = set(tables["tickets"].text.get("ticket_id", pd.Series(dtype=object))) - {""} \
            if "tickets" in tables else set()


def plan_collect(master: dict[str, SheetTable], copies: list[Copy], *, today: dt.datetime) -> CollectPlan:
    """Everything the copies bring, in the order given (a later copy of one person after an earlier one)."""
    plan, state, stamp = CollectPlan(), _Master(master), pd.Timestamp(today)
    logs: list[dict] = []
    conflicts: list[dict] = []
    mappings, fresh = [], []
    for copy in copies:
        mapping, new_rows = _customers(state, copy, plan, logs, conflicts, stamp)
        mappings.append(mapping)
        fresh.append(new_rows)
    for n, matched in enumerate(_new_customers(state, copies, fresh, plan, logs, today)):
        mappings[n].update(matched)
    for copy, mapping in zip(copies, mappings):
        _history(state, copy, mapping, plan, logs, stamp)
    plan.log = pd.DataFrame(logs, columns=schema.COLLECT_LOG.keys) if logs else _frame(schema.COLLECT_LOG)
    if conflicts:
        plan.conflicts = pd.DataFrame(conflicts, columns=schema.SYNC_CONFLICTS.keys)
    return plan


def _customers(state: _Master, copy: Copy, plan: CollectPlan, logs: list, conflicts: list, stamp: pd.Timestamp
               ) -> tuple[dict[str, str], pd.Index]:
    """Update the master's customers the copy has; returns their id mapping and the copy's new customer rows."""
    theirs = copy.tables.get("customers")
    if theirs is None or "customer_id" not in theirs.text.columns:
        return {}, pd.Index([])
    ids = theirs.text["customer_id"].astype(str)
    known = set(copy.baseline["customer_id"]) if copy.baseline is not None else set(state.row_of)
    # An id written twice (in the copy or the master) names no one customer: such rows are neither compared nor
    # added, and their history keeps pointing at the id.
    twice = ids.duplicated(keep=False) | ids.isin(state.twice)
    old = ids.isin(known - {""}) & ids.isin(list(state.row_of)) & ~twice
    base = (copy.baseline[copy.baseline["customer_id"] != ""].drop_duplicates("customer_id").set_index("customer_id")
            if copy.baseline is not None else None)
    sheet = state.tables["customers"].sheet.name
    for r in ids.index[old]:
        cid, target = ids[r], state.row_of[ids[r]]
        for key in EDITED:
            if key not in theirs.text.columns or key not in state.text.columns:
                continue
            mine, now = theirs.text.at[r, key], state.text.at[target, key]
            if _same(key, now, mine) or (mine == "" and base is None) or (key == "phone" and MASK in mine):
                continue
            if base is not None:
                was = base.at[cid, key] if key in base.columns and cid in base.index else ""
                if _same(key, mine, was):
                    continue
                if not _same(key, now, was):
                    conflicts.append({"customer_id": cid, "name": state.text.at[target, "name"],
                                      "column": schema.CUSTOMERS.field(key).header, "master": now, "copy": mine,
                                      "base": was, "who": copy.who, "source": copy.source, "time": stamp})
                    continue
            plan.updates.setdefault(target, {})[key] = theirs.data.at[r, key]
            state.text.at[target, key] = mine
            logs.append(_log(stamp, copy.source, sheet, r, UPDATED, sheet, target, cid))
    named = theirs.text["name"] != "" if "name" in theirs.text.columns else pd.Series(False, index=ids.index)
    return {i: i for i in ids[old | (twice & ids.isin(list(state.row_of)))]}, ids.index[~old & ~twice & named]


def _new_customers(state: _Master, copies: list[Copy], fresh: list[pd.Index], plan: CollectPlan, logs: list,
                   today: dt.datetime) -> list[dict[str, str]]:
    """The copies' new customers judged against the master and each other; per copy: its id -> master id."""
    parts, owners = [], []
    for n, (copy, rows) in enumerate(zip(copies, fresh)):
        if len(rows):
            part = with_phone_text(copy.tables["customers"]).loc[rows]
            owners += [(n, int(r)) for r in rows]
            parts.append(part)
    matched: list[dict[str, str]] = [{} for _ in copies]
    if not parts:
        return matched
    customers = state.tables["customers"]
    mine = pd.concat(parts, ignore_index=True)
    mine.index = -(mine.index + 1)  # after the master's rows, apart from them
    theirs = with_phone_text(customers)
    compared = [c for c in ("name", "contact", "phone", "email", "phone_text") if c in theirs.columns or c in
                mine.columns]
    found = find_duplicates(pd.concat([theirs.reindex(columns=compared), mine.reindex(columns=compared)]).fillna(""))
    cluster = found.rows["cluster"].to_dict()
    sure = found.rows["sure"].to_dict()
    target: dict[int, str] = {}
    for members in found.clusters:
        olds = [m for m in members if m > 0]
        if olds:
            target[cluster[members[0]]] = str(customers.text.at[min(olds), "customer_id"])
    existing = pd.Series(list(state.row_of), dtype=object)
    added, actions = [], []
    sheet = customers.sheet.name
    for k, (n, row) in enumerate(owners):
        label, copy = -(k + 1), copies[n]
        old_id = str(copy.tables["customers"].text.at[row, "customer_id"])
        group = cluster.get(label)
        if group is not None and sure.get(label) and group in target:
            matched[n][old_id] = target[group]
            logs.append(_log(pd.Timestamp(today), copy.source, sheet, row, SAME_AS, sheet,
                             state.row_of.get(target[group], 0), target[group]))
            continue
        fresh_id = new_ids(existing, pd.Index([0]), today, source=copy.source)
        new_id = fresh_id["customer_id"].iloc[0]
        existing = pd.concat([existing, pd.Series([new_id], dtype=object)], ignore_index=True)
        if group is not None and group not in target:
            target[group] = new_id
        record = copy.tables["customers"].data.loc[row].copy()
        record["customer_id"], record["created_at"] = new_id, fresh_id["created_at"].iloc[0]
        added.append(record)
        place = state.next_row["customers"]
        state.next_row["customers"] += 1
        state.row_of[new_id] = place
        if old_id:
            matched[n][old_id] = new_id
        actions.append(UNSURE if group is not None else ADDED)
        logs.append(_log(pd.Timestamp(today), copy.source, sheet, row, actions[-1], sheet, place, new_id))
    if added:
        plan.added["customers"] = pd.DataFrame(added).reset_index(drop=True)
    return matched


def _history(state: _Master, copy: Copy, mapping: dict[str, str], plan: CollectPlan, logs: list,
             stamp: pd.Timestamp) -> None:
    """Append the copy's follow-ups, orders and tickets the master does not have, re-pointed to master ids."""
    for key in (*HISTORY, "tickets"):
        if key not in copy.tables or key not in state.tables:
            continue
        rows = copy.tables[key]
        if "customer_id" not in rows.text.columns:
            continue
        pointed = rows.text["customer_id"].map(mapping)
        usable = pointed.notna()
        text = rows.text[usable].assign(customer_id=pointed[usable])
        data = rows.data[usable].assign(customer_id=pointed[usable])
        if key == "tickets":
            ticket = text.get("ticket_id", pd.Series("", index=text.index))
            fresh = ~ticket.isin(state.tickets) & (ticket != "") & ~ticket.duplicated()
            state.tickets |= set(ticket[fresh])
        else:
            prints = _hash(text, state.tables[key].sheet)
            fresh = ~prints.isin(state.seen[key]) & ~prints.duplicated()
            state.seen[key] = pd.concat([state.seen[key], prints[fresh]], ignore_index=True)
        take = data[fresh]
        if not len(take):
            continue
        start = state.next_row[key]
        state.next_row[key] += len(take)
        plan.added[key] = pd.concat([plan.added[key], take]) if key in plan.added else take
        sheet = state.tables[key].sheet.name
        logs += [_log(stamp, copy.source, rows.sheet.name, r, ADDED, sheet, start + k, take.at[r, "customer_id"])
                 for k, r in enumerate(take.index)]


def _hash(text: pd.DataFrame, sheet: schema.Sheet) -> pd.Series:
    """One number per row from every field's text: a row already in the master is found by its content."""
    frame = text.reindex(columns=sheet.keys).fillna("").astype(str)
    return pd.Series(pd.util.hash_pandas_object(frame, index=False).to_numpy(), index=text.index)


def _same(key: str, a: str, b: str) -> bool:
    """Two cells say the same (a phone by its digits: 138-1234-5678 is 13812345678)."""
    if a == b:
        return True
    if key == "phone":
        if MASK in b and MASK not in a:  # the copy showed it masked (设置): the same number shows the same mask
            return mask_phone(values.phone_digits(a) or a) == b
        return values.phone_digits(a) == values.phone_digits(b) != ""
    if key == "email":
        return a.strip().lower() == b.strip().lower()
    return False


def _log(stamp: pd.Timestamp, source: str, source_sheet: str, source_row: int, action: str, sheet: str, row: int,
         customer_id: str) -> dict:
    return {"time": stamp, "source": source, "source_sheet": source_sheet, "source_row": int(source_row),
            "action": action, "sheet": sheet, "row": int(row), "customer_id": customer_id}

