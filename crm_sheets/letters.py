"""What the morning mails say: one letter, written once, rendered as plain text and as HTML.

Both parts carry the same words (a test renders the HTML in Chromium and compares its text with the plain
part).  The HTML is for phones first: one column up to 600 px, inline CSS only (mail clients drop <style>
and never load anything external), tables for layout (Outlook on Windows ignores most CSS), sans-serif fonts
that exist on Windows, macOS, Android and iOS.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .mail import Mail
from .rules.digest import SECTIONS, Digest, visits
from .rules.tasks import OVERDUE, TO_DO, UPCOMING
from .values import mask_phone, neutralize

FONT = "-apple-system,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC','Helvetica Neue',Arial,sans-serif"
WEEKDAYS = "一二三四五六日"
SECTION_COLOURS = {"逾期": "#C0392B", "今天": "#1F6FB2", "本周内": "#6B7280", "需人工跟进": "#B7791F",
                   "逾期未联系": "#C0392B", "本月执行": "#2F855A"}
CLOSE_THE_LOOP = "联系后照常在“跟进记录”记一笔，任务会自动完成，不用再回“回访任务”表填写。"
DIGEST_LIMIT = 20  # customers a manager's digest lists per section; the rest are on 回访任务


@dataclass
class Item:
    title: str  # the customer (bold)
    aside: str = ""  # the phone, beside the title
    lines: list[str] = field(default_factory=list)
    tel: str = ""  # a full number to dial (only when 设置 allows full numbers)


@dataclass
class Section:
    heading: str
    items: list[Item]
    note: str = ""  # a line under the heading (how many there are in all when not all are listed)


@dataclass
class Letter:
    subject: str
    masthead: str  # company · date
    greeting: str
    summary: str  # the line of counts
    sections: list[Section]
    closing: list[str]

    def text(self) -> str:
        out = [self.masthead, "", self.greeting, self.summary]
        for section in self.sections:
            out += ["", f"【{section.heading}】{len(section.items)}", *filter(None, [section.note])]
            for k, item in enumerate(section.items, start=1):
                out.append(f"{k}. {item.title}" + (f"  {item.aside}" if item.aside else ""))
                out += [f"   {line}" for line in item.lines]
        out += ["", *self.closing]
        return "\n".join(out) + "\n"

    def html(self) -> str:
        e = html.escape
        rows = [_row(e(self.masthead), "padding:16px 16px 4px;font-size:13px;color:#6B7280;"),
                _row(e(self.greeting), "padding:4px 16px;font-size:17px;font-weight:bold;color:#111827;"),
                _row(e(self.summary), "padding:4px 16px 12px;font-size:15px;color:#111827;")]
        for section in self.sections:
            colour = SECTION_COLOURS.get(section.heading, "#374151")
            rows.append(_row(f"【{e(section.heading)}】{len(section.items)}",
                             f"padding:10px 16px 6px;font-size:15px;font-weight:bold;color:{colour};"
                             f"border-top:3px solid {colour};"))
            if section.note:
                rows.append(_row(e(section.note), "padding:0 16px 6px;font-size:13px;color:#6B7280;"))
            for k, item in enumerate(section.items, start=1):
                aside = e(item.aside)
                if item.tel:
                    aside = f"<a href=\"tel:{e(item.tel)}\" style=\"color:#1F6FB2;text-decoration:none;\">{aside}</a>"
                title = (f"<div style=\"font-size:15px;font-weight:bold;color:#111827;\">{k}. {e(item.title)}"
                         + (f" <span style=\"font-weight:normal;color:#374151;white-space:nowrap;\">{aside}</span>"
                            if item.aside else "") + "</div>")
                lines = "".join(f"<div style=\"font-size:14px;color:{'#374151' if i == 0 else '#6B7280'};"
                                f"padding-top:2px;\">{e(line)}</div>" for i, line in enumerate(item.lines))
                rows.append(_row(title + lines, "padding:8px 16px;border-top:1px solid #E5E7EB;"))
        rows += [_row(e(line), "padding:12px 16px;font-size:13px;color:#6B7280;border-top:1px solid #E5E7EB;")
                 for line in self.closing]
        return (
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
            f"<title>{e(self.subject)}</title></head>"
            "<body style=\"margin:0;padding:0;background:#F3F4F6;\">"
            "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
            "style=\"background:#F3F4F6;\"><tr><td align=\"center\" style=\"padding:8px;\">"
            "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" "
            f"style=\"max-width:600px;background:#FFFFFF;border-radius:8px;font-family:{FONT};"
            "line-height:1.5;word-break:break-word;overflow-wrap:anywhere;\">"
            + "".join(rows) + "</table></td></tr></table></body></html>"
        )

    def mail(self, key: str, recipient: str, tasks: tuple[str, ...] = ()) -> Mail:
        return Mail(key=key, recipient=recipient, subject=self.subject, text=self.text(), html=self.html(),
                    tasks=tasks)


def _row(content: str, style: str) -> str:
    return f"<tr><td style=\"{style}\">{content}</td></tr>"


def masthead(company: str, day: dt.date) -> str:
    when = f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"
    return f"{company} · {when}" if company else when


def _customer(row, lines: list[str], full_phone: bool) -> Item:
    """A customer's item: its name (else its id), its phone masked unless 设置 allows full numbers, ``lines``."""
    phone = row.phone
    shown, tel = (phone, phone.replace("-", "")) if full_phone else (mask_phone(phone), "")
    return Item(neutralize(row.name) or row.customer_id, shown, lines, tel)


