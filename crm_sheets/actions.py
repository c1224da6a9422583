"""What each button / command does, end to end: read, run the core, write back.

The CLI, the Excel buttons and the background job call these functions, so
they all give the same answer.  Nothing here knows about terminals or Excel.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import errors, schema
from .mail import Ledger, Mail, SmtpSettings, deliver, manager_mail, owner_mail
from .rules.dedupe import Duplicates, find_duplicates
from .rules.ids import assign_ids
from .rules.importing import ImportPlan, plan_import
from .rules.lifecycle import ESCALATE, Thresholds, lifecycle, next_revisit
from .rules.merge import (
    STATUS_DONE,
    CellChanges,
    MergePlan,
    plan_merge,
    plan_undo,
)
from .rules.revisit import (
    ESCALATED,
    OVERDUE,
    TO_DO,
    actionable,
    cadence_tasks,
    next_rule_dates,
    revisit_tasks,
    task_sheet,
)
from .report import Block
from .rules.summary import feedback_by_month, monthly_summary, previous_month
from .rules.team import team_of
from .rules.validate import ValidationResult, validate
from .tables import SheetTable
from .templates import write_workbook
from .values import cell_value, mask_phone, neutralize, split_tags
from .workbook.cells import column_index
from .workbook.charts import summary_sheet
from .workbook.read import CUSTOMERS_ONLY, Book, read_book, read_tool_sheet
from .workbook.safety import exclusive, list_backups, replace_atomically
from .workbook.write import ToolSheet, frame_sheet, write_back, write_standalone

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


@dataclass
class ValidateOutcome:
    book: Book
    result: ValidationResult
    assigned: pd.DataFrame
    backup: Path | None


def keep_backups(book: Book) -> int:
    value = book.setting("备份保留份数")
    return int(value) if value.isdigit() and int(value) > 0 else 10


def _apply_ids(table: SheetTable, assigned: pd.DataFrame) -> None:
    """Let the rest of the run see the new ids as if staff had typed them."""
    for key in ("customer_id", "created_at"):
        if key in table.data.columns and key in assigned.columns:
            table.data.loc[assigned.index, key] = assigned[key]
            if key == "customer_id":
                table.text.loc[assigned.index, key] = assigned[key]
            else:
                table.text.loc[assigned.index, key] = assigned[key].dt.strftime("%Y-%m-%d %H:%M")


def _id_cells(table: SheetTable, assigned: pd.DataFrame) -> dict[int, dict[int, object]]:
    columns = {k: column_index(table.letters[k]) for k in ("customer_id", "created_at") if k in table.letters}
    cells: dict[int, dict[int, object]] = {}
    for key, col in columns.items():
        for row, value in assigned[key].items():
            cells.setdefault(int(row), {})[col] = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    return cells


def _crm_workbook(path: str | Path, sheets: tuple[schema.Sheet, ...] = schema.SHEETS) -> Book:
    """Read a CRM workbook; commands that write our sheets cannot work on a CSV or an export."""
    book = read_book(path, sheets=sheets)
    if book.kind != "xlsx":
        raise errors.NotAWorkbook(file=book.path.name)
    return book


def new_customer_ids(book: Book, today: dt.datetime) -> pd.DataFrame:
    """Ids for new customers of a CRM workbook (exports and CSVs are not ours to number)."""
    customers = book.tables["customers"]
    if book.kind != "xlsx" or "customer_id" not in customers.letters:
        return pd.DataFrame(columns=["customer_id", "created_at"])
    assigned = assign_ids(customers, today)
    _apply_ids(customers, assigned)
    return assigned


def check_book(book: Book, today: dt.datetime, lang: str) -> ValidationResult:
    """validate() with the workbook's own lists and team (a CSV has no team to check names against)."""
    return validate(
        book.tables,
        options=book.options,
        team=book.team_names if book.kind == "xlsx" else None,
        today=today,
        lang=lang,
    )


def run_validate(
    path: str | Path, *, today: dt.datetime, lang: str = "zh", progress: Progress = _quiet
) -> ValidateOutcome:
    """Check every data sheet; in a workbook also assign ids and write 校验结果 / 数据质量."""
    progress("progress.read")
    book = read_book(path)
    assigned = new_customer_ids(book, today)
    progress("progress.check")
    result = check_book(book, today, lang)
    backup = None
    if book.kind != "csv":
        progress("progress.write")
        backup = _write(book, [frame_sheet(schema.CHECK_RESULTS, result.problems),
                               frame_sheet(schema.DATA_QUALITY, result.quality)], assigned)
    return ValidateOutcome(book=book, result=result, assigned=assigned, backup=backup)


