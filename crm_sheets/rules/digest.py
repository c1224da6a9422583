"""Who hears of what each morning.

Each owner: their customers to call, each customer once with all its reasons, in sections (逾期 / 今天 /
本周内), at most 设置 每人每天回访上限 of them (``shortlist``: who has been listed least comes first, so the
next morning takes the next ones).  Each manager, over the whole team below them: customers needing a manager
(需人工跟进), customers overdue ``N`` days or more, longest first, and each person's execution this month
(done / due, missed event tasks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import schema
from .tasks import ESCALATED, OVERDUE, TO_DO, UPCOMING, coming, execution, open_tasks, overdue_customers
from .team import team_of

SECTIONS = ("逾期", "今天", "本周内")
_SECTION_OF = {OVERDUE: "逾期", TO_DO: "今天", UPCOMING: "本周内"}
_URGENCY = {OVERDUE: 0, TO_DO: 1, UPCOMING: 2}
# 高价值 first: the order of the 价值层级 list; a customer without a tier after every tier.
_TIER_RANK = {tier: k for k, tier in enumerate(schema.OPTION_LISTS["价值层级"])}


@dataclass
class Digest:
    manager: str
    escalations: pd.DataFrame  # customers (name, phone, owner) that need a manager
    overdue: pd.DataFrame  # customers overdue N days or more: name, phone, owner, rule, days_overdue
    people: pd.DataFrame  # per person below the manager: due, done, missed


def tier_rank(tiers: pd.Series) -> pd.Series:
    """价值层级 as a number to sort by: 高价值 0, 中价值 1, …; blank or unknown last."""
    return tiers.map(_TIER_RANK).fillna(len(_TIER_RANK)).astype(int)


def visits(tasks: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """One row per customer, in the order a manager wants them called: by its most urgent task's section, then
    priority, 价值层级 (``tasks``' tier column, when it has one) and days overdue; with its section, script, and
    ``reasons`` (each task's reason as the letter words it, same index as ``tasks``) joined most urgent first."""
    tier = tier_rank(tasks["tier"]) if "tier" in tasks.columns else 0
    ranked = tasks.assign(_urgency=tasks["status"].map(_URGENCY), _reason=reasons, _tier=tier).sort_values(
        ["_urgency", "priority", "_tier", "due", "customer_id"], kind="stable")
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


def to_mention(settled: pd.DataFrame, today: dt.datetime) -> pd.DataFrame:
    """The tasks owners hear of: due, overdue, and event tasks coming this week."""
    return pd.concat([open_tasks(settled), coming(settled, today)])


def owners_work(sheet: pd.DataFrame, today: dt.datetime) -> list[tuple[str, pd.DataFrame]]:
    """(owner, their tasks to mention) for every owner with any."""
    return [(owner, tasks) for owner, tasks in to_mention(sheet, today).groupby("owner", sort=True) if owner]


def shortlist(work: pd.DataFrame, reminded: pd.Series, tiers: pd.Series, cap: int) -> pd.DataFrame:
    """One row per owner and customer of ``work`` (to_mention's tasks): its section and whether today's mail
    lists it (``listed``), at most ``cap`` per owner (0: all).

    Fair rotation: first whoever has been reminded least so far (a customer's count is the most any of its due
    tasks has had, ``reminded`` per row of ``work``), then overdue longest, then priority and 价值层级
    (``tiers`` by 客户编号).  Those listed today count one more tomorrow, so the next ones come up; a customer
    falling due later never jumps one waiting longer, so each is listed within ⌈due customers ÷ cap⌉ mornings.
    What comes this week is only announced: it takes the room left after everyone due.
    """
    upcoming = (work["status"] == UPCOMING).to_numpy()
    # Owners and customers as sorted integer codes: grouping and sorting text is several times slower.
    owner_code, owners = pd.factorize(work["owner"], sort=True)
    customer_code, customers = pd.factorize(work["customer_id"], sort=True)
    tasks = pd.DataFrame({
        "who": owner_code.astype("int64") * len(customers) + customer_code,
        "urgency": work["status"].map(_URGENCY).to_numpy(), "due": work["due"].to_numpy(),
        "priority": work["priority"].to_numpy(), "before": np.where(upcoming, 0, reminded.to_numpy())})
    # A customer's section and priority are those of its most urgent task; its earliest due day is that of its
    # most urgent task too (overdue before today before this week).
    first = tasks.sort_values(["urgency", "priority"], kind="stable")
    people = first.groupby("who").agg(urgency=("urgency", "first"), priority=("priority", "first"),
                                       due=("due", "min"), before=("before", "max"))
    owner, customer = np.divmod(people.index.to_numpy(), len(customers))
    tier = tier_rank(pd.Series(customers[customer]).map(tiers)).to_numpy()
    announced = people["urgency"].to_numpy() == _URGENCY[UPCOMING]
    order = np.lexsort((customer, tier, people["priority"].to_numpy(), people["due"].to_numpy(),
                        people["before"].to_numpy(), announced, owner))
    owner, customer, urgency = owner[order], customer[order], people["urgency"].to_numpy()[order]
    place = pd.Series(owner).groupby(owner).cumcount().to_numpy()
    return pd.DataFrame({"owner": owners[owner], "customer_id": customers[customer],
                         "section": pd.Series(urgency).map({v: _SECTION_OF[k] for k, v in _URGENCY.items()}),
                         "listed": (place < cap) if cap else True})


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
    late = late.assign(name=late["customer_id"].map(profile["name"]), phone=late["customer_id"].map(profile["phone"]),
                       _tier=tier_rank(late["customer_id"].map(profile["tier"])))
    # Longest overdue first, then the most important: the digest lists the first few (letters.DIGEST_LIMIT).
    late = late.sort_values(["days_overdue", "priority", "_tier", "customer_id"], ascending=[False, True, True, True],
                            kind="stable").drop(columns="_tier")
    waited = settled[settled["status"] == ESCALATED].groupby("customer_id")["days_overdue"].max()
    needy = profile[profile.index.isin(escalated)]
    needy = needy.assign(days_overdue=waited.reindex(needy.index).fillna(0).astype(int).to_numpy(),
                         _tier=tier_rank(needy["tier"]).to_numpy())
    needy = needy.sort_values(["days_overdue", "_tier"], ascending=[False, True], kind="stable").drop(columns="_tier")
    orphans = set(profile["owner"]) - set(team["name"])
    top = set(team.loc[team["manager"] == "", "name"])
    out = []
    for manager in managers(team):
        members = team_of(team, manager) | (orphans if manager in top else set())
        mine = needy[needy["owner"].isin(members)]
        out.append(Digest(manager, mine.reset_index(), late[late["owner"].isin(members)].reset_index(drop=True),
                          rates[rates.index.isin(members - orphans)]))
    return out
