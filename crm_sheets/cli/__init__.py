"""The ``crm-sheets`` command: a thin layer over app/ (parse the input, call one app function, show the result).

Each module holds a group of commands on its own ``commands``; they are registered here, in the order ``--help``
lists them.  Shared options and the one-line failure live in _common.
"""

from __future__ import annotations

import typer

from ..console import replace_unprintable
from . import files, jobs, rows, sheets

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="crm-sheets：把 Excel 工作簿变成团队的客户管理系统。 / Turn an Excel workbook into a team CRM.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
for group in (sheets, jobs, files, rows):
    app.add_typer(group.commands)


def main() -> None:
    replace_unprintable()
    app()