def _write(book: Book, tool_sheets: list, assigned: pd.DataFrame, changes: CellChanges | None = None) -> Path:
    """Write tool sheets, new ids and cell changes ({sheet: {row: {key: value}}}) in one atomic replace."""
    customers = book.tables["customers"]
    cells: dict[str, dict[int, dict[int, object]]] = {}
    if len(assigned):
        cells[customers.sheet.name] = _id_cells(customers, assigned)
    by_name = {t.sheet.name: t for t in book.tables.values()}
    for sheet, rows in (changes or {}).items():
        columns = {k: column_index(letter) for k, letter in by_name[sheet].letters.items()}
        target = cells.setdefault(sheet, {})
        for row, values in rows.items():
            target.setdefault(row, {}).update({columns[k]: cell_value(v) for k, v in values.items() if k in columns})
    return write_back(book.path, tool_sheets=tool_sheets, cells=cells, keep_backups=keep_backups(book)).backup


@dataclass
class DedupeOutcome:
    book: Book
    clusters: list[list[str]]
    sheet: pd.DataFrame
    backup: Path | None


DEDUPE_FIELDS = ("customer_id", "name", "contact", "phone", "email", "owner", "created_at")


def run_dedupe(path: str | Path, *, today: dt.datetime, progress: Progress = _quiet) -> DedupeOutcome:
    """Find duplicate customers; in a workbook write them to 疑似重复 for review."""
    progress("progress.read")
    book = read_book(path, required={"customer_id", "name"}, sheets=CUSTOMERS_ONLY)
    customers = book.tables["customers"]
    if not {"phone", "email"} & set(customers.letters):
        raise errors.MissingHeader(file=book.path.name, sheet=customers.sheet.name, header="联系电话/联系邮箱")
    assigned = new_customer_ids(book, today)
    progress("progress.dedupe")
    found = find_duplicates(customers.data)
    ids = customers.text["customer_id"] if "customer_id" in customers.text.columns else pd.Series(dtype=object)
    clusters = [c for c in found.id_clusters(ids) if len(set(c) - {""}) >= 2]
    sheet = duplicates_sheet(customers, found)
    backup = None
    if book.kind != "csv":
        progress("progress.write")
        backup = _write(book, [frame_sheet(schema.DUPLICATES, sheet)], assigned)
    return DedupeOutcome(book=book, clusters=clusters, sheet=sheet, backup=backup)


def sure_clusters(sheet: pd.DataFrame) -> int:
    """How many clusters on 疑似重复 are pre-confirmed (确认合并 = 是 on every row)."""
    if not len(sheet):
        return 0
    return int(sheet.groupby("cluster")["confirm"].apply(lambda c: (c == "是").all()).sum())


def duplicates_sheet(customers: SheetTable, found: Duplicates) -> pd.DataFrame:
    """疑似重复: the records of each cluster side by side, sure ones pre-confirmed."""
    rows = found.rows
    shown = customers.text.reindex(columns=list(DEDUPE_FIELDS), fill_value="").loc[rows.index]
    if "created_at" in customers.data.columns:
        shown["created_at"] = customers.data.loc[rows.index, "created_at"].astype(object)
    out = shown.assign(cluster=rows["cluster"], score=rows["score"], reason=rows["reason"],
                       confirm=rows["sure"].map({True: "是", False: ""}))
    return out.reset_index(drop=True)[[f.key for f in schema.DUPLICATES.fields]]


@dataclass
class MergeOutcome:
    book: Book
    merge_id: str
    survivors: dict[str, list[str]]
    backup: Path | None


