"""The import contract (docs/design.md "What may import what, and why"): arrows point down only.

faces (cli, excel, job) -> the library (api) -> app/ -> rules/ -> model/ -> schema; the stores (workbook file, live
Excel book) sit beside rules/ and never reach into it; the core never imports a face, app/, the workbook package,
xlwings or mail, nor the words for staff; app/ reads a file through the workbook package's face, never a module inside
it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "crm_sheets"
FACES = {"crm_sheets.cli", "crm_sheets.excel", "crm_sheets.job"}  # cli: the package and its command modules
ABOVE_APP = ("crm_sheets.api", *sorted(FACES))  # the library and the faces that call it
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


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _forbidden(imported: str, rule: str) -> bool:
    """``rule`` is a module (with everything under it), or ``package.*``: a module inside the package, not the
    package itself (nor a name its ``__init__`` offers)."""
    if rule.endswith(".*"):
        package = rule[:-2]
        inside = imported.removeprefix(package + ".").split(".")[0]
        return _under(imported, package) and imported != package and _is_module(f"{package}.{inside}")
    return _under(imported, rule)


def violations(where: str, forbidden: tuple[str, ...], modules: dict[str, set[str]] = MODULES
               ) -> list[tuple[str, str]]:
    return sorted((m, i) for m, imports in modules.items() if _under(m, where)
                  for i in imports if any(_forbidden(i, f) for f in forbidden))


def test_the_schema_imports_nothing_of_ours() -> None:
    assert not [i for i in MODULES["crm_sheets.schema"] if i.startswith("crm_sheets")]


# The words for staff: error lines, the CLI's sentences, the report's and 校验结果's words.
WORDS = ("crm_sheets.errors", "crm_sheets.i18n", "crm_sheets.labels", "crm_sheets.reasons")

# Each layer and what it may not import; docs/design.md's table says the same, with the reasons.
ARROWS: list[tuple[str, tuple[str, ...]]] = [
    ("crm_sheets.model", ("crm_sheets.rules", "crm_sheets.app", "crm_sheets.stores", "crm_sheets.workbook", "xlwings",
                          *WORDS, *ABOVE_APP)),
    ("crm_sheets.rules", ("crm_sheets.app", "crm_sheets.stores", "crm_sheets.workbook", "crm_sheets.mail",
                          "crm_sheets.templates", "xlwings", *WORDS, *ABOVE_APP)),
    ("crm_sheets.workbook", ("crm_sheets.rules", "crm_sheets.app", "crm_sheets.stores", "xlwings", *ABOVE_APP)),
    ("crm_sheets.stores", ("crm_sheets.rules", "crm_sheets.app", *ABOVE_APP)),
    ("crm_sheets.app", ("crm_sheets.workbook.*", "xlwings", *ABOVE_APP)),
    ("crm_sheets.api", ("crm_sheets.rules", "crm_sheets.workbook", "xlwings", *FACES)),
    ("crm_sheets.excel", ("crm_sheets.rules", "crm_sheets.workbook")),
    ("crm_sheets.job", ("crm_sheets.rules", "crm_sheets.workbook")),
    ("crm_sheets.cli", ("crm_sheets.rules",)),
]


@pytest.mark.parametrize(("layer", "forbidden"), ARROWS)
def test_arrows_point_down_only(layer: str, forbidden: tuple[str, ...]) -> None:
    assert violations(layer, forbidden) == []


def test_the_design_document_states_these_arrows() -> None:
    """docs/design.md's table of what each layer may not import is the list this test checks, row for row."""
    section = (ROOT / "docs" / "design.md").read_text(encoding="utf-8").split("## What may import what")[1] \
        .split("\n## ")[0]
    stated = {}
    for line in section.splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) == 3:
            stated[cells[0].strip("|` ")] = set(re.findall(r"`([\w.*]+)`", cells[1]))
    assert stated == {layer: set(forbidden) for layer, forbidden in ARROWS}


def test_the_contract_sees_imports() -> None:
    """The check itself can fail: the faces do import the application layer."""
    assert violations("crm_sheets.excel", ("crm_sheets.app",)) and violations("crm_sheets.cli", ("crm_sheets.app",))


def test_the_contract_sees_what_the_model_package_replaced() -> None:
    """Each new row can fail: the imports these modules had before the model package are caught (rules/ids raised
    errors.TooManyNewIds, Book took its kind from workbook/sniff, app/sync took column letters from workbook/cells),
    and app/ reading through the workbook package's face is not."""
    arrows = dict(ARROWS)
    before = {"crm_sheets.rules.ids": {"crm_sheets.errors", "crm_sheets.errors.TooManyNewIds"},
              "crm_sheets.model.book": {"crm_sheets.workbook.sniff", "crm_sheets.workbook.sniff.FileKind"},
              "crm_sheets.app.sync": {"crm_sheets.workbook", "crm_sheets.workbook.read_book",
                                      "crm_sheets.workbook.cells", "crm_sheets.workbook.cells.column_letters"}}
    found = [v for layer in ("crm_sheets.rules", "crm_sheets.model", "crm_sheets.app")
             for v in violations(layer, arrows[layer], before)]
    assert found == [("crm_sheets.rules.ids", "crm_sheets.errors"), ("crm_sheets.rules.ids", "crm_sheets.errors.TooManyNewIds"),
                     ("crm_sheets.model.book", "crm_sheets.workbook.sniff"),
                     ("crm_sheets.model.book", "crm_sheets.workbook.sniff.FileKind"),
                     ("crm_sheets.app.sync", "crm_sheets.workbook.cells"),
                     ("crm_sheets.app.sync", "crm_sheets.workbook.cells.column_letters")]
    assert outside("crm_sheets.model", MODEL_STANDS_ON, before) == [
        ("crm_sheets.model.book", "crm_sheets.workbook.sniff"), ("crm_sheets.model.book", "crm_sheets.workbook.sniff.FileKind")]


