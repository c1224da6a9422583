"""The template's VBA project, built without Excel from macros/*.bas.

Starts from xlwings' own quickstart.xlsm project (it carries the reference to
the xlwings add-in that provides RunPython), replaces its modules with ours
via pyopenvba, and sets _VBA_PROJECT to the 7-byte stub so Excel compiles the
source afresh instead of trusting cached p-code from another build.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

# Installed: crm_sheets/macros (see pyproject.toml); in a checkout: the repository's macros/.
MACROS = next((p for p in (Path(__file__).resolve().parent / "macros", Path(__file__).resolve().parent.parent / "macros")
               if p.is_dir()), Path("macros"))
VBA_PROJECT_STUB = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x00, 0x00])


def quickstart() -> Path:
    import xlwings

    return Path(xlwings.__file__).parent / "quickstart.xlsm"


def module_sources(folder: Path = MACROS) -> dict[str, str]:
    """Module name (the file's stem) -> its VBA text, as kept in git."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.bas"))}


def vba_project(folder: Path = MACROS) -> bytes:
    """vbaProject.bin for XlsxWriter's add_vba_project(..., is_stream=True)."""
    from pyopenvba import ExcelFile, cfb

    with tempfile.TemporaryDirectory() as tmp:
        base, built = Path(tmp) / "base.xlsm", Path(tmp) / "built.xlsm"
        shutil.copy(quickstart(), base)
        project = ExcelFile(base)
        for name, source in module_sources(folder).items():
            project.set_module(name, source)
        project.save(built)
        storage = cfb.CFB.from_bytes(ExcelFile(built).vba_project_bytes())
    storage.write_stream_at(["VBA"], "_VBA_PROJECT", VBA_PROJECT_STUB)
    return storage.to_bytes()
