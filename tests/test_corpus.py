"""Every command on every bad input: the outcome written for it (exit 0, 1, or 2 with the right error's one line),
never a traceback, never a changed file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpus import (
    COMMANDS,
    FAMILY_OUTCOMES,
    GENERATED_EXAMPLES,
    HAND_MADE,
    OUTCOMES,
    REASONS,
    Tally,
    check_input,
    generated_strategies,
    reason_of,
    run_family,
)

from crm_sheets import errors


def test_every_input_has_its_outcomes() -> None:
    """A new input without its expected outcomes (or an outcome for an input no longer made) fails here."""
    assert set(OUTCOMES) == set(HAND_MADE)
    assert all(set(outcomes) == set(COMMANDS) for outcomes in OUTCOMES.values())
    assert set(FAMILY_OUTCOMES) == set(generated_strategies())


def test_each_errors_line_is_told_as_that_error() -> None:
    """reason_of tells every error class from every other by its message (the same words in every slot)."""
    assert len(REASONS) > 40
    for cls, _ in REASONS:
        if cls is errors.PartlyDone:
            error: errors.CrmError = cls(wrote="客户.xlsx", backup=None, cause=errors.ZipBomb(file="客户.xlsx", member="x"))
        else:
            error = cls(**dict.fromkeys(re.findall(r"\{(\w+)\}", cls.__doc__ or ""), "客户.xlsx"))
        assert reason_of(error.message("zh")) == cls.__name__
    assert reason_of("客户.xlsx: 出现意外错误（KeyError: 'x'）。请把这行信息发给维护人员。") is None


@pytest.mark.parametrize("label", list(HAND_MADE))
def test_hand_made_input(label: str, tmp_path: Path) -> None:
    tally = Tally()
    check_input(label, HAND_MADE[label](tmp_path), tally)
    assert not tally.failures, "\n".join(tally.failures)


@pytest.mark.parametrize("family", list(generated_strategies()))
def test_generated_inputs(family: str) -> None:
    tally = Tally()
    run_family(family, tally)
    assert tally.inputs >= GENERATED_EXAMPLES // 2  # hypothesis may stop early on a tiny space, never at nothing
    assert not tally.failures, "\n".join(tally.failures[:10])
