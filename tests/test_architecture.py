"""The import contract (ARCHITECTURE.md, issue 14): arrows point down only.

faces (cli, excel, job) -> app/ -> rules/ -> schema; the stores (workbook file, live Excel book) sit beside rules/
and never reach into it; the core never imports a face, app/, the workbook package, xlwings or mail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "crm_sheets"
FACES = {"crm_sheets.cli", "crm_sheets.excel", "crm_sheets.job"}  # cli: the package and its command modules
LONG_BY_NATURE = {"crm_sheets.schema", "crm_sheets.demo_data"}  # the declarative schema and the demo's data
MAX_LINES = 450


def modules() -> dict[str, set[str]]:
    """Module name -> the crm_sheets modules (and xlwings) it imports."""
    found = {}
    for source in PACKAGE.rglob("*.py"):
        parts = source.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        package = ".".join(parts[:-1])
        imported = set()
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
                imported |= {base} | {f"{base}.{a.name}" for a in node.names}
        found[name] = {m for m in imported if m.startswith(("crm_sheets", "xlwings"))}
    return found


MODULES = modules()


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(where: str, forbidden: tuple[str, ...]) -> list[tuple[str, str]]:
    return sorted((m, i) for m, imports in MODULES.items() if _under(m, where)
                  for i in imports if any(_under(i, f) for f in forbidden))


def test_the_schema_imports_nothing_of_ours() -> None:
    assert not [i for i in MODULES["crm_sheets.schema"] if i.startswith("crm_sheets")]


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("crm_sheets.rules", ("crm_sheets.app", "crm_sheets.stores", "crm_sheets.workbook", "crm_sheets.mail",
                          "crm_sheets.templates", "xlwings", *FACES)),
    ("crm_sheets.workbook", ("crm_sheets.rules", "crm_sheets.app", "crm_sheets.stores", "xlwings", *FACES)),
    ("crm_sheets.stores", ("crm_sheets.rules", "crm_sheets.app", *FACES)),
    ("crm_sheets.app", ("xlwings", *FACES)),
    ("crm_sheets.excel", ("crm_sheets.rules", "crm_sheets.workbook")),
    ("crm_sheets.job", ("crm_sheets.rules", "crm_sheets.workbook")),
    ("crm_sheets.cli", ("crm_sheets.rules",)),
])
def test_arrows_point_down_only(layer: str, forbidden: tuple[str, ...]) -> None:
    assert violations(layer, forbidden) == []


def test_the_contract_sees_imports() -> None:
    """The check itself can fail: the faces do import the application layer."""
    assert violations("crm_sheets.excel", ("crm_sheets.app",)) and violations("crm_sheets.cli", ("crm_sheets.app",))


def test_the_command_modules_do_not_import_the_cli_back() -> None:
    """The CLI package registers its command modules in one place; they share only cli/_common, so the package
    imports them and never the other way round (no circle, no reaching for another module's privates)."""
    commands = {m for m in MODULES if m.startswith("crm_sheets.cli.")} - {"crm_sheets.cli._common"}
    assert commands and commands <= MODULES["crm_sheets.cli"]
    back = sorted((m, i) for m in commands | {"crm_sheets.cli._common"} for i in MODULES[m]
                  if _under(i, "crm_sheets.cli") and not _under(i, "crm_sheets.cli._common"))
    assert back == []


def test_every_package_is_installed() -> None:
    """`pip install .` ships every subpackage (a missing one works from the checkout and fails once installed)."""
    import tomllib

    declared = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))
                   ["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(PACKAGE.parent).parts) for p in PACKAGE.rglob("__init__.py")}
    assert found <= declared


def test_no_module_is_a_dumping_ground() -> None:
    long = {m: n for m in MODULES if m not in LONG_BY_NATURE
            for n in [len(_source(m).read_text(encoding="utf-8").splitlines())] if n > MAX_LINES}
    assert long == {}


def _source(module: str) -> Path:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