def run_merge(path: str | Path, *, today: dt.datetime, undo: str | None = None,
              progress: Progress = _quiet) -> MergeOutcome:
    """Merge the clusters confirmed on 疑似重复 (or undo one merge by its id)."""
    progress("progress.read")
    book = _crm_workbook(path)
    log = read_tool_sheet(book.path, schema.MERGE_LOG)
    review = read_tool_sheet(book.path, schema.DUPLICATES)
    if undo is not None:
        if not ((log["merge_id"].astype(str) == undo) & (log["status"] == STATUS_DONE)).any():
            raise errors.UnknownMerge(file=book.path.name, merge_id=undo)
        changes, log = plan_undo(log, undo)
        backup = _write(book, [frame_sheet(schema.MERGE_LOG, log)], pd.DataFrame(), changes)
        return MergeOutcome(book=book, merge_id=undo, survivors={}, backup=backup)
    merge_id = new_merge_id(log, today)
    progress("progress.merge")
    plan, new_log, remaining = merge_plan(book, review, log, today, merge_id)
    backup = None
    if plan.survivors:
        progress("progress.write")
        backup = _write(book, [frame_sheet(schema.MERGE_LOG, new_log), frame_sheet(schema.DUPLICATES, remaining)],
                        pd.DataFrame(), plan.cells)
    return MergeOutcome(book=book, merge_id=merge_id if plan.survivors else "", survivors=plan.survivors,
                        backup=backup)


def merge_plan(book: Book, review: pd.DataFrame, log: pd.DataFrame, today: dt.datetime, merge_id: str
               ) -> tuple[MergePlan, pd.DataFrame, pd.DataFrame]:
    """The merge of the clusters confirmed on 疑似重复: the plan, the new 合并记录 and what stays on 疑似重复."""
    confirmed = review[review["confirm"].astype(str).str.strip() == "是"]
    clusters = [g["customer_id"].astype(str).tolist() for _, g in confirmed.groupby("cluster", sort=True)]
    clusters = [c for c in clusters if len(c) >= 2]
    # Only 客户信息's own problems decide which values may win; the other sheets need no checking here.
    result = validate({"customers": book.tables["customers"]}, options=book.options, team=book.team_names,
                      today=today, lang="zh")
    header_to_key = {f.header: f.key for f in schema.CUSTOMERS.fields}
    problems = result.problems[result.problems["sheet"] == schema.CUSTOMERS.name]
    invalid = {(int(r), header_to_key[c]) for r, c in zip(problems["row"], problems["column"])}
    plan = plan_merge(book.tables, clusters, invalid=invalid, now=today, merge_id=merge_id)
    merged_ids = {i for ids in plan.survivors.values() for i in ids} | set(plan.survivors)
    remaining = review[~review["customer_id"].astype(str).isin(merged_ids)]
    new_log = pd.concat([log, plan.log], ignore_index=True) if len(log) else plan.log
    return plan, new_log, remaining


def new_merge_id(log: pd.DataFrame, now: dt.datetime) -> str:
    """M + time, made unique against the ids already on 合并记录."""
    base = f"M{now:%Y%m%d%H%M%S}"
    taken = set(log["merge_id"].astype(str)) if len(log) else set()
    n = 1
    candidate = base
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@dataclass
class ImportOutcome:
    book: Book
    plan: ImportPlan
    backup: Path | None


def import_changes(book: Book, source: str | Path, log: pd.DataFrame, *, today: dt.datetime, merge: bool,
                   lang: str) -> tuple[ImportPlan, CellChanges, pd.DataFrame]:
    """What importing ``source`` does: the plan, the cells (new rows appended), and 合并记录 after it."""
    incoming = read_book(source).tables["customers"]
    checked = validate({"customers": incoming}, options=book.options, team=book.team_names, today=today, lang=lang)
    customers = book.tables["customers"]
    plan = plan_import(customers, incoming, checked, today=today, merge=merge, merge_id=new_merge_id(log, today),
                       lang=lang)
    changes: CellChanges = {customers.sheet.name: dict(plan.updates)}
    first = int(customers.text.index.max()) + 1 if len(customers.text) else 2
    keys = [k for k in customers.letters if k in plan.new_rows.columns]
    for offset, record in enumerate(plan.new_rows[keys].itertuples(index=False, name=None)):
        changes[customers.sheet.name][first + offset] = dict(zip(keys, record))
    new_log = pd.concat([log, plan.log], ignore_index=True) if len(log) else plan.log
    return plan, changes, new_log


