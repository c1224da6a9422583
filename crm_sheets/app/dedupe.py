"""查重 / `crm-sheets dedupe`: find duplicate customers and list them on 疑似重复 for review."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import errors, schema
from ..i18n import t
from ..model.book import CUSTOMERS_ONLY, Book
from ..model.outputs import FrameOut
from ..model.tables import SheetTable
from ..labels import match_reason
from ..rules.dedupe import REVIEW_FIELDS, Duplicates, find_duplicates, with_phone_text
from .common import id_changes, new_customer_ids
from .store import Store

@dataclass
class DedupeOutcome:
    book: Book
    clusters: list[list[str]]
    sheet: pd.DataFrame
    backup: Path | None

    @property
    def duplicates(self) -> pd.DataFrame:
        """疑似重复: the records of each group side by side."""
        return self.sheet

    def lines(self, lang: str) -> list[str]:
        """The report, for the command line and the button alike."""
        return [t("dedupe.found" if self.clusters else "dedupe.none", lang, file=self.book.path.name,
                  clusters=len(self.clusters), rows=len(self.sheet), sure=sure_clusters(self.sheet))]

    @property
    def sure(self) -> list[bool]:
        """Beside each cluster: whether 疑似重复 pre-fills 确认合并 = 是 on every one of its rows."""
        if not self.clusters:
            return []
        confirmed = self.sheet["confirm"].eq("是").groupby(self.sheet["cluster"]).transform("all")
        by_id = confirmed.groupby(self.sheet["customer_id"].astype(str)).all()
        # A record without an id cannot be told apart on the sheet, so it neither makes nor breaks its group.
        members = pd.Series([n for n, ids in enumerate(self.clusters) for i in ids if i],
                            index=[i for ids in self.clusters for i in ids if i], dtype="int64")
        sure = by_id.reindex(members.index, fill_value=False).astype(bool).groupby(members.to_numpy()).all()
        return [bool(sure.get(n, False)) for n in range(len(self.clusters))]


def run(store: Store, *, today: dt.datetime) -> DedupeOutcome:
    """New customers get their ids first: a group on 疑似重复 is shown by its ids."""
    store.expect_write()
    store.progress("progress.read")
    book = store.read(required={"customer_id", "name"}, sheets=CUSTOMERS_ONLY)
    customers = book.tables["customers"]
    if not {"phone", "email"} & set(customers.letters):
        raise errors.MissingHeader(file=book.path.name, sheet=customers.sheet.name, header="联系电话/联系邮箱")
    assigned = new_customer_ids(book, today)
    store.progress("progress.dedupe")
    found = find_duplicates(with_phone_text(customers))
    ids = customers.text["customer_id"] if "customer_id" in customers.text.columns else pd.Series(dtype=object)
    clusters = [c for c in found.id_clusters(ids) if len(set(c) - {""}) >= 2]
    sheet = duplicates_sheet(customers, found)
    backup = None
    if book.kind != "csv":
        store.progress("progress.write")
        backup = store.write(book, [FrameOut(schema.DUPLICATES, sheet)], id_changes(book, assigned))
    return DedupeOutcome(book=book, clusters=clusters, sheet=sheet, backup=backup)


def sure_clusters(sheet: pd.DataFrame) -> int:
    """How many clusters on 疑似重复 are pre-confirmed (确认合并 = 是 on every row)."""
    if not len(sheet):
        return 0
    return int(sheet.groupby("cluster")["confirm"].apply(lambda c: (c == "是").all()).sum())


def duplicates_sheet(customers: SheetTable, found: Duplicates) -> pd.DataFrame:
    """疑似重复: the records of each cluster side by side, sure ones pre-confirmed."""
    rows = found.rows
    shown = customers.text.reindex(columns=list(REVIEW_FIELDS), fill_value="").loc[rows.index]
    if "created_at" in customers.data.columns:
        shown["created_at"] = customers.data.loc[rows.index, "created_at"].astype(object)
    return review_sheet(shown.join(rows[["cluster", "score", "reason", "sure"]]))


def review_sheet(groups: pd.DataFrame) -> pd.DataFrame:
    """疑似重复's rows from records with their cluster, score, reason code and whether they are sure."""
    out = groups.assign(reason=groups["reason"].map(match_reason), confirm=groups["sure"].map({True: "是", False: ""}))
    return out.reset_index(drop=True)[[f.key for f in schema.DUPLICATES.fields]]
