"""The template's VBA project, built without Excel from macros/*.bas.

By default it starts from xlwings' own quickstart_standalone.xlsm project, which carries the xlwings VBA
module itself (RunPython, XLPy): the buttons need Python with crm-sheets installed and nothing else, no
add-in.  ``addin=True`` starts from quickstart.xlsm instead, whose project refers to the xlwings add-in.
Either way our modules replace its Module1, the ``xlwings_udfs`` module is added as xlwings' own "Import
Functions" writes it, and _VBA_PROJECT is set to the 7-byte stub so Excel compiles the source afresh instead
of trusting cached p-code from another build.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import shutil
import sys
import tempfile
import types
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

# Installed: crm_sheets/macros (see pyproject.toml); in a checkout: the repository's macros/.
MACROS = next((p for p in (Path(__file__).resolve().parent / "macros", Path(__file__).resolve().parent.parent / "macros")
               if p.is_dir()), Path("macros"))
VBA_PROJECT_STUB = bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x00, 0x00])
UDF_MODULES = "crm_sheets.excel"  # xlwings.conf's "UDF Modules"
UDF_COMPONENT = "xlwings_udfs"


def quickstart(addin: bool = False) -> Path:
    """xlwings' own quickstart workbook of the installed version (standalone: the xlwings module inside)."""
    import xlwings

    return Path(xlwings.__file__).parent / ("quickstart.xlsm" if addin else "quickstart_standalone.xlsm")


def module_sources(folder: Path = MACROS) -> dict[str, str]:
    """Module name (the file's stem) -> its VBA text, as kept in git."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.bas"))}


def vba_project(folder: Path = MACROS, *, addin: bool = False) -> bytes:
    """vbaProject.bin for XlsxWriter's add_vba_project(..., is_stream=True)."""
    from pyopenvba import ExcelFile, cfb

    with tempfile.TemporaryDirectory() as tmp:
        base, built = Path(tmp) / "base.xlsm", Path(tmp) / "built.xlsm"
        shutil.copy(quickstart(addin), base)
        project = ExcelFile(base)
        for name, source in module_sources(folder).items():
            project.set_module(name, source)
        project.vba_project().add_module(UDF_COMPONENT, udf_wrappers())
        project.save(built)
        storage = cfb.CFB.from_bytes(ExcelFile(built).vba_project_bytes())
    storage.write_stream_at(["VBA"], "_VBA_PROJECT", VBA_PROJECT_STUB)
    return storage.to_bytes()


def udf_wrappers(modules: str = UDF_MODULES) -> str:
    """The xlwings_udfs module exactly as xlwings' "Import Functions" (xlwings.udfs.import_udfs) writes it.

    That code runs on Windows only: here its win32 imports are stand-ins, the UDF module is loaded afresh with
    xlwings' real decorators (elsewhere ``@xw.func`` does nothing), and the workbook it imports into is a
    recorder that keeps the module text.
    """
    with _windows_stand_ins():
        import xlwings

        udfs = importlib.import_module("xlwings.udfs")
        book = _ImportRecorder("crm-template.xlsm")  # any .xlsm name: wrappers name ThisWorkbook
        for name in modules.split(";"):
            udfs.udf_modules[name] = {"filename": "", "filetime": None, "module": _decorated(name, xlwings, udfs)}
        with contextlib.redirect_stdout(io.StringIO()):  # its "Imported functions from ..." line
            udfs.import_udfs(modules, book)
    return book.imported


def _decorated(name: str, xlwings: types.ModuleType, udfs: types.ModuleType) -> types.ModuleType:
    """A fresh copy of module ``name`` whose @xw.func functions carry xlwings' __xlfunc__ description."""
    with mock.patch.multiple(xlwings, func=udfs.xlfunc, sub=udfs.xlsub, arg=udfs.xlarg, ret=udfs.xlret):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError(name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def _module(name: str, **attributes: object) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attributes)
    return module


@contextlib.contextmanager
def _windows_stand_ins() -> Iterator[None]:
    """pythoncom, pywintypes and win32com.client as much as xlwings.udfs touches while writing the module; the
    xlwings.udfs imported against them is forgotten afterwards (module and package attribute alike)."""
    import xlwings

    pythoncom = _module("pythoncom", CoInitialize=lambda: None)
    pywintypes = _module("pywintypes", com_error=type("com_error", (Exception,), {}))
    client = _module("win32com.client", Dispatch=lambda *args, **kwargs: None)
    win32com = _module("win32com", client=client)
    stand_ins = {"pythoncom": pythoncom, "pywintypes": pywintypes, "win32com": win32com, "win32com.client": client}
    before = {name: sys.modules.get(name) for name in (*stand_ins, "xlwings.udfs")}
    sys.modules.update(stand_ins)
    sys.modules.pop("xlwings.udfs", None)
    try:
        with mock.patch.object(xlwings, "udfs", None, create=True):
            yield
    finally:
        for name, module in before.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


class _ImportRecorder:
    """The workbook import_udfs talks to: keeps the module file it imports, ignores the rest."""

    def __init__(self, name: str) -> None:
        self.Name = name
        self.imported = ""
        self.VBProject = SimpleNamespace(VBComponents=self)
        self.Application = SimpleNamespace(Version="16.0", MacroOptions=lambda *args, **kwargs: None)

    def __call__(self, component: str) -> str:
        return component

    def Remove(self, component: str) -> None:  # noqa: N802 - the COM method's name
        return None

    def Import(self, path: str) -> None:  # noqa: N802 - the COM method's name
        # import_udfs writes it with NamedTemporaryFile(mode="w"): in the locale's encoding
        self.imported = Path(path).read_text(encoding="locale")
