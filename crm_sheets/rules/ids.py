"""客户编号 for new customers: CRM + creation date YYYYMMDD + 5-digit serial.

An id once given never changes, so only rows with an empty 客户编号 get one;
the serial continues after the highest one already used for that date.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..model.problems import Refusal
from ..model.tables import SheetTable

PREFIX = "CRM"
LAST_SERIAL = 99_999


def assign_ids(customers: SheetTable, today: dt.datetime) -> pd.DataFrame:
    """Rows (by Excel row number) lacking a 客户编号 -> new customer_id and created_at."""
    ids = customers.text["customer_id"] if "customer_id" in customers.text.columns else pd.Series(
        "", index=customers.text.index, dtype=object
    )
    return new_ids(ids, ids.index[ids == ""], today, source=customers.source)


def _first_free(existing: pd.Series, today: dt.datetime) -> int:
    day = f"{PREFIX}{pd.Timestamp(today):%Y%m%d}"
    used = existing[existing.str.startswith(day) & existing.str.fullmatch(rf"{day}\d{{5}}")]
    return int(used.str[-5:].astype(int).max()) + 1 if len(used) else 1


def expect_ids(existing: pd.Series, count: int, today: dt.datetime, *, source: str = "") -> None:
    """Refuse at once (too_many_new_ids) when ``count`` new customers could not all get an id today: the cheap
    check before reading and matching a whole list."""
    free = LAST_SERIAL + 1 - _first_free(existing, today)
    if count > free:
        raise Refusal("too_many_new_ids", file=source, count=count, free=free)


def new_ids(existing: pd.Series, rows: pd.Index, today: dt.datetime, *, source: str = "") -> pd.DataFrame:
    """Ids for ``rows``, continuing today's serial after the ones in ``existing``."""
    expect_ids(existing, len(rows), today, source=source)
    stamp = pd.Timestamp(today).floor("min")
    day = f"{PREFIX}{stamp:%Y%m%d}"
    start = _first_free(existing, today)
    new = [f"{day}{serial:05d}" for serial in range(start, start + len(rows))]
    return pd.DataFrame(
        {"customer_id": pd.Series(new, index=rows, dtype=object),
         "created_at": pd.Series(stamp, index=rows, dtype="datetime64[ns]")},
        index=rows,
    )
