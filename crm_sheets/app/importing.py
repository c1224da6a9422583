"""导入 / `crm-sheets import`: add the customers of a CSV or workbook, all of it in one write or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from .. import errors, schema
from ..i18n import t
from ..model.book import CUSTOMERS_ONLY, Book
from ..model.outputs import Changes, FrameOut
from ..model.tables import SheetTable
from ..reasons import explain
from ..rules.ids import expect_ids
from ..rules.importing import ImportPlan, import_problems, plan_import, with_owner
from ..rules.options import with_synonyms
from ..rules.validate import validate
from ..workbook import read_book
from .common import crm_workbook, worded_refusals
from .merge import new_merge_id
from .store import Store


@dataclass
class ImportOutcome:
    book: Book
    plan: ImportPlan
    incoming: SheetTable
    backup: Path | None

    @property
    def added(self) -> pd.DataFrame:
        """The customers added (typed values by field key, indexed by their row in the source)."""
        return self.plan.new_rows

    @property
    def problems(self) -> pd.DataFrame:
        """导入错误: the source's rows left out or let in with a problem, and why (the rows let in that 校验
        questions are on ``plan.review``, added to 校验结果)."""
        return self.plan.errors

    def lines(self, lang: str, dry_run: bool = False) -> list[str]:
        """The report, for the command line and the button alike: a dry run's column mapping, the counts, the
        columns left out, the backup taken before writing."""
        plan, incoming, lines = self.plan, self.incoming, []
        if dry_run:
            lines.append(t("import.mapping", lang))
            lines += [f"  {header} → {incoming.sheet.field(key).header}" for key, header in incoming.headers.items()]
            lines += [f"  {header} → {t('import.unused', lang)}" for header in incoming.ignored]
        lines.append(t("import.dry_run" if dry_run else "import.done", lang, file=self.book.path.name,
                       added=len(plan.new_rows), rejected=plan.rejected, duplicates=plan.duplicates,
                       updated=len(plan.updates), review=len(plan.review)))
        if incoming.ignored:
            lines.append(t("import.ignored", lang, columns="、".join(incoming.ignored)))
        return lines + ([t("validate.backup", lang, path=self.backup)] if self.backup else [])


def run(store: Store, source: str | Path, *, today: dt.datetime, merge: bool = False, owner: str | None = None,
        dry_run: bool = False, lang: str = "zh") -> ImportOutcome:
    """``owner`` fills 负责人 where the list has none; ``dry_run`` plans everything and writes nothing."""
    if not dry_run:
        store.expect_write()
    store.progress("progress.read")
    book = crm_workbook(store, CUSTOMERS_ONLY)
    if owner and owner not in book.team_names:
        raise errors.UnknownOwner(file=book.path.name, owner=owner, members="、".join(book.team_names))
    store.progress("progress.check")
    log = store.tool_frame(schema.MERGE_LOG)
    # A file on disk, whichever store the workbook is in; a lead list needs a name and a phone or e-mail column.
    incoming = _listed(read_book(source, required={"name"}).tables["customers"])
    if not {"phone", "email"} & incoming.letters.keys():
        raise errors.NoContactColumn(file=incoming.source, sheet=incoming.sheet.name)
    incoming = with_owner(with_synonyms(incoming, book.options), owner)
    customers = book.tables["customers"]
    checked = validate({"customers": incoming}, options=book.options, team=book.team_names, today=today)
    problems = import_problems(incoming, checked.problems)
    # Every row that passed could be new: refuse now rather than after matching the whole list.
    rejected = problems.loc[problems["hard"], "row"].nunique() if len(problems) else 0
    with worded_refusals():
        expect_ids(customers.text.get("customer_id", pd.Series(dtype=object)).astype(str),
                   len(incoming.data) - rejected, today, source=incoming.source)
        plan = plan_import(customers, incoming, problems, today=today, merge=merge,
                           merge_id=new_merge_id(log, today))
    sheet = customers.sheet.name
    plan = replace(plan, errors=explain(plan.errors.assign(sheet=sheet), lang, book.options)[schema.IMPORT_ERRORS.keys],
                   review=explain(plan.review, lang, book.options)[schema.CHECK_RESULTS.keys])
    if dry_run:
        return ImportOutcome(book=book, plan=plan, incoming=incoming, backup=None)
    changes: Changes = {sheet: dict(plan.updates)}
    keys = [k for k in customers.letters if k in plan.new_rows.columns]
    for source_row, record in zip(plan.new_rows.index, plan.new_rows[keys].itertuples(index=False, name=None)):
        changes[sheet][plan.placed[int(source_row)]] = dict(zip(keys, record))
    outputs = [FrameOut(schema.IMPORT_ERRORS, plan.errors)]
    if len(plan.review):
        # Added to what the last 校验 found: the imported rows are new, the rest of the list still holds.
        checks = store.tool_frame(schema.CHECK_RESULTS)
        outputs.append(FrameOut(schema.CHECK_RESULTS, pd.concat([checks, plan.review], ignore_index=True)
                                if len(checks) else plan.review))
    if len(plan.log):
        outputs.append(FrameOut(schema.MERGE_LOG, pd.concat([log, plan.log], ignore_index=True) if len(log)
                                else plan.log))
    store.progress("progress.write")
    return ImportOutcome(book=book, plan=plan, incoming=incoming, backup=store.write(book, outputs, changes))


def _listed(incoming: SheetTable) -> SheetTable:
    """A list's columns for the fields the tool keeps itself (客户编号, 创建时间, 最近跟进时间…) are ignored
    like the columns the template does not have: another CRM's ids and dates are not ours."""
    kept = [f.key for f in incoming.sheet.fields if f.maintained and f.key in incoming.letters]
    if not kept:
        return incoming
    return replace(incoming, data=incoming.data.drop(columns=kept), text=incoming.text.drop(columns=kept),
                   raw=incoming.raw.drop(columns=kept) if incoming.raw is not None else None,
                   letters={k: v for k, v in incoming.letters.items() if k not in kept},
                   headers={k: h for k, h in incoming.headers.items() if k not in kept})
