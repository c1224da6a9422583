"""What leaves the workbook shows no full mobile number, also where one is typed inside free text."""

from __future__ import annotations

import pandas as pd

from ..values import mask_phone

MOBILE_IN_TEXT = r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"


def masked_text(text: pd.Series) -> pd.Series:
    """Free text with every mainland mobile in it shown as 138****5678."""
    return text.str.replace(MOBILE_IN_TEXT, r"\1****\2", regex=True)


def masked_phones(phones: pd.Series) -> pd.Series:
    return phones.map(mask_phone)
