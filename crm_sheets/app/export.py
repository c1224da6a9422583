"""`crm-sheets export`: each person's own customers (their whole team's, for a manager) in a workbook of their own,
every phone masked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from .. import errors, schema
from ..filenames import file_names
from ..i18n import t
from ..mail import sent_reminders
from ..model.outputs import FrameOut
from ..model.tables import SheetTable
from ..reasons import explain
from ..rules.overlong import cut_cells
from ..rules.privacy import masked_phones
from ..rules.team import team_of
from .common import copy_rows, crm_workbook, refuse_existing
from .remind import remind_plan
from .store import Store


class ExportStore(Store, Protocol):
    def new_workbook(self, target: Path, data: dict[str, pd.DataFrame], outputs: Sequence[FrameOut],
                     *, buttons: bool = False) -> None:
        """A new workbook from the template holding ``data`` (sheet name -> rows under Chinese headers) and
        ``outputs``; with the 操作 sheet's buttons and their VBA if asked (an .xlsm)."""


@dataclass
class Written:
    """The workbooks a command wrote (person -> file) and the text it had to cut to fit Excel's cells."""

    files: dict[str, Path] = field(default_factory=dict)
    cut: list[tuple[Path, pd.DataFrame]] = field(default_factory=list)  # a file and its 校验结果 rows of cuts

    SHOWN = 3  # cut cells named on the line; the rest are on each file's 校验结果

    @property
    def cuts(self) -> pd.DataFrame:
        """The cells cut to fit, as each file's 校验结果 lists them, with the file."""
        frames = [rows.assign(file=file) for file, rows in self.cut]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*schema.CHECK_RESULTS.keys, "file"])

    def cut_line(self, lang: str) -> str | None:
        """The line saying which cells were cut, or None when none was."""
        where = [f"{file.name} {t('cut.cell', lang, sheet=s, row=r, column=c)}"
                 for file, rows in self.cut for s, r, c in zip(rows["sheet"], rows["row"], rows["column"])]
        if not where:
            return None
        shown = (", " if lang == "en" else "、").join(where[:self.SHOWN]) + ("…" if len(where) > self.SHOWN else "")
        return t("cut.line", lang, count=len(where), cells=shown)


def with_cuts(written: Written, target: Path, data: dict[str, pd.DataFrame], outputs: list[FrameOut], book,
              lang: str) -> list[FrameOut]:
    """``outputs`` plus a 校验结果 listing the text the new workbook at ``target`` shows cut (recorded on
    ``written``), when there is any."""
    sheets = [(schema.SHEETS_BY_NAME[name], frame) for name, frame in data.items() if name in schema.SHEETS_BY_NAME]
    cuts = cut_cells(sheets + [(o.sheet, o.frame) for o in outputs], book.path.name)
    if not len(cuts):
        return outputs
    rows = explain(cuts, lang, book.options)[schema.CHECK_RESULTS.keys]
    written.cut.append((target, rows))
    return [*outputs, FrameOut(schema.CHECK_RESULTS, rows)]


def run(store: ExportStore, *, owner: str | None, target: Path | None, today: dt.datetime,
        lang: str = "zh") -> Written:
    """Each person's workbook (``owner``'s alone, or everyone's); a failure half way says which were written."""
    written = Written()
    with errors.after_writing(lambda: "、".join(map(str, written.files.values()))):
        _export(store, owner, target, today, written, lang)
    return written


def _export(store: ExportStore, owner: str | None, target: Path | None, today: dt.datetime,
            written: Written, lang: str) -> None:
    store.progress("progress.read")
    book = crm_workbook(store)
    team = book.team.fillna("")
    names = [n for n in team["name"] if n]
    if owner is not None and owner not in names:
        raise errors.UnknownOwner(file=book.path.name, owner=owner, members="、".join(names))
    people = [owner] if owner is not None else names
    store.progress("progress.export")
    tasks, _mails = remind_plan(book, today, store.tool_frame(schema.TASKS),
                                reminded=sent_reminders(store.folder, pd.Timestamp(today).date()))
    file_name = file_names((f"{book.path.stem}-{p}" for p in people), ".xlsx")
    files = {p: _target(book.path, file_name[f"{book.path.stem}-{p}"], target, single=owner is not None) for p in people}
    refuse_existing(files.values())
    for person, file in files.items():
        members = team_of(team, person)
        customers = book.tables["customers"]
        mine = customers.text.index[customers.text["owner"].isin(members)]
        ids = set(customers.text.loc[mine, "customer_id"]) - {""}
        data = {customers.sheet.name: _rows(customers, mine),
                schema.TEAM.name: team[team["name"].isin(members)].rename(
                    columns={f.key: f.header for f in schema.TEAM.fields})}
        for key in ("followups", "orders", "tickets"):
            if key in book.tables:
                table = book.full[key]  # archived rows too: the export holds the customer's whole history
                data[table.sheet.name] = _rows(table, table.text.index[table.text["customer_id"].isin(ids)])
        own_tasks = tasks[tasks["owner"].isin(members)].assign(phone=lambda t: masked_phones(t["phone"]))
        store.new_workbook(file, data, with_cuts(written, file, data, [FrameOut(schema.TASKS, own_tasks)], book, lang))
        written.files[person] = file


def _rows(table: SheetTable, rows: pd.Index) -> pd.DataFrame:
    """Rows of a table for an export: every phone masked, in free text too."""
    return copy_rows(table, rows, full_phones=False, private=True)


def _target(workbook: Path, name: str, target: Path | None, *, single: bool) -> Path:
    if target is None:
        return workbook.parent / name
    if single and target.suffix.lower() == ".xlsx":
        return target
    target.mkdir(parents=True, exist_ok=True)
    return target / name
