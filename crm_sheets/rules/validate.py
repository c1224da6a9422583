"""Validation: every field rule, placeholders, sensitive numbers, data quality.

Tables in, findings out.  Each check is a vectorized mask over one column;
problems are collected (never raised), one row per problem with the sheet,
Excel row, column header, the value as the user sees it and a reason code.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from .. import schema, values
from ..schema import Field
from ..shown import visible
from ..model.tables import SheetTable
from ..written_numbers import digits_lost
from .options import closest_option, with_synonyms
from .team import mail_address

# A problem: where it is, what the cell shows, its reason code, the field (for its rule) and a hint (the closest
# dictionary tags); faces turn code, field and hint into sentences (reasons.py).
PROBLEM_COLUMNS = ["sheet", "row", "column", "value", "code", "field", "hint"]
QUALITY_COLUMNS = [f.key for f in schema.DATA_QUALITY.fields]
# Codes whose detail is a hint (the closest tag or option), not the value shown.
HINTED = ("bad_tag", "unknown_tag", "unknown_option")
_TAG_FORM = re.compile(r"^[^\s-]+-\S+$")


@dataclass
class ValidationResult:
    problems: pd.DataFrame
    quality: pd.DataFrame
    summary: dict[str, float] = field(default_factory=dict)


def validate(
    tables: dict[str, SheetTable],
    *,
    options: dict[str, list[str]],
    team: Iterable[str] | None,
    today: dt.datetime,
) -> ValidationResult:
    """Check every data sheet in ``tables`` (keyed by sheet key).

    ``team`` is None when there is no 团队 sheet to check names against (a CSV).
    """
    team_set = None if team is None else set(team)
    tables = {key: with_synonyms(table, options) for key, table in tables.items()}
    customer_ids = values.distinct_text(tables["customers"].text["customer_id"]) if _has(
        tables, "customers", "customer_id") else None
    found = [
        _check_sheet(table, options=options, team=team_set, customer_ids=customer_ids, today=today)
        for table in tables.values()
    ]
    problems = pd.concat([p for p in found if len(p)], ignore_index=True) if any(len(p) for p in found) else None
    if problems is None:
        problems = pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
    quality = data_quality(tables, problems, today=today)
    total = quality[quality["scope"] == "total"]
    summary = {"problems": float(len(problems))}
    if len(total):
        summary.update({k: float(total[k].iloc[0]) for k in ("completeness", "validity", "timeliness")})
    return ValidationResult(problems=problems, quality=quality, summary=summary)


def team_problems(team: pd.DataFrame) -> pd.DataFrame:
    """团队's 邮箱 cells that cannot be mailed (not one address, or text that would become a mail header), one
    problem row each; ``team`` is indexed by Excel row.  The value shows a line break as ␍␊, so staff see it."""
    cells = team["email"].fillna("")
    bad = team[(cells != "") & cells.map(lambda c: mail_address(c) is None)]
    column = schema.TEAM.field("email")
    return pd.DataFrame({"sheet": schema.TEAM.name, "row": bad.index.astype("int64"), "column": column.header,
                         "value": [visible(v)[:SHOWN_CHARS] for v in bad["email"]], "code": "bad_team_email",
                         "field": column.key, "hint": ""}, columns=PROBLEM_COLUMNS)


def _has(tables: dict[str, SheetTable], sheet: str, key: str) -> bool:
    return sheet in tables and key in tables[sheet].text.columns


def _check_sheet(
    table: SheetTable,
    *,
    options: dict[str, list[str]],
    team: set[str] | None,
    customer_ids: pa.Array | None,
    today: dt.datetime,
) -> pd.DataFrame:
    found: list[pd.DataFrame] = []
    order = {f.key: i for i, f in enumerate(table.sheet.fields)}
    for f in table.sheet.fields:
        if f.key not in table.text.columns:
            continue
        text, data = table.text[f.key], table.data[f.key]
        for code, hits, detail in _field_checks(f, text, data, options, team, customer_ids, today):
            if not hits.any():
                continue
            rows = text[hits]
            shown = _masked(detail if detail is not None else rows)
            found.append(_problem_rows(table, f, code, rows.index, shown, order[f.key]))
    if not found:
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    out = pd.concat(found, ignore_index=True).sort_values(["row", "_order", "code"], kind="stable")
    return out.drop(columns="_order")[PROBLEM_COLUMNS]


def _field_checks(
    f: Field,
    text: pd.Series,
    data: pd.Series,
    options: dict[str, list[str]],
    team: set[str] | None,
    customer_ids: pa.Array | None,
    today: dt.datetime,
):
    """Yield (code, mask, value shown or None) for one column."""
    filled = text != ""
    too_long = text.str.len() > schema.EXCEL_CELL_LIMIT
    if too_long.any():
        yield "text_too_long", too_long, text[too_long].str[:40] + "…"
    if f.required and not f.maintained:
        yield "required_missing", ~filled, None
    if f.type == "phone":
        unread = filled & (data == "")
        # A number whose last digits were rounded away (1.38123E+10) is fixed from the source, not by retyping it.
        lost = digits_lost(text[unread]).reindex(text.index, fill_value=False)
        yield "phone_digits_lost", lost, None
        yield "bad_phone", unread & ~lost, None
    elif f.type == "email":
        yield "bad_email", filled & ~values.valid_emails(text), None
    elif f.type in values.DATE_TYPES:
        yield "bad_date", filled & data.isna(), None
        if f.past:
            yield "future_date", data > pd.Timestamp(today) + pd.Timedelta(days=1), None
    elif f.type in values.NUMBER_TYPES:
        bad = filled & data.isna()
        if f.type == "money":
            bad |= data < 0
        yield "bad_number", bad, None
    elif f.type == "option" and f.options in options:
        unknown = filled & ~text.isin(options[f.options])
        # The hint is the option the value most likely meant (展会活动 -> 展会推荐).
        meant = {v: closest_option(v, options[f.options]) for v in text[unknown].unique()}
        yield "unknown_option", unknown, text[unknown].map(meant)
    elif f.type == "member" and team is not None:
        yield "unknown_member", filled & ~text.isin(team), None
    elif f.type == "customer_ref" and customer_ids is not None:
        yield "unknown_customer", filled & ~values.member(text, customer_ids), None
    elif f.type == "name":
        yield "vague_contact", filled & _vague_names(text), None
    elif f.type == "content":
        yield "vague_content", filled & _vague_contents(text), None
    elif f.type == "tags":
        malformed, unknown = _tag_problems(text[~too_long], options.get("标签字典", []))
        yield "bad_tag", text.index.isin(malformed.index), malformed
        yield "unknown_tag", text.index.isin(unknown.index), unknown
    if f.unique:
        yield "duplicate_id", filled & text.duplicated(keep="first"), None
    # A cell read as a date holds a date's text: no run of 16 digits to look for.
    ids, cards = values.find_sensitive(text[data.isna()] if f.type in values.DATE_TYPES else text)
    yield "id_number", text.index.isin(ids.index), _mask_sensitive(text, ids)
    yield "bank_card", text.index.isin(cards.index), _mask_sensitive(text, cards)


def _vague_names(text: pd.Series) -> pd.Series:
    names = values.nfkc(text).str.replace(r"\s", "", regex=True)
    titles = "|".join(schema.TITLES)
    return (
        names.isin(schema.VAGUE_CONTACTS)
        | names.str.contains(r"[某?]", regex=True)
        | (names.str.len() == 1)
        | names.str.fullmatch(f"(?:{titles})+")
    )


def _vague_contents(text: pd.Series) -> pd.Series:
    core = values.nfkc(text).str.strip().str.rstrip("。.!！,，;； ")
    return core.isin(schema.VAGUE_CONTENTS) | (core.str.len() < 4)


def _tag_problems(text: pd.Series, dictionary: list[str]) -> tuple[pd.Series, pd.Series]:
    """Per cell, tags not written 类别-值 and well-formed tags missing from the 标签字典.

    Each is a Series index -> "tag→closest dictionary tag" items joined with '，'.
    """
    empty = pd.Series(dtype=object)
    filled = text[text != ""]
    if not len(filled):
        return empty, empty
    # A team writes a few hundred distinct tag cells over 100,000 rows: each is looked at once.
    which, distinct = pd.factorize(filled)
    found = _distinct_tag_problems(values.nfkc(pd.Series(distinct, dtype=object)), dictionary)
    which = pd.Series(which, index=filled.index)
    return tuple(which[which.isin(per.index)].map(per) if len(per) else empty for per in found)


def _distinct_tag_problems(cells: pd.Series, dictionary: list[str]) -> tuple[pd.Series, pd.Series]:
    """_tag_problems over distinct cells."""
    empty = pd.Series(dtype=object)
    tags = cells.str.split(values.TAG_SEPARATORS, regex=True).explode().str.strip()
    tags = tags[tags != ""]
    formed = tags.map(lambda tag: bool(_TAG_FORM.match(tag)))
    known = tags.isin(dictionary) if dictionary else pd.Series(True, index=tags.index)
    out = []
    for mask in (~formed, formed & ~known):
        chosen = tags[mask]
        if not len(chosen):
            out.append(empty)
            continue
        suggested = chosen.map(lambda tag: f"{tag}→{closest_tag(tag, dictionary)}" if dictionary else tag)
        out.append(suggested.groupby(level=0).agg("，".join))
    return out[0], out[1]


def closest_tag(tag: str, dictionary: list[str]) -> str:
    """The dictionary tag a person most likely meant (预算低 -> 预算规模-10万以下)."""
    return closest_option(tag, [t for t in dictionary if not t.startswith("自动-")] or dictionary, cutoff=0)


def _masked(shown: pd.Series) -> pd.Series:
    """The values a problem row shows, with any ID or card number in them masked (whatever the problem is)."""
    ids, cards = values.find_sensitive(shown.astype(str))
    if not len(ids) and not len(cards):
        return shown
    out = shown.astype(object).copy()
    out.update(_mask_sensitive(out.astype(str), ids))
    out.update(_mask_sensitive(out.astype(str), cards))
    return out


def _mask_sensitive(text: pd.Series, hits: pd.Series) -> pd.Series:
    """Never copy an ID or card number into another sheet: keep its ends only."""
    shown = {}
    for index, number in hits.items():
        digits = re.sub(r"[ -]", "", number)
        shown[index] = text[index].replace(number, f"{digits[:4]}{'*' * (len(digits) - 8)}{digits[-4:]}")
    return pd.Series(shown, dtype=object)


def _problem_rows(table: SheetTable, f: Field, code: str, rows: pd.Index, shown: pd.Series, order: int
                  ) -> pd.DataFrame:
    """One row per problem; for tag and option problems ``shown`` holds the closest tags or option (the hint)."""
    hinted = code in HINTED
    frame = pd.DataFrame(
        {
            "sheet": table.sheet.name,
            "row": rows.astype("int64"),
            "column": f.header,
            "value": (_masked(table.text.loc[rows, f.key]) if hinted else shown.reindex(rows)).to_numpy(),
            "code": code,
            "field": f.key,
            "hint": shown.reindex(rows).to_numpy() if hinted else "",
            "_order": order,
        }
    )
    frame["value"] = [v[:SHOWN_CHARS] + "…" if isinstance(v, str) and len(v) > SHOWN_CHARS else v
                      for v in frame["value"]]
    return frame


# A problem row points at the value; a novel pasted into a cell is shown by its beginning.
SHOWN_CHARS = 200


def data_quality(tables: dict[str, SheetTable], problems: pd.DataFrame, *, today: dt.datetime) -> pd.DataFrame:
    """Completeness, validity and timeliness per field, per owner, and in total.

    Completeness: filled share of required cells (all cells for optional fields).
    Validity: share of filled cells without a problem.  Timeliness: share of
    customers contacted within their stage's cadence whose stage is up to date.
    """
    bad_cells = problems[problems["code"] != "required_missing"]
    bad = {(s, c): set(g["row"]) for (s, c), g in bad_cells.groupby(["sheet", "column"])} if len(bad_cells) else {}
    rows: list[dict] = []
    per_owner: list[pd.DataFrame] = []  # one frame per field: cells per person, summed at the end
    for table in tables.values():
        person = _person_column(table)
        people = None
        if person is not None:  # each row's person as a number: every field's cells per person are then counted
            whose, people = pd.factorize(table.text[person])
            cells = np.bincount(whose, minlength=len(people))
        for f in table.sheet.fields:
            if f.maintained or f.key not in table.text.columns or not len(table.text):
                continue
            filled = table.text[f.key] != ""
            flagged = table.text.index.isin(list(bad.get((table.sheet.name, f.header), ())))
            valid = filled & ~flagged
            rows.append(_quality_row("field", table.sheet.name, f.header, len(filled), filled.mean(),
                                     valid.sum() / filled.sum() if filled.any() else float("nan"), float("nan")))
            if people is None:
                continue
            filled_cells = np.bincount(whose[filled.to_numpy()], minlength=len(people))
            required = int(f.required)
            per_owner.append(pd.DataFrame({
                "required": cells * required, "filled_required": filled_cells * required, "filled": filled_cells,
                "valid": np.bincount(whose[valid.to_numpy()], minlength=len(people))}, index=people))
    owner_cells = pd.concat(per_owner).groupby(level=0).sum() if per_owner else pd.DataFrame(
        columns=["required", "filled_required", "filled", "valid"])
    on_time, owners = _on_time(tables, today)
    timely = on_time.groupby(owners).mean()
    for who in sorted(w for w in owner_cells.index if w):
        required, filled_required, filled, valid = owner_cells.loc[who].tolist()
        mine = timely[timely.index == who] if len(timely) else timely
        rows.append(_quality_row(
            "owner", "", who, int(_owned_rows(tables, who)), _ratio(filled_required, required), _ratio(valid, filled),
            float(mine.iloc[0]) if len(mine) else float("nan")))
    totals = owner_cells.sum().tolist()
    all_timely = float(on_time.mean()) if len(on_time) else float("nan")
    customers = len(tables["customers"].text) if "customers" in tables else 0
    rows.append(_quality_row("total", "", "", customers, _ratio(totals[1], totals[0]), _ratio(totals[3], totals[2]),
                             all_timely))
    return pd.DataFrame(rows, columns=QUALITY_COLUMNS)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else float("nan")


def _person_column(table: SheetTable) -> str | None:
    """The column naming who is responsible for a row (负责人 or 跟进人)."""
    for f in table.sheet.fields:
        if f.type == "member" and f.key in table.text.columns:
            return f.key
    return None


def _owned_rows(tables: dict[str, SheetTable], who: str) -> int:
    if "customers" not in tables or "owner" not in tables["customers"].text.columns:
        return 0
    return int((tables["customers"].text["owner"] == who).sum())


def _quality_row(scope: str, sheet: str, item: str, n: int, completeness: float, validity: float,
                 timeliness: float) -> dict:
    """``scope``: field, owner or total (reasons.SCOPES says it in words)."""
    return {"scope": scope, "sheet": sheet, "item": item, "rows": n,
            "completeness": completeness, "validity": validity, "timeliness": timeliness}


def _on_time(tables: dict[str, SheetTable], today: dt.datetime) -> tuple[pd.Series, pd.Series]:
    """Timeliness: whether each counted customer was followed up on time, and its owner.

    A customer is on time when its last contact (or, never contacted, its
    creation) lies within the cadence of its current stage, and 客户阶段 was
    brought up to date within 24 h of a follow-up that changed it.
    Customers in 沉默客户 are not counted.
    """
    if "customers" not in tables or "owner" not in tables["customers"].data.columns:
        return pd.Series(dtype=bool), pd.Series(dtype=object)
    customers = tables["customers"].data
    ids = customers.get("customer_id", pd.Series("", index=customers.index))
    latest = _latest_followups(tables)
    joined = pd.DataFrame({"id": ids, "owner": customers["owner"]}).join(latest, on="id")
    recorded_stage = customers.get("stage", pd.Series("", index=customers.index))
    stage = joined["status"].where(joined["status"].fillna("") != "", recorded_stage).replace("", "潜在客户")
    created = customers.get("created_at", pd.Series(pd.NaT, index=customers.index, dtype="datetime64[ns]"))
    reference = joined["time"].fillna(created)
    days = stage.map(schema.CADENCE_DAYS).astype("float64")
    tags = customers.get("tags", pd.Series("", index=customers.index))
    days = days.where(~tags.str.contains(schema.HIGH_RISK_TAG, regex=False), schema.HIGH_RISK_DAYS)
    counted = (stage != "沉默客户") & reference.notna() & days.notna()
    contacted = (pd.Timestamp(today) - reference) <= pd.to_timedelta(days, unit="D")
    stale_stage = (
        (recorded_stage != "")
        & joined["status"].notna()
        & (recorded_stage != joined["status"])
        & (joined["time"] < pd.Timestamp(today) - pd.Timedelta(days=1))
    )
    return (contacted & ~stale_stage)[counted], joined["owner"][counted]


def _latest_followups(tables: dict[str, SheetTable]) -> pd.DataFrame:
    """Per 客户编号: time and 跟进状态 of the latest follow-up."""
    columns = {"time": pd.Series(dtype="datetime64[ns]"), "status": pd.Series(dtype=object)}
    if "followups" not in tables or not {"customer_id", "time", "status"} <= set(tables["followups"].data.columns):
        return pd.DataFrame(columns, index=pd.Index([], name="id"))
    f = tables["followups"].data[["customer_id", "time", "status"]].dropna(subset=["time"])
    f = f[f["customer_id"] != ""].sort_values("time", kind="stable")
    return f.groupby("customer_id").last().rename_axis("id")

