"""The revisit task list (README "回访闭环 / The revisit loop").

Event tasks (the rules on 回访规则) and cadence tasks (the stage's rhythm) are one list.  A follow-up for the
customer that reached them, dated on or after the day a task fell due (and, for an event task, before its window
closed), did that task: staff log every contact anyway, so nobody types it twice.  已完成 typed in 执行结果 is
honoured too.  Each task's status on a day, who was reminded, and the execution figures come from here.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import schema
from ..model.tables import SheetTable
from ..values import is_blank, member
from .cadence import CADENCE_PRIORITY, CADENCE_RULE, cadence_tasks
from .revisit import event_tasks, variant

EVENT, CADENCE = "event", "cadence"
# Statuses shown on 回访任务, most urgent first (the sheet's order).
OVERDUE, ESCALATED, TO_DO, UPCOMING, DONE, EXPIRED = "逾期", "需人工跟进", "待执行", "未到期", "已完成", "已过期"
STATUS_ORDER = (OVERDUE, ESCALATED, TO_DO, UPCOMING, DONE, EXPIRED)
TYPED_DONE = "已完成"
HORIZON_DAYS = 7  # what falls due in the coming week is shown (and event tasks announced) ahead
DAY = pd.Timedelta(days=1)


def all_tasks(tables: dict[str, SheetTable], rules: pd.DataFrame, profile: pd.DataFrame, today: dt.datetime,
              since: dt.datetime) -> pd.DataFrame:
    """Both kinds of task with what did them (done_at, done_by, done_how; blank when not done yet).

    Event tasks over the whole history; cadence tasks due since ``since`` plus each customer's current one.
    ``profile`` is indexed by 客户编号 (stage, tier, tags, owner, created_at, contract_end, cadence_due).
    """
    events = event_tasks(tables, rules, profile).assign(kind=EVENT)
    cadence = cadence_tasks(tables, profile, since).assign(
        kind=CADENCE, rule=CADENCE_RULE, window_end=pd.NaT, priority=CADENCE_PRIORITY, owner="",
        script_a=schema.CADENCE_SCRIPT, script_b="")
    tasks = pd.concat([f for f in (events, cadence) if len(f)] or [cadence], ignore_index=True)
    tasks["due"] = pd.to_datetime(tasks["due"]).astype("datetime64[ns]")
    tasks["window_end"] = pd.to_datetime(tasks["window_end"]).astype("datetime64[ns]")
    tasks = tasks[tasks["due"].notna()]
    owner = tasks["owner"].fillna("").astype(str)  # blank: the rule names nobody, the customer's owner does it
    tasks["owner"] = owner.where(owner != "", tasks["customer_id"].map(profile["owner"])).fillna("")
    # A task is a customer, a rule and a due day (任务编号 spells them): one of each.
    day = tasks["due"].to_numpy().astype("datetime64[D]")
    first = ~pd.DataFrame({"customer": tasks["customer_id"], "rule": tasks["rule"], "day": day}).duplicated().to_numpy()
    tasks = tasks[first]
    days = np.datetime_as_string(day[first], unit="D").tolist()
    tasks["task_id"] = pd.Series([f"{c}-{r}-{d.replace('-', '')}" for c, r, d in zip(
        tasks["customer_id"].tolist(), tasks["rule"].astype(str).tolist(), days)], index=tasks.index, dtype="str")
    done = _completed(tasks, tables, today)
    # Sorted by due day, priority, then 客户编号 as numbers in its sorted order (sorting Python text is slow).
    order = np.lexsort((pd.factorize(done["customer_id"], sort=True)[0], done["priority"].to_numpy(),
                        done["due"].to_numpy()))
    return done.iloc[order]


def _completed(tasks: pd.DataFrame, tables: dict[str, SheetTable], today: dt.datetime) -> pd.DataFrame:
    """The first follow-up that reached the customer on or after each task's due day, inside its window."""
    columns = {"time": "done_at", "by": "done_by", "channel": "done_how"}
    f = tables["followups"].data if "followups" in tables else pd.DataFrame(columns=["customer_id", "time"])
    f = f[[c for c in ("customer_id", "time", "by", "channel", "result") if c in f.columns]]
    end = pd.Timestamp(today).normalize() + DAY  # a follow-up dated in the future (a typo) does nothing yet
    f = f[f["time"].notna() & (f["time"] < end) & member(f["customer_id"], tasks["customer_id"].unique())]
    if "result" in f.columns:
        f = f[~f["result"].isin(schema.UNREACHED)]
    f = f.rename(columns=columns)
    # merge_asof matches ``by`` far faster on integers than on text: both sides' 客户编号 as one set of codes.
    codes, _ids = pd.factorize(pd.concat([tasks["customer_id"], f["customer_id"]], ignore_index=True))
    f = f.assign(who=codes[len(tasks):]).reindex(columns=["who", *columns.values()])
    f["done_at"] = pd.to_datetime(f["done_at"]).astype("datetime64[ns]")
    tasks = tasks.assign(customer_id=tasks["customer_id"].astype(object), who=codes[:len(tasks)])
    done = pd.merge_asof(tasks.sort_values("due", kind="stable"), f.sort_values("done_at", kind="stable"),
                         left_on="due", right_on="done_at", by="who", direction="forward").drop(columns="who")
    late = done["window_end"].notna() & (done["done_at"] >= done["window_end"] + DAY)
    done.loc[late, "done_at"] = pd.NaT
    for column in ("done_by", "done_how"):
        done[column] = done[column].where(done["done_at"].notna(), "").fillna("")
    return done


