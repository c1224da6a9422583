"""Each customer's lifecycle as of a day (stage, tier, tags, last and next contact) and the revisit tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

from ..rules.lifecycle import Thresholds, lifecycle, next_revisit
from ..rules.past import COLUMNS as DECIDING
from ..rules.past import Horizon, horizon, standing_rows
from ..rules.summary import FOLLOWUP_COLUMNS
from ..rules.tasks import all_tasks, next_rule_dates
from ..model.book import Book, joined
from ..model.tables import SheetTable


def customer_profiles(book: Book, today: dt.datetime, since: dt.datetime | None = None, *,
                      month: pd.Period | None = None, earliest: Iterable[pd.Timestamp] = ()
                      ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lifecycle values per customer row and the revisit tasks they imply (tiers, stages, tags, rules), with
    the follow-ups that did them.  Cadence tasks go back to ``since`` (default: the start of last month, which
    the month's execution rate and last month's summary need); ``month`` (a summary's) and ``earliest`` (the
    due days of tasks staff wrote on) say how far back archived rows are read one by one (rules.past).

    Worked out once per book and day: applying them (tag) does not change them, so the job's remind and
    summary reuse what its tag run found.
    """
    now = pd.Timestamp(today)
    since = pd.Timestamp(since) if since is not None else (now.to_period("M") - 1).start_time
    at = horizon(since, book.rules, month=month, earliest=earliest)
    # How far back archived rows are read changes nothing without an archive: the job's summary then reuses what
    # its tag run found (a second set of profiles over a million follow-ups is time and 400 MB).
    key = ("profiles", now, since, at if book.past is not None else None)
    if key not in book.derived:
        tables = rule_tables(book, at)
        life = lifecycle(tables, Thresholds.from_settings(book.settings), today)
        tasks = all_tasks(tables, book.rules, by_customer(book, life), today, since)
        life["next_revisit"] = next_revisit(life, book.tables["customers"].data["customer_id"],
                                            next_rule_dates(tasks, today))
        book.derived[key] = (life, tasks)
    life, tasks = book.derived[key]
    return life.copy(), tasks


def rule_tables(book: Book, at: Horizon) -> dict[str, SheetTable]:
    """The data sheets with the archived rows the rules read at ``at`` after them: every archived order and
    ticket (a customer has a handful), and of the follow-ups those rules.past.standing_rows picks.  For rules
    only: the archived rows carry typed values, no text."""
    if book.past is None:
        return book.tables
    key = ("rule_tables", at)
    if key not in book.derived:
        tables = dict(book.tables)
        for name, table in book.tables.items():
            if name == "followups":
                past = book.past.rows_for_rules(name, FOLLOWUP_COLUMNS, lambda f: standing_rows(f, at),
                                                list(DECIDING), standing_before=at.settled)
            elif name != "customers":
                past = book.past.rows_for_rules(name, list(table.data.columns))
            else:
                continue
            tables[name] = joined(table, past)
        book.derived[key] = tables
    return book.derived[key]


def by_customer(book: Book, life: pd.DataFrame) -> pd.DataFrame:
    """Lifecycle values keyed by 客户编号, with the owner, creation time and contract end the rules need."""
    data = book.tables["customers"].data
    frame = life.assign(customer_id=data["customer_id"], owner=data.get("owner", ""),
                        created_at=data.get("created_at", pd.NaT), contract_end=data.get("contract_end", pd.NaT))
    frame["owner"] = frame["owner"].fillna("")
    frame = frame[frame["customer_id"] != ""].drop_duplicates("customer_id")
    return frame.set_index("customer_id")
