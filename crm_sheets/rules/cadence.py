"""Cadence tasks (README "回访闭环", two kinds of task): the stage's rhythm of contact, which never expires.

After every contact that reached the customer (and after the customer was created) the stage's rhythm says
when to call next (schema.REMIND_DAYS).  If the next such contact came on or after that day, a task fell due
then and that contact did it; if it came earlier, no task fell due.  The customer's current task is due on
its 下次回访日期 (the stage now) and stays open every day until someone reaches the customer.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import schema
from ..model.tables import SheetTable
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
    at = profile.index.get_indexer(f["customer_id"])  # each contact's customer as a row of ``profile``
    keep = (at >= 0) & f["time"].notna().to_numpy()
    if "result" in f.columns:
        keep &= ~f["result"].isin(schema.UNREACHED).to_numpy()
    status = f["status"].to_numpy(dtype=object)[keep] if "status" in f.columns else np.full(keep.sum(), "")
    created = profile["created_at"].to_numpy(dtype="datetime64[ns]")
    born = np.flatnonzero(~np.isnat(created))
    # Anchors: each customer's creation (as 潜在客户), then its contacts; by customer, then time (ties: creation).
    who = np.concatenate([born, at[keep]])
    time = np.concatenate([created[born], f["time"].to_numpy(dtype="datetime64[ns]")[keep]])
    left = np.concatenate([np.full(len(born), "潜在客户", dtype=object), status])
    order = np.lexsort((time, who))
    who, time, left = who[order], time[order], left[order]
    # The stage a contact left the customer in sets the rhythm; a 跟进状态 left blank keeps today's stage.
    left = pd.Series(left, dtype=object)
    stage = left.where(left.isin(schema.REMIND_DAYS), profile["stage"].to_numpy(dtype=object)[who])
    days = rhythm_days(stage, pd.Series(high_risk(profile["tags"]).to_numpy()[who]))
    day = time.astype("datetime64[D]")
    due = day + pd.to_timedelta(days, unit="D").to_numpy()
    same = np.diff(who, append=-1) == 0  # the next anchor is the same customer's
    following = np.where(same, np.roll(day, -1), np.datetime64("NaT", "D"))
    fell_due = ~np.isnat(due) & ~np.isnat(following) & (following >= due) & (due >= since.to_datetime64())
    if not fell_due.any():
        return empty
    return pd.DataFrame({"customer_id": profile.index.to_numpy(dtype=object)[who[fell_due]],
                         "event": time[fell_due], "due": due[fell_due].astype("datetime64[ns]")})
