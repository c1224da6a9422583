"""打标签 / `crm-sheets tag`: keep 客户阶段, 价值层级, 客户标签, 最近跟进时间, 下次回访日期 up to date, and re-check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import schema
from ..i18n import t
from ..model.book import Book
from ..model.outputs import FrameOut
from ..rules.lifecycle import MAINTAINED, maintained_changes
from ..rules.validate import ValidationResult
from ..values import shown_text
from .common import check_book, crm_workbook, id_changes, new_customer_ids
from .profiles import customer_profiles
from .store import Store
from .validate import Checked, validation_lines

@dataclass
class TagOutcome(Checked):
    book: Book
    result: ValidationResult
    changed: dict[str, int]  # field key -> cells changed
    assigned: pd.DataFrame
    backup: Path | None

    @property
    def customers(self) -> pd.DataFrame:
        """客户信息 as tagged (typed values by field key, indexed by sheet row)."""
        return self.book.tables["customers"].data

    def changed_line(self, lang: str) -> str:
        return t("tag.done", lang, file=self.book.path.name, **self.changed)

    def lines(self, lang: str) -> list[str]:
        """The report, for the command line and the button alike: what changed, then what the checks found."""
        return [self.changed_line(lang), *validation_lines(self.book, self.result, self.assigned, self.backup, lang)]


def run(store: Store, *, today: dt.datetime, lang: str = "zh") -> TagOutcome:
    store.expect_write()
    store.progress("progress.read")
    book = crm_workbook(store)
    assigned = new_customer_ids(book, today)
    store.progress("progress.tag")
    changes, changed = tag_changes(book, today)
    store.progress("progress.check")
    result = check_book(book, today, lang)
    store.progress("progress.write")
    backup = store.write(book, [FrameOut(schema.CHECK_RESULTS, result.problems),
                                FrameOut(schema.DATA_QUALITY, result.quality)],
                         id_changes(book, assigned, {book.tables["customers"].sheet.name: changes}))
    return TagOutcome(book=book, result=result, changed=changed, assigned=assigned, backup=backup)


def tag_changes(book: Book, today: dt.datetime) -> tuple[dict[int, dict[str, object]], dict[str, int]]:
    """The maintained cells of 客户信息 that change ({row: {key: value}}) and how many per field, applied to
    ``book`` as well (the checks after tagging see what the sheet will hold)."""
    life, _tasks = customer_profiles(book, today)
    customers = book.tables["customers"]
    changes: dict[int, dict[str, object]] = {}
    changed = dict.fromkeys(MAINTAINED, 0)
    for key, new in maintained_changes(life, customers).items():
        # Dates as plain datetimes: 100,000 pandas Timestamps made one by one cost more than the rest of tag.
        cells = new.dt.to_pydatetime().tolist() if pd.api.types.is_datetime64_any_dtype(new) else new.tolist()
        for row, value in zip(new.index.tolist(), cells, strict=True):
            changes.setdefault(row, {})[key] = value
        changed[key] = len(new)
        customers.data.loc[new.index, key] = new
        # The checks read text too: a date that became blank must not stay behind as text (bad_date).
        customers.text.loc[new.index, key] = shown_text(new)
    return changes, changed