def run_import(path: str | Path, source: str | Path, *, today: dt.datetime, merge: bool = False, lang: str = "zh",
               progress: Progress = _quiet) -> ImportOutcome:
    """Add the customers of ``source`` to the workbook: all of it in one write, or nothing."""
    progress("progress.read")
    book = _crm_workbook(path, CUSTOMERS_ONLY)
    progress("progress.check")
    log = read_tool_sheet(book.path, schema.MERGE_LOG)
    plan, changes, new_log = import_changes(book, source, log, today=today, merge=merge, lang=lang)
    tool_sheets = [frame_sheet(schema.IMPORT_ERRORS, plan.errors)]
    if len(plan.log):
        tool_sheets.append(frame_sheet(schema.MERGE_LOG, new_log))
    progress("progress.write")
    backup = _write(book, tool_sheets, pd.DataFrame(), changes)
    return ImportOutcome(book=book, plan=plan, backup=backup)


@dataclass
class TagOutcome:
    book: Book
    result: ValidationResult
    changed: dict[str, int]  # field key -> cells changed
    assigned: pd.DataFrame
    backup: Path | None


MAINTAINED = ("stage", "tier", "tags", "last_contact", "next_revisit")


def customer_profiles(book: Book, today: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lifecycle values per customer row and the revisit tasks they imply (tiers, stages, tags, rules).

    Worked out once per book and day: applying them (tag_changes) does not change them, so the
    job's remind and summary reuse what its tag run found.
    """
    key = ("profiles", pd.Timestamp(today))
    if key not in book.derived:
        life = lifecycle(book.tables, Thresholds.from_settings(book.number), today)
        tasks = revisit_tasks(book.tables, book.rules, _profile(book, life), today)
        life["next_revisit"] = next_revisit(life, book.tables["customers"].data["customer_id"],
                                            next_rule_dates(tasks))
        book.derived[key] = (life, tasks)
    life, tasks = book.derived[key]
    return life.copy(), tasks


def _profile(book: Book, life: pd.DataFrame) -> pd.DataFrame:
    data = book.tables["customers"].data
    frame = life.assign(customer_id=data["customer_id"], owner=data.get("owner", ""),
                        contract_end=data.get("contract_end", pd.NaT))
    frame["owner"] = frame["owner"].fillna("")
    frame = frame[frame["customer_id"] != ""].drop_duplicates("customer_id")
    return frame.set_index("customer_id")


def tag_changes(book: Book, today: dt.datetime) -> tuple[dict[int, dict[str, object]], dict[str, int]]:
    """The maintained cells of 客户信息 that change ({row: {key: value}}), applied to ``book`` as well."""
    life, _tasks = customer_profiles(book, today)
    customers = book.tables["customers"]
    changes: dict[int, dict[str, object]] = {}
    changed = dict.fromkeys(MAINTAINED, 0)
    for key in MAINTAINED:
        if key not in customers.letters:
            continue
        new, old = life[key], customers.data[key]
        differs = ~((new == old) | (new.isna() & old.isna()) | (new.astype(str) == old.astype(str)))
        if key == "tags":
            differs = new != customers.text[key]
        rows = new.index[differs]
        for row, value in zip(rows.tolist(), new[rows].tolist(), strict=True):
            changes.setdefault(row, {})[key] = value
        changed[key] = len(rows)
        # Later checks see what the sheet will hold.
        customers.data.loc[rows, key] = new[rows]
        if key in ("stage", "tier", "tags"):
            customers.text.loc[rows, key] = new[rows]
    return changes, changed


def run_tag(path: str | Path, *, today: dt.datetime, lang: str = "zh", progress: Progress = _quiet) -> TagOutcome:
    """Maintain 客户阶段, 价值层级, 客户标签, 最近跟进时间, 下次回访日期; re-check the data (tag hygiene)."""
    progress("progress.read")
    book = _crm_workbook(path)
    assigned = new_customer_ids(book, today)
    progress("progress.tag")
    changes, changed = tag_changes(book, today)
    customers = book.tables["customers"]
    progress("progress.check")
    result = check_book(book, today, lang)
    progress("progress.write")
    backup = _write(book, [frame_sheet(schema.CHECK_RESULTS, result.problems),
                           frame_sheet(schema.DATA_QUALITY, result.quality)], assigned,
                    {customers.sheet.name: changes})
    return TagOutcome(book=book, result=result, changed=changed, assigned=assigned, backup=backup)


@dataclass
class SummaryOutcome:
    book: Book
    month: pd.Period
    sheet_name: str
    blocks: list[Block]
    backup: Path | None


def summary_blocks(book: Book, month: pd.Period, today: dt.datetime, tasks_sheet: pd.DataFrame | None = None
                   ) -> list[Block]:
    """The month's summary tables (what the monthly job and `crm-sheets summary` write).

    ``tasks_sheet`` is 回访任务 as staff left it (read from the file when not given).
    """
    _life, tasks = customer_profiles(book, today)
    if tasks_sheet is None:
        tasks_sheet = read_tool_sheet(book.path, schema.TASKS) if book.kind == "xlsx" else pd.DataFrame()
    done_log = tasks_sheet
    done = set(done_log.loc[done_log["result"].astype(str) == "已完成", "task_id"].astype(str)) if len(done_log) else set()
    return monthly_summary(book.tables, month, limits=Thresholds.from_settings(book.number), tasks=tasks, done=done,
                           today=today)


def run_summary(path: str | Path, *, today: dt.datetime, month: pd.Period | None = None, export: Path | None = None,
                progress: Progress = _quiet, book: Book | None = None) -> SummaryOutcome:
    """Write 月度汇总-YYYY-MM (default: last month) and 反馈统计; optionally the summary alone to ``export``.

    ``book`` is the workbook as read already (the job hands it on from the day's tag run).
    """
    progress("progress.read")
    book = book or _crm_workbook(path)
    month = month or previous_month(today)
    progress("progress.summary")
    sheet, name, blocks = _summary_sheet(book, month, today)
    progress("progress.write")
    if export is not None:
        write_standalone(export, [sheet])
    backup = _write(book, [sheet, frame_sheet(schema.FEEDBACK, feedback_by_month(book.tables))], pd.DataFrame())
    return SummaryOutcome(book=book, month=month, sheet_name=name, blocks=blocks, backup=backup)


def _summary_sheet(book: Book, month: pd.Period, today: dt.datetime, tasks_sheet: pd.DataFrame | None = None
                   ) -> tuple[ToolSheet, str, list[Block]]:
    """The 月度汇总-YYYY-MM sheet of ``month``, its name and its blocks."""
    blocks = summary_blocks(book, month, today, tasks_sheet)
    name = f"{schema.MONTHLY_PREFIX}{month}"
    company = book.setting("公司名称")
    return summary_sheet(name, f"{company} {month} 月度汇总".strip(), blocks), name, blocks


@dataclass
class RemindOutcome:
    book: Book
    sheet: pd.DataFrame
    mails: list[Mail]
    new_mails: int
    delivery: dict[str, int]
    backup: Path | None
    write_error: errors.CrmError | None = None


def remind_plan(book: Book, today: dt.datetime, previous: pd.DataFrame | None = None, manager_note: str = ""
                ) -> tuple[pd.DataFrame, list[Mail]]:
    """回访任务 as of ``today`` and the day's e-mails (one per owner with work, one digest per manager).

    ``previous`` is 回访任务 as staff left it (read from the file when not given); ``manager_note`` is a line
    for the managers' digest (the job's word that the workbook could not be written).
    """
    life, tasks = customer_profiles(book, today)
    profile = _profile(book, life)
    customers = book.tables["customers"]
    by_id = customers.text.assign(phone=customers.data["phone"]).drop_duplicates("customer_id").set_index("customer_id")
    profile["name"] = by_id["name"].reindex(profile.index).fillna("")
    profile["phone"] = by_id["phone"].reindex(profile.index).fillna("")
    everything = pd.concat([tasks, cadence_tasks(profile, today)], ignore_index=True)
    if previous is None:
        previous = read_tool_sheet(book.path, schema.TASKS)
    escalated = set(profile.index[profile["tags"].map(lambda t: ESCALATE in split_tags(t))])
    sheet = task_sheet(everything, previous, profile, escalated, today)
    return sheet, compose_mails(book, sheet, profile, escalated, today, manager_note)


def _send(book: Book, mails: list[Mail], today: dt.datetime) -> tuple[int, dict[str, int]]:
    """Record the day's mails in the ledger (once each) and deliver what is due: (new mails, delivery counts)."""
    smtp = SmtpSettings.from_settings(book.setting)
    ledger = Ledger(book.path.parent)
    sender = smtp.sender if smtp else (book.setting("发件人邮箱") or "crm-sheets@localhost")
    new = ledger.add(mails, sender, today)
    return new, deliver(ledger, smtp, book.path.parent, today)


def task_counts(sheet: pd.DataFrame) -> dict[str, int]:
    """Tasks on 回访任务 still to act on: all of them, overdue, escalated (for the one-line report)."""
    status = sheet["status"].value_counts()
    return {"open": int(status.reindex([TO_DO, OVERDUE, ESCALATED]).fillna(0).sum()),
            "overdue": int(status.get(OVERDUE, 0)), "escalated": int(status.get(ESCALATED, 0))}


def compose_mails(book: Book, sheet: pd.DataFrame, profile: pd.DataFrame, escalated: set[str],
                  today: dt.datetime, manager_note: str = "") -> list[Mail]:
    team = book.team.fillna("")
    email = dict(zip(team["name"], team["email"]))
    full = book.setting("邮件显示完整号码").strip() == "是"
    day = pd.Timestamp(today).date()
    mails = []
    work = actionable(sheet)
    for owner, tasks in work.groupby("owner", sort=True):
        if email.get(owner):
            mails.append(owner_mail(owner, email[owner], tasks, day, full))
    month = pd.Timestamp(today).to_period("M")
    for manager in sorted(set(team.loc[team["manager"] != "", "manager"]) | set(team.loc[team["role"] == "经理", "name"])):
        if not email.get(manager):
            continue
        members = team_of(team, manager)  # the whole team below, as export gives it
        mine = profile[profile.index.isin(escalated) & profile["owner"].isin(members)]
        due = sheet[sheet["owner"].isin(members) & (sheet["due"] <= pd.Timestamp(today))
                    & (sheet["due"].dt.to_period("M") == month) & (sheet["status"] != "未到期")]
        mails.append(manager_mail(manager, email[manager], mine.reset_index(), int((due["status"] == "已完成").sum()),
                                  len(due), day, full, manager_note))
    return mails


def run_remind(path: str | Path, *, today: dt.datetime, dry_run: bool = False,
               progress: Progress = _quiet, book: Book | None = None) -> RemindOutcome:
    """Write 回访任务 and send each person's reminders for ``today`` (outbox/ when no SMTP is set).

    ``book`` is the workbook as read already (the job hands it on from the day's tag run).
    """
    progress("progress.read")
    book = book or _crm_workbook(path)
    progress("progress.remind")
    sheet, mails = remind_plan(book, today)
    if dry_run:
        return RemindOutcome(book=book, sheet=sheet, mails=mails, new_mails=0, delivery={}, backup=None)
    backup, write_error = None, None
    progress("progress.write")
    try:
        backup = _write(book, [frame_sheet(schema.TASKS, sheet)], pd.DataFrame())
    except (errors.OpenInExcel, errors.Busy) as exc:  # reminders still go out; the sheet waits for next time
        write_error = exc
    progress("progress.send")
    new, delivery = _send(book, mails, today)
    return RemindOutcome(book=book, sheet=sheet, mails=mails, new_mails=new, delivery=delivery, backup=backup,
                         write_error=write_error)


@dataclass
class DayOutcome:
    tag: TagOutcome
    remind: RemindOutcome
    summary: str  # the 月度汇总 sheet written, or ""


def run_day(path: str | Path, *, today: dt.datetime, month: pd.Period | None = None, send: bool = True,
            manager_note: str = "") -> DayOutcome:
    """The job's day in one read and one write: tag (with its check), 回访任务 and the reminders,
    and on the first run of a month the summary of ``month``.

    If Excel has the file open (or another writer holds it), nothing is written and ``remind.write_error`` says
    why; the reminders still go out (``send``: the day's mail is not out yet).
    """
    book = _crm_workbook(path)
    assigned = new_customer_ids(book, today)
    changes, changed = tag_changes(book, today)
    result = check_book(book, today, "zh")
    sheet, mails = remind_plan(book, today, manager_note=manager_note)
    tool_sheets = [frame_sheet(schema.CHECK_RESULTS, result.problems), frame_sheet(schema.DATA_QUALITY, result.quality),
                   frame_sheet(schema.TASKS, sheet)]
    name = ""
    if month is not None:
        summary, name, _blocks = _summary_sheet(book, month, today, tasks_sheet=sheet)
        tool_sheets += [summary, frame_sheet(schema.FEEDBACK, feedback_by_month(book.tables))]
    backup, write_error = None, None
    try:
        backup = _write(book, tool_sheets, assigned, {book.tables["customers"].sheet.name: changes})
    except (errors.OpenInExcel, errors.Busy) as exc:
        write_error = exc
    new, delivery = _send(book, mails if send else [], today)
    tag = TagOutcome(book=book, result=result, changed=changed, assigned=assigned, backup=backup)
    remind = RemindOutcome(book=book, sheet=sheet, mails=mails if send else [], new_mails=new, delivery=delivery,
                           backup=backup, write_error=write_error)
    return DayOutcome(tag=tag, remind=remind, summary=name if write_error is None else "")


MOBILE_IN_TEXT = r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)"


