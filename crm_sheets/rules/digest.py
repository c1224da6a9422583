"""Who hears of what each morning.

Each owner: their customers to call, each customer once with all its reasons, in sections (逾期 / 今天 /
本周内).  Each manager, over the whole team below them: customers needing a manager (需人工跟进), customers
overdue ``N`` days or more, and each person's execution this month (done / due, missed event tasks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .tasks import OVERDUE, TO_DO, UPCOMING, coming, execution, open_tasks, overdue_customers
from .team import team_of

SECTIONS = ("逾期", "今天", "本周内")
_SECTION_OF = {OVERDUE: "逾期", TO_DO: "今天", UPCOMING: "本周内"}
_URGENCY = {OVERDUE: 0, TO_DO: 1, UPCOMING: 2}


@dataclass
class Digest:
    manager: str
    escalations: pd.DataFrame  # customers (name, phone, owner) that need a manager
    overdue: pd.DataFrame  # customers overdue N days or more: name, phone, owner, rule, days_overdue
    people: pd.DataFrame  # per person below the manager: due, done, missed


def visits(tasks: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """One row per customer, in the order of its most urgent task: section, script, and ``reasons`` (each task's
    reason as the letter words it, same index as ``tasks``) joined most urgent first."""
    ranked = tasks.assign(_urgency=tasks["status"].map(_URGENCY), _reason=reasons).sort_values(
        ["_urgency", "priority", "due", "customer_id"], kind="stable")
    # A dict of lists, not groupby().agg(join): that calls Python once per customer through pandas' machinery.
    said: dict[str, list[str]] = {}
    for customer, reason in zip(ranked["customer_id"].tolist(), ranked["_reason"].tolist()):
        said.setdefault(customer, []).append(reason)
    first = ranked.drop_duplicates("customer_id")
    return pd.DataFrame({
        "customer_id": first["customer_id"], "name": first["name"], "phone": first["phone"],
        "section": first["status"].map(_SECTION_OF), "script": first["script"],
        "reasons": ["；".join(said[customer]) for customer in first["customer_id"].tolist()],
    }).reset_index(drop=True)


def owners_work(sheet: pd.DataFrame, today: dt.datetime) -> list[tuple[str, pd.DataFrame]]:
    """(owner, their tasks to mention: due, overdue, and event tasks coming this week) for every owner with any."""
    work = pd.concat([open_tasks(sheet), coming(sheet, today)])
    return [(owner, tasks) for owner, tasks in work.groupby("owner", sort=True) if owner]


def managers(team: pd.DataFrame) -> list[str]:
    """Everyone someone reports to, and everyone whose role is 经理."""
    return sorted(set(team.loc[team["manager"] != "", "manager"]) | set(team.loc[team["role"] == "经理", "name"]))


def digests(team: pd.DataFrame, settled: pd.DataFrame, profile: pd.DataFrame, escalated: set[str],
            today: dt.datetime, overdue_days: int) -> list[Digest]:
    """One digest per manager, over the whole team below them; ``settled`` is every task with its status.

    Customers whose 负责人 is nobody on 团队 (left blank, mistyped, someone who left) go to the managers
    nobody is above: otherwise no one would hear of them.
    """
    month = pd.Timestamp(today).to_period("M")
    rates = execution(settled, month, today)
    late = overdue_customers(settled, overdue_days)
    late = late.assign(name=late["customer_id"].map(profile["name"]), phone=late["customer_id"].map(profile["phone"]))
    orphans = set(profile["owner"]) - set(team["name"])
    top = set(team.loc[team["manager"] == "", "name"])
    out = []
    for manager in managers(team):
        members = team_of(team, manager) | (orphans if manager in top else set())
        mine = profile[profile.index.isin(escalated) & profile["owner"].isin(members)]
        out.append(Digest(manager, mine.reset_index(), late[late["owner"].isin(members)].reset_index(drop=True),
                          rates[rates.index.isin(members - orphans)]))
    return out
