"""The worksheet functions (=CRM_MASK_PHONE(E2) …), on one cell as Excel hands it over: a float for any number
(a phone typed as 13812345678 arrives as 13812345678.0), None for an empty cell, a datetime for a date."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..rules.lifecycle import Thresholds, spend_tiers
from ..rules.names import company_keys
from ..values import cell_text, mask_phone, normalize_phone


def normalized_phone(cell: object) -> str:
    return normalize_phone(pd.Series([cell_text(cell)])).iloc[0]


def masked_phone(cell: object) -> str:
    return mask_phone(normalized_phone(cell))


def name_key(cell: object) -> str:
    return company_keys(pd.Series([cell_text(cell)]))["core"].iloc[0]


def tier(amount: object, high_value: object = None, mid_value: object = None) -> str:
    """价值层级 of six months' spend; the thresholds as given (设置's cells), else 设置's defaults."""
    default = Thresholds()
    limits = replace(default, high_value=_number(high_value, default.high_value),
                     mid_value=_number(mid_value, default.mid_value))
    return str(spend_tiers(np.array([_number(amount, 0.0)]), limits)[0])


def _number(cell: object, default: float) -> float:
    number = pd.to_numeric(pd.Series([cell_text(cell).replace(",", "")]), errors="coerce").iloc[0]
    return default if pd.isna(number) else float(number)
