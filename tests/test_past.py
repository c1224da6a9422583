"""Issue 20, point 4 without changing point 3: the rules read archived follow-ups one by one only from a horizon
on, and before it only the rows that stand for each customer (rules/past.py).

The oracle is the rules over every row: the same book with all its archived rows joined after the sheets' (what
every command read before this speed-up).  The archive here reaches into the horizon of the days asked about, a
rule keeps its tasks open for 60 days, and staff wrote on tasks due long before, so every way an older row can
matter is exercised: the run of 未接通 and the last answered contact, the first 意向 / 成交, tiers at month ends
before the horizon, completions inside a long window, and the evidence of an old task shown again.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crm_sheets.app.profiles import customer_profiles
from crm_sheets.app.remind import remind_plan
from crm_sheets.app.summary import feedback_output, summary_blocks
from crm_sheets.app.tag import tag_changes
from crm_sheets.demo_data import make_demo
from crm_sheets.rules.past import COLUMNS, Horizon, horizon, standing_for_all, standing_rows
from crm_sheets.rules.summary import feedback_by_month
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook
from crm_sheets.model.book import joined
from crm_sheets.workbook.read import read_book
from test_archive import cli, workbook

TODAYS = ("2026-11-30", "2026-10-25", "2027-02-14")
MONTHS = ("2026-10", "2026-09", "2026-05", "2025-12")


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> Path:
    path = workbook(tmp_path_factory.mktemp("past") / "w.xlsx", n=6000)
    done = cli("archive", str(path), "--before", "2026-10-20")
    assert done.exit_code == 0, done.output
    return path


def books(path: Path) -> tuple:
    """The book as commands read it, and the same rows all in its tables (the oracle)."""
    book, whole = FileStore(path).read(), FileStore(path).read()
    assert book.past is not None and len(book.history["followups"].data) > 1000
    whole = replace(whole, tables=whole.full, past=None, derived={})
    for b in (book, whole):
        b.rules.loc[b.rules.index[0], "window"] = 60
    return book, whole


def written_on(whole, today: pd.Timestamp) -> pd.DataFrame:
    """回访任务 as staff left it: a result typed on tasks due long before today's horizon."""
    _life, tasks = customer_profiles(whole, today, since=today - pd.Timedelta(days=400))
    old = tasks[tasks["due"] < today - pd.Timedelta(days=150)].head(40)
    assert len(old) >= 10
    return pd.DataFrame({"task_id": old["task_id"], "result": "已联系"})


def same_tags(got: tuple, expected: tuple) -> None:
    """tag's changed cells ({row: {key: value}}) and counts alike (a blank tier is NaN on both sides)."""
    assert got[1] == expected[1]
    frame = [pd.DataFrame.from_dict(g[0], orient="index").sort_index() for g in (got, expected)]
    assert_frame_equal(*frame)
    assert len(frame[0]) == len(got[0])


@pytest.mark.parametrize("day", TODAYS)
def test_tag_and_remind_over_standing_rows_answer_as_over_every_row(archived: Path, day: str) -> None:
    today = pd.Timestamp(day + " 09:00")
    book, whole = books(archived)
    previous = written_on(whole, today)
    same_tags(tag_changes(book, today), tag_changes(whole, today))
    sheet, mails = remind_plan(book, today, previous)
    expected_sheet, expected_mails = remind_plan(whole, today, previous)
    assert_frame_equal(sheet, expected_sheet)
    assert mails == expected_mails
    assert sheet["task_id"].isin(previous["task_id"]).sum() == len(previous)  # the old tasks are shown again


