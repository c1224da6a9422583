"""Every command on every bad input: exit 0/1/2 with a clear line, never a traceback, never a changed file."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus import (
    GENERATED_EXAMPLES,
    HAND_MADE,
    Tally,
    check_input,
    generated_strategies,
    run_family,
)


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
