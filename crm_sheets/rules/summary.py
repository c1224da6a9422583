"""The monthly summary: small tables, one per question a manager asks.

Each block says which chart shows it; drawing is the workbook layer's job.  Blocks and columns are named by key
(new_by_source, share …); the report's words for them are in labels.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model.layout import Block
from ..model.tables import SheetTable
from ..values import split_tags
from .lifecycle import AUTO, STAGES, Thresholds, tiers_at
from .tasks import execution

ANSWERED = ("已接通", "已回复")
TOTAL = "__total__"  # the row summing the others (the report's words name it)
TIER_ORDER = ("高价值", "中价值", "普通价值", "流失")
TIER_MONTHS = 6  # the tier trend's months


def previous_month(today: dt.date | dt.datetime) -> pd.Period:
    return pd.Period(today, "M") - 1


FOLLOWUP_COLUMNS = ["customer_id", "time", "by", "channel", "result", "status", "issue_type", "satisfaction", "script"]


def _followups(tables: dict[str, SheetTable]) -> pd.DataFrame:
    """The dated follow-ups, in the columns the summary counts (not the million rows' free text)."""
    if "followups" not in tables:
        return pd.DataFrame(columns=FOLLOWUP_COLUMNS).astype({"time": "datetime64[ns]"})
    f = tables["followups"].data
    f = f[[c for c in FOLLOWUP_COLUMNS if c in f.columns]]
    return f[f["time"].notna()] if "time" in f.columns else f.iloc[0:0]


def _in(series: pd.Series, month: pd.Period) -> pd.Series:
    return (series >= month.start_time) & (series <= month.end_time)


def _ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).astype("float64")


def new_by_source(customers: pd.DataFrame, month: pd.Period) -> Block:
    new = customers[_in(customers["created_at"], month)]
    counts = new.groupby("source").size().sort_values(ascending=False)
    table = pd.DataFrame({"source": counts.index, "new_customers": counts.to_numpy()})
    table["share"] = _ratio(table["new_customers"], pd.Series(counts.sum(), index=table.index))
    return Block("new_by_source", table, "pie", ["new_customers"], {"share"})


