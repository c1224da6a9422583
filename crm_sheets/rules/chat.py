"""What the morning's group message says: each person's counts, the team's figures, and customers only if allowed.

Everyone in the group reads it, so by default it holds no customer at all; each person's own list stays in their
mail.  With 设置 群消息显示客户 = 是 it names each person's first customers, phones masked.  The platforms'
formats (chat.py) render this; nothing here knows a platform.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

import pandas as pd

from ..values import mask_phone
from .digest import SECTIONS
from .tasks import execution, overdue_customers

CUSTOMERS_EACH = 5  # customers named per person when 设置 allows names; the rest are in the person's mail
MOBILE = re.compile(r"1[3-9]\d{9}")


@dataclass(frozen=True)
class Person:
    name: str
    mobile: str  # 11 digits from 团队 手机, or "": the platform @mentions by it where it can
    counts: tuple[int, ...]  # customers per section of digest.SECTIONS (逾期, 今天, 本周内)
    customers: tuple[tuple[str, str], ...] = ()  # (name, 138****5678), only when 设置 allows
    more: int = 0  # customers beyond those named

    @property
    def figures(self) -> str:
        return " · ".join(f"{h} {n:,}" for h, n in zip(SECTIONS, self.counts))


@dataclass(frozen=True)
class GroupNews:
    title: str  # 回访提醒 11-24
    masthead: str  # company · date
    team: str  # the managers' digest figures for the whole team
    people: tuple[Person, ...]
    left_out: int = 0  # people dropped to fit the platform's size limit (their mail has it all)
    closing: str = "各人的客户明细见各自的提醒邮件；联系后照常在“跟进记录”记一笔。"

    def shorter(self) -> GroupNews | None:
        """The same news in less room: first without customers, then without its last person; None when nobody
        is left to drop."""
        if any(p.customers for p in self.people):
            return replace(self, people=tuple(replace(p, customers=(), more=0) for p in self.people))
        if not self.people:
            return None
        return replace(self, people=self.people[:-1], left_out=self.left_out + 1)


def group_news(listed: pd.DataFrame, team: pd.DataFrame, profile: pd.DataFrame, escalations: set[str],
               settled: pd.DataFrame, today: dt.datetime, overdue_days: int, masthead: str,
               show_customers: bool) -> GroupNews:
    """The day's group message.

    ``listed``: digest.shortlist's rows (owner, customer, section, listed today); ``team``: 团队 (name, mobile);
    ``profile``: name and phone per 客户编号; ``escalations``, ``settled``, ``overdue_days``: as for the managers'
    digest, whose summary figures the team line repeats.
    """
    mobiles = {n: m for n, m in zip(team["name"].fillna(""), team.get("mobile", pd.Series(dtype=object)).fillna(""))
               if n and MOBILE.fullmatch(str(m))}
    people = []
    for owner, rows in listed.groupby("owner", sort=True):
        counts = tuple(int((rows["section"] == h).sum()) for h in SECTIONS)
        named: tuple[tuple[str, str], ...] = ()
        more = 0
        if show_customers:
            shown = rows.loc[rows["listed"], "customer_id"].tolist()
            named = tuple(_customer(profile, c) for c in shown[:CUSTOMERS_EACH])
            more = len(rows) - len(named)
        people.append(Person(str(owner), mobiles.get(str(owner), ""), counts, named, more))
    return GroupNews(title=f"回访提醒 {today:%m-%d}", masthead=masthead,
                     team=team_figures(escalations, settled, today, overdue_days), people=tuple(people))


def team_figures(escalations: set[str], settled: pd.DataFrame, today: dt.datetime, overdue_days: int) -> str:
    """The line of the managers' digest (letters.manager_letter) over the whole team."""
    rates = execution(settled, pd.Timestamp(today).to_period("M"), today)
    due, done, missed = (int(rates[c].sum()) for c in ("due", "done", "missed"))
    rate = f"{done / due:.0%}" if due else "—"
    return (f"需人工跟进 {len(escalations):,} · 逾期 {overdue_days} 天以上 "
            f"{len(overdue_customers(settled, overdue_days)):,} · 本月错过 {missed} · 团队执行率 {rate}（{done}/{due}）")


def _customer(profile: pd.DataFrame, customer_id: str) -> tuple[str, str]:
    """The customer's name (else its 客户编号) and masked phone."""
    name = str(profile["name"].get(customer_id, "") or "") or customer_id
    return name, mask_phone(str(profile["phone"].get(customer_id, "") or ""))


def test_news(masthead: str) -> GroupNews:
    """What 测试群消息 sends: the format of the morning's message, with no one's figures."""
    # 回访 in the title, as in the morning's: a robot guarded by the keyword 回访 takes both.
    return GroupNews(title="回访提醒 测试消息", masthead=masthead, team="群机器人已连通：每天早上这里会收到团队的回访提醒。",
                     people=(), closing="这是一条测试消息，不用回复。")
