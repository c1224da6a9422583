"""Each customer's lifecycle as of a day (stage, tier, tags, last and next contact) and the revisit tasks."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..rules.lifecycle import Thresholds, lifecycle, next_revisit
from ..rules.revisit import next_rule_dates, revisit_tasks
from ..workbook.read import Book


def customer_profiles(book: Book, today: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lifecycle values per customer row and the revisit tasks they imply (tiers, stages, tags, rules).

    Worked out once per book and day: applying them (tag) does not change them, so the job's remind and
    summary reuse what its tag run found.
    """
    key = ("profiles", pd.Timestamp(today))
    if key not in book.derived:
        life = lifecycle(book.tables, Thresholds.from_settings(book.number), today)
        tasks = revisit_tasks(book.tables, book.rules, by_customer(book, life), today)
        life["next_revisit"] = next_revisit(life, book.tables["customers"].data["customer_id"],
                                            next_rule_dates(tasks))
        book.derived[key] = (life, tasks)
    life, tasks = book.derived[key]
    return life.copy(), tasks


def by_customer(book: Book, life: pd.DataFrame) -> pd.DataFrame:
    """Lifecycle values keyed by 客户编号, with the owner and contract end the rules need."""
    data = book.tables["customers"].data
    frame = life.assign(customer_id=data["customer_id"], owner=data.get("owner", ""),
                        contract_end=data.get("contract_end", pd.NaT))
    frame["owner"] = frame["owner"].fillna("")
    frame = frame[frame["customer_id"] != ""].drop_duplicates("customer_id")
    return frame.set_index("customer_id")