def typed_results(previous: pd.DataFrame) -> dict[str, str]:
    """执行结果 staff typed on 回访任务, by 任务编号."""
    if not len(previous):
        return {}
    results = previous["result"].map(lambda v: "" if is_blank(v) else str(v).strip())
    return {str(k): v for k, v in zip(previous["task_id"], results) if v}


def typed_dues(typed: dict[str, str]) -> list[pd.Timestamp]:
    """The due days of the tasks staff wrote on (the end of each 任务编号)."""
    days = pd.to_datetime(pd.Series([k[-8:] for k in typed], dtype=object), format="%Y%m%d", errors="coerce")
    return list(days.dropna())


def settle(tasks: pd.DataFrame, typed: dict[str, str], escalated: set[str], today: dt.datetime) -> pd.DataFrame:
    """Each task's status on ``today`` and its evidence (完成依据); ``typed`` is 执行结果 by 任务编号."""
    now = pd.Timestamp(today).normalize()
    t = tasks.copy(deep=False)  # (copy-on-write: the columns set below are new, the rest is shared)
    # Most days nobody wrote one: no lookup of every 任务编号.
    t["result"] = (t["task_id"].map(typed).astype(object).fillna("") if typed
                   else pd.Series("", index=t.index, dtype=object))
    by_followup = t["done_at"].notna()
    done = by_followup | (t["result"] == TYPED_DONE)
    # The line of each task a follow-up did, made for those tasks alone (sums of whole columns of text held
    # 300 MB at once for a million tasks).
    evidence = np.where(done.to_numpy(), "执行结果 已完成", "").astype(object)
    rows = np.flatnonzero(by_followup.to_numpy())
    if len(rows):
        stamps = np.datetime_as_string(t["done_at"].to_numpy()[rows].astype("datetime64[m]"), unit="m").tolist()
        evidence[rows] = [f"跟进 {stamp.replace('T', ' ')} {by} {how}".strip() for stamp, by, how in zip(
            stamps, t["done_by"].to_numpy(dtype=object)[rows], t["done_how"].to_numpy(dtype=object)[rows])]
    t["evidence"] = pd.Series(evidence, index=t.index, dtype=object)
    t["status"] = np.select(
        [done, t["window_end"].notna() & (t["window_end"] < now), t["customer_id"].isin(escalated),
         t["due"] > now, t["due"] < now],
        [DONE, EXPIRED, ESCALATED, UPCOMING, OVERDUE], TO_DO)
    t["days_overdue"] = np.where(t["status"].isin([OVERDUE, ESCALATED]), (now - t["due"]).dt.days, 0)
    return t


