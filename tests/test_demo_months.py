"""The demo's last month looks like the months before it, whatever day it runs: read back from the workbook it
wrote, by python-calamine (not the tool's reader), not from the generator's own numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_sheets.cli import app

MONTHS_BEFORE = 6
BLOCKS = 11  # the report's tables: new customers by source … tiers over six months


def _sheet(book: CalamineWorkbook, name: str) -> pd.DataFrame:
    rows = book.get_sheet_by_name(name).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0])


def _per_month(cells: pd.Series) -> pd.Series:
    """Rows per calendar month; cells that are no date (a planted 2024-13-45) are not counted."""
    dates = pd.Series([c for c in cells if isinstance(c, dt.datetime | dt.date)], dtype=object)
    return pd.to_datetime(dates).dt.to_period("M").value_counts()


def _blocks(rows: list[list[object]]) -> list[list[list[object]]]:
    """The report's blocks: runs of non-blank rows (title, header, data) after the sheet's own title."""
    runs: list[list[list[object]]] = [[]]
    for row in rows:
        if any(c not in ("", None) for c in row):
            runs[-1].append(row)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r][1:]


@pytest.mark.parametrize("today", ["2026-12-05", "2027-03-28"])
def test_the_summarised_month_is_like_the_six_before(tmp_path: Path, today: str) -> None:
    result = CliRunner().invoke(app, ["demo", str(tmp_path), "--today", today])
    assert result.exit_code == 0, result.output
    book = CalamineWorkbook.from_path(tmp_path / "crm-demo.xlsm")
    month = pd.Period(today, "M") - 1
    before = [month - k for k in range(1, MONTHS_BEFORE + 1)]
    counts = {
        "new customers": _per_month(_sheet(book, "客户信息")["创建时间"]),
        "orders": _per_month(_sheet(book, "交易记录")["日期"]),
        "follow-ups": _per_month(_sheet(book, "跟进记录")["跟进时间"]),
    }
    for what, per_month in counts.items():
        usual = sum(per_month.get(m, 0) for m in before) / MONTHS_BEFORE
        assert usual > 0, what
        assert abs(per_month.get(month, 0) / usual - 1) <= 0.3, (what, month, per_month.get(month, 0), usual)

    blocks = _blocks(book.get_sheet_by_name(f"月度汇总-{month}").to_python())
    assert len(blocks) == BLOCKS, [b[0][0] for b in blocks]
    for block in blocks:
        title, _header, *data = block
        numbers = [c for row in data for c in row if isinstance(c, float | int) and not isinstance(c, bool)]
        assert data and any(n > 0 for n in numbers), title[0]
