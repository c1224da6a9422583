"""生成月报 / `crm-sheets summary`: 月度汇总-YYYY-MM with its charts, and 反馈统计."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import schema
from ..i18n import t
from ..model.book import Book
from ..model.layout import Block
from ..model.outputs import FrameOut, Output, SummaryOut
from ..labels import NO_DATA, worded
from ..rules.lifecycle import Thresholds
from ..rules.past import horizon
from ..rules.summary import FEEDBACK_COLUMNS, feedback_by_month, feedback_counts, monthly_summary, previous_month
from ..stores.history import FEEDBACK
from ..rules.tasks import settle, typed_dues, typed_results
from .common import crm_workbook
from .profiles import customer_profiles, rule_tables
from .store import Store


@dataclass
class SummaryOutcome:
    book: Book
    month: pd.Period
    sheet_name: str
    blocks: list[Block]
    backup: Path | None
    output: SummaryOut

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The sheet's tables by title, in order."""
        return {block.title: block.table for block in self.blocks}

    def lines(self, lang: str) -> list[str]:
        """The report, for the command line and the button alike."""
        return [t("summary.done", lang, file=self.book.path.name, sheet=self.sheet_name, blocks=len(self.blocks))]


def month_to_summarize(today: dt.date | dt.datetime) -> pd.Period:
    """The month a summary written on ``today`` is about: the one before."""
    return previous_month(today)


def run(store: Store, *, today: dt.datetime, month: pd.Period | None = None) -> SummaryOutcome:
    """Write 月度汇总-YYYY-MM (default: last month) and 反馈统计."""
    store.expect_write()
    store.progress("progress.read")
    book = crm_workbook(store)
    month = month or previous_month(today)
    store.progress("progress.summary")
    sheet = summary_output(book, month, today, store.tool_frame(schema.TASKS))
    store.progress("progress.write")
    backup = store.write(book, [sheet, feedback_output(book)], {})
    return SummaryOutcome(book=book, month=month, sheet_name=sheet.name, blocks=sheet.blocks, backup=backup,
                          output=sheet)


def summary_blocks(book: Book, month: pd.Period, today: dt.datetime, tasks_sheet: pd.DataFrame) -> list[Block]:
    """The month's summary tables; ``tasks_sheet`` is 回访任务 as staff left it (执行结果 已完成 counts as done)."""
    since = min(month.start_time, (pd.Period(today, "M") - 1).start_time)
    typed = typed_results(tasks_sheet)
    earliest = typed_dues(typed)
    _life, tasks = customer_profiles(book, today, since, month=month, earliest=earliest)
    settled = settle(tasks, typed, set(), today)
    tables = rule_tables(book, horizon(since, book.rules, month=month, earliest=earliest))  # as the profiles read
    blocks = monthly_summary(tables, month, limits=Thresholds.from_settings(book.settings), tasks=settled, today=today)
    return [worded(block) for block in blocks]


def summary_output(book: Book, month: pd.Period, today: dt.datetime, tasks_sheet: pd.DataFrame) -> SummaryOut:
    """The 月度汇总-YYYY-MM sheet of ``month``."""
    company = book.settings.company
    return SummaryOut(f"{schema.MONTHLY_PREFIX}{month}", f"{company} {month} 月度汇总".strip(),
                      summary_blocks(book, month, today, tasks_sheet), NO_DATA)


def feedback_output(book: Book) -> Output:
    """反馈统计 over every follow-up, archived ones too (each batch's counts, kept beside it)."""
    past = (book.past.kept_beside("followups", FEEDBACK, FEEDBACK_COLUMNS, feedback_counts)
            if book.past is not None else None)
    return FrameOut(schema.FEEDBACK, feedback_by_month(book.tables, past))
