"""Which archived follow-ups the rules must read one by one (README "历史数据库 / History beyond the workbook").

Three million archived follow-ups need not all be read for every answer to come out the same.  The rules look
at single rows only from a recent moment on (the horizon: the rhythm's tasks since last month, the month being
summarized, a task's window, a task staff wrote on); before it they ask each customer only a few things: the
last contact and how it ended, the last one that reached them, the run of 未接通 at the end, whether they ever
became 意向客户 / 成交客户, and their latest contact at a few month ends.  The rows that answer those stand in
for the rest, so tag, remind and summary over workbook + history give exactly what they give over every row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import schema
from .revisit import longest_window
from .summary import TIER_MONTHS

LEVELS = ("意向客户", "成交客户")
# A rhythm task falls due at most this long after its contact (the slowest rhythm, plus the day it is
# normalized to).
LONGEST_RHYTHM = pd.Timedelta(days=max(*schema.REMIND_DAYS.values(), schema.HIGH_RISK_REMIND_DAYS) + 1)
COLUMNS = ("customer_id", "time", "result", "status")  # what deciding the standing rows reads


@dataclass(frozen=True)
class Horizon:
    """Archived follow-ups from ``start`` on are read whole; before it, the rows that stand for each customer,
    and each customer's latest contact at each of ``ends``."""

    start: pd.Timestamp
    ends: tuple[pd.Timestamp, ...] = ()

    @property
    def settled(self) -> pd.Timestamp:
        """Rows dated before this are never read one by one: a batch of only such rows may be read as the rows
        that stand for it (standing_for_all)."""
        return min((self.start, *self.ends))


def horizon(since: pd.Timestamp, rules: pd.DataFrame, *, month: pd.Period | None = None,
            earliest: Iterable[pd.Timestamp] = ()) -> Horizon:
    """The horizon of tasks since ``since`` (whose windows, from 回访规则, may reach back), of the summary of
    ``month`` (its rows and its tiers at the month ends before), and of tasks due at ``earliest`` (those staff
    wrote on: their evidence is shown again)."""
    reach = pd.Timedelta(days=longest_window(rules) + 1)
    start = pd.Timestamp(since).normalize() - max(reach, LONGEST_RHYTHM) - pd.Timedelta(days=1)
    ends: tuple[pd.Timestamp, ...] = ()
    if month is not None:
        start = min(start, month.start_time - reach - pd.Timedelta(days=1))
        ends = tuple((month - k).end_time for k in range(TIER_MONTHS))
    start = min([start, *(pd.Timestamp(d).normalize() for d in earliest)])
    return Horizon(start, tuple(e for e in ends if e < start))


def standing_for_all(followups: pd.DataFrame) -> np.ndarray:
    """Positions of the rows that stand for these follow-ups at any horizon after the latest of them (an
    archived batch's, kept beside it).  Standing rows compose: those of several batches, read together, contain
    every row that stands for the batches together, also when merges have since joined customers."""
    return standing_rows(followups, Horizon(pd.Timestamp.max))


def standing_rows(followups: pd.DataFrame, at: Horizon) -> np.ndarray:
    """Positions of the archived follow-ups the rules read at ``at`` (columns: COLUMNS; customer_id already the
    customer's id now): every dated row from the horizon on; before it, per customer, the rows from the last
    contact that reached them (else the last that was not 未接通) to the horizon, the first that made them
    意向客户 and 成交客户, and the latest at each month end asked for."""
    time = pd.to_datetime(followups["time"]).to_numpy(dtype="datetime64[ns]")
    dated = ~np.isnat(time)
    old = dated & (time < np.datetime64(at.start, "ns"))
    keep = dated & ~old
    where = np.flatnonzero(old)
    if not len(where):
        return np.flatnonzero(keep)
    ids = pd.factorize(followups["customer_id"].iloc[where])[0]
    # The order the rules sort in: by customer, time, then as read.  One sort of a unique key (customer, rank
    # of the time among ties kept as read) is quicker than a three-key lexsort of millions of rows.
    by_time = np.argsort(time[where], kind="stable")
    rank_in_time = np.empty(len(where), dtype=np.int64)
    rank_in_time[by_time] = np.arange(len(where))
    order = np.argsort(ids.astype(np.int64) * len(where) + rank_in_time)
    rows, who, when = where[order], ids[order], time[where][order]
    rank = np.arange(len(rows))
    # Sorted by customer, each one's rows are a run: per-customer answers are reductions over the runs.
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
    sizes = np.diff(np.r_[starts, len(rows)])

    def last(flag: np.ndarray) -> np.ndarray:
        return np.repeat(np.maximum.reduceat(np.where(flag, rank, -1), starts), sizes)

    def first(flag: np.ndarray) -> np.ndarray:
        return np.repeat(np.minimum.reduceat(np.where(flag, rank, len(rank)), starts), sizes)

    if "result" in followups.columns:
        result = followups["result"].iloc[rows]
        reached = last(~result.isin(schema.UNREACHED).to_numpy(dtype=bool, na_value=False))
        answered = last((result != "未接通").to_numpy(dtype=bool, na_value=True))
        anchor = np.where(reached >= 0, reached, np.where(answered >= 0, answered, np.repeat(starts, sizes)))
    else:  # every contact counts as reaching the customer: the last one says it all
        anchor = np.repeat(starts + sizes - 1, sizes)
    stand = rank >= anchor
    if "status" in followups.columns:
        status = followups["status"].iloc[rows]
        for level in LEVELS:
            stand |= rank == first((status == level).to_numpy(dtype=bool, na_value=False))
    for end in at.ends:
        stand |= rank == last(when <= np.datetime64(end, "ns"))
    keep[rows[stand]] = True
    return np.flatnonzero(keep)
