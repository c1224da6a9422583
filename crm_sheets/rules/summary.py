"""The monthly summary (SPEC §3): small tables, one per question a manager asks.

Each block says which chart shows it; drawing is the workbook layer's job.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..report import Block
from ..tables import SheetTable
from ..values import split_tags
from .lifecycle import AUTO, STAGES, Thresholds, tiers
from .revisit import EXPIRED, OPEN

ANSWERED = ("已接通", "已回复")
TIER_ORDER = ("高价值", "中价值", "普通价值", "流失")


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
    table = pd.DataFrame({"客户来源": counts.index, "新客户数": counts.to_numpy()})
    table["占比"] = _ratio(table["新客户数"], pd.Series(counts.sum(), index=table.index))
    return Block("新客户来源及占比", table, "pie", ["新客户数"], {"占比"})


def reached(customers: pd.DataFrame, followups: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """Per customer existing by ``end``: whether it had reached 意向客户 / 成交客户 by then."""
    known = customers[customers["created_at"].isna() | (customers["created_at"] <= end)]
    upto = followups[followups["time"] <= end]
    level = upto["status"].map({"意向客户": 1, "成交客户": 2}).fillna(0).groupby(upto["customer_id"]).max()
    best = known["customer_id"].map(level).fillna(0)
    return pd.DataFrame({"customer_id": known["customer_id"], "source": known["source"], "intent": best >= 1,
                         "deal": best >= 2})


def funnel(customers: pd.DataFrame, followups: pd.DataFrame, month: pd.Period) -> Block:
    r = reached(customers, followups, month.end_time)
    counts = [len(r), int(r["intent"].sum()), int(r["deal"].sum())]
    table = pd.DataFrame({"阶段": list(STAGES), "客户数": counts})
    table["占全部"] = _ratio(table["客户数"], pd.Series(counts[0], index=table.index))
    return Block("客户阶段漏斗（截至月底，累计到达）", table, "bar", ["客户数"], {"占全部"})


def conversion_by_source(customers: pd.DataFrame, followups: pd.DataFrame, month: pd.Period) -> Block:
    r = reached(customers, followups, month.end_time)
    g = r.groupby("source")
    table = pd.DataFrame({"客户数": g.size(), "成交数": g["deal"].sum().astype(int)}).reset_index()
    table = table.rename(columns={"source": "客户来源"})
    table["转化率"] = _ratio(table["成交数"], table["客户数"])
    return Block("各来源成交转化率（截至月底）", table.sort_values("转化率", ascending=False), "column", ["转化率"],
                 {"转化率"})


def conversion_by_channel(followups: pd.DataFrame, month: pd.Period) -> Block:
    """Share of the month's contacts per 沟通方式 after which the customer first became 成交客户."""
    ordered = followups.sort_values(["customer_id", "time"], kind="stable")
    before = ordered.groupby("customer_id")["status"].shift()
    converted = (ordered["status"] == "成交客户") & (before != "成交客户")
    month_rows = _in(ordered["time"], month)
    g = pd.DataFrame({"channel": ordered["channel"], "converted": converted})[month_rows].groupby("channel")
    table = pd.DataFrame({"跟进次数": g.size(), "促成成交": g["converted"].sum().astype(int)}).reset_index()
    table = table.rename(columns={"channel": "沟通方式"})
    table["转化率"] = _ratio(table["促成成交"], table["跟进次数"])
    return Block("各沟通方式的成交转化率（本月跟进）", table.sort_values("转化率", ascending=False), "column",
                 ["转化率"], {"转化率"})


def deal_tags(customers: pd.DataFrame, followups: pd.DataFrame, month: pd.Period, top: int = 10) -> Block:
    """Manual tags more common among customers who reached 成交客户 than among the rest."""
    r = reached(customers, followups, month.end_time)
    tags = customers.drop_duplicates("customer_id").set_index("customer_id")["tags"].reindex(r["customer_id"]).fillna("")
    rows = []
    deals, rest = int(r["deal"].sum()), int((~r["deal"]).sum())
    exploded = pd.DataFrame({"tag": tags.map(lambda t: [x for x in split_tags(t) if not x.startswith(AUTO)]).to_numpy(),
                             "deal": r["deal"].to_numpy()}).explode("tag").dropna()
    for tag, g in exploded.groupby("tag"):
        in_deals = g["deal"].sum() / deals if deals else 0.0
        in_rest = (~g["deal"]).sum() / rest if rest else 0.0
        rows.append((tag, in_deals, in_rest, in_deals / in_rest if in_rest else float("nan")))
    table = pd.DataFrame(rows, columns=["标签", "成交客户中占比", "其他客户中占比", "倍数"])
    table = table[table["成交客户中占比"] > table["其他客户中占比"]].sort_values("倍数", ascending=False).head(top)
    return Block("成交客户更常见的标签", table.reset_index(drop=True), "bar", ["成交客户中占比", "其他客户中占比"],
                 {"成交客户中占比", "其他客户中占比"})


def followups_per_owner(followups: pd.DataFrame, month: pd.Period) -> Block:
    f = followups[_in(followups["time"], month)]
    g = f.groupby("by")
    table = pd.DataFrame({"跟进次数": g.size(), "接通或回复": g["result"].apply(lambda s: int(s.isin(ANSWERED).sum()))})
    table = table.reset_index().rename(columns={"by": "跟进人"}).sort_values("跟进次数", ascending=False)
    return Block("各跟进人本月跟进次数", table, "column", ["跟进次数", "接通或回复"])


