"""`crm-sheets job setup`: write the entry that has the OS start the background job, and say how to register it.
It registers on cli.job_app beside `job run`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from . import errors
from . import scheduler_entry as entries
from .cli import LangOpt, _run, job_app, out
from .i18n import language, t


@job_app.command("setup")
def job_setup_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    system: Annotated[entries.System | None, typer.Option(
        "--for", help="为哪个系统写：windows、mac 或 linux，默认本机。 / Which OS the entry is for (default: this one).",
        show_default=False)] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="写到这个文件夹；默认本机系统的位置（为别的系统写时：当前文件夹）。 "
                      "/ Folder to write to (default: the OS's own place; for another OS: here).")] = None,
    lang: LangOpt = None,
) -> None:
    """让系统登录后自动运行后台任务：写好计划任务/启动项（本机路径已填好），并给出注册命令。 / Write the OS entry that starts the job."""
    lang = language(lang)
    system = system or entries.this_system()

    def write(progress) -> Path:
        if not path.is_file():
            raise errors.FileMissing(file=path)
        launch = entries.launch(path, system)
        if system is entries.this_system():  # launchd does not make the folder its logs go to
            Path(launch.logs).mkdir(parents=True, exist_ok=True)
        target = Path((out_dir or entries.usual_folder(system)).absolute()) / entries.file_name(system)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(entries.entry(launch, system))  # its own entry: written again when setup runs again
        return target

    target = _run(lang, path.name, write)
    out.print(t(f"job.setup.{system.value}", lang, path=target), markup=False)
    out.print(entries.register_command(system, target), markup=False, crop=False)
