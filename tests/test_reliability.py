"""Crash safety and concurrent writers (issue 9): the trials that docs/RELIABILITY.md counts."""

from __future__ import annotations

from pathlib import Path

from corpus import demo_book
from trials import concurrent_writers, kill_trials, opens, refused_while_locked


def test_a_hundred_sigkills_leave_the_old_or_the_new_file(tmp_path: Path) -> None:
    tally = kill_trials(tmp_path, n=100)
    assert tally.trials == 100 and tally.opened == 100, tally
    assert tally.old + tally.new == 100 and tally.other == 0, tally
    assert tally.old and tally.new, f"every kill landed on one side of the swap; the trial proves little: {tally}"


def test_the_job_and_a_command_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = demo_book(tmp_path / "客户管理.xlsx")
    tally = concurrent_writers(path, rounds=2)
    assert tally.both_finished == tally.runs == 2 and tally.nothing_lost == 2, tally
    assert opens(path)


def test_a_writer_that_keeps_the_lock_makes_the_other_refuse_cleanly(tmp_path: Path) -> None:
    path = demo_book(tmp_path / "客户管理.xlsx")
    assert refused_while_locked(path)
