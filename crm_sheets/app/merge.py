"""合并 / `crm-sheets merge`: merge the groups confirmed on 疑似重复, or undo one merge."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import errors, schema
from ..i18n import t
from ..model.book import Book
from ..model.outputs import FrameOut
from ..rules.merge import STATUS_DONE, MergePlan, invalid_cells, plan_merge, plan_undo
from ..rules.validate import validate
from .common import crm_workbook
from .store import Store


@dataclass
class MergeOutcome:
    book: Book
    merge_id: str  # an undo's: the merge undone; "" when nothing was confirmed
    survivors: dict[str, list[str]]
    backup: Path | None

    @property
    def merged(self) -> pd.DataFrame:
        """One row per customer merged away: its id and the id it now goes by."""
        pairs = [(gone, kept) for kept, ids in self.survivors.items() for gone in ids]
        return pd.DataFrame(pairs, columns=["customer_id", "survivor"], dtype=object)

    def lines(self, lang: str) -> list[str]:
        """The report, for the command line and the button alike: what was merged, or undone, or that nothing was."""
        name = self.book.path.name
        if self.survivors:
            return [t("merge.done", lang, file=name, groups=len(self.survivors),
                      rows=sum(len(v) for v in self.survivors.values()), merge_id=self.merge_id)]
        return [t("merge.undone", lang, file=name, merge_id=self.merge_id) if self.merge_id
                else t("merge.none", lang, file=name)]


def run(store: Store, *, today: dt.datetime, undo: str | None = None) -> MergeOutcome:
    store.expect_write()
    store.progress("progress.read")
    book = crm_workbook(store)
    log = store.tool_frame(schema.MERGE_LOG)
    if undo is not None:
        if not ((log["merge_id"].astype(str) == undo) & (log["status"] == STATUS_DONE)).any():
            raise errors.UnknownMerge(file=book.path.name, merge_id=undo)
        changes, log = plan_undo(log, undo)
        backup = store.write(book, [FrameOut(schema.MERGE_LOG, log)], changes)
        return MergeOutcome(book=book, merge_id=undo, survivors={}, backup=backup)
    merge_id = new_merge_id(log, today)
    store.progress("progress.merge")
    plan, new_log, remaining = merge_plan(book, store.tool_frame(schema.DUPLICATES), log, today, merge_id)
    backup = None
    if plan.survivors:
        store.progress("progress.write")
        backup = store.write(book, [FrameOut(schema.MERGE_LOG, new_log), FrameOut(schema.DUPLICATES, remaining)],
                             plan.cells)
    return MergeOutcome(book=book, merge_id=merge_id if plan.survivors else "", survivors=plan.survivors,
                        backup=backup)


def merge_plan(book: Book, review: pd.DataFrame, log: pd.DataFrame, today: dt.datetime, merge_id: str
               ) -> tuple[MergePlan, pd.DataFrame, pd.DataFrame]:
    """The merge of the clusters confirmed on 疑似重复: the plan, the new 合并记录 and what stays on 疑似重复."""
    confirmed = review[review["confirm"].astype(str).str.strip() == "是"]
    clusters = [g["customer_id"].astype(str).tolist() for _, g in confirmed.groupby("cluster", sort=True)]
    clusters = [c for c in clusters if len(c) >= 2]
    # Only 客户信息's own problems decide which values may win; the other sheets need no checking here.
    result = validate({"customers": book.tables["customers"]}, options=book.options, team=book.team_names,
                      today=today)
    plan = plan_merge(book.tables, clusters, invalid=invalid_cells(result.problems), now=today, merge_id=merge_id)
    merged_ids = {i for ids in plan.survivors.values() for i in ids} | set(plan.survivors)
    remaining = review[~review["customer_id"].astype(str).isin(merged_ids)]
    new_log = pd.concat([log, plan.log], ignore_index=True) if len(log) else plan.log
    return plan, new_log, remaining


def new_merge_id(log: pd.DataFrame, now: dt.datetime) -> str:
    """M + time, made unique against the ids already on 合并记录."""
    base = f"M{now:%Y%m%d%H%M%S}"
    taken = set(log["merge_id"].astype(str)) if len(log) else set()
    n = 1
    candidate = base
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
