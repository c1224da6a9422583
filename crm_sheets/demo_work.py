"""The demo's team at work: a team that mostly keeps up with its list, month after month alike.

Each customer is worked on from the day it came in for a while (a random span, longer or shorter so that all
of them together make about the follow-ups asked for), then dropped; none was dropped in the last
``ALWAYS_WORKED_DAYS``, longer than the silence after which a customer needs no more calls, so every customer
still called on is one the team still works.  New customers come in at a steady rate (demo_data), so as
many are being worked on each month and the months look alike.

Over the last ``RECENT_DAYS`` customers are called to their stage's rhythm (schema.REMIND_DAYS): a third of
the time a day or two before the rhythm asks (no task falls due then), mostly on the day, now and then a day
or a few late.  The events the default revisit rules name (first order, signing, refund, a resolved ticket,
the contract's end, a quiet spell after the last order) get their call inside the rule's window one time in
two.  One call in eight is not answered and is made again the next day; a few customers stop answering
altogether (three 未接通 in a row); one in twenty has slipped through: nobody has called it for a week or a
few.  Older contacts fall at random over each customer's worked span, as many per day as its rhythm asks.

Nothing here looks at how the tool matches follow-ups to tasks: it follows the rhythm and the rules as declared.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import schema
from .rules.lifecycle import high_risk, rhythm_days

RECENT_DAYS = 120
ALWAYS_WORKED_DAYS = 100  # nobody was dropped since then: the default 沉默天数 (90) has not passed for them
RECENT_CAP = 0.9  # recent work takes at most this share of the follow-ups asked for
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

    Each span is a random draw (exponential) times one scale, found so that the spans' calls at their rhythm
    add up to about ``budget``; one that would end in the last ALWAYS_WORKED_DAYS goes on until ``now``.
    """
    created = customers["创建时间"]
    age = (now - created).dt.days.to_numpy(dtype=float).clip(min=0)
    per_day = (1 + UNANSWERED) / (customer_rhythm(customers) + 0.3)
    draw = rng.exponential(1.0, len(customers))
    kept = age - ALWAYS_WORKED_DAYS

    def spans(scale: float) -> np.ndarray:
        span = draw * scale
        return np.where(span >= kept, age, span)

    low, high = 0.0, 10.0 * max(float(age.max(initial=0)), 1.0)
    for _ in range(50):  # the calls grow with the scale: halve the interval to the budget
        mid = (low + high) / 2
        low, high = (mid, high) if float(np.sum(spans(mid) * per_day)) < budget else (low, mid)
    span = spans(high)
    until = created + pd.to_timedelta(span, unit="D")
    return pd.Series(np.where(span >= age, now, until), index=customers.index, dtype="datetime64[ns]")


def team_contacts(rng: np.random.Generator, customers: pd.DataFrame, orders: pd.DataFrame, tickets: pd.DataFrame,
                  now: pd.Timestamp, n: int) -> pd.DataFrame:
    """``n`` contacts: 客户编号, time, kind (answered / attempt / unreachable), recent."""
    today = now.normalize()
    active = customers[customers["_until"] >= today]
    worked = customers[customers["_until"] > today - pd.Timedelta(days=RECENT_DAYS)]
    recent = pd.concat([_rhythm(rng, worked, today), _events(rng, active, orders, tickets, today)],
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
    """Calls to each customer's rhythm since the start of the recent span (or its creation), until it was
    dropped."""
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
    keep = when < np.minimum(active["_until"].to_numpy(), today.to_datetime64())[:, None]
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
    """Older contacts: a customer's first ones in its first days, a step up its stage each (so customers become
    意向/成交 as steadily as they come in), the rest at random over its worked life before the recent span, as
    many per day as its rhythm asks (so the months before the recent span are as busy as those in it)."""
    created = customers["创建时间"].dt.normalize()
    end = customers["_until"].clip(upper=today - pd.Timedelta(days=RECENT_DAYS)).dt.normalize()
    span = (end - created).dt.days.clip(lower=0).to_numpy()
    eligible = np.flatnonzero(span > 0)
    if n <= 0 or not len(eligible):
        return pd.DataFrame(columns=["客户编号", "time", "kind"])
    steps = customers["_stage"].map({"意向客户": 1, "成交客户": 2}).fillna(0).to_numpy(dtype=int)[eligible]
    first = np.repeat(eligible, steps + 1)
    rank = np.arange(len(first)) - np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
    offset = rank * rng.integers(1, 5, len(first))
    keep = np.flatnonzero(offset < span[first])
    keep = np.sort(rng.choice(keep, size=min(len(keep), n), replace=False))
    first, offset = first[keep], offset[keep]
    weights = span[eligible] / (customer_rhythm(customers.iloc[eligible]) + 0.3) * rng.lognormal(0, 0.3, len(eligible))
    rest = n - len(first)
    who = eligible[rng.choice(len(eligible), size=rest, p=weights / weights.sum())]
    day = np.concatenate([created.to_numpy()[first] + offset.astype("timedelta64[D]"),
                          created.to_numpy()[who] + (rng.random(rest) * span[who]).astype("timedelta64[D]")])
    kind = np.where(rng.random(n) < UNANSWERED, ATTEMPT, ANSWERED)
    kind[: len(first)] = ANSWERED
    return pd.DataFrame({"客户编号": customers["客户编号"].to_numpy()[np.concatenate([first, who])], "time": day,
                         "kind": kind})
