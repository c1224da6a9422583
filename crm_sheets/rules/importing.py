"""Bulk import of customers: lists as they come, never a customer twice, say why a row stayed out.

A row is rejected only for what no one can work with or the workbook must not hold (HARD: no name, no phone
and no e-mail, an ID or bank-card number, text longer than a cell); it is imported with any other problem
(an industry not on the list, no owner, a phone that cannot be read), which is then listed on 校验结果 at the
row it landed in.  An imported row keeps every value as typed: what the tool reads (a phone) is stored
normalized, what it cannot read is stored as written.  Good
rows that are the same customer as an existing one (judged as in dedupe) are reported, or with ``merge``
update that customer (newest values win, tags united).  Rows that repeat an earlier row of the same file are
reported once.  The rest become new customers with fresh ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import pandas as pd

from .. import schema, values
from ..model.tables import SheetTable
from ..written_numbers import digits_lost
from ..values import is_blank
from .dedupe import with_phone_text
from .ids import new_ids
from .incoming import KNOWN, REPEAT, match_incoming
from .merge import KIND_SURVIVOR, log_row, united_tags
from .validate import PROBLEM_COLUMNS

# Like a validation problem, with the source file: faces turn code, field and hint into sentences (reasons.py).
ERROR_COLUMNS = ["source", "row", "column", "value", "code", "field", "hint"]
# Problems that keep a row out; every other problem is imported and listed for review.
HARD = {"id_number", "bank_card", "text_too_long", "no_contact"}
HARD_MISSING = {"name"}


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class ImportPlan:
    new_rows: pd.DataFrame  # typed values by field key, incl. customer_id / created_at; index = source row
    errors: pd.DataFrame  # 导入错误 rows
    updates: dict[int, dict[str, object]] = field(default_factory=dict)  # existing row -> field key -> value
    log: pd.DataFrame = field(default_factory=pd.DataFrame)  # 合并记录 rows for updates
    duplicates: int = 0
    rejected: int = 0  # source rows kept out for a hard problem
    placed: dict[int, int] = field(default_factory=dict)  # new source row -> its row on the sheet
    review: pd.DataFrame = field(default_factory=lambda: _empty(PROBLEM_COLUMNS))  # 校验结果 rows, sheet rows


def with_owner(incoming: SheetTable, owner: str | None) -> SheetTable:
    """Rows without an owner get ``owner`` (a lead list has no 负责人 column)."""
    if not owner:
        return incoming
    text, data = incoming.text.copy(), incoming.data.copy()
    blank = text["owner"] == "" if "owner" in text.columns else pd.Series(True, index=text.index)
    for frame in (text, data):
        frame["owner"] = frame.get("owner", pd.Series("", index=frame.index)).astype(object).where(~blank, owner)
    return replace(incoming, text=text, data=data)


def import_problems(incoming: SheetTable, problems: pd.DataFrame) -> pd.DataFrame:
    """validate()'s problems of the incoming rows, sorted for import: an empty owner is ``unassigned``, a row
    with neither a usable phone nor a valid e-mail gets ``no_contact``, and ``hard`` marks what keeps a row
    out."""
    text, data = incoming.text, incoming.data
    blank = pd.Series("", index=text.index)
    phone = data.get("phone", blank) != ""
    # A phone whose last digits were rounded away is still the customer's number: the row comes in, flagged.
    phone |= digits_lost(text.get("phone", blank)[~phone]).reindex(text.index, fill_value=False)
    email = values.valid_emails(text.get("email", blank)) & (text.get("email", blank) != "")
    contact_key = "phone" if "phone" in text.columns else "email"
    lost = text.index[~(phone | email)]
    # An empty owner is said as unassigned below; an empty phone of a row without any contact, as no_contact.
    found = [problems[~((problems["code"] == "required_missing") & ((problems["field"] == "owner") | (
                 problems["field"].isin(["phone", "email"]) & problems["row"].isin(lost))))],
             _problems(incoming, lost, contact_key, "no_contact"),
             # A list without a 负责人 column has no owner on any row.
             _problems(incoming, text.index[text.get("owner", blank) == ""], "owner", "unassigned")]
    problems = pd.concat([p for p in found if len(p)], ignore_index=True) if any(len(p) for p in found) else found[0]
    problems["hard"] = problems["code"].isin(HARD) | (
        (problems["code"] == "required_missing") & problems["field"].isin(HARD_MISSING))
    return problems.sort_values(["row"], kind="stable").reset_index(drop=True)


def _problems(incoming: SheetTable, rows: pd.Index, key: str, code: str) -> pd.DataFrame:
    shown = incoming.text[key].reindex(rows).fillna("") if key in incoming.text.columns else ""
    return pd.DataFrame({"sheet": incoming.sheet.name, "row": rows.astype("int64"),
                         "column": incoming.sheet.field(key).header, "value": shown, "code": code, "field": key,
                         "hint": ""}, index=rows, columns=PROBLEM_COLUMNS).reset_index(drop=True)


def plan_import(
    existing: SheetTable,
    incoming: SheetTable,
    problems: pd.DataFrame,
    *,
    today: dt.datetime,
    merge: bool,
    merge_id: str,
) -> ImportPlan:
    """Decide the fate of every incoming row; ``problems`` is import_problems() of the incoming table."""
    rejected = set(problems.loc[problems["hard"], "row"].astype(int)) if len(problems) else set()
    kept_out = problems[problems["row"].isin(rejected)] if len(problems) else problems
    errors = kept_out.assign(source=incoming.source)[ERROR_COLUMNS] if len(kept_out) else _empty(ERROR_COLUMNS)
    good = incoming.data.loc[[r for r in incoming.data.index if r not in rejected]]

    matches = match_incoming(existing, with_phone_text(incoming).loc[good.index]).rows
    typed = as_typed(incoming, good)
    ids = existing.text["customer_id"] if "customer_id" in existing.text.columns else pd.Series(dtype=object)
    dropped: dict[int, tuple[str, str]] = {}  # incoming row -> (code, other)
    for r, target in matches.loc[matches["status"] == KNOWN, "row"].items():
        dropped[int(r)] = ("duplicate_existing", str(ids.get(target, target)))
    for r, first in matches.loc[matches["status"] == REPEAT, "first"].items():
        dropped[int(r)] = ("duplicate_in_file", str(first))
    updates: dict[int, dict[str, object]] = {}
    merged: dict[int, int] = {}  # incoming row -> the existing row it was merged into
    log: list[dict] = []
    if merge:
        for _, known in matches[matches["status"] == KNOWN].groupby("group", sort=True):
            target, new = int(known["row"].iat[0]), sorted(int(r) for r in known.index)
            changes = _newest(existing, target, [typed.loc[r] for r in new])
            merged |= dict.fromkeys(new, target)
            if changes:
                updates[target] = changes
                log.append(log_row(merge_id, today, str(ids.get(target, "")), KIND_SURVIVOR, existing.sheet.name,
                                   target, {k: existing.cells.at[target, k] for k in existing.letters
                                            if k in existing.cells.columns}))
    reports = []
    for row, (code, other) in sorted(dropped.items()):
        if code == "duplicate_existing" and merge:
            continue
        reports.append({"source": incoming.source, "row": row, "column": schema.CUSTOMERS.field("name").header,
                        "value": incoming.text.at[row, "name"], "code": code, "field": "name", "hint": other})
    if reports:
        errors = pd.concat([errors, pd.DataFrame(reports, columns=ERROR_COLUMNS)], ignore_index=True)
    added = typed.loc[[r for r in typed.index if r not in dropped]]
    fresh = new_ids(ids.astype(str), added.index, today, source=incoming.source)
    added["customer_id"] = fresh["customer_id"]
    added["created_at"] = fresh["created_at"]
    first = int(existing.text.index.max()) + 1 if len(existing.text) else 2
    placed = {int(r): first + k for k, r in enumerate(added.index)}
    return ImportPlan(
        new_rows=added,
        errors=errors.sort_values(["row"], kind="stable").reset_index(drop=True),
        updates=updates,
        log=pd.DataFrame(log, columns=[f.key for f in schema.MERGE_LOG.fields]),
        duplicates=len(dropped),
        rejected=len(rejected),
        placed=placed,
        review=_review(problems, placed, existing.sheet.name, merged, updates),
    )


def as_typed(incoming: SheetTable, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` (typed values) with each cell the tool could not read (a phone, a date) as it was typed: it is
    stored as the user wrote it and listed on 校验结果, never emptied."""
    out = rows.copy()
    for key in out.columns.intersection(incoming.text.columns):
        typed = incoming.text[key].reindex(out.index)
        blank = out[key].isna()
        if out[key].dtype == object or isinstance(out[key].dtype, pd.StringDtype):
            blank |= out[key].astype(object).eq("")
        unread = blank & (typed != "")
        if unread.any():
            out[key] = out[key].astype(object).where(~unread, typed)
    return out


def _review(problems: pd.DataFrame, placed: dict[int, int], sheet: str, merged: dict[int, int],
            updates: dict[int, dict[str, object]]) -> pd.DataFrame:
    """The imported rows' problems as 校验结果 rows: at the sheet row each landed in, or, for a row merged into an
    existing customer, at that customer's row where the merge took the cell."""
    if not len(problems):
        return _empty(PROBLEM_COLUMNS)
    soft = problems[~problems["hard"]]
    took = {(r, f) for r, target in merged.items() for f in updates.get(target, {})}
    taken = [(r, f) in took for r, f in zip(soft["row"], soft["field"])]
    landed = soft[soft["row"].isin(list(placed)) | pd.Series(taken, index=soft.index, dtype=bool)]
    if not len(landed):
        return _empty(PROBLEM_COLUMNS)
    return landed.assign(sheet=sheet, row=landed["row"].map(placed | merged).astype("int64"))[PROBLEM_COLUMNS
                                                                                            ].reset_index(drop=True)


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