def reached(customers: pd.DataFrame, followups: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Per customer existing by ``end``: whether it had reached 意向客户 / 成交客户 by then."""
    known = customers[customers["created_at"].isna() | (customers["created_at"] <= end)]
    upto = followups[followups["time"] <= end]
    level = upto["status"].map({"意向客户": 1, "成交客户": 2}).fillna(0).groupby(upto["customer_id"]).max()
    best = known["customer_id"].map(level).fillna(0)
    return pd.DataFrame({"customer_id": known["customer_id"], "source": known["source"], "intent": best >= 1,
                         "deal": best >= 2})


def funnel(r: pd.DataFrame) -> Block:
    """``r``: reached() at the month's end."""
    counts = [len(r), int(r["intent"].sum()), int(r["deal"].sum())]
    table = pd.DataFrame({"stage": list(STAGES), "customers": counts})
    table["share_of_all"] = _ratio(table["customers"], pd.Series(counts[0], index=table.index))
    return Block("funnel", table, "bar", ["customers"], {"share_of_all"})


def conversion_by_source(r: pd.DataFrame) -> Block:
    """``r``: reached() at the month's end."""
    g = r.groupby("source")
    table = pd.DataFrame({"customers": g.size(), "deals": g["deal"].sum().astype(int)}).reset_index()
    table["conversion"] = _ratio(table["deals"], table["customers"])
    return Block("conversion_by_source", table.sort_values("conversion", ascending=False), "column", ["conversion"],
                 {"conversion"})


def conversion_by_channel(followups: pd.DataFrame, month: pd.Period) -> Block:
    """Share of the month's contacts per 沟通方式 after which the customer first became 成交客户."""
    ordered = followups[["customer_id", "time", "status", "channel"]].sort_values(["customer_id", "time"],
                                                                                 kind="stable")
    before = ordered.groupby("customer_id")["status"].shift()
    converted = (ordered["status"] == "成交客户") & (before != "成交客户")
    month_rows = _in(ordered["time"], month)
    g = pd.DataFrame({"channel": ordered["channel"], "converted": converted})[month_rows].groupby("channel")
    table = pd.DataFrame({"contacts": g.size(), "deals_made": g["converted"].sum().astype(int)}).reset_index()
    table["conversion"] = _ratio(table["deals_made"], table["contacts"])
    return Block("conversion_by_channel", table.sort_values("conversion", ascending=False), "column",
                 ["conversion"], {"conversion"})


def deal_tags(customers: pd.DataFrame, r: pd.DataFrame, top: int = 10) -> Block:
    """Manual tags more common among customers who reached 成交客户 than among the rest; ``customers``: 客户信息 as
    written, ``r``: reached() at the month's end."""
    tags = customers.drop_duplicates("customer_id").set_index("customer_id")["tags"].reindex(r["customer_id"]).fillna("")
    rows = []
    deals, rest = int(r["deal"].sum()), int((~r["deal"]).sum())
    codes, cells = pd.factorize(tags)  # a few hundred tag cells, written 100,000 times
    manual = [[x for x in split_tags(t) if not x.startswith(AUTO)] for t in cells]
    exploded = pd.DataFrame({"tag": [manual[c] for c in codes], "deal": r["deal"].to_numpy()}).explode("tag").dropna()
    for tag, g in exploded.groupby("tag"):
        in_deals = g["deal"].sum() / deals if deals else 0.0
        in_rest = (~g["deal"]).sum() / rest if rest else 0.0
        rows.append((tag, in_deals, in_rest, in_deals / in_rest if in_rest else float("nan")))
    table = pd.DataFrame(rows, columns=["tag", "share_deals", "share_rest", "ratio"])
    table = table[table["share_deals"] > table["share_rest"]].sort_values("ratio", ascending=False).head(top)
    return Block("deal_tags", table.reset_index(drop=True), "bar", ["share_deals", "share_rest"],
                 {"share_deals", "share_rest"})


def followups_per_owner(followups: pd.DataFrame, month: pd.Period) -> Block:
    f = followups[_in(followups["time"], month)]
    g = f.groupby("by")
    table = pd.DataFrame({"contacts": g.size(), "answered": g["result"].apply(lambda s: int(s.isin(ANSWERED).sum()))})
    table = table.reset_index().sort_values("contacts", ascending=False)
    return Block("followups_per_owner", table, "column", ["contacts", "answered"])


def revisit_execution(tasks: pd.DataFrame, month: pd.Period, today: dt.datetime) -> Block:
    """Tasks due in the month (before today): how many were done, per 执行人 and in total."""
    table = execution(tasks, month, today)[["due", "done"]].rename_axis("owner").reset_index()
    total = pd.DataFrame({"owner": [TOTAL], "due": [int(table["due"].sum())], "done": [int(table["done"].sum())]})
    table = pd.concat([table, total], ignore_index=True)
    table["rate"] = _ratio(table["done"], table["due"])
    return Block("revisit_execution", table, "column", ["rate"], {"rate"})


def feedback(followups: pd.DataFrame, month: pd.Period) -> Block:
    f = followups[_in(followups["time"], month) & (followups["issue_type"] != "") & (followups["satisfaction"] != "")]
    table = pd.crosstab(f["issue_type"], f["satisfaction"]) if len(f) else pd.DataFrame()
    order = [c for c in ("非常满意", "满意", "一般", "不满意") if c in table.columns]
    table = table.reindex(columns=order).reset_index()
    table.columns.name = None
    return Block("feedback", table, "stacked", order)


def script_ab(followups: pd.DataFrame, month: pd.Period) -> Block:
    f = followups[_in(followups["time"], month) & followups["script"].isin(["A", "B"])]
    answered = f["result"].isin(ANSWERED).astype("int64").groupby(f["script"])
    table = pd.DataFrame({"used": answered.size(), "responded": answered.sum()})
    table = table.reindex(["A", "B"], fill_value=0).reset_index()
    table["response_rate"] = _ratio(table["responded"], table["used"])
    return Block("script_ab", table, "column", ["response_rate"], {"response_rate"})


def month_end_tiers(tables: dict[str, SheetTable], month: pd.Period, limits: Thresholds,
                    months: int = TIER_MONTHS) -> dict[pd.Period, pd.Series]:
    """价值层级 per customer row at each of the last ``months`` month ends."""
    ends = [month - k for k in range(months - 1, -1, -1)]
    return dict(zip(ends, tiers_at(tables, [p.end_time for p in ends], limits), strict=True))


def tier_movements(at: dict[pd.Period, pd.Series], month: pd.Period) -> Block:
    """How many customers moved between tiers from last month's end to this month's end."""
    moved = pd.DataFrame({"from_tier": at[month - 1], "to_tier": at[month]}).dropna()
    moved = moved[moved["from_tier"] != moved["to_tier"]]
    table = moved.groupby(["from_tier", "to_tier"]).size().rename("customers").reset_index()
    return Block("tier_movements", table, "column", ["customers"])


def tier_trend(at: dict[pd.Period, pd.Series]) -> Block:
    counts = {str(p): tier.value_counts() for p, tier in at.items()}
    table = pd.DataFrame(counts).reindex(list(TIER_ORDER)).fillna(0).astype(int).T
    table = table.reset_index().rename(columns={"index": "month"})
    return Block("tier_trend", table, "line", list(TIER_ORDER))


def monthly_summary(
    tables: dict[str, SheetTable],
    month: pd.Period,
    *,
    limits: Thresholds,
    tasks: pd.DataFrame,
    today: dt.datetime,
) -> list[Block]:
    customers = tables["customers"].data
    followups = _followups(tables)
    at = month_end_tiers(tables, month, limits)
    r = reached(customers, followups, month.end_time)
    return [
        new_by_source(customers, month),
        funnel(r),
        conversion_by_source(r),
        conversion_by_channel(followups, month),
        deal_tags(tables["customers"].text, r),
        followups_per_owner(followups, month),
        revisit_execution(tasks, month, today),
        feedback(followups, month),
        script_ab(followups, month),
        tier_movements(at, month),
        tier_trend(at),
    ]


FEEDBACK_COLUMNS = ["time", "issue_type", "satisfaction"]


def feedback_counts(followups: pd.DataFrame) -> pd.DataFrame:
    """Follow-ups (FEEDBACK_COLUMNS) counted per month (as yyyymm: formatting millions of periods as text is the
    slow part), 问题类型 and 满意度; counts of different rows add up (an archived batch keeps its own)."""
    f = followups[FEEDBACK_COLUMNS]
    f = f[f["time"].notna() & ((f["issue_type"] != "") | (f["satisfaction"] != ""))]
    month = (f["time"].dt.year * 100 + f["time"].dt.month).astype("int64").rename("month")
    return f.groupby([month, "issue_type", "satisfaction"]).size().rename("count").reset_index()


def feedback_by_month(tables: dict[str, SheetTable], archived: pd.DataFrame | None = None) -> pd.DataFrame:
    """反馈统计: every month's follow-ups counted by 问题类型 and 满意度; ``archived``: the feedback_counts of
    the follow-ups in the history database, counted with them."""
    g = feedback_counts(_followups(tables).reindex(columns=FEEDBACK_COLUMNS))
    if archived is not None and len(archived):
        g = pd.concat([g, archived], ignore_index=True).groupby(["month", "issue_type", "satisfaction"])["count"] \
            .sum().reset_index()
    g["month"] = pd.Series([f"{m // 100:04d}-{m % 100:02d}" for m in g["month"].tolist()], index=g.index, dtype=str)
    return g
