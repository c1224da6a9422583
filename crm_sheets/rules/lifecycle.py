"""Stages, value tiers, automatic tags and the next revisit date of every customer.

Plain functions over the tables; ``today`` and the thresholds (设置) are parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from .. import schema
from ..settings import Settings
from ..model.tables import SheetTable
from ..values import carries_tag, per_distinct, split_tags

AUTO = "自动-"
NEW_BUYER, CHURN_RISK, ESCALATE = "自动-新购客户", "自动-流失预警", "自动-需人工跟进"
STAGES = ("潜在客户", "意向客户", "成交客户")
SILENT = "沉默客户"


@dataclass(frozen=True)
class Thresholds:
    """The numbers on 设置 that drive stages, tiers and automatic tags."""

    silent_days: float = 90
    churn_warning_days: float = 30
    churn_months: float = 3
    high_value: float = 50_000
    mid_value: float = 10_000
    new_buyer_days: float = 15
    unanswered: float = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> Thresholds:
        return cls(settings.silent_days, settings.churn_warning_days, settings.churn_months, settings.high_value,
                   settings.mid_value, settings.new_buyer_days, settings.unanswered)


def customer_activity(tables: dict[str, SheetTable]) -> pd.DataFrame:
    """Per 客户编号: last contact, the last one that reached the customer, latest 跟进状态, trailing 未接通 count,
    first/last order, last interaction."""
    out = pd.DataFrame(index=pd.Index([], name="id"))
    if "followups" in tables and {"customer_id", "time"} <= set(tables["followups"].data.columns):
        f = tables["followups"].data
        f = f[[c for c in ("customer_id", "time", "status", "result") if c in f.columns]]  # not all million rows' text
        f = f[(f["customer_id"] != "") & f["time"].notna()]
        # Each customer's rows together, oldest first, by one factorization instead of one per groupby.
        codes, ids = pd.factorize(f["customer_id"], sort=True)
        order = np.lexsort((f["time"].to_numpy(), codes))
        f, codes = f.iloc[order], codes[order]
        ends = np.flatnonzero(np.diff(codes, append=-1))  # each customer's latest row
        last = f.iloc[ends].set_axis(pd.Index(ids, dtype=object))
        out = out.reindex(out.index.union(last.index))
        out["last_contact"] = last["time"]
        if "status" in f.columns:
            out["status"] = last["status"]
        if "result" in f.columns:
            reached = ~f["result"].isin(schema.UNREACHED).to_numpy()
            answered = pd.Series(f["time"].to_numpy()[reached]).groupby(codes[reached]).max()
            out["last_answered"] = answered.set_axis(last.index[answered.index])
            missed = f["result"].eq("未接通").to_numpy(dtype=bool)
            # Length of the run of 未接通 at the end of each customer's history: the rows after its last
            # answered one (the running count of answered rows has reached its final value).
            breaks = np.cumsum(~missed)
            trailing = missed & (breaks == breaks[ends][codes])
            out["unanswered"] = pd.Series(np.bincount(codes, weights=trailing, minlength=len(ids)), index=last.index)
    if "orders" in tables and {"customer_id", "date"} <= set(tables["orders"].data.columns):
        o = tables["orders"].data
        o = o[(o["customer_id"] != "") & o["date"].notna()]
        dates = o.groupby("customer_id")["date"]
        out = out.reindex(out.index.union(dates.size().index))
        out["first_order"] = dates.min()
        out["last_order"] = dates.max()
    if "tickets" in tables and {"customer_id", "opened_at"} <= set(tables["tickets"].data.columns):
        t = tables["tickets"].data
        opened = t[t["customer_id"] != ""].groupby("customer_id")["opened_at"].max()
        out = out.reindex(out.index.union(opened.index))
        out["last_ticket"] = opened
    if "last_answered" not in out.columns and "last_contact" in out.columns:  # no 联系结果: every contact counts
        out["last_answered"] = out["last_contact"]
    for column in ("last_contact", "last_answered", "first_order", "last_order", "last_ticket"):
        if column not in out.columns:
            out[column] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    out["last_interaction"] = out[["last_contact", "last_order", "last_ticket"]].max(axis=1)
    if "unanswered" not in out.columns:
        out["unanswered"] = 0
    out["unanswered"] = out["unanswered"].fillna(0)
    if "status" not in out.columns:
        out["status"] = ""
    return out


def tiers(tables: dict[str, SheetTable], as_of: dt.datetime, limits: Thresholds) -> pd.Series:
    """价值层级 per customer row as of a date (the monthly job recomputes these).

    Customers created after ``as_of`` get no tier (NaN).
    """
    return tiers_at(tables, [as_of], limits)[0]


def tiers_at(tables: dict[str, SheetTable], days: list[dt.datetime], limits: Thresholds) -> list[pd.Series]:
    """tiers() at each of ``days``: six months' spend (refunds subtract) and the latest follow-up, order or ticket
    up to each day, with every sheet's rows matched to their customers once (a summary asks six month ends)."""
    customers = tables["customers"].data
    ids = customers["customer_id"]
    if not len(ids):
        return [pd.Series(dtype=object) for _ in days]
    known = pd.Index(ids[ids != ""].unique())
    row_at = known.get_indexer(ids)
    created = pd.to_datetime(customers.get("created_at", pd.Series(pd.NaT, index=ids.index)))
    orders = _of_customers(tables, "orders", "date", known, ("amount", "type"))
    if orders is not None and "amount" not in orders[2]:
        orders = None
    seen = [p for p in (_of_customers(tables, sheet, column, known)
                        for sheet, column in (("followups", "time"), ("orders", "date"), ("tickets", "opened_at")))
            if p is not None]
    out = []
    for day in days:
        end = pd.Timestamp(day)
        money = np.zeros(len(ids))
        if orders is not None:
            at, when, extra = orders
            recent = (when > (end - pd.DateOffset(months=6)).to_datetime64()) & (when <= end.to_datetime64())
            sign = np.where(extra["type"][recent] == "退款", -1.0, 1.0) if "type" in extra else 1.0
            amount = pd.Series(extra["amount"][recent], dtype="float64").fillna(0).to_numpy() * sign
            money = pd.Series(amount).groupby(at[recent]).sum().reindex(row_at).fillna(0.0).to_numpy()
        latest = []
        for at, when, _ in seen:
            upto = when <= end.to_datetime64()
            if upto.any():
                latest.append(pd.Series(when[upto]).groupby(at[upto]).max())
        last = (pd.concat(latest, axis=1).max(axis=1).astype("datetime64[ns]").reindex(row_at).set_axis(ids.index)
                if latest else None)
        # (with nothing seen at all there is nothing to map)
        when_seen = pd.to_datetime(last, errors="coerce").fillna(created) if last is not None else created
        lost = when_seen < end - pd.DateOffset(months=int(limits.churn_months))
        tier = np.where(lost, "流失", spend_tiers(money, limits))
        exists = created.isna() | (created <= end)
        out.append(pd.Series(tier, index=ids.index, dtype=object).where(exists))
    return out


