"""Crash safety and concurrent writers (issues 9 and 34): the trials that docs/RELIABILITY.md counts.

Each write point's own assertions are in tests/test_write.py; here two writers are made to overlap."""

from __future__ import annotations

from pathlib import Path

from corpus import demo_book
from trials import opens, overlap, refused_while_locked

from crm_sheets import schema


def test_a_second_writer_waits_for_the_first_ones_lock_and_neither_loses_anything(tmp_path: Path) -> None:
    """`validate` is held at "lock taken"; `summary`, started then, gets to "lock wanted" and no further while it is
    held; let go, validate writes first, summary after it on top of its file: both results are in the file."""
    path = demo_book(tmp_path / "客户管理.xlsx")
    seen = overlap(path)
    assert seen.first_paused == ["lock wanted", "lock taken"], seen
    assert seen.second_waiting == ["lock wanted"] and seen.second_running, seen
    assert seen.exits == (1, 0) and not seen.tracebacks, seen  # validate: done, problems found
    assert seen.second_then[:2] == ["lock wanted", "lock taken"] and seen.second_then[-1] == "replaced", seen
    assert seen.second_saw_first, seen  # summary replaced the file validate wrote
    assert schema.CHECK_RESULTS.name in seen.sheets, seen
    assert any(name.startswith(schema.MONTHLY_PREFIX) for name in seen.sheets), seen
    assert opens(path)


def test_a_writer_that_keeps_the_lock_makes_the_other_refuse_cleanly(tmp_path: Path) -> None:
    path = demo_book(tmp_path / "客户管理.xlsx")
    assert refused_while_locked(path)
