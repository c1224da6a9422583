"""校验 / `crm-sheets validate`: check every data sheet, number new customers, write 校验结果 and 数据质量."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import schema
from ..outputs import FrameOut
from ..rules.validate import ValidationResult
from ..workbook.read import Book
from .common import check_book, id_changes, new_customer_ids
from .store import Store


@dataclass
class ValidateOutcome:
    book: Book
    result: ValidationResult
    assigned: pd.DataFrame
    backup: Path | None


def run(store: Store, *, today: dt.datetime, lang: str = "zh") -> ValidateOutcome:
    """A CSV or an export is only checked; a workbook also gets ids and its two tool sheets."""
    store.expect_write()
    store.progress("progress.read")
    book = store.read()
    assigned = new_customer_ids(book, today)
    store.progress("progress.check")
    result = check_book(book, today, lang)
    backup = None
    if book.kind != "csv":
        store.progress("progress.write")
        backup = store.write(book, [FrameOut(schema.CHECK_RESULTS, result.problems),
                                    FrameOut(schema.DATA_QUALITY, result.quality)], id_changes(book, assigned))
    return ValidateOutcome(book=book, result=result, assigned=assigned, backup=backup)