def open_tasks(settled: pd.DataFrame) -> pd.DataFrame:
    """Tasks an owner must act on today: due or overdue, not done (escalated ones go to the manager)."""
    return settled[settled["status"].isin([TO_DO, OVERDUE])]


def coming(settled: pd.DataFrame, today: dt.datetime) -> pd.DataFrame:
    """Event tasks falling due in the coming week (announced ahead; the rhythm's own come when due)."""
    now = pd.Timestamp(today).normalize()
    return settled[(settled["status"] == UPCOMING) & (settled["kind"] == EVENT)
                   & (settled["due"] <= now + pd.Timedelta(days=HORIZON_DAYS))]


def task_sheet(settled: pd.DataFrame, typed: dict[str, str], profile: pd.DataFrame, reminders: pd.Series,
               today: dt.datetime) -> pd.DataFrame:
    """回访任务 on ``today``: what is open, the event tasks of the coming week, what the follow-ups logged since
    yesterday completed, what was missed in the past week, and every task staff wrote on.

    ``reminders``: reminder mails sent per 任务编号, today's included.
    """
    now = pd.Timestamp(today).normalize()
    week = pd.Timedelta(days=HORIZON_DAYS)
    keep = settled["status"].isin([OVERDUE, ESCALATED, TO_DO]) | settled.index.isin(coming(settled, today).index)
    keep |= (settled["status"] == DONE) & (settled["done_at"] >= now - DAY)
    keep |= (settled["status"] == EXPIRED) & (settled["window_end"] >= now - week)
    keep |= settled["task_id"].isin([k for k, v in typed.items() if v])
    sheet = settled[keep].copy()
    sheet["script"] = [f"[{v}] {b if v == 'B' else a}" for v, a, b in
                       ((variant(c, b), a, b) for c, a, b in zip(sheet["customer_id"], sheet["script_a"],
                                                                 sheet["script_b"]))]
    sheet["reminders"] = sheet["task_id"].map(reminders).fillna(0).astype(int)
    sheet["name"] = sheet["customer_id"].map(profile["name"]).fillna("")
    sheet["phone"] = sheet["customer_id"].map(profile["phone"]).fillna("")
    rank = sheet["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    return (sheet.assign(_rank=rank).sort_values(["_rank", "due", "priority", "owner", "customer_id"], kind="stable")
            .drop(columns="_rank").reset_index(drop=True))


def execution(settled: pd.DataFrame, month: pd.Period, today: dt.datetime) -> pd.DataFrame:
    """Per 执行人: tasks due in ``month`` before ``today`` (due), how many were done, and event tasks missed
    (their window closed unfinished in ``month``)."""
    now = pd.Timestamp(today).normalize()
    in_month = settled["due"].dt.to_period("M") == month
    due = settled[in_month & (settled["due"] < now)]
    missed = settled[(settled["status"] == EXPIRED) & (settled["window_end"].dt.to_period("M") == month)]
    table = pd.DataFrame({
        "due": due.groupby("owner").size(),
        "done": (due["status"] == DONE).groupby(due["owner"]).sum(),
        "missed": missed.groupby("owner").size(),
    }).fillna(0).astype(int)
    return table[table.index != ""]


def overdue_customers(settled: pd.DataFrame, days: int) -> pd.DataFrame:
    """Customers with a task overdue ``days`` days or more (not escalated: those are listed as such)."""
    late = settled[(settled["status"] == OVERDUE) & (settled["days_overdue"] >= days)]
    return late.sort_values("days_overdue", ascending=False, kind="stable").drop_duplicates("customer_id")


def next_rule_dates(tasks: pd.DataFrame, today: dt.datetime) -> pd.Series:
    """Per 客户编号: the due date of its earliest event task not done and still open or to come."""
    now = pd.Timestamp(today).normalize()
    live = tasks[(tasks["kind"] == EVENT) & tasks["done_at"].isna() & (tasks["window_end"] >= now)]
    return live.groupby("customer_id")["due"].min() if len(live) else pd.Series(dtype="datetime64[ns]")
