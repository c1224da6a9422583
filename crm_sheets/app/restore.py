"""`crm-sheets restore`: a backup from .crm-backups/ back in place."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class RestoreStore(Protocol):
    def restore(self, pick: int) -> tuple[Path, Path | None]:
        """(the backup put back, the backup made of the file it replaced, if there was one)."""


def run(store: RestoreStore, *, pick: int = 1) -> tuple[Path, Path | None]:
    return store.restore(pick)