def _sheet_frame(table: SheetTable, rows: pd.Index) -> pd.DataFrame:
    """Rows of a table as the template writer takes them: Chinese headers, dates as dates, phones masked."""
    out = {}
    for f in table.sheet.fields:
        if f.key not in table.letters:
            continue
        if f.type in ("date", "datetime", "money", "number"):
            out[f.header] = table.data.loc[rows, f.key]
        elif f.type == "phone":
            out[f.header] = table.data.loc[rows, f.key].map(mask_phone)
        else:
            text = table.text.loc[rows, f.key].str.replace(MOBILE_IN_TEXT, r"\1****\2", regex=True)
            out[f.header] = text.map(neutralize)
    return pd.DataFrame(out)


def run_export(path: str | Path, *, owner: str | None, target: Path | None, today: dt.datetime,
               progress: Progress = _quiet) -> dict[str, Path]:
    """Write each person's own customers (their team's, for a manager) to a workbook of their own."""
    progress("progress.read")
    book = _crm_workbook(path)
    team = book.team.fillna("")
    names = [n for n in team["name"] if n]
    if owner is not None and owner not in names:
        raise errors.UnknownOwner(file=book.path.name, owner=owner, members="、".join(names))
    people = [owner] if owner is not None else names
    progress("progress.export")
    tasks, _mails = remind_plan(book, today)
    written = {}
    for person in people:
        file = _export_target(book.path, person, target, single=owner is not None)
        if file.exists():
            raise errors.TargetExists(file=file.name)
        members = team_of(team, person)
        customers = book.tables["customers"]
        mine = customers.text.index[customers.text["owner"].isin(members)]
        ids = set(customers.text.loc[mine, "customer_id"]) - {""}
        data = {customers.sheet.name: _sheet_frame(customers, mine),
                schema.TEAM.name: team[team["name"].isin(members)].rename(
                    columns={f.key: f.header for f in schema.TEAM.fields})}
        for key in ("followups", "orders", "tickets"):
            if key in book.tables:
                table = book.tables[key]
                data[table.sheet.name] = _sheet_frame(table, table.text.index[table.text["customer_id"].isin(ids)])
        own_tasks = tasks[tasks["owner"].isin(members)].assign(phone=lambda t: t["phone"].map(mask_phone))
        write_workbook(file, data=data, extra=[frame_sheet(schema.TASKS, own_tasks)])
        written[person] = file
    return written


def _export_target(workbook: Path, person: str, target: Path | None, *, single: bool) -> Path:
    name = f"{workbook.stem}-{person}.xlsx"
    if target is None:
        return workbook.parent / name
    if single and target.suffix.lower() == ".xlsx":
        return target
    target.mkdir(parents=True, exist_ok=True)
    return target / name


def run_restore(path: str | Path, *, pick: int = 1) -> tuple[Path, Path | None]:
    """Put backup number ``pick`` (1 = newest) back in place; the current file is backed up first.

    Works when the workbook is damaged or gone, which is when it is needed.
    """
    path = Path(path)
    backups = list_backups(path)
    if not backups:
        raise errors.NoBackups(file=path.name)
    if not 1 <= pick <= len(backups):
        raise errors.NoSuchBackup(file=path.name, pick=pick, count=len(backups))
    chosen = backups[pick - 1]
    data = chosen.read_bytes()
    with exclusive(path):
        if path.exists():
            # keep every existing backup: the rotation must not drop the one being restored
            return chosen, replace_atomically(path, lambda out: out.write(data), keep_backups=len(backups) + 1)
        tmp = path.with_name(f".~{path.stem}.restore.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        return chosen, None
