"""Bulk import of customers: validate, never add a customer twice, say why a row stayed out.

Rows with any validation problem are rejected.  Good rows that are the same
customer as an existing one (judged as in dedupe) are reported, or with
``merge`` update that customer (newest values win, tags united).  Rows that
repeat an earlier row of the same file are reported once.  The rest become
new customers with fresh ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from .. import schema
from ..tables import SheetTable
from ..values import is_blank
from .dedupe import find_duplicates, with_phone_text
from .ids import new_ids
from .merge import KIND_SURVIVOR, log_row, united_tags
from .validate import ValidationResult

# Like a validation problem, with the source file: faces turn code, field and hint into sentences (reasons.py).
ERROR_COLUMNS = ["source", "row", "column", "value", "code", "field", "hint"]


@dataclass
class ImportPlan:
    new_rows: pd.DataFrame  # typed values by field key, incl. customer_id / created_at; index = source row
    errors: pd.DataFrame  # 导入错误 rows
    updates: dict[int, dict[str, object]] = field(default_factory=dict)  # existing row -> field key -> value
    log: pd.DataFrame = field(default_factory=pd.DataFrame)  # 合并记录 rows for updates
    duplicates: int = 0


def plan_import(
    existing: SheetTable,
    incoming: SheetTable,
    checked: ValidationResult,
    *,
    today: dt.datetime,
    merge: bool,
    merge_id: str,
) -> ImportPlan:
    """Decide the fate of every incoming row; ``checked`` is validate() of the incoming table."""
    problems = checked.problems
    errors = problems.assign(source=incoming.source)[ERROR_COLUMNS] if len(problems) else _empty_errors()
    rejected = set(problems["row"].astype(int)) if len(problems) else set()
    good = incoming.data.loc[[r for r in incoming.data.index if r not in rejected]]

    # Existing rows keep their index (Excel rows); incoming rows get negative labels so both fit one table.
    theirs = with_phone_text(existing)
    theirs = theirs.reindex(columns=good.columns.union(theirs.columns))
    ours = with_phone_text(incoming).loc[good.index]
    ours.index = -ours.index
    combined = pd.concat([theirs, ours.reindex(columns=theirs.columns)])
    compared = [c for c in ("name", "contact", "phone", "email", "phone_text") if c in combined.columns]
    found = find_duplicates(combined[compared].fillna(""))

    dropped: dict[int, tuple[str, str]] = {}  # incoming row -> (code, other)
    updates: dict[int, dict[str, object]] = {}
    log: list[dict] = []
    ids = existing.text["customer_id"] if "customer_id" in existing.text.columns else pd.Series(dtype=object)
    for cluster in found.clusters:
        old = sorted(r for r in cluster if r > 0)
        new = sorted(-r for r in cluster if r < 0)
        if not new:
            continue
        if old:
            target = old[0]
            for r in new:
                dropped[r] = ("duplicate_existing", str(ids.get(target, target)))
            if merge:
                changes = _newest(existing, target, [good.loc[r] for r in new])
                if changes:
                    updates[target] = changes
                    log.append(log_row(merge_id, today, str(ids.get(target, "")), KIND_SURVIVOR,
                                        existing.sheet.name, target,
                                        {k: existing.raw.at[target, k] for k in existing.letters
                                         if k in existing.raw.columns}))
        else:
            for r in new[1:]:
                dropped[r] = ("duplicate_in_file", str(new[0]))
    reports = []
    for row, (code, other) in sorted(dropped.items()):
        if code == "duplicate_existing" and merge:
            continue
        reports.append({"source": incoming.source, "row": row, "column": schema.CUSTOMERS.field("name").header,
                        "value": incoming.text.at[row, "name"], "code": code, "field": "name", "hint": other})
    if reports:
        errors = pd.concat([errors, pd.DataFrame(reports, columns=ERROR_COLUMNS)], ignore_index=True)
    added = good.loc[[r for r in good.index if r not in dropped]].copy()
    fresh = new_ids(ids.astype(str), added.index, today, source=incoming.source)
    added["customer_id"] = fresh["customer_id"]
    added["created_at"] = fresh["created_at"]
    return ImportPlan(
        new_rows=added,
        errors=errors.sort_values(["row"], kind="stable").reset_index(drop=True),
        updates=updates,
        log=pd.DataFrame(log, columns=[f.key for f in schema.MERGE_LOG.fields]),
        duplicates=len(dropped),
    )


def _empty_errors() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in ERROR_COLUMNS})


def _newest(existing: SheetTable, row: int, incoming: list[pd.Series]) -> dict[str, object]:
    """The existing customer's cells that the (newer) imported rows change (typed values)."""
    changes: dict[str, object] = {}
    for key in existing.letters:
        if key in ("customer_id", "created_at") or key not in incoming[0].index or key not in existing.data.columns:
            continue
        current = existing.data.at[row, key]
        if key == "tags":
            value = united_tags([current, *(t[key] for t in incoming)])
        else:
            value = next((t[key] for t in reversed(incoming) if not is_blank(t[key])), current)
        if not (is_blank(value) and is_blank(current)) and value != current:
            changes[key] = value
    return changes
