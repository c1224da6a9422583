"""Option lists as people write them: synonyms the team declared on 选项, and the option a stray value meant.

A cell of the 同义词 list reads ``展会=展会推荐``: whoever writes 展会 in a column whose list holds 展会推荐
means 展会推荐.  Import and validate apply these silently; a value that is neither an option nor a synonym is
a problem whose hint is the closest option.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from rapidfuzz import fuzz, process

from .. import schema, values
from ..model.tables import SheetTable

_EQUALS = ("=", "＝")


def synonyms(options: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """Per option list: written value -> the option it means (only synonyms whose option is in that list)."""
    pairs = []
    for cell in options.get(schema.SYNONYMS, []):
        text = cell.replace(_EQUALS[1], _EQUALS[0])
        written, _, meant = text.partition(_EQUALS[0])
        if written.strip() and meant.strip():
            pairs.append((written.strip(), meant.strip()))
    out: dict[str, dict[str, str]] = {}
    for name, items in options.items():
        listed = set(items)
        found = {w: m for w, m in pairs if m in listed and w not in listed}
        if found:
            out[name] = found
    return out


def with_synonyms(table: SheetTable, options: dict[str, list[str]]) -> SheetTable:
    """The table with each option column's synonyms replaced by the option they mean (text and data alike)."""
    lists = synonyms(options)
    text, data = table.text, table.data
    for f in table.sheet.fields:
        meant = lists.get(f.options or "") if f.type == "option" else None
        if not meant or f.key not in text.columns:
            continue
        hits = text[f.key].isin(list(meant))
        if not hits.any():
            continue
        if text is table.text:
            text, data = text.copy(), data.copy()
        canonical = text.loc[hits, f.key].map(meant)
        text[f.key] = text[f.key].astype(object).where(~hits, canonical)
        data[f.key] = data[f.key].astype(object).where(~hits, canonical)
    return table if text is table.text else replace(table, text=text, data=data)


def closest_option(value: str, choices: list[str], cutoff: float = 50) -> str:
    """The option a person most likely meant (展会活动 -> 展会推荐); '' when none scores ``cutoff`` or more."""
    best = process.extractOne(values.nfkc(pd.Series([value])).iloc[0], choices, scorer=fuzz.WRatio,
                              score_cutoff=cutoff)
    return best[0] if best else ""
