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
    missing = ids.index[ids == ""]
    stamp = pd.Timestamp(today).floor("min")
    day = f"{PREFIX}{stamp:%Y%m%d}"
    used = ids[ids.str.startswith(day) & ids.str.fullmatch(rf"{day}\d{{5}}")]
    start = int(used.str[-5:].astype(int).max()) + 1 if len(used) else 1
    if start + len(missing) > 100_000:
        raise TooManyNewIds(file=customers.source, count=len(missing))
    new = [f"{day}{serial:05d}" for serial in range(start, start + len(missing))]
    return pd.DataFrame(
        {"customer_id": pd.Series(new, index=missing, dtype=object),
         "created_at": pd.Series(stamp, index=missing, dtype="datetime64[ns]")},
        index=missing,
    )
