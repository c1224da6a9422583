"""A long number as other programs write it into text: pandas and many CSV exports as 13812345679.0, Excel (a
narrow column, a CSV saved from one) as 1.3812345679E+10 or, rounded, 1.38123E+10.

Whether the digits can be read back from such text, and where they are gone.  Imports nothing of ours.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pandas as pd

_FLOAT_FORM = re.compile(r"\d+\.\d*|\d+(?:\.\d+)?[eE]\+?\d+", re.ASCII)


def _written(text: str) -> Decimal | None:
    """The number ``text`` writes in a float's form (full-width digits too), else None."""
    text = unicodedata.normalize("NFKC", text).strip() if text else ""
    # (the pattern lets only numbers through, which Decimal reads without rounding)
    return Decimal(text) if _FLOAT_FORM.fullmatch(text) else None


def _exponent(number: Decimal) -> int:
    """The power of ten of the last digit written (1.38123E+10 -> 5).  Only finite numbers get through the pattern;
    a NaN's or an infinity's exponent would be a letter."""
    exponent = number.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def exact_digits(text: str) -> str | None:
    """The digits of a whole number written in a float's form with every digit there (13812345679.0,
    1.3812345679E+10 -> '13812345679'); None for anything else."""
    number = _written(text)
    if number is None or number != number.to_integral_value() or _exponent(number) > 0:
        return None
    return str(int(number))


def digits_lost(text: pd.Series) -> pd.Series:
    """True where a cell writes a whole number with fewer digits than it has (1.38123E+10 for 13812345679): its
    last digits are gone, and only the source can give them back."""
    def lost(cell: str) -> bool:
        number = _written(cell)
        return number is not None and _exponent(number) > 0
    return pd.Series([lost(c) for c in text.tolist()], index=text.index, dtype=bool)
