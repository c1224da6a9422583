"""`crm-sheets job`: run the background job (`job PATH`, `job run PATH`), or have the OS start it (`job setup`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from .. import errors
from .. import scheduler_entry as entries
from ..i18n import t
from ._common import AskedToday, Lang, out, run


class _RunByDefault(TyperGroup):
    """`crm-sheets job PATH …` is `crm-sheets job run PATH …`: a first word that names no subcommand goes to run."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


job_app = typer.Typer(
    cls=_RunByDefault,
    no_args_is_help=True,
    help="后台任务：crm-sheets job PATH 运行它，crm-sheets job setup PATH 让系统在登录后自动运行它。 "
         "/ Run the background job (job PATH), or have the OS start it at logon (job setup PATH).",
)
commands = typer.Typer()
commands.add_typer(job_app, name="job")


@job_app.command("run")
def job_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    once: Annotated[bool, typer.Option("--once", help="把现在该做的做一遍就退出（给计划任务用）。 / Do what is due now, then exit.")] = False,
    today: AskedToday = None,
    lang: Lang = "",
) -> None:
    """后台任务：每天定时打标签、发回访提醒，每月1日写月报。 / Run the job: check, tag and remind daily, summarise monthly."""
    from ..job import Job, file_log

    job = run(lang, path, lambda progress: Job(path, log=file_log(path.resolve().parent)))
    if today is not None:  # that day at the send time, so the day's work is due
        job.clock = lambda: dt.datetime.combine(today.date(), job.send_at)
    if once:
        done = run(lang, path, lambda progress: job.tick())
        out.print(t("job.once", lang, done="；".join(done) or t("job.nothing", lang)), markup=False)
        return
    out.print(t("job.started", lang, path=path, time=job.send_at.strftime("%H:%M"),
                log=path.resolve().parent / "crm-sheets-job.log"), markup=False)
    job.serve()


@job_app.command("setup")
def job_setup_cmd(
    path: Annotated[Path, typer.Argument(help="工作簿（.xlsx/.xlsm）。 / The workbook.")],
    system: Annotated[entries.System | None, typer.Option(
        "--for", help="为哪个系统写：windows、mac 或 linux，默认本机。 / Which OS the entry is for (default: this one).",
        show_default=False)] = None,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", help="写到这个文件夹；默认本机系统的位置（为别的系统写时：当前文件夹）。 "
                      "/ Folder to write to (default: the OS's own place; for another OS: here).")] = None,
    lang: Lang = "",
) -> None:
    """让系统登录后自动运行后台任务：写好计划任务/启动项（本机路径已填好），并给出注册命令。 / Write the OS entry that starts the job."""
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

    target = run(lang, path.name, write)
    out.print(t(f"job.setup.{system.value}", lang, path=target), markup=False)
    out.print(entries.register_command(system, target), markup=False, crop=False)
