"""导入 / `crm-sheets import`: add the customers of a CSV or workbook, all of it in one write or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from .. import schema
from ..outputs import Changes, FrameOut
from ..reasons import explain
from ..rules.ids import expect_ids
from ..rules.importing import ImportPlan, plan_import
from ..rules.validate import validate
from ..workbook.read import CUSTOMERS_ONLY, Book, read_book
from .common import crm_workbook
from .merge import new_merge_id
from .store import Store


@dataclass
class ImportOutcome:
    book: Book
    plan: ImportPlan
    backup: Path | None


def run(store: Store, source: str | Path, *, today: dt.datetime, merge: bool = False, lang: str = "zh"
        ) -> ImportOutcome:
    store.expect_write()
    store.progress("progress.read")
    book = crm_workbook(store.read(sheets=CUSTOMERS_ONLY))
    store.progress("progress.check")
    log = store.tool_frame(schema.MERGE_LOG)
    incoming = read_book(source).tables["customers"]  # a file on disk, whichever store the workbook is in
    customers = book.tables["customers"]
    checked = validate({"customers": incoming}, options=book.options, team=book.team_names, today=today)
    # Every row that passed could be new: refuse now rather than after matching the whole list.
    rejected = checked.problems["row"].nunique() if len(checked.problems) else 0
    expect_ids(customers.text.get("customer_id", pd.Series(dtype=object)).astype(str),
               len(incoming.data) - rejected, today, source=incoming.source)
    plan = plan_import(customers, incoming, checked, today=today, merge=merge, merge_id=new_merge_id(log, today))
    explained = explain(plan.errors.assign(sheet=customers.sheet.name), lang, book.options)
    plan = replace(plan, errors=explained[schema.IMPORT_ERRORS.keys])
    changes: Changes = {customers.sheet.name: dict(plan.updates)}
    first = int(customers.text.index.max()) + 1 if len(customers.text) else 2
    keys = [k for k in customers.letters if k in plan.new_rows.columns]
    for offset, record in enumerate(plan.new_rows[keys].itertuples(index=False, name=None)):
        changes[customers.sheet.name][first + offset] = dict(zip(keys, record))
    outputs = [FrameOut(schema.IMPORT_ERRORS, plan.errors)]
    if len(plan.log):
        outputs.append(FrameOut(schema.MERGE_LOG, pd.concat([log, plan.log], ignore_index=True) if len(log)
                                else plan.log))
    store.progress("progress.write")
    return ImportOutcome(book=book, plan=plan, backup=store.write(book, outputs, changes))
