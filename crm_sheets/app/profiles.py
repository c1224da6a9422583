"""Each customer's lifecycle as of a day (stage, tier, tags, last and next contact) and the revisit tasks."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..rules.lifecycle import Thresholds, lifecycle, next_revisit
from ..rules.tasks import all_tasks, next_rule_dates
from ..workbook.read import Book


def customer_profiles(book: Book, today: dt.datetime, since: dt.datetime | None = None
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lifecycle values per customer row and the revisit tasks they imply (tiers, stages, tags, rules), with
    the follow-ups that did them.  Cadence tasks go back to ``since`` (default: the start of last month, which
    the month's execution rate and last month's summary need).

    Worked out once per book and day: applying them (tag) does not change them, so the job's remind and
    summary reuse what its tag run found.
    """
    now = pd.Timestamp(today)
    since = pd.Timestamp(since) if since is not None else (now.to_period("M") - 1).start_time
    key = ("profiles", now, since)
    if key not in book.derived:
        life = lifecycle(book.full, Thresholds.from_settings(book.number), today)
        tasks = all_tasks(book.full, book.rules, by_customer(book, life), today, since)
        life["next_revisit"] = next_revisit(life, book.tables["customers"].data["customer_id"],
                                            next_rule_dates(tasks, today))
        book.derived[key] = (life, tasks)
    life, tasks = book.derived[key]
    return life.copy(), tasks


def by_customer(book: Book, life: pd.DataFrame) -> pd.DataFrame:
    """Lifecycle values keyed by 客户编号, with the owner, creation time and contract end the rules need."""
    data = book.tables["customers"].data
    frame = life.assign(customer_id=data["customer_id"], owner=data.get("owner", ""),
                        created_at=data.get("created_at", pd.NaT), contract_end=data.get("contract_end", pd.NaT))
    frame["owner"] = frame["owner"].fillna("")
    frame = frame[frame["customer_id"] != ""].drop_duplicates("customer_id")
    return frame.set_index("customer_id")
