"""The status panel on 操作: when each command last ran and from where, and what waits for staff (problems by
kind, duplicate groups to decide, follow-ups due today and overdue, reminder mails sent today), each row leading
to its sheet.

Built here once from the command's outputs and the ledgers beside the workbook; every store writes it in the
same write as the command's sheets (no second backup, no second pass over the file).  The counts of a sheet the
command does not write are those it had when last written, kept in the run ledger's file: reading a 校验结果 of
100,000 rows again for every command would cost more than the panel is worth.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema
from ..mail import LEDGER, Ledger
from ..model.book import Book
from ..model.links import reference
from ..model.outputs import PANEL_ROWS, PANEL_SHEET, PANEL_WIDTH, Changes, FrameOut, Output, PanelOut
from ..rules.tasks import ESCALATED, OVERDUE, TO_DO, UPCOMING
from ..stores.status import StatusLedger
from ..values import is_blank
from .store import Store

# Where a run came from, as the panel says it.
CLI, BUTTON, JOB, SCRIPT = "命令行", "按钮", "后台任务", "脚本"
# The commands that write the workbook, in the order of the buttons.
COMMANDS = {"validate": "校验", "dedupe": "查重", "merge": "合并", "import": "导入", "tag": "打标签",
            "remind": "回访清单 / 提醒", "summary": "生成月报", "collect": "汇总", "archive": "归档",
            "day": "每日任务（后台）"}
KINDS_SHOWN = 6  # problem kinds with a row of their own; the rest are summed in the last one
OPEN_TASKS = (OVERDUE, ESCALATED, TO_DO, UPCOMING)
UNKNOWN = "—"  # a sheet no run has written since the panel came: its count is not known yet
WHEN = "%Y-%m-%d %H:%M"


def user() -> str:
    """Who runs the command, as the computer knows them ("" when it cannot tell)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return ""


@dataclass(frozen=True)
class Run:
    command: str  # a key of COMMANDS
    face: str
    at: dt.datetime
    who: str = field(default_factory=user)


def sheet_counts(outputs: Sequence[Output]) -> dict[str, object]:
    """What the panel counts on each tool sheet among ``outputs``: 校验结果's problems by kind ([label, n], most
    first), 疑似重复's groups without a decision, 回访任务's open tasks by due day."""
    counts: dict[str, object] = {}
    for output in outputs:
        if not isinstance(output, FrameOut):
            continue
        frame, key = output.frame, output.sheet.key
        if key == schema.CHECK_RESULTS.key and {"code", "problem"} <= set(frame.columns):
            kinds = frame.groupby(frame["code"].astype(str), sort=False)["problem"].agg(["first", "size"])
            counts[output.sheet.name] = [[str(label), int(n)] for label, n in
                                         kinds.sort_values("size", ascending=False, kind="stable").to_numpy()]
        elif key == schema.DUPLICATES.key and {"cluster", "confirm"} <= set(frame.columns):
            counts[output.sheet.name] = int(frame.loc[frame["confirm"].map(is_blank), "cluster"].nunique())
        elif key == schema.TASKS.key and {"status", "due"} <= set(frame.columns):
            due = pd.to_datetime(frame.loc[frame["status"].isin(OPEN_TASKS), "due"], errors="coerce")
            # counted by day first: a few hundred days to write as text, not 100,000 tasks
            counts[output.sheet.name] = {f"{d:%Y-%m-%d}": int(n) for d, n in due.dt.normalize().value_counts().items()}
    return counts


def status_panel(run: Run, runs: dict[str, tuple[str, str, str, str]], counts: dict[str, Any], sheets: set[str],
                 mails: int) -> PanelOut:
    """The panel's rows (PANEL_ROWS of them): ``runs`` the last run of each command (this one among them),
    ``counts`` sheet_counts of each tool sheet, ``sheets`` the workbook's sheets (a row leads only to one there),
    ``mails`` the reminders sent today."""
    rows: list[list[str | int]] = []
    targets: list[str | None] = []

    def add(cells: list[str | int], sheet: str | None = None) -> None:
        rows.append([*cells, *[""] * (PANEL_WIDTH - len(cells))])
        targets.append(reference(sheet, "A", 1) if sheet in sheets else None)

    add(["运行状态", "", f"更新于 {run.at:{WHEN}}（{run.face} · {run.who}）"])
    add(["最近一次运行", "时间", "由谁（从哪里）"])
    for command, caption in COMMANDS.items():
        if command in runs:
            at, face, who, sheet = runs[command]
            add([caption, at, f"{who}（{face}）"], sheet)
        else:
            add([caption, "未运行过"])
    add([])
    add(["待处理", "数量"])
    problems, checks = counts.get(schema.CHECK_RESULTS.name), schema.CHECK_RESULTS.name
    add(["校验问题（合计）", UNKNOWN if problems is None else sum(n for _, n in problems)], checks)
    kinds = list(problems or [])
    if len(kinds) > KINDS_SHOWN:
        kinds = [*kinds[:KINDS_SHOWN - 1], ["其他问题", sum(n for _, n in kinds[KINDS_SHOWN - 1:])]]
    for label, n in kinds:
        add(["  " + label, n], checks)
    groups = counts.get(schema.DUPLICATES.name, 0 if schema.DUPLICATES.name not in sheets else UNKNOWN)
    add(["疑似重复待确认（组）", groups, "确认合并 还空着"], schema.DUPLICATES.name)
    tasks = counts.get(schema.TASKS.name)
    today = run.at.date().isoformat()
    add(["今天到期的回访", UNKNOWN if tasks is None else tasks.get(today, 0)], schema.TASKS.name)
    add(["已逾期的回访", UNKNOWN if tasks is None else sum(n for d, n in tasks.items() if d < today)],
        schema.TASKS.name)
    add(["今天已发提醒邮件", mails])
    while len(rows) < PANEL_ROWS:
        add([])
    return PanelOut(rows[:PANEL_ROWS], targets[:PANEL_ROWS])


def mails_sent(folder: Path, day: dt.date) -> int:
    """Reminder mails the ledger beside the workbook delivered on ``day`` (none is made where there is none)."""
    try:
        return Ledger(folder).sent_on(day) if (folder / LEDGER).exists() else 0
    except sqlite3.Error:  # the panel only reports: a damaged mail ledger is remind's to tell
        return 0


class Paneled:
    """A store whose writes also write the status panel (where the workbook has 操作) and record the run."""

    def __init__(self, store: Store, run: Run) -> None:
        self.store = store
        self.run = run

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def write(self, book: Book, outputs: Sequence[Output], changes: Changes, **options: Any) -> Any:
        run, ledger = self.run, StatusLedger(Path(self.store.folder), self.store.name)
        written = sheet_counts(outputs)
        names = [o.sheet.name if isinstance(o, FrameOut) else o.name for o in outputs]
        this = (f"{run.at:{WHEN}}", run.face, run.who, names[0] if names else "")
        if PANEL_SHEET in book.sheet_names:
            counts = {**ledger.counts(), **written}
            options["panel"] = status_panel(run, {**ledger.runs(), run.command: this}, counts,
                                            {*book.sheet_names, *names}, mails_sent(Path(self.store.folder),
                                                                                    run.at.date()))
        result = self.store.write(book, outputs, changes, **options)
        ledger.record(run.command, this, written)
        return result
