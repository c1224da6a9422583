"""The column reader (fastexcel, for the million-row sheets) must give what the row reader gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import fastexcel
import openpyxl
import pandas as pd
import pytest

from crm_sheets import errors, schema
from crm_sheets.demo_data import make_demo
from crm_sheets.model.book import Book
from crm_sheets.templates import write_workbook
from crm_sheets.workbook import read
from crm_sheets.workbook.columns import read_columns, sheet_layout

TODAY = dt.date(2026, 11, 24)
BIG = ("followups", "orders", "tickets")


def _by_rows(path: Path, monkeypatch) -> Book:
    with monkeypatch.context() as m:
        m.setattr(read, "COLUMN_SHEETS", set())
        return read.read_book(path)


def _other_program(sheet: schema.Sheet, rows: list[list]) -> openpyxl.worksheet.worksheet.Worksheet:
    """A workbook as openpyxl writes it: 客户信息 with headers, ``sheet`` with ``rows``; saved by the caller."""
    wb = openpyxl.Workbook()
    wb.active.title = schema.CUSTOMERS.name
    wb.active.append(schema.CUSTOMERS.headers)
    ws = wb.create_sheet(sheet.name)
    for row in rows:
        ws.append(row)
    return ws


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(object).where(frame.notna(), None)


def test_column_reader_equals_row_reader_on_the_demo(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "demo.xlsx"
    write_workbook(path, data=make_demo(TODAY, n_customers=300, n_followups=3000).frames)
    fast, exact = read.read_book(path), _by_rows(path, monkeypatch)
    for key in BIG:
        assert isinstance(fast.tables[key].text.dtypes.iloc[0], pd.StringDtype), key  # the fast path was taken
        pd.testing.assert_frame_equal(_plain(fast.tables[key].text), _plain(exact.tables[key].text))
        pd.testing.assert_frame_equal(_plain(fast.tables[key].data), _plain(exact.tables[key].data))


def test_dates_numbers_and_padding_as_a_person_sees_them(tmp_path: Path, monkeypatch) -> None:
    """Cells written by another program: dates as dates, serials, text dates, numbers, padded text."""
    path = tmp_path / "other.xlsx"
    _other_program(schema.ORDERS, [
        schema.ORDERS.headers,
        ["CRM2026010100001", dt.datetime(2026, 1, 5), 1200, "首购", " 含税 "],
        ["CRM2026010100001", 46030, "3,500元", "复购", 20260105],
        ["CRM2026010100001", "2026/1/7", 99.5, "退款", dt.datetime(2026, 1, 7, 9, 30)],
    ]).parent.save(path)
    fast, exact = read.read_book(path), _by_rows(path, monkeypatch)
    pd.testing.assert_frame_equal(_plain(fast.tables["orders"].data), _plain(exact.tables["orders"].data))
    pd.testing.assert_frame_equal(_plain(fast.tables["orders"].text), _plain(exact.tables["orders"].text))
    assert fast.tables["orders"].data["amount"].tolist() == [1200.0, 3500.0, 99.5]
    assert fast.tables["orders"].data["date"].dt.day.tolist() == [5, 8, 7]  # serial 46030 = 2026-01-08


def test_a_sheet_not_starting_at_a1_is_read_by_rows(tmp_path: Path) -> None:
    path = tmp_path / "offset.xlsx"
    ws = _other_program(schema.FOLLOWUPS, [])
    ws["C3"] = "客户编号"  # the used range starts at C3: the column reader cannot place its cells
    ws.parent.save(path)
    assert not sheet_layout(path, schema.FOLLOWUPS.name).a1_first
    assert read_columns(fastexcel.read_excel(str(path)), path, schema.FOLLOWUPS.name) is None
    with pytest.raises(errors.EmptySheet):  # row 1 is empty: the row reader says so, naming the sheet
        read.read_book(path)


def test_a_merged_header_on_a_big_sheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "merged.xlsx"
    ws = _other_program(schema.FOLLOWUPS, [schema.FOLLOWUPS.headers])
    ws.merge_cells("B1:C1")
    ws.parent.save(path)
    with pytest.raises(errors.MergedHeader) as caught:
        read.read_book(path)
    assert "B1:C1" in caught.value.message()