def revisit_execution(tasks: pd.DataFrame, done: set[str], month: pd.Period, today: dt.datetime) -> Block:
    """Tasks due this month (up to today): how many were done, per owner and in total."""
    due = tasks[_in(tasks["due"], month) & (tasks["due"] <= pd.Timestamp(today)) & tasks["status"].isin(
        [OPEN, EXPIRED])] if len(tasks) else tasks
    g = pd.DataFrame({"owner": due.get("owner", pd.Series(dtype=object)),
                      "done": due.get("task_id", pd.Series(dtype=object)).isin(done)}).groupby("owner")
    table = pd.DataFrame({"应回访": g.size(), "已完成": g["done"].sum().astype(int)}).reset_index()
    table = table.rename(columns={"owner": "执行人"})
    total = pd.DataFrame({"执行人": ["合计"], "应回访": [int(table["应回访"].sum())],
                          "已完成": [int(table["已完成"].sum())]})
    table = pd.concat([table, total], ignore_index=True)
    table["执行率"] = _ratio(table["已完成"], table["应回访"])
    return Block("回访执行率（已完成 / 应回访）", table, "column", ["执行率"], {"执行率"})


def feedback(followups: pd.DataFrame, month: pd.Period) -> Block:
    f = followups[_in(followups["time"], month) & (followups["issue_type"] != "") & (followups["satisfaction"] != "")]
    table = pd.crosstab(f["issue_type"], f["satisfaction"]) if len(f) else pd.DataFrame()
    order = [c for c in ("非常满意", "满意", "一般", "不满意") if c in table.columns]
    table = table.reindex(columns=order).reset_index().rename(columns={"issue_type": "问题类型"})
    table.columns.name = None
    return Block("客户反馈：问题类型 × 满意度", table, "stacked", order)


def script_ab(followups: pd.DataFrame, month: pd.Period) -> Block:
    f = followups[_in(followups["time"], month) & followups["script"].isin(["A", "B"])]
    answered = f["result"].isin(ANSWERED).astype("int64").groupby(f["script"])
    table = pd.DataFrame({"使用次数": answered.size(), "有回应": answered.sum()})
    table = table.reindex(["A", "B"], fill_value=0).reset_index().rename(columns={"script": "话术版本"})
    table["回应率"] = _ratio(table["有回应"], table["使用次数"])
    return Block("话术 A/B 回应率", table, "column", ["回应率"], {"回应率"})


def month_end_tiers(tables: dict[str, SheetTable], month: pd.Period, limits: Thresholds, months: int = 6
                    ) -> dict[pd.Period, pd.Series]:
    """价值层级 per customer row at each of the last ``months`` month ends (each is a pass over every follow-up)."""
    return {p: tiers(tables, p.end_time, limits) for p in (month - k for k in range(months - 1, -1, -1))}


def tier_movements(at: dict[pd.Period, pd.Series], month: pd.Period) -> Block:
    """How many customers moved between tiers from last month's end to this month's end."""
    moved = pd.DataFrame({"上月层级": at[month - 1], "本月层级": at[month]}).dropna()
    moved = moved[moved["上月层级"] != moved["本月层级"]]
    table = moved.groupby(["上月层级", "本月层级"]).size().rename("客户数").reset_index()
    return Block("价值层级变化（与上月底相比）", table, "column", ["客户数"])


def tier_trend(at: dict[pd.Period, pd.Series]) -> Block:
    counts = {str(p): tier.value_counts() for p, tier in at.items()}
    table = pd.DataFrame(counts).reindex(list(TIER_ORDER)).fillna(0).astype(int).T
    table = table.reset_index().rename(columns={"index": "月份"})
    return Block("各价值层级客户数（近六个月月底）", table, "line", list(TIER_ORDER))


def monthly_summary(
    tables: dict[str, SheetTable],
    month: pd.Period,
    *,
    limits: Thresholds,
    tasks: pd.DataFrame,
    done: set[str],
    today: dt.datetime,
) -> list[Block]:
    customers = tables["customers"].data
    followups = _followups(tables)
    at = month_end_tiers(tables, month, limits)
    return [
        new_by_source(customers, month),
        funnel(customers, followups, month),
        conversion_by_source(customers, followups, month),
        conversion_by_channel(followups, month),
        deal_tags(tables["customers"].text.assign(created_at=customers.get("created_at")), followups, month),
        followups_per_owner(followups, month),
        revisit_execution(tasks, done, month, today),
        feedback(followups, month),
        script_ab(followups, month),
        tier_movements(at, month),
        tier_trend(at),
    ]


def feedback_by_month(tables: dict[str, SheetTable]) -> pd.DataFrame:
    """反馈统计: every month's follow-ups counted by 问题类型 and 满意度."""
    f = _followups(tables)
    f = f[(f["issue_type"] != "") | (f["satisfaction"] != "")]
    g = f.groupby([f["time"].dt.to_period("M").astype(str).rename("time"), "issue_type", "satisfaction"]).size()
    return g.rename("count").reset_index().rename(columns={"time": "month"})