def _of_customers(tables: dict[str, SheetTable], sheet: str, column: str, known: pd.Index, extra: tuple = ()
                  ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]] | None:
    """(each row's customer as a position in ``known``, its ``column``, its ``extra`` columns) for the rows of
    ``sheet`` that belong to a known customer; None when the sheet or the columns are not there."""
    if sheet not in tables or not {"customer_id", column} <= set(tables[sheet].data.columns):
        return None
    data = tables[sheet].data
    at = known.get_indexer(data["customer_id"])
    keep = at >= 0
    return (at[keep], data[column].to_numpy(dtype="datetime64[ns]")[keep],
            {c: data[c].to_numpy(dtype=object)[keep] for c in extra if c in data.columns})


MAINTAINED = ("stage", "tier", "tags", "last_contact", "next_revisit")


def maintained_changes(life: pd.DataFrame, customers: SheetTable) -> dict[str, pd.Series]:
    """Per maintained field of 客户信息, the new values of the rows where they differ from what the sheet holds
    (a tag cell is compared as text: the same tags written the same way are no change)."""
    changes = {}
    for key in MAINTAINED:
        if key not in customers.letters:
            continue
        new, old = life[key], customers.data[key]
        same = (new == old) | (new.isna() & old.isna())
        if not (pd.api.types.is_datetime64_any_dtype(new) and pd.api.types.is_datetime64_any_dtype(old)):
            same |= new.astype(str) == old.astype(str)  # (two dates: equal as text only when equal as dates)
        differs = ~same
        if key == "tags":
            differs = new != customers.text[key]
        changes[key] = new[differs]
    return changes


def escalated(profile: pd.DataFrame) -> set[str]:
    """客户编号 of the customers tagged 自动-需人工跟进 (a manager's business)."""
    return set(profile.index[carries_tag(profile["tags"], ESCALATE)])


def spend_tiers(money: np.ndarray, limits: Thresholds) -> np.ndarray:
    """价值层级 by six months' spend alone (高价值 / 中价值 / 普通价值), before 流失 is considered."""
    return np.select([money >= limits.high_value, money >= limits.mid_value], ["高价值", "中价值"], "普通价值")