@pytest.mark.parametrize("month", MONTHS)
def test_summary_of_any_month_over_standing_rows_answers_as_over_every_row(archived: Path, month: str) -> None:
    today = pd.Timestamp("2026-11-30 09:00")
    book, whole = books(archived)
    previous = written_on(whole, today)
    got = summary_blocks(book, pd.Period(month), today, previous)
    expected = summary_blocks(whole, pd.Period(month), today, previous)
    assert [b.title for b in got] == [b.title for b in expected]
    for block, oracle in zip(got, expected):
        assert_frame_equal(block.table.reset_index(drop=True), oracle.table.reset_index(drop=True),
                           check_dtype=False, obj=block.title)
    assert sum(len(b.table) for b in got) > 20


def test_feedback_counts_every_archived_row(archived: Path) -> None:
    book, whole = books(archived)
    assert_frame_equal(feedback_output(book).frame, feedback_by_month(whole.tables), check_dtype=False)


class InMemory:
    """Archived rows held in memory (the Archived protocol without a database: the database's own path is
    tested above and in test_archive.py), so that thousands of random splits run in seconds.  It keeps no
    standing rows beside its batches: it reads them whole, as the database does a batch not yet settled."""

    def __init__(self, past: dict) -> None:
        self.past = past

    def every_row(self) -> dict:
        return self.past

    def rows_for_rules(self, key, columns, keep=None, deciding=None, standing_before=None):
        past = self.past.get(key)
        if past is None:
            return None
        data = past.data
        if keep is not None:
            data = data.iloc[keep(data[[c for c in deciding if c in data.columns]])]
        return replace(past, data=data, text=pd.DataFrame(index=data.index), raw=None)

    def kept_beside(self, key, kind, columns, make):
        past = self.past.get(key)
        return make(past.data[columns]) if past is not None else None


