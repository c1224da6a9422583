"""What every command shares: the two consoles, --lang and --today (read once, here), and the one-line failure.

Exit codes: 0 done and clean, 1 done and problems found, 2 could not run (one clear line on stderr, the file
untouched).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console

from .. import errors
from ..api import Workbook
from ..i18n import language, t

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

T = TypeVar("T")


def _language(value: str) -> str:
    return language(value or None)


def asked_day(ctx: typer.Context, value: str | None) -> dt.datetime | None:
    """A YYYY-MM-DD option as a date (midnight), None when not given; one line and exit 2 when not a date."""
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        fail(errors.BadDate(value=value), ctx.params.get("lang") or language())


def _today(ctx: typer.Context, value: str | None) -> dt.datetime:
    return asked_day(ctx, value) or dt.datetime.now().replace(second=0, microsecond=0)


_TODAY_HELP = "把“今天”设为 YYYY-MM-DD（结果可复现）。 / Treat this date as today."
# Eager: read before the other options, so that a bad --today is told in the language asked for.
Lang = Annotated[str, typer.Option("--lang", callback=_language, is_eager=True, show_default=False,
                                   help="输出语言 zh/en。 / Output language.")]
# The text is read as a date by the callback (parser=str keeps typer from reading it first, in its own words);
# not given, it is None until the callback makes it the clock's minute.
Today = Annotated[dt.datetime, typer.Option("--today", parser=str, callback=_today, default_factory=lambda: None,
                                            show_default=False, metavar="YYYY-MM-DD", help=_TODAY_HELP)]
# The argument of most commands.
WorkbookPath = Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")]
# The background job tells a --today it was given from none: that day at the send time, or the clock.
AskedToday = Annotated[dt.datetime | None, typer.Option("--today", parser=str, callback=asked_day,
                                                        metavar="YYYY-MM-DD", help=_TODAY_HELP)]


def say(lines: Iterable[str]) -> None:
    for line in lines:
        out.print(line, markup=False)


def message(exc: BaseException, lang: str, file: str = "", unchanged: bool = False) -> str:
    if isinstance(exc, errors.CrmError):
        return exc.message(lang)
    key = "error.unexpected_unchanged" if unchanged else "error.unexpected"  # unchanged: found byte for byte
    return t(key, lang, file=file, detail=f"{type(exc).__name__}: {exc}"[:200])


def fail(exc: BaseException, lang: str, file: str = "", unchanged: bool = False) -> NoReturn:
    err.print(message(exc, lang, file, unchanged), markup=False)
    raise typer.Exit(2)


def progress(lang: str, status) -> Callable[[str], None]:
    return lambda key: status.update(t(key, lang))


def run(lang: str, target: Path | str, action: Callable[[Callable[[str], None]], T]) -> T:
    """Run an action with a progress line on stderr; a failure: one line, true about the file ``target``, exit 2."""
    before = errors.fingerprint(path := target if isinstance(target, Path) else None)
    try:
        with err.status(t("progress.read", lang)) as status:
            return action(progress(lang, status))
    except Exception as exc:  # noqa: BLE001
        told, unchanged = errors.as_found(exc, path, before)
        fail(told, lang, path.name if path else str(target), unchanged)


def on_workbook(lang: str, path: Path, today: dt.datetime | None, command: Callable[[Workbook], T]) -> T:
    """Run a method of the workbook at ``path`` the way ``run`` runs an action."""
    return run(lang, path, lambda progress: command(Workbook(path, today=today, lang=lang, progress=progress)))
