"""The demo team's contacts: a team that mostly keeps up with its list.

Customers the team still works on are called to their stage's rhythm (schema.REMIND_DAYS) over the last
``RECENT_DAYS``: a third of the time a day or two before the rhythm asks (no task falls due then), mostly on
the day, now and then a day or a few late.  The events
the default revisit rules name (first order, signing, refund, a resolved ticket, the contract's end, a quiet
spell after the last order) get their call inside the rule's window one time in two.  One call in eight
is not answered and is made again the next day; a few customers stop answering altogether (three 未接通 in a
row); one in twenty has slipped through: nobody has called it for a week or a few.  Customers nobody works on
any more went quiet long ago.  Older history is spread at random.

Nothing here looks at how the tool matches follow-ups to tasks: it follows the rhythm and the rules as declared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schema
from .rules.lifecycle import high_risk, rhythm_days

RECENT_DAYS = 120
ALWAYS_WORKED_DAYS = 200  # customers created since then are all still worked on
RECENT_SHARE = 0.6  # of the follow-ups asked for, about this many are recent work
RECENT_CAP = 0.9  # and never more than this many
LATE_DAYS = np.array([-2, -1, 0, 1, 2, 3, 5, 8])
LATE_P = np.array([0.1, 0.25, 0.45, 0.1, 0.04, 0.03, 0.02, 0.01])
UNANSWERED = 0.12
EVENT_DONE = 0.5
UNREACHABLE = 0.01
NEGLECTED = 0.05  # customers nobody has called for a week or a few (the manager's digest names them)
ANSWERED, ATTEMPT, UNREACHED = "answered", "attempt", "unreachable"
DAY = pd.Timedelta(days=1)


def customer_rhythm(customers: pd.DataFrame) -> np.ndarray:
    """Days between calls for each customer's stage (风险等级-高: the high-risk rhythm)."""
    return rhythm_days(customers["_stage"], high_risk(customers["客户标签"].fillna(""))).to_numpy(dtype=float)


def worked_until(rng: np.random.Generator, customers: pd.DataFrame, now: pd.Timestamp, budget: int) -> pd.Series:
    """The day the team stopped working on each customer (``now`` for those it still works on).

    Every customer created in the last ALWAYS_WORKED_DAYS is worked on; of the rest, as many as the follow-up
    budget allows.  The others were dropped at a random day before then.
    """
    created = customers["创建时间"]
    start = created.where(created > now - pd.Timedelta(days=RECENT_DAYS), now - pd.Timedelta(days=RECENT_DAYS))
    expected = ((now - start).dt.days / (customer_rhythm(customers) + 0.3) * (1 + UNANSWERED)).to_numpy()
    forced = (created >= now - pd.Timedelta(days=ALWAYS_WORKED_DAYS)).to_numpy()
    order = np.concatenate([np.flatnonzero(forced), rng.permutation(np.flatnonzero(~forced))])
    within = np.cumsum(expected[order]) <= RECENT_SHARE * budget
    active = np.zeros(len(customers), dtype=bool)
    active[order[within | forced[order]]] = True
    cutoff = now - pd.Timedelta(days=ALWAYS_WORKED_DAYS)
    dropped = created + (cutoff - created) * rng.random(len(customers))
    return pd.Series(np.where(active, now, dropped), index=customers.index, dtype="datetime64[ns]")


def team_contacts(rng: np.random.Generator, customers: pd.DataFrame, orders: pd.DataFrame, tickets: pd.DataFrame,
                  now: pd.Timestamp, n: int) -> pd.DataFrame:
    """``n`` contacts: 客户编号, time, kind (answered / attempt / unreachable), recent."""
    today = now.normalize()
    active = customers[customers["_until"] >= today]
    recent = pd.concat([_rhythm(rng, active, today), _events(rng, active, orders, tickets, today)],
                       ignore_index=True)
    recent = _unanswered(rng, recent, today)
    recent = _unreachable(rng, recent, active, today)
    recent = _neglected(rng, recent, active, today)
    if len(recent) > RECENT_CAP * n:  # a small budget for many customers: part of it still goes to history
        recent = recent.iloc[np.sort(rng.choice(len(recent), size=int(RECENT_CAP * n), replace=False))]
    history = _history(rng, customers, today, n - len(recent))
    out = pd.concat([recent.assign(recent=True), history.assign(recent=False)], ignore_index=True)
    minutes = pd.to_timedelta(rng.integers(9 * 60, 18 * 60, len(out)), unit="min")
    out["time"] = (pd.to_datetime(out["time"]).dt.normalize() + minutes).dt.floor("min")
    created = out["客户编号"].map(customers.drop_duplicates("客户编号").set_index("客户编号")["创建时间"])
    out["time"] = out["time"].where(out["time"] > created, created + pd.Timedelta(minutes=30))
    return out[out["time"] < today].reset_index(drop=True)


