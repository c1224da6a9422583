"""客户编号 for new customers: CRM + creation date YYYYMMDD + 5-digit serial.

An id once given never changes, so only rows with an empty 客户编号 get one;
the serial continues after the highest one already used for that date.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..errors import TooManyNewIds
from ..tables import SheetTable

PREFIX = "CRM"


def assign_ids(customers: SheetTable, today: dt.datetime) -> pd.DataFrame:
    """Rows (by Excel row number) lacking a 客户编号 -> new customer_id and created_at."""
    ids = customers.text["customer_id"] if "customer_id" in customers.text.columns else pd.Series(
        "", index=customers.text.index, dtype=object
    )
    return new_ids(ids, ids.index[ids == ""], today, source=customers.source)


def new_ids(existing: pd.Series, rows: pd.Index, today: dt.datetime, *, source: str = "") -> pd.DataFrame:
    """Ids for ``rows``, continuing today's serial after the ones in ``existing``."""
    stamp = pd.Timestamp(today).floor("min")
    day = f"{PREFIX}{stamp:%Y%m%d}"
    used = existing[existing.str.startswith(day) & existing.str.fullmatch(rf"{day}\d{{5}}")]
    start = int(used.str[-5:].astype(int).max()) + 1 if len(used) else 1
    if start + len(rows) > 100_000:
        raise TooManyNewIds(file=source, count=len(rows))
    new = [f"{day}{serial:05d}" for serial in range(start, start + len(rows))]
    return pd.DataFrame(
        {"customer_id": pd.Series(new, index=rows, dtype=object),
         "created_at": pd.Series(stamp, index=rows, dtype="datetime64[ns]")},
        index=rows,
    )
