"""The core's refusals: a rule that cannot go on names the problem by a code, never in words."""

from __future__ import annotations


class Refusal(Exception):
    """``code`` names the problem and ``facts`` are what its message needs; app/ turns it into the error staff read
    (errors.REFUSALS), so the rules hold no sentence in any language."""

    def __init__(self, code: str, **facts: object) -> None:
        super().__init__(code, facts)
        self.code = code
        self.facts = facts
