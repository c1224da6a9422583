"""校验 / `crm-sheets validate`: check every data sheet, number new customers, write 校验结果 and 数据质量."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import schema
from ..i18n import t
from ..model.book import Book
from ..model.outputs import FrameOut
from ..reasons import quality_lines
from ..rules.validate import ValidationResult
from .common import check_book, id_changes, new_customer_ids
from .store import Store


class Checked:
    """The tables 校验 wrote, on the outcomes of validate and tag."""

    result: ValidationResult

    @property
    def problems(self) -> pd.DataFrame:
        """校验结果: one row per problem found."""
        return self.result.problems

    @property
    def quality(self) -> pd.DataFrame:
        """数据质量: each check's figures."""
        return self.result.quality


@dataclass
class ValidateOutcome(Checked):
    book: Book
    result: ValidationResult
    assigned: pd.DataFrame
    backup: Path | None

    def lines(self, lang: str) -> list[str]:
        """The report, for the command line and the button alike."""
        return validation_lines(self.book, self.result, self.assigned, self.backup, lang)


def validation_lines(book: Book, result: ValidationResult, assigned: pd.DataFrame, backup: Path | None,
                     lang: str) -> list[str]:
    """What a check found: the ids given, the problems (a CSV's one by one: it has no 校验结果 to list them on),
    the data quality, the backup taken before writing."""
    problems, name = result.problems, book.path.name
    lines = [t("validate.assigned", lang, count=len(assigned))] if len(assigned) else []
    if not len(problems):
        lines.append(t("validate.clean", lang, file=name))
    elif book.kind == "xlsx":
        lines.append(t("validate.problems", lang, file=name, count=len(problems)))
    else:
        lines.append(t("validate.problems_csv", lang, file=name, count=len(problems)))
        lines += [f"  {p.sheet} 第{p.row}行 {p.column}: {p.value} — {p.problem}（{p.fix}）"
                  for p in problems.itertuples()]
    lines.append(quality_lines(result, lang))
    return lines + ([t("validate.backup", lang, path=backup)] if backup else [])


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
