"""`crm-sheets excel-setup`: have Excel's buttons on this PC run the Python crm-sheets is installed in."""

from __future__ import annotations

import platform

from . import errors, excel_setup
from .cli import LangOpt, _fail, app, out
from .i18n import language, t


@app.command("excel-setup")
def excel_setup_cmd(lang: LangOpt = None) -> None:
    """让这台电脑上 Excel 的按钮用装了 crm-sheets 的 Python 运行（写入用户自己的 xlwings.conf）。 / Make Excel's
    buttons on this PC run the Python crm-sheets is installed in."""
    lang = language(lang)
    try:
        if (config := excel_setup.user_config()) is None:
            raise errors.NoExcelHere(system=platform.system())
        lines = excel_setup_lines(lang, config)
    except Exception as exc:  # noqa: BLE001 - every failure becomes one line and exit 2
        _fail(exc, lang, "xlwings.conf")
    out.print("\n".join(lines), markup=False)


def excel_setup_lines(lang: str, config: excel_setup.UserConfig) -> list[str]:
    done = excel_setup.setup(config)
    lines = [t("excel_setup.done" if done.changed else "excel_setup.same", lang, python=done.interpreter,
               conf=done.config.path)]
    if done.applescript is not None:
        lines.append(t("excel_setup.applescript", lang, path=done.applescript))
    return lines