@pytest.fixture(scope="module")
def rough(tmp_path_factory) -> Path:
    """A workbook whose follow-ups are drawn to be hard on the standing rows: long runs of 未接通 and 未回复,
    stages that go back and forth, several contacts in one minute, dates over three years."""
    rng = np.random.default_rng(20)
    frames = dict(make_demo(dt.date(2026, 11, 30), n_customers=150, n_followups=5000).frames)
    f = frames["跟进记录"].copy()
    n = len(f)
    runs = np.repeat(rng.choice(["已接通", "未接通", "未回复", "已回复"], p=[.3, .45, .1, .15], size=n // 4 + 1), 4)
    f["联系结果"] = runs[:n]
    f["跟进状态"] = rng.choice(["潜在客户", "意向客户", "成交客户", ""], p=[.4, .3, .15, .15], size=n)
    minutes = rng.integers(0, 3 * 365 * 24 * 60 // 7, size=n) * 7  # shared minutes: ties in time
    f["跟进时间"] = (pd.Timestamp("2023-12-01") + pd.to_timedelta(minutes, unit="min")).to_pydatetime()
    frames["跟进记录"] = f
    path = tmp_path_factory.mktemp("rough") / "r.xlsx"
    write_workbook(path, data=frames)
    return path


@pytest.mark.parametrize("seed", range(6))
def test_random_splits_answer_as_every_row(rough: Path, seed: int) -> None:
    """Archive a random cut (each customer's latest contact kept, as archive does), ask about a random day and
    month: tag, remind and summary over the standing rows say what they say over every row."""
    rng = np.random.default_rng(seed)
    base, other = read_book(rough), read_book(rough)  # tag applies its changes to the book it is given
    table = base.tables["followups"]
    cut = pd.Timestamp("2024-06-01") + pd.Timedelta(days=int(rng.integers(0, 850)))
    when = table.data["time"]
    old = (when < cut) & (when < when.groupby(table.data["customer_id"]).transform("max"))
    sheet, past = (replace(table, data=table.data[m], text=table.text[m], raw=None) for m in (~old, old))
    assert old.sum() > 500
    today = cut + pd.Timedelta(days=int(rng.integers(-20, 200)), hours=9)
    month = pd.Period(today, "M") - int(rng.integers(1, 14))
    whole = replace(other, tables={**other.tables, "followups": joined(sheet, past)}, derived={})
    book = replace(base, tables={**base.tables, "followups": sheet}, past=InMemory({"followups": past}), derived={})
    rule, window = int(rng.integers(0, len(book.rules))), int(rng.integers(1, 90))
    for b in (book, whole):
        b.rules.loc[b.rules.index[rule], "window"] = window
    previous = written_on(whole, today)
    same_tags(tag_changes(book, today), tag_changes(whole, today))
    got, expected = remind_plan(book, today, previous), remind_plan(whole, today, previous)
    assert_frame_equal(got[0], expected[0])
    assert got[1] == expected[1]
    for block, oracle in zip(summary_blocks(book, month, today, previous),
                             summary_blocks(whole, month, today, previous), strict=True):
        assert_frame_equal(block.table.reset_index(drop=True), oracle.table.reset_index(drop=True),
                           check_dtype=False, obj=block.title)
    assert_frame_equal(feedback_output(book).frame, feedback_by_month(whole.tables), check_dtype=False)


def test_standing_rows_by_hand() -> None:
    """Which older rows stand, worked out by hand (horizon 2026-06-01, one month end asked, 2026-02-28)."""
    rows = [  # customer, time, result, status: kept?
        ("A", "2026-01-05", "已接通", "潜在客户", False),  # an earlier answered call: the later one says more
        ("A", "2026-02-10", "已接通", "潜在客户", True),  # A's last answered call before the horizon
        ("A", "2026-03-01", "未接通", "", True),  # the run of 未接通 after it
        ("A", "2026-04-01", "未接通", "", True),
        ("A", "2026-07-01", "未接通", "", True),  # from the horizon on: every row
        ("B", "2025-11-01", "已接通", "成交客户", True),  # B's first 成交
        ("B", "2025-12-01", "已接通", "成交客户", False),
        ("B", "2026-01-20", "已接通", "潜在客户", True),  # B's latest by 2026-02-28
        ("B", "2026-05-01", "已回复", "潜在客户", True),  # B's last answered
        ("C", "2025-10-01", "未接通", "", False),  # C never answered: from the last 未回复 on
        ("C", "2026-01-01", "未回复", "", True),
        ("C", "2026-02-01", "未接通", "", True),
        ("D", "2025-09-01", "未接通", "", True),  # D only ever 未接通: all of it is the run
        ("D", "2025-10-01", "未接通", "", True),
        ("E", "", "已接通", "成交客户", False),  # undated: no rule reads it
    ]
    frame = pd.DataFrame([r[:4] for r in rows], columns=["customer_id", "time", "result", "status"])
    frame["time"] = pd.to_datetime(frame["time"])
    picked = standing_rows(frame.sample(frac=1, random_state=3), Horizon(pd.Timestamp("2026-06-01"),
                                                                         (pd.Timestamp("2026-02-28 23:59"),)))
    shuffled = frame.sample(frac=1, random_state=3)
    assert sorted(shuffled.index[picked]) == [i for i, r in enumerate(rows) if r[4]]


def test_the_horizon_reaches_back_for_windows_summaries_and_written_tasks() -> None:
    rules = pd.DataFrame({"window": ["", "60"]})
    since = pd.Timestamp("2026-10-01")
    assert horizon(since, rules).start == since - pd.Timedelta(days=61 + 1)  # a task due then is open now
    assert horizon(since, pd.DataFrame({"window": []})).start == since - pd.Timedelta(days=31 + 1)  # the rhythm
    old = horizon(since, rules, month=pd.Period("2026-03"))
    assert old.start == pd.Timestamp("2026-03-01") - pd.Timedelta(days=61 + 1)
    assert old.ends == tuple(pd.Period(m).end_time for m in ("2025-11", "2025-10"))  # the tier trend's, before it
    assert horizon(since, rules, earliest=[pd.Timestamp("2025-05-06 10:00")]).start == pd.Timestamp("2025-05-06")


@pytest.mark.parametrize("seed", range(8))
def test_standing_rows_of_batches_stand_for_the_batches_together(rough: Path, seed: int) -> None:
    """Each archived batch keeps the rows that stand for it (standing_for_all); read together instead of the
    batches whose rows are all settled, the rules pick exactly the rows they pick from every row, also after
    merges joined customers of different batches."""
    rng = np.random.default_rng(seed)
    rows = read_book(rough).tables["followups"].data[list(COLUMNS)].reset_index(drop=True)
    cuts = np.sort(rng.choice(pd.to_datetime(rows["time"]).dropna().to_numpy(), size=3, replace=False))
    batch = np.searchsorted(cuts, rows["time"].to_numpy())  # archive --before each cut, then the rest
    # A row kept back (a customer's latest) goes with a later batch: a batch is bounded above, not below.
    later = rng.random(len(rows)) < 0.1
    batch[later] = np.maximum(batch[later], rng.integers(0, 4, later.sum()))
    ids = rows["customer_id"].unique()
    into = dict(zip(rng.choice(ids, 15, replace=False), rng.choice(ids, 15)))  # merges made since
    at = Horizon(pd.Timestamp(rng.choice(cuts[1:])) + pd.Timedelta(days=int(rng.integers(-30, 30))),
                 (pd.Timestamp(cuts[0]) + pd.Timedelta(days=int(rng.integers(0, 60))),))
    pieces = []
    for b in range(4):
        mine = rows[batch == b]
        if len(mine) and mine["time"].max() < at.settled:
            mine = mine.iloc[standing_for_all(mine)]
        pieces.append(mine)
    read = pd.concat(pieces)
    expected = pd.concat([rows[batch == b] for b in range(4)])
    for frame in (read, expected):
        frame["customer_id"] = frame["customer_id"].map(lambda i: into.get(i, i))
    assert len(read) < len(expected)
    assert sorted(read.index[standing_rows(read, at)]) == sorted(expected.index[standing_rows(expected, at)])


@pytest.mark.parametrize("older", [False, True])
def test_settled_batches_read_as_their_standing_rows_answer_as_every_row(rough: Path, tmp_path: Path,
                                                                         older: bool) -> None:
    """The rough workbook archived through the command, asked about days long after: every batch is settled and
    read as the standing rows kept beside it in the database (``older``: the first batch keeps nothing beside
    it, as one archived by an earlier version: it is read whole)."""
    path = Path(shutil.copy(rough, tmp_path / "r.xlsx"))
    for day in ("2025-06-01", "2026-03-01"):  # two batches; a merge since could join customers of both
        done = cli("archive", str(path), "--before", day)
        assert done.exit_code == 0, done.output
    with sqlite3.connect(path.with_name("r.history.sqlite")) as db:
        kept = db.execute("SELECT batch, sheet FROM crm_parts WHERE sheet LIKE '%:%' ORDER BY batch").fetchall()
        assert {s for _b, s in kept} == {"跟进记录:standing", "跟进记录:feedback"}
        if older:
            db.execute("DELETE FROM crm_parts WHERE batch = ? AND sheet LIKE '%:%'", (kept[0][0],))
    for day, month in (("2027-01-20", "2026-12"), ("2027-06-03", "2027-02")):
        today = pd.Timestamp(day + " 09:00")
        book, whole = books(path)
        same_tags(tag_changes(book, today), tag_changes(whole, today))
        got, expected = remind_plan(book, today, pd.DataFrame()), remind_plan(whole, today, pd.DataFrame())
        assert_frame_equal(got[0], expected[0])
        assert got[1] == expected[1]
        for block, oracle in zip(summary_blocks(book, pd.Period(month), today, pd.DataFrame()),
                                 summary_blocks(whole, pd.Period(month), today, pd.DataFrame()), strict=True):
            assert_frame_equal(block.table.reset_index(drop=True), oracle.table.reset_index(drop=True),
                               check_dtype=False, obj=block.title)
        assert_frame_equal(feedback_output(book).frame, feedback_by_month(whole.tables), check_dtype=False)
