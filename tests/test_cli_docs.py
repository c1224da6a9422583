"""Every command is documented in README, and --help works in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from crm_sheets.cli import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def command_names() -> list[str]:
    """Every command, a group's subcommands as "group sub" (`job setup`) beside the group itself."""
    names = []
    for command in typer.main.get_command(app).commands.values():
        names.append(command.name)
        names += [f"{command.name} {sub}" for sub in getattr(command, "commands", {})]
    return sorted(names)


def test_every_command_is_in_readme() -> None:
    names = command_names()
    assert {"new", "validate", "demo", "job setup"} <= set(names)
    missing = [n for n in names if f"crm-sheets {n}" not in README]
    assert not missing, f"undocumented commands: {missing}"


def test_readme_quick_start_has_exactly_the_two_commands() -> None:
    quick = README.split("## 快速开始")[1].split("\n## ")[0]
    blocks = [b.split("```", 1)[0].strip() for b in quick.split("```bash\n")[1:]]
    assert blocks == ['pip install . && crm-sheets demo', 'pip install ".[test]" && python -m pytest -q']
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci


def test_help_is_bilingual() -> None:
    for name in command_names():
        result = CliRunner().invoke(app, [*name.split(), "--help"])
        assert result.exit_code == 0
        text = result.output
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text), name
        assert re.search(r"/ [A-Z][a-z]+ [a-z]+", text), name  # "中文说明。 / English sentence."
