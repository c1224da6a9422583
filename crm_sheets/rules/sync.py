"""One team, many workbooks (README "全员一本还是一人一本"): what collect brings from people's copies into the master.

A distributed copy carries its customers as they were when it was made (the baseline).  Per customer field,
three values are compared: the baseline, the copy and the master.  Only the copy changed it: the master takes
the copy's value.  Both changed it, differently: a conflict, and the master keeps its value.  Customers the
copy added (ids the baseline does not have) are judged against the master and each other as dedupe does: a
sure duplicate is the customer it repeats, anything else is a new customer.  Follow-ups and orders are
appended once (a row already in the master, by its content after re-pointing its 客户编号, is not appended
again); tickets by 工单编号.  A workbook that was not distributed (no baseline) updates the customers whose ids
the master has with its non-empty values, as an import with --merge would.  A new customer collected before (汇总记录
names its file and id) is that customer again, not a new one.  A customer found in the master (a sure duplicate,
or collected before) takes the copy's values only where the master's cell is blank: without a baseline nobody
can tell whose value is newer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import schema, values
from ..model.tables import SheetTable
from .dedupe import REVIEW_FIELDS, Duplicates, with_phone_text
from .ids import new_ids
from .incoming import KNOWN, NEW, match_incoming
from .privacy import mask_phone

# The customer fields staff write (the tool keeps the rest: stage, tier, dates of contact).
EDITED = tuple(f.key for f in schema.CUSTOMERS.fields if not f.maintained)
HISTORY = ("followups", "orders")
MASK = "*"
ADDED, UPDATED, SAME_AS, UNSURE = "新增", "更新", "与已有客户相同", "新增（疑似重复）"
NOT_TAKEN = "未收（值未通过校验）"


@dataclass
class Copy:
    """One person's workbook as collect reads it."""

    source: str
    tables: dict[str, SheetTable]
    who: str = ""
    distribution: str = ""  # which distribution made it (分发编号); "" for any other workbook
    invalid: set[tuple[int, str]] = field(default_factory=set)  # (row, key) of customer cells failing 校验
    # The follow-ups and orders it was given, by their prints (sheet key -> prints); None: not recorded
    printed: dict[str, np.ndarray] | None = None
    baseline: pd.DataFrame | None = None  # text by field key, one row per distributed customer; None: not ours