# What the model is made of: the schema, typed cell values, the typed 设置 a Book carries.
MODEL_STANDS_ON = ("crm_sheets.model", "crm_sheets.schema", "crm_sheets.values", "crm_sheets.settings")


def outside(where: str, allowed: tuple[str, ...], modules: dict[str, set[str]] = MODULES) -> list[tuple[str, str]]:
    return sorted((m, i) for m, imports in modules.items() if _under(m, where)
                  for i in imports if _under(i, "crm_sheets") and i != "crm_sheets"  # `from .. import schema`
                  and not any(_under(i, a) for a in allowed))


def test_the_model_stands_on_the_schema_alone() -> None:
    assert outside("crm_sheets.model", MODEL_STANDS_ON) == []


# The core's types, each declared once, in the model package: the file parser, the stores, rules/ and app/ all
# import them from there.
CORE_TYPES = {"Book": "crm_sheets.model.book", "SheetTable": "crm_sheets.model.tables",
              "Archived": "crm_sheets.model.tables", "FrameOut": "crm_sheets.model.outputs",
              "SummaryOut": "crm_sheets.model.outputs", "Output": "crm_sheets.model.outputs",
              "Changes": "crm_sheets.model.outputs", "Block": "crm_sheets.model.layout",
              "Refusal": "crm_sheets.model.problems"}


def test_the_core_types_are_declared_in_the_model_alone() -> None:
    declared: dict[str, set[str]] = {}
    for module in MODULES:
        for node in ast.parse(_source(module).read_text(encoding="utf-8")).body:
            names = ([node.name] if isinstance(node, ast.ClassDef)
                     else [t.id for t in node.targets if isinstance(t, ast.Name)] if isinstance(node, ast.Assign)
                     else [])
            for name in set(names) & CORE_TYPES.keys():
                declared.setdefault(name, set()).add(module)
    assert declared == {name: {module} for name, module in CORE_TYPES.items()}


def test_the_file_parser_rules_and_app_read_into_the_model() -> None:
    """The file parser fills the model's Book with the model's SheetTables; rules/ take and app/ pass them on."""
    assert {"crm_sheets.model.book.Book", "crm_sheets.model.tables.SheetTable"} <= MODULES["crm_sheets.workbook.read"]
    assert "crm_sheets.model.tables.SheetTable" in MODULES["crm_sheets.rules.validate"]
    assert "crm_sheets.model.book.Book" in MODULES["crm_sheets.app.common"]


def test_app_reads_files_through_the_workbook_face_alone() -> None:
    """What app/ takes from the workbook package is what the package offers in ``__all__``: a small public face."""
    import crm_sheets.workbook

    taken = {i.removeprefix("crm_sheets.workbook.") for m, imports in MODULES.items() if _under(m, "crm_sheets.app")
             for i in imports if _under(i, "crm_sheets.workbook") and i != "crm_sheets.workbook"}
    assert taken and taken <= set(crm_sheets.workbook.__all__)


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


# A document cited by path or name (docs/fields.md, README.md), and the product spec the repository never held.
CITED_MD = re.compile(r"[\w./-]*\w\.md\b")
CITED_SPEC = re.compile(r"\bSPEC\b")
WEB = re.compile(r"https?://|\w\.(?:com|org|io|net)/")


def missing_citations(files: list[Path]) -> list[str]:
    """``file:line: what`` for each document cited in ``files`` that the repository does not hold.

    A path resolves from the repository root or the citing file's folder, a bare name (``"docs" / "fields.md"``
    in code) is any document of that name here; a name after a web address is not the repository's to hold.
    """
    held = [d.relative_to(ROOT).as_posix() for d in ROOT.rglob("*.md")]
    held = [h for h in held if not any(part.startswith(".") for part in h.split("/"))]  # a cache's README is not ours
    found = []
    for source in files:
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
            cited = [m.group() for m in CITED_MD.finditer(line) if not WEB.search(line[:m.start()])]
            absent = [c for c in cited if not (source.parent / c).is_file()
                      and not any(h == c or ("/" not in c and h.endswith("/" + c)) for h in held)]
            absent += [m.group() for m in CITED_SPEC.finditer(line)]
            found += [f"{source}:{number}: {c}" for c in absent]
    return found


def test_no_file_cites_a_document_the_repository_does_not_hold() -> None:
    files = [p for folder in ("crm_sheets", "tests", "benchmarks", "docs") for p in (ROOT / folder).rglob("*")
             if p.suffix in (".py", ".md") and p.is_file()]
    assert missing_citations([*files, ROOT / "README.md"]) == []


def test_the_citation_check_sees_a_missing_document(tmp_path: Path) -> None:
    """It can fail: a comment naming a document that is not here, or a section of the product spec, is caught;
    documents the repository holds and web addresses pass.  (Escapes keep this file's own text clean.)"""
    cites = tmp_path / "cites.py"
    cites.write_text('"""See README.md and docs/fields.md."""\n'
                     "# ARCHITECTURE\x2emd, issue 14\n"
                     "# (\x53PEC §6) never lose data\n"
                     "# github.com/MicrosoftDocs/win32, desktop-src/TaskSchd/task-scheduler-schema.md\n", encoding="utf-8")
    assert missing_citations([cites]) == [f"{cites}:2: ARCHITECTURE\x2emd", f"{cites}:3: \x53PEC"]
