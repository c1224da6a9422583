"""Who hears of what each morning: each owner their actionable tasks, each manager their whole team's
escalations and the team's execution rate this month (done / due)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from .revisit import DONE, UPCOMING, actionable
from .team import team_of


@dataclass
class Digest:
    manager: str
    escalations: pd.DataFrame  # customers (with name, phone, owner) that need a manager
    done: int
    due: int


def owners_work(sheet: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(owner, their tasks to act on today) for every owner with any."""
    return [(owner, tasks) for owner, tasks in actionable(sheet).groupby("owner", sort=True)]


def managers(team: pd.DataFrame) -> list[str]:
    """Everyone someone reports to, and everyone whose role is 经理."""
    return sorted(set(team.loc[team["manager"] != "", "manager"]) | set(team.loc[team["role"] == "经理", "name"]))


def digests(team: pd.DataFrame, sheet: pd.DataFrame, profile: pd.DataFrame, escalated: set[str],
            today: dt.datetime) -> list[Digest]:
    """One digest per manager, over the whole team below them."""
    month = pd.Timestamp(today).to_period("M")
    out = []
    for manager in managers(team):
        members = team_of(team, manager)
        mine = profile[profile.index.isin(escalated) & profile["owner"].isin(members)]
        due = sheet[sheet["owner"].isin(members) & (sheet["due"] <= pd.Timestamp(today))
                    & (sheet["due"].dt.to_period("M") == month) & (sheet["status"] != UPCOMING)]
        out.append(Digest(manager, mine.reset_index(), int((due["status"] == DONE).sum()), len(due)))
    return out