@dataclass
class CollectPlan:
    updates: dict[int, dict[str, object]] = field(default_factory=dict)  # customer row -> key -> typed value
    added: dict[str, pd.DataFrame] = field(default_factory=dict)  # sheet key -> typed rows to append, by row
    conflicts: pd.DataFrame = field(default_factory=lambda: _frame(schema.SYNC_CONFLICTS))
    log: pd.DataFrame = field(default_factory=lambda: _frame(schema.COLLECT_LOG))
    # Groups with a new customer that is only perhaps one already known: records with cluster, score, reason, sure
    review: pd.DataFrame = field(default_factory=pd.DataFrame)

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
    what its history already holds (only needed for workbooks that were not distributed)."""

    def __init__(self, tables: dict[str, SheetTable], ends: dict[str, int]) -> None:
        self.tables = tables
        customers = tables["customers"]
        self.text = customers.text.copy()
        ids = self.text["customer_id"].astype(str)
        self.row_of = {i: int(r) for r, i in zip(ids.index[::-1], ids.to_numpy()[::-1]) if i}
        self.twice = set(ids[ids.duplicated() & (ids != "")])
        # Archived rows (numbered below zero) are known, but the next row goes below the sheet's own.
        self.next_row = {key: max(int(t.text.index.max()) + 1 if len(t.text) else 2, 2) for key, t in tables.items()}
        self.next_row.update(ends)
        self.seen = {key: set(_hash(tables[key].text, tables[key].sheet)) for key in HISTORY
                     if key in tables and key not in ends}
        self.tickets = set(tables["tickets"].text.get("ticket_id", pd.Series(dtype=object))) - {""} \
            if "tickets" in tables else set()


def prints(table: SheetTable, rows: pd.Index | None = None) -> pd.Series:
    """The print of each row of a follow-up or order sheet as its cells read (distribute records those it gives
    out; collect knows them again by it)."""
    return _hash(table.text if rows is None else table.text.loc[rows], table.sheet)


PACKED = 2000  # prints per cell: 2000 x 16 hex digits stay under Excel's 32,767 characters


def pack_prints(marks: pd.Series) -> list[str]:
    """Prints as few cells of hex text (a million of them read back in a blink, not as a million rows)."""
    data = marks.to_numpy(dtype=np.uint64).astype(">u8")
    return [data[k:k + PACKED].tobytes().hex() for k in range(0, len(data), PACKED)]


def unpack_prints(cells: pd.Series) -> np.ndarray:
    return np.frombuffer(bytes.fromhex("".join(cells.astype(str))), dtype=">u8").astype(np.uint64)


def plan_collect(master: dict[str, SheetTable], copies: list[Copy], *, today: dt.datetime,
                 collected: pd.DataFrame | None = None, merged: dict[str, str] | None = None,
                 ends: dict[str, int] | None = None) -> CollectPlan:
    """Everything the copies bring, in the order given (a later copy of one person after an earlier one);
    ``master`` holds the archived rows too (a copy made before an archive still has them);
    ``collected`` is 汇总记录 as the master has it, ``merged`` each merged-away id -> the id it lives on as.
    ``ends`` gives the next free row of follow-up and order sheets read without their rows: then every copy
    must have its printed rows (a distributed copy)."""
    plan, state, stamp = CollectPlan(), _Master(master, ends or {}), pd.Timestamp(today)
    logs: list[dict] = []
    conflicts: list[dict] = []
    mappings, fresh = [], []
    before = _collected_before(collected, master["customers"].sheet.name)
    taken = _printed_before(collected)
    for copy in copies:
        mapping, new_rows = _customers(state, copy, plan, logs, conflicts, stamp,
                                       before.get((copy.source, copy.distribution), {}), merged or {})
        mappings.append(mapping)
        fresh.append(new_rows)
    for n, matched in enumerate(_new_customers(state, copies, fresh, plan, logs, today)):
        mappings[n].update(matched)
    for copy, mapping in zip(copies, mappings):
        _history(state, copy, mapping, plan, logs, stamp, taken.get((copy.source, copy.distribution), set()))
    plan.log = pd.DataFrame(logs, columns=schema.COLLECT_LOG.keys) if logs else _frame(schema.COLLECT_LOG)
    if conflicts:
        plan.conflicts = pd.DataFrame(conflicts, columns=schema.SYNC_CONFLICTS.keys)
    return plan


def _collected_before(log: pd.DataFrame | None, sheet: str) -> dict[tuple[str, str], dict[str, str]]:
    """Per source file and distribution: the ids its new customers had there -> the master ids they became (a
    copy's own ids are only unique within that copy)."""
    if log is None or not len(log) or "source_id" not in log.columns:
        return {}
    rows = log[(log["source_sheet"].astype(str) == sheet) & log["action"].isin([ADDED, SAME_AS, UNSURE])
               & (log["source_id"].fillna("").astype(str) != "")].fillna("")
    out: dict[tuple[str, str], dict[str, str]] = {}
    for source, distribution, source_id, customer_id in rows[
            ["source", "distribution", "source_id", "customer_id"]].astype(str).itertuples(index=False, name=None):
        out.setdefault((source, distribution), {})[source_id] = customer_id
    return out


def _printed_before(log: pd.DataFrame | None) -> dict[tuple[str, str], set[int]]:
    """Per source file and distribution: the prints of the history rows collected from it before."""
    if log is None or not len(log) or "print" not in log.columns:
        return {}
    rows = log[log["print"].fillna("").astype(str) != ""].fillna("")
    out: dict[tuple[str, str], set[int]] = {}
    for source, distribution, mark in rows[["source", "distribution", "print"]].astype(str).itertuples(
            index=False, name=None):
        out.setdefault((source, distribution), set()).add(int(mark, 16))
    return out


def _customers(state: _Master, copy: Copy, plan: CollectPlan, logs: list, conflicts: list, stamp: pd.Timestamp,
               before: dict[str, str], merged: dict[str, str]) -> tuple[dict[str, str], pd.Index]:
    """Update the master's customers the copy has; returns their id mapping and the copy's new customer rows."""
    theirs = copy.tables.get("customers")
    if theirs is None or "customer_id" not in theirs.text.columns:
        return {}, pd.Index([])
    # Plain Python strings: membership in a set of 100,000 ids is a hash lookup, not a scan per id (Arrow's isin).
    ids = pd.Series(theirs.text["customer_id"].to_numpy(dtype=object), index=theirs.text.index, dtype=object)
    known = set(copy.baseline["customer_id"]) if copy.baseline is not None else set(state.row_of)
    # An id written twice (in the copy or the master) names no one customer: such rows are neither compared nor
    # added, and their history keeps pointing at the id.
    in_master = ids.isin(state.row_of.keys())
    twice = (ids.duplicated(keep=False) | ids.isin(state.twice)) & (ids != "")
    old = ids.isin(known - {""}) & in_master & ~twice
    # Distributed, then gone from the master (merged into another customer, or deleted there): never brought
    # back; its history follows the merge's survivor.
    gone = ids.isin(known - {""}) & ~in_master & ~twice
    base = (copy.baseline[copy.baseline["customer_id"] != ""].drop_duplicates("customer_id").set_index("customer_id")
            if copy.baseline is not None else None)
    sheet = state.tables["customers"].sheet.name
    rows = ids.index[old]
    cids = ids[old].to_numpy()
    targets = [state.row_of[c] for c in cids]
    for key in EDITED:
        if key not in theirs.text.columns or key not in state.text.columns:
            continue
        # Most cells are as distributed: only cells whose text differs are looked at one by one.
        mine = theirs.text.loc[rows, key].astype(object).to_numpy()
        now = state.text.loc[targets, key].astype(object).to_numpy()
        if base is not None:
            was = (base[key].reindex(cids).fillna("") if key in base.columns else pd.Series("", index=cids)
                   ).astype(object).to_numpy()
            differs = (mine != now) & (mine != was)
        else:
            was = None
            differs = (mine != now) & (mine != "")
        for i in np.flatnonzero(differs):
            r, cid, target = rows[i], cids[i], targets[i]
            _cell(state, copy, plan, logs, conflicts, stamp, key, r, cid, target, None if was is None else was[i],
                  sheet)
    mapping = {i: i for i in ids[old | (twice & in_master)]}
    mapping.update({i: merged[i] for i in ids[gone] if merged.get(i) in state.row_of})
    again = ~old & ~twice & ~gone & ids.map(lambda i: before.get(i) in state.row_of)
    for r in ids.index[again]:
        mapping[ids[r]] = before[ids[r]]
        _fill_blanks(state, plan, logs, copy, r, before[ids[r]], stamp)
    named = theirs.text["name"] != "" if "name" in theirs.text.columns else pd.Series(False, index=ids.index)
    return mapping, ids.index[~old & ~twice & ~gone & ~again & named]


def _cell(state: _Master, copy: Copy, plan: CollectPlan, logs: list, conflicts: list, stamp: pd.Timestamp, key: str,
          r: int, cid: str, target: int, was: str | None, sheet: str) -> None:
    """One customer cell the copy shows differently from the master: taken, a conflict, or left."""
    mine, now = copy.tables["customers"].text.at[r, key], state.text.at[target, key]
    if _same(key, now, mine) or (mine == "" and was is None) or (key == "phone" and MASK in mine):
        return
    if was is not None:
        if _same(key, mine, was):
            return
        if not _same(key, now, was):
            conflicts.append({"customer_id": cid, "name": state.text.at[target, "name"],
                              "column": schema.CUSTOMERS.field(key).header, "master": now, "copy": mine,
                              "base": was, "who": copy.who, "source": copy.source, "time": stamp})
            return
    if (r, key) in copy.invalid:  # as merge does: an invalid value never wins
        logs.append(_log(stamp, copy, sheet, r, f"{NOT_TAKEN}：{schema.CUSTOMERS.field(key).header}", sheet, target,
                         cid, cid))
        return
    plan.updates.setdefault(target, {})[key] = copy.tables["customers"].data.at[r, key]
    state.text.at[target, key] = mine
    logs.append(_log(stamp, copy, sheet, r, UPDATED, sheet, target, cid, cid))


def _fill_blanks(state: _Master, plan: CollectPlan, logs: list, copy: Copy, row: int, cid: str,
                stamp: pd.Timestamp) -> None:
    """A customer the master has under ``cid`` takes the copy's row's values where the master's cells are blank."""
    theirs, target = copy.tables["customers"], state.row_of[cid]
    filled = False
    for key in EDITED:
        if key not in theirs.text.columns or key not in state.text.columns:
            continue
        mine = theirs.text.at[row, key]
        if mine and not state.text.at[target, key] and not (key == "phone" and MASK in mine) \
                and (row, key) not in copy.invalid:
            plan.updates.setdefault(target, {})[key] = theirs.data.at[row, key]
            state.text.at[target, key] = mine
            filled = True
    if filled:
        sheet = theirs.sheet.name
        logs.append(_log(stamp, copy, sheet, row, UPDATED, state.tables["customers"].sheet.name, target, cid,
                         str(theirs.text.at[row, "customer_id"])))


def _new_customers(state: _Master, copies: list[Copy], fresh: list[pd.Index], plan: CollectPlan, logs: list,
                   today: dt.datetime) -> list[dict[str, str]]:
    """The copies' new customers judged against the master and each other; per copy: its id -> master id."""
    matched: list[dict[str, str]] = [{} for _ in copies]
    owners = [(n, int(r)) for n, rows in enumerate(fresh) for r in rows]  # copy and row of each incoming record
    if not owners:
        return matched
    customers = state.tables["customers"]
    matches = match_incoming(customers, pd.concat([with_phone_text(copies[n].tables["customers"]).loc[rows]
                                                   for n, rows in enumerate(fresh) if len(rows)], ignore_index=True))
    adds, same = _who_is_whom(matches.rows)
    stamp = pd.Timestamp(today)
    records, places = _added(state, copies, owners, adds, matched, logs, today)
    added = {k: records[j] for j, (k, _) in enumerate(adds)}  # incoming position -> its new record
    for k in same:
        _same_as(state, copies, owners[k], matches.rows.iloc[k], added, matched, plan, logs, stamp)
    if records:
        plan.added["customers"] = pd.DataFrame(records, index=places)
    plan.review = _review(matches.found, customers, {int(matches.rows["label"].iat[k]): records[j]
                                                     for j, (k, unsure) in enumerate(adds) if unsure})
    return matched


def _who_is_whom(matches: pd.DataFrame) -> tuple[list[tuple[int, bool]], list[int]]:
    """First who is whom, all before any id is given: a sure duplicate of a customer the master has, or of a
    record added earlier in this run, is that customer (``same``: incoming positions); every other record is
    added (``adds``: position, unsure).  The first of new records that are surely one firm is simply new; any
    other in a group is perhaps known."""
    adds: list[tuple[int, bool]] = []
    same: list[int] = []
    for k, (group, sure, status) in enumerate(matches[["group", "sure", "status"]].itertuples(index=False)):
        if sure and status != NEW:
            same.append(k)
        else:
            adds.append((k, bool(group) and not (sure and status == NEW)))
    return adds, same


def _added(state: _Master, copies: list[Copy], owners: list[tuple[int, int]], adds: list[tuple[int, bool]],
           matched: list[dict[str, str]], logs: list, today: dt.datetime) -> tuple[list[pd.Series], list[int]]:
    """The new customers' records under fresh ids, and the master rows they go to."""
    stamp = pd.Timestamp(today)
    fresh_ids = new_ids(pd.Series(list(state.row_of), dtype=object), pd.RangeIndex(len(adds)), today,
                        source=copies[owners[adds[0][0]][0]].source if adds else "")
    sheet = state.tables["customers"].sheet.name
    records, places = [], []
    for j, (k, unsure) in enumerate(adds):
        n, row = owners[k]
        copy = copies[n]
        old_id, new_id = str(copy.tables["customers"].text.at[row, "customer_id"]), fresh_ids.at[j, "customer_id"]
        record = copy.tables["customers"].data.loc[row].copy()
        record["customer_id"], record["created_at"] = new_id, fresh_ids.at[j, "created_at"]
        records.append(record)
        place = state.next_row["customers"]
        places.append(place)
        state.next_row["customers"] += 1
        state.row_of[new_id] = place
        if old_id:
            matched[n][old_id] = new_id
        logs.append(_log(stamp, copy, sheet, row, UNSURE if unsure else ADDED, sheet, place, new_id, old_id))
    return records, places


def _same_as(state: _Master, copies: list[Copy], owner: tuple[int, int], match: pd.Series,
             added: dict[int, pd.Series], matched: list[dict[str, str]], plan: CollectPlan, logs: list,
             stamp: pd.Timestamp) -> None:
    """A record that is a customer already known: the master's (its blanks filled from the record) or one added
    earlier in this run (the blanks of that new record filled instead)."""
    n, row = owner
    copy, sheet = copies[n], state.tables["customers"].sheet.name
    old_id = str(copy.tables["customers"].text.at[row, "customer_id"])
    if match["status"] == KNOWN:
        into = match["customer_id"]
        if into == "":  # the master has this customer, not yet numbered (校验 gives it its id): nothing to add
            logs.append(_log(stamp, copy, sheet, row, SAME_AS, sheet, int(match["row"]), "", old_id))
            return
        _fill_blanks(state, plan, logs, copy, row, into, stamp)
    else:
        record, theirs = added[int(match["first"])], copy.tables["customers"]
        for key in EDITED:
            if key in theirs.data.columns and values.is_blank(record.get(key)) and theirs.text.at[row, key]:
                record[key] = theirs.data.at[row, key]
        into = record["customer_id"]
    if old_id:
        matched[n][old_id] = into
    logs.append(_log(stamp, copy, sheet, row, SAME_AS, sheet, state.row_of[into], into, old_id))


def _review(found: Duplicates, customers: SheetTable, unsure: dict[int, pd.Series]) -> pd.DataFrame:
    """The groups holding a new customer that only perhaps is one already known, for 疑似重复: each group's
    records in the master and the new ones under their new ids."""
    groups = set(found.rows.loc[list(unsure), "cluster"]) if unsure else set()
    rows = found.rows[found.rows["cluster"].isin(groups)]
    olds = rows.index[rows.index > 0]
    shown = customers.text.reindex(index=olds, columns=list(REVIEW_FIELDS), fill_value="").astype(object)
    if "created_at" in customers.data.columns:
        shown["created_at"] = customers.data.loc[olds, "created_at"].astype(object)
    news = pd.DataFrame([unsure[label].reindex(list(REVIEW_FIELDS)) for label in rows.index if label in unsure],
                        index=[label for label in rows.index if label in unsure])
    return pd.concat([shown, news]).join(rows[["cluster", "score", "reason", "sure"]], how="inner").sort_values(
        "cluster", kind="stable")


def _history(state: _Master, copy: Copy, mapping: dict[str, str], plan: CollectPlan, logs: list,
             stamp: pd.Timestamp, taken: set[int]) -> None:
    """Append the copy's follow-ups, orders and tickets the master does not have, re-pointed to master ids: a
    distributed copy's rows it was given, or that were collected from it before, are known by their prints."""
    for key in (*HISTORY, "tickets"):
        if key not in copy.tables or key not in state.tables:
            continue
        rows = copy.tables[key]
        if "customer_id" not in rows.text.columns:
            continue
        pointed = rows.text["customer_id"].astype(object).map(mapping)
        usable = pointed.notna()
        own = prints(rows)[usable] if key in HISTORY else pd.Series(0, index=rows.text.index)[usable]
        text = rows.text[usable].assign(customer_id=pointed[usable])
        data = rows.data[usable].assign(customer_id=pointed[usable])
        if key == "tickets":
            ticket = text.get("ticket_id", pd.Series("", index=text.index)).astype(object)
            fresh = ~ticket.isin(state.tickets) & (ticket != "") & ~ticket.duplicated()
            state.tickets |= set(ticket[fresh])
        elif copy.printed is not None:
            known = np.concatenate([copy.printed.get(key, np.array([], dtype=np.uint64)),
                                    np.fromiter(taken, dtype=np.uint64, count=len(taken))])
            fresh = ~own.isin(known) & ~own.duplicated()
        else:
            content = _hash(text, state.tables[key].sheet)
            fresh = ~content.isin(state.seen[key]) & ~content.duplicated()
            state.seen[key] |= set(content[fresh])
        take = data[fresh]
        if not len(take):
            continue
        start = state.next_row[key]
        state.next_row[key] += len(take)
        take = take.set_axis(pd.RangeIndex(start, start + len(take)))
        plan.added[key] = pd.concat([plan.added[key], take]) if key in plan.added else take
        sheet = state.tables[key].sheet.name
        marks = own[fresh]
        logs += [_log(stamp, copy, rows.sheet.name, r, ADDED, sheet, start + k, take.iat[k, take.columns.get_loc(
                 "customer_id")], rows.text.at[r, "customer_id"], f"{marks[r]:016x}" if key in HISTORY else "")
                 for k, r in enumerate(fresh.index[fresh])]


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


def _log(stamp: pd.Timestamp, copy: Copy, source_sheet: str, source_row: int, action: str, sheet: str, row: int,
         customer_id: str, source_id: str, mark: str = "") -> dict:
    return {"time": stamp, "source": copy.source, "distribution": copy.distribution, "source_sheet": source_sheet,
            "source_row": int(source_row), "source_id": source_id, "action": action, "sheet": sheet, "row": int(row),
            "customer_id": customer_id, "print": mark}