def lifecycle(tables: dict[str, SheetTable], limits: Thresholds, today: dt.datetime) -> pd.DataFrame:
    """New stage, tier, tags, last contact and the stage cadence's next contact date per customer row.

    The cadence counts from the last contact that reached the customer (an unanswered call is an attempt);
    沉默客户 have none.  下次回访日期 also depends on the revisit rules: see next_revisit().
    """
    customers = tables["customers"]
    data, text = customers.data, customers.text
    ids = data["customer_id"]
    if not len(ids):
        return pd.DataFrame({k: pd.Series(dtype=object) for k in ("stage", "tier", "tags")} | {
            k: pd.Series(dtype="datetime64[ns]") for k in ("last_contact", "cadence_due")})
    now = pd.Timestamp(today)
    activity = customer_activity(tables)

    # Each customer row's activity, looked up once for all its columns.
    aligned = activity.reindex(ids.to_numpy()).set_axis(ids.index) if len(activity) else None

    def get(column: str) -> pd.Series:
        return aligned[column] if aligned is not None else pd.Series(np.nan, index=ids.index)

    def when(column: str) -> pd.Series:
        """At the tables' nanoseconds: with no activity at all the column would read as seconds, and filling it
        with a 创建时间 that has a fraction of a second would cut that (pandas warns; a later pandas refuses)."""
        return pd.to_datetime(get(column)).astype("datetime64[ns]")

    last_contact = when("last_contact")
    created = pd.to_datetime(data.get("created_at", pd.Series(pd.NaT, index=ids.index)))
    reference = last_contact.fillna(created)
    status = get("status").astype(object).fillna("")
    recorded = text.get("stage", pd.Series("", index=ids.index))
    stage = status.where(status.isin(STAGES), recorded.where(recorded.isin(STAGES), "潜在客户"))
    stage = stage.where(~(reference < now - pd.Timedelta(days=limits.silent_days)), SILENT)

    first_order = when("first_order")
    flags = {
        NEW_BUYER: (first_order >= now - pd.Timedelta(days=limits.new_buyer_days)) & (first_order <= now),
        CHURN_RISK: reference <= now - pd.Timedelta(days=limits.churn_warning_days),
        ESCALATE: get("unanswered").fillna(0) >= limits.unanswered,
    }
    current = text.get("tags", pd.Series("", index=ids.index))
    # Each row's cell and which flags it has, as one code, so _tags runs once per distinct pair.
    names = list(flags)
    bits = sum(hit.to_numpy(dtype=bool).astype(np.int64) << i for i, hit in enumerate(flags.values()))
    cells, distinct = pd.factorize(current, use_na_sentinel=False)
    pairs = pd.Series(cells * (1 << len(names)) + bits, index=ids.index)
    tags = pd.Series(per_distinct(pairs, lambda pair: _tags(
        distinct[pair >> len(names)], tuple(n for i, n in enumerate(names) if pair >> i & 1))),
        index=ids.index, dtype=object)

    days = rhythm_days(stage, high_risk(tags))
    answered = when("last_answered").fillna(created)
    cadence_due = (answered + pd.to_timedelta(days, unit="D")).dt.normalize()
    return pd.DataFrame({
        "stage": stage, "tier": tiers(tables, today, limits), "tags": tags, "last_contact": last_contact,
        "cadence_due": cadence_due,
    }, index=ids.index)


def high_risk(tags: pd.Series) -> pd.Series:
    """Whether each tag cell carries 风险等级-高 (schema.HIGH_RISK_TAG), as a tag, not as part of one."""
    return pd.Series(carries_tag(tags, schema.HIGH_RISK_TAG), index=tags.index, dtype=bool)


def rhythm_days(stage: pd.Series, risky: pd.Series) -> pd.Series:
    """Days from a contact that reached the customer to the next one its stage's rhythm asks for
    (schema.REMIND_DAYS; ``risky``: the high-risk rhythm); NaN for 沉默客户, which have none."""
    days = pd.Series(per_distinct(stage, lambda s: schema.REMIND_DAYS.get(s, np.nan)), index=stage.index,
                     dtype="float64")
    return days.where(~risky.to_numpy() | days.isna(), schema.HIGH_RISK_REMIND_DAYS)


def next_revisit(life: pd.DataFrame, ids: pd.Series, rule_due: pd.Series) -> pd.Series:
    """下次回访日期: the stage cadence's date, or a revisit rule's earlier one (rule_due: 客户编号 -> date)."""
    cadence = life["cadence_due"]
    if not len(rule_due):
        return cadence
    due = pd.to_datetime(ids.map(rule_due))
    return cadence.where(~(due < cadence), due)


@lru_cache(maxsize=1 << 16)
def _tags(cell: str, automatic: tuple[str, ...]) -> str:
    """Manual tags kept as written; automatic ones added or removed; the cell unchanged if nothing moves."""
    existing = split_tags(cell)
    manual = [t for t in existing if not t.startswith(AUTO)]
    wanted = manual + list(automatic)
    if sorted(set(existing)) == sorted(set(wanted)):
        return cell
    return ",".join(dict.fromkeys(wanted))
