"""crm-sheets: a small team's CRM in an Excel workbook.

The library is ``Workbook`` (docs/api.md): ``crm_sheets.Workbook("客户.xlsx").validate().problems``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = ["ArchiveOutcome", "CollectOutcome", "CrmError", "DayOutcome", "DedupeOutcome", "ImportOutcome",
           "MergeOutcome", "RemindOutcome", "SummaryOutcome", "TagOutcome", "ValidateOutcome", "Workbook", "Written",
           "__version__"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .api import (ArchiveOutcome, CollectOutcome, DayOutcome, DedupeOutcome, ImportOutcome, MergeOutcome,
                      RemindOutcome, SummaryOutcome, TagOutcome, ValidateOutcome, Workbook, Written)
    from .errors import CrmError


def __getattr__(name: str) -> object:
    """The API is imported when first asked for: ``import crm_sheets``, which every entry point does first, stays
    cheap."""
    if name == "CrmError":
        return importlib.import_module(".errors", __name__).CrmError
    if name in __all__:
        return getattr(importlib.import_module(".api", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