def _reasons(tasks: pd.DataFrame) -> pd.Series:
    """Each task as its line says it: 续约提醒（逾期 2 天，第 3 次提醒）."""
    status = tasks["status"]
    when = np.select([status == OVERDUE, status == TO_DO],
                     ["逾期 " + tasks["days_overdue"].astype(int).astype(str) + " 天", "今天到期"],
                     tasks["due"].dt.strftime("%m-%d") + " 到期")
    reminded = np.where(status.isin([OVERDUE, TO_DO]) & (tasks["reminders"] >= 2),
                        "，第 " + tasks["reminders"].astype(int).astype(str) + " 次提醒", "")
    return tasks["rule"].astype(str) + "（" + when + reminded + "）"


def owner_letter(owner: str, tasks: pd.DataFrame, day: dt.date, company: str, full_phone: bool,
                 totals: dict[str, int] | None = None) -> Letter:
    """今日回访清单 for one person: each customer once, all its reasons on one line, in the order to call them.

    ``tasks`` are those of the customers listed today; ``totals``: the person's customers per section in all,
    when the list is capped (设置 每人每天回访上限) and holds fewer.
    """
    customers = visits(tasks, _reasons(tasks))
    sections = []
    for heading in SECTIONS:
        items = [_customer(v, [v.reasons, f"话术：{neutralize(v.script)}"], full_phone)
                 for v in customers[customers["section"] == heading].itertuples()]
        if items:
            sections.append(Section(heading, items))
    counts = {s.heading: len(s.items) for s in sections}
    totals = totals or counts
    summary = " · ".join(f"{h} {totals.get(h, 0):,}" + (f"（列出 {counts.get(h, 0)}）"
                                                          if totals.get(h, 0) > counts.get(h, 0) else "")
                         for h in SECTIONS)
    due_now = counts.get("逾期", 0) + counts.get("今天", 0)
    more = sum(totals.values()) - sum(counts.values())
    closing = [f"另有 {more:,} 位，见工作簿“回访任务”；之后几天的清单会依次列出。"] if more else []
    return Letter(subject=f"今日回访清单（{due_now}）{day:%m-%d}：{summary}", masthead=masthead(company, day),
                  greeting=(f"{owner}，您好：今天请联系这 {due_now} 位客户。" if due_now
                            else f"{owner}，您好：今天没有到期的回访，本周内有这些安排。"), summary=summary, sections=sections,
                  closing=[*closing, CLOSE_THE_LOOP])


def manager_letter(d: Digest, day: dt.date, company: str, full_phone: bool, overdue_days: int,
                   notes: tuple[str, ...] = ()) -> Letter:
    """The manager's digest: escalations, customers overdue N days or more, each person's month."""
    escalations = [_customer(e, [f"负责人 {e.owner} · 多次未接通，请安排人工跟进"], full_phone)
                   for e in d.escalations.head(DIGEST_LIMIT).itertuples()]
    overdue = [_customer(o, [f"负责人 {o.owner} · {o.rule} 逾期 {o.days_overdue} 天"], full_phone)
               for o in d.overdue.head(DIGEST_LIMIT).itertuples()]
    due, done, missed = (int(d.people[c].sum()) for c in ("due", "done", "missed"))
    people = [Item(row.Index, _rate(row.done, row.due), [f"已完成 {row.done} / 应回访 {row.due} · 错过 {row.missed}"])
              for row in d.people.itertuples()]
    sections = [Section(h, items, _listed_of(len(everyone), len(items)))
                for h, items, everyone in (("需人工跟进", escalations, d.escalations),
                                           ("逾期未联系", overdue, d.overdue), ("本月执行", people, d.people)) if items]
    summary = (f"需人工跟进 {len(d.escalations):,} · 逾期 {overdue_days} 天以上 {len(d.overdue):,} · 本月错过 {missed} · "
               f"团队执行率 {_rate(done, due)}（{done}/{due}）")
    closing = [f"注意：{note}" for note in notes]
    closing.append("执行率 = 本月到期的回访任务中，已在“跟进记录”联系上（或标记 已完成）的比例。")
    return Letter(subject=f"团队回访日报 {day:%m-%d}：需人工跟进 {len(d.escalations):,}，执行率 {_rate(done, due)}",
                  masthead=masthead(company, day), greeting=f"{d.manager}，您好：", summary=summary,
                  sections=sections, closing=closing)


def _listed_of(total: int, listed: int) -> str:
    """The line under a digest section that lists only some of its customers."""
    return f"共 {total:,} 位，列出最久未联系的 {listed} 位；全部见“回访任务”" if total > listed else ""


def _rate(done: int, due: int) -> str:
    return f"{done / due:.0%}" if due else "—"


def reminded_tasks(tasks: pd.DataFrame) -> tuple[str, ...]:
    """The 任务编号 a person's letter reminds of (due or overdue; what comes this week is only announced)."""
    return tuple(tasks.loc[tasks["status"] != UPCOMING, "task_id"])
