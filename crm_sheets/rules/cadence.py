"""Cadence tasks (SPEC §3 "Two kinds of task"): the stage's rhythm of contact, which never expires.

After every contact that reached the customer (and after the customer was created) the stage's rhythm says
when to call next (schema.REMIND_DAYS).  If the next such contact came on or after that day, a task fell due
then and that contact did it; if it came earlier, no task fell due.  The customer's current task is due on
its 下次回访日期 (the stage now) and stays open every day until someone reaches the customer.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import schema
from ..tables import SheetTable
from ..values import member
from .lifecycle import SILENT, high_risk, rhythm_days

CADENCE_RULE = "阶段节奏回访"
CADENCE_PRIORITY = 5.0


def cadence_tasks(tables: dict[str, SheetTable], profile: pd.DataFrame, since: dt.datetime) -> pd.DataFrame:
    """Every cadence task due since ``since`` (done or not) and each customer's current one.

    ``profile`` is indexed by 客户编号 with stage, tags, created_at and cadence_due.
    Columns: customer_id, event (the contact it counts from), due; the owner is the customer's (all_tasks).
    """
    history = _history(tables, profile, pd.Timestamp(since).normalize())
    live = profile[profile["cadence_due"].notna() & (profile["stage"] != SILENT)]
    current = pd.DataFrame({"customer_id": live.index, "event": pd.NaT, "due": live["cadence_due"].to_numpy()})
    frame = pd.concat([f for f in (history, current) if len(f)] or [current], ignore_index=True)
    return frame.drop_duplicates(["customer_id", "due"], keep="last").reset_index(drop=True)


def _history(tables: dict[str, SheetTable], profile: pd.DataFrame, since: pd.Timestamp) -> pd.DataFrame:
    """The tasks that fell due between contacts: (customer_id, event, due) with due >= ``since``."""
    empty = pd.DataFrame({"customer_id": pd.Series(dtype=object), "event": pd.Series(dtype="datetime64[ns]"),
                          "due": pd.Series(dtype="datetime64[ns]")})
    f = tables["followups"].data if "followups" in tables else None
    if f is None or not {"customer_id", "time"} <= set(f.columns):
        return empty
    f = f[[c for c in ("customer_id", "time", "status", "result") if c in f.columns]]
    f = f[f["time"].notna() & member(f["customer_id"], profile.index)]
    if "result" in f.columns:
        f = f[~f["result"].isin(schema.UNREACHED)]
    status = f["status"] if "status" in f.columns else pd.Series("", index=f.index)
    created = profile["created_at"].dropna()
    anchors = pd.concat([
        pd.DataFrame({"customer_id": created.index, "time": created.to_numpy(), "stage": "潜在客户"}),
        pd.DataFrame({"customer_id": f["customer_id"].to_numpy(), "time": f["time"].to_numpy(),
                      "stage": status.to_numpy()}),
    ], ignore_index=True).sort_values(["customer_id", "time"], kind="stable")
    # The stage a contact left the customer in sets the rhythm; a 跟进状态 left blank keeps today's stage.
    stage = anchors["stage"].where(anchors["stage"].isin(schema.REMIND_DAYS),
                                   anchors["customer_id"].map(profile["stage"]))
    days = rhythm_days(stage, anchors["customer_id"].map(high_risk(profile["tags"])).fillna(False).astype(bool))
    due = (pd.to_datetime(anchors["time"]).dt.normalize() + pd.to_timedelta(days, unit="D"))
    following = pd.to_datetime(anchors.groupby("customer_id")["time"].shift(-1)).dt.normalize()
    fell_due = due.notna() & following.notna() & (following >= due) & (due >= since)
    return pd.DataFrame({"customer_id": anchors.loc[fell_due, "customer_id"].to_numpy(),
                         "event": pd.to_datetime(anchors.loc[fell_due, "time"]).to_numpy(),
                         "due": due[fell_due].to_numpy()}) if fell_due.any() else empty
