"""The team on 团队: who reports to whom."""

from __future__ import annotations

import pandas as pd


def team_of(team: pd.DataFrame, person: str) -> set[str]:
    """The person and everyone reporting to them, directly or not (a manager's team reaches to the bottom)."""
    members, frontier = {person}, {person}
    while frontier:
        frontier = set(team.loc[team["manager"].isin(frontier), "name"]) - members
        members |= frontier
    return members