def _rhythm(rng: np.random.Generator, active: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """Calls to each customer's rhythm since the start of the recent span (or its creation)."""
    days = customer_rhythm(active)
    created = active["创建时间"].dt.normalize().to_numpy()
    window = (today - pd.Timedelta(days=RECENT_DAYS)).to_datetime64()
    new = created > window
    slots = int(RECENT_DAYS // max(days.min(), 1)) + 2 if len(active) else 0
    gaps = days[:, None] + rng.choice(LATE_DAYS, size=(len(active), slots), p=LATE_P)
    # A new customer is called the day it came in or the next; an old one was last called within its rhythm.
    first = np.where(new, rng.integers(0, 2, len(active)), rng.random(len(active)) * days).astype(int)
    offsets = np.concatenate([first[:, None], first[:, None] + np.cumsum(gaps[:, :-1], axis=1)], axis=1)
    base = np.where(new, created, window)
    when = base[:, None] + offsets.astype("timedelta64[D]")
    keep = when < today.to_datetime64()
    return pd.DataFrame({"客户编号": np.repeat(active["客户编号"].to_numpy(), slots)[keep.ravel()],
                         "time": when.ravel()[keep.ravel()], "kind": ANSWERED})


def _events(rng: np.random.Generator, active: pd.DataFrame, orders: pd.DataFrame, tickets: pd.DataFrame,
            today: pd.Timestamp) -> pd.DataFrame:
    """The call each default rule asks for, made inside its window four times in five."""
    ids = set(active["客户编号"])
    o = orders[orders["客户编号"].isin(ids)].assign(日期=lambda f: pd.to_datetime(f["日期"], errors="coerce"))
    by_id = o.groupby("客户编号")["日期"]
    contract = active.set_index("客户编号")["合同到期日"].dropna()
    solved = tickets[tickets["客户编号"].isin(ids) & (tickets["状态"] == "已解决")]
    tags = active.set_index("客户编号")["客户标签"].fillna("")
    triggers = {
        "首单": by_id.min(), "末单": by_id.max(), "合同到期日": contract,
        "签约": o.loc[o["类型"] == "签约"].set_index("客户编号")["日期"],
        "退款": o.loc[o["类型"] == "退款"].set_index("客户编号")["日期"],
        "工单已解决": pd.to_datetime(solved.set_index("客户编号")["解决时间"]),
    }
    found = []
    for _name, trigger, offsets, window, _stage, _tier, tag, *_rest in schema.DEFAULT_RULES:
        events = by_id.max() if trigger == "标签" else triggers.get(trigger)
        if events is None:
            continue
        if tag:
            events = events[events.index.map(lambda c, t=tag: t in tags.get(c, ""))]
        for offset in (int(x) for x in str(offsets).split(",")):
            due = pd.to_datetime(events).dt.normalize() + pd.Timedelta(days=offset)
            due = due[(due >= today - pd.Timedelta(days=RECENT_DAYS)) & (due < today)]
            done = rng.random(len(due)) < EVENT_DONE
            late = np.minimum(rng.geometric(0.6, len(due)) - 1, int(window) - 1)
            when = due + pd.to_timedelta(late, unit="D")
            done &= (when < today).to_numpy()
            found.append(pd.DataFrame({"客户编号": due.index[done], "time": when[done].to_numpy(), "kind": ANSWERED}))
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["客户编号", "time", "kind"])


def _unanswered(rng: np.random.Generator, calls: pd.DataFrame, today: pd.Timestamp) -> pd.DataFrame:
    """One call in eight is not answered: it is made again the next day."""
    missed = rng.random(len(calls)) < UNANSWERED
    again = calls[missed].assign(time=lambda f: pd.to_datetime(f["time"]) + DAY)
    attempts = calls[missed].assign(kind=ATTEMPT)
    return pd.concat([calls[~missed], attempts, again[again["time"] < today]], ignore_index=True)


def _unreachable(rng: np.random.Generator, calls: pd.DataFrame, active: pd.DataFrame, today: pd.Timestamp
                 ) -> pd.DataFrame:
    """A few customers stop answering: their last week is three unanswered calls."""
    count = round(len(active) * UNREACHABLE)
    gone = set(rng.choice(active["客户编号"].to_numpy(), size=count, replace=False)) if count else set()
    week = today - pd.Timedelta(days=6)
    calls = calls[~(calls["客户编号"].isin(gone) & (pd.to_datetime(calls["time"]) >= week))]
    tries = pd.DataFrame({"客户编号": np.repeat(sorted(gone), 3),
                          "time": np.tile([today - pd.Timedelta(days=k) for k in (5, 3, 1)], len(gone)),
                          "kind": UNREACHED})
    return pd.concat([calls, tries], ignore_index=True)


def _neglected(rng: np.random.Generator, calls: pd.DataFrame, active: pd.DataFrame, today: pd.Timestamp
               ) -> pd.DataFrame:
    """One customer in twenty has not been called for the last 8 to 30 days."""
    count = round(len(active) * NEGLECTED)
    slipped: np.ndarray | list[str] = rng.choice(active["客户编号"].to_numpy(), size=count, replace=False) if count else []
    since = pd.Series(today - pd.to_timedelta(rng.integers(8, 31, count), unit="D"), index=slipped, dtype=object)
    cutoff = pd.to_datetime(calls["客户编号"].map(since))
    return calls[~(cutoff.notna() & (pd.to_datetime(calls["time"]) >= cutoff))]


def _history(rng: np.random.Generator, customers: pd.DataFrame, today: pd.Timestamp, n: int) -> pd.DataFrame:
    """Older contacts, at random over each customer's worked life before the recent span."""
    created = customers["创建时间"].dt.normalize()
    end = customers["_until"].clip(upper=today - pd.Timedelta(days=RECENT_DAYS)).dt.normalize()
    span = (end - created).dt.days.clip(lower=0).to_numpy()
    eligible = np.flatnonzero(span > 0)
    if n <= 0 or not len(eligible):
        return pd.DataFrame(columns=["客户编号", "time", "kind"])
    weights = rng.lognormal(0, 0.8, len(eligible))
    who = eligible[rng.choice(len(eligible), size=n, p=weights / weights.sum())]
    day = created.to_numpy()[who] + (rng.random(n) * span[who]).astype("timedelta64[D]")
    kind = np.where(rng.random(n) < UNANSWERED, ATTEMPT, ANSWERED)
    return pd.DataFrame({"客户编号": customers["客户编号"].to_numpy()[who], "time": day, "kind": kind})
