"""Inside Excel: the entry points of the workbook's buttons (RunPython) and its worksheet functions.

Excel is the storage here; this face never touches the file on disk.  A
button reads each sheet it needs with one bulk read, runs the same planning
functions as the CLI (actions.*), and writes each result with one bulk write:
a tool sheet in one go, a maintained column in one go.  So the number of
Excel calls does not grow with the number of rows.  Progress goes to the
status bar; any problem becomes one Chinese message box, never a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import xlwings as xw

from . import actions, errors, schema
from .i18n import language, t
from .mail import Ledger, SmtpSettings, deliver
from .rules.dedupe import find_duplicates
from .rules.lifecycle import Thresholds, spend_tiers
from .rules.names import company_keys
from .rules.summary import feedback_by_month, previous_month
from .report import block_rows, summary_grid
from .schema import Sheet
from .values import cell_text, cell_value, mask_phone, normalize_phone
from .workbook.cells import column_index
from .workbook.read import Book, book_from_sheets, tool_frame

TITLE = "crm-sheets"


class Live:
    """The caller's workbook: sheets read once each, results written in bulk."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self.sheets = {sheet.name: sheet for sheet in book.sheets}
        self._rows: dict[str, list[list]] = {}

    def rows(self, name: str) -> list[list]:
        if name not in self._rows:
            values = self.sheets[name].used_range.value
            self._rows[name] = _grid(values)
        return self._rows[name]

    def core(self) -> Book:
        return book_from_sheets(Path(self.book.fullname), list(self.sheets), self.rows)

    def status(self, key: str) -> None:
        self.book.app.status_bar = t(key, language())

    def tool_rows(self, sheet: Sheet) -> pd.DataFrame:
        """A tool sheet's rows as typed by staff (e.g. 确认合并), keyed by field key."""
        return tool_frame(sheet, self.rows(sheet.name) if sheet.name in self.sheets else [])

    def write_rows(self, name: str, rows: list[list]) -> None:
        """Replace a tool sheet's contents with one bulk write (the sheet is added if missing)."""
        if name not in self.sheets:
            self.sheets[name] = self.book.sheets.add(name, after=self.book.sheets[len(self.sheets) - 1])
        sheet = self.sheets[name]
        sheet.clear_contents()
        width = max((len(r) for r in rows), default=1)
        sheet.range("A1").value = [[cell_value(v) for v in r] + [None] * (width - len(r)) for r in rows]

    def write_frame(self, sheet: Sheet, frame: pd.DataFrame) -> None:
        body = frame.reindex(columns=[f.key for f in sheet.fields])
        self.write_rows(sheet.name, [sheet.headers, *map(list, body.itertuples(index=False))])

    def write_cells(self, sheet_name: str, letters: dict[str, str], changes: dict[int, dict[str, object]]) -> None:
        """Changed cells, one bulk write per column: the column as read, with the changes applied."""
        if not changes:
            return
        rows = self.rows(sheet_name)
        last = max(max(changes), len(rows))
        by_column: dict[int, dict[int, object]] = {}
        for row, values in changes.items():
            for key, value in values.items():
                if key in letters:
                    by_column.setdefault(column_index(letters[key]), {})[row] = value
        for col, updates in by_column.items():
            current = [rows[r - 1][col] if r - 1 < len(rows) and col < len(rows[r - 1]) else None
                       for r in range(2, last + 1)]
            for row, value in updates.items():
                current[row - 2] = cell_value(value)
            self.sheets[sheet_name].range((2, col + 1)).value = [[v] for v in current]


def _grid(values: object) -> list[list]:
    """used_range.value as a list of rows (xlwings gives a scalar or a flat list for one cell or row)."""
    if values is None:
        return []
    if not isinstance(values, list):
        return [[values]]
    if values and not isinstance(values[0], list):
        return [values]
    return [[("" if c is None else c) for c in row] for row in values]


def _now() -> dt.datetime:
    return dt.datetime.now().replace(second=0, microsecond=0)


def _button(work: Callable[[Live, dt.datetime], str]) -> None:
    book = xw.Book.caller()
    lang = language()
    try:
        live = Live(book)
        live.status("progress.read")
        message = work(live, _now())
        book.app.alert(message, title=TITLE)
    except errors.CrmError as exc:
        book.app.alert(exc.message(lang), title=TITLE)
    except Exception as exc:  # noqa: BLE001 - a button never shows a traceback
        book.app.alert(t("error.unexpected", lang, file=book.name, detail=f"{type(exc).__name__}: {exc}"[:200]),
                       title=TITLE)
    finally:
        book.app.status_bar = False


def _validate(live: Live, today: dt.datetime) -> str:
    book = live.core()
    assigned = actions.new_customer_ids(book, today)
    live.status("progress.check")
    result = actions.check_book(book, today, language())
    live.status("progress.write")
    live.write_frame(schema.CHECK_RESULTS, result.problems)
    live.write_frame(schema.DATA_QUALITY, result.quality)
    customers = book.tables["customers"]
    live.write_cells(customers.sheet.name, customers.letters, _ids(assigned))
    key = "validate.problems" if len(result.problems) else "validate.clean"
    return t(key, language(), file=live.book.name, count=len(result.problems))


def _ids(assigned: pd.DataFrame) -> dict[int, dict[str, object]]:
    """New customers' 客户编号 and 创建时间, as cell changes of 客户信息."""
    return {int(r): {"customer_id": assigned.at[r, "customer_id"], "created_at": assigned.at[r, "created_at"]}
            for r in assigned.index}


def _dedupe(live: Live, today: dt.datetime) -> str:
    book = live.core()
    assigned = actions.new_customer_ids(book, today)  # a group is shown by its ids: new rows get theirs first
    live.status("progress.dedupe")
    customers = book.tables["customers"]
    found = find_duplicates(customers.data)
    sheet = actions.duplicates_sheet(customers, found)
    live.write_frame(schema.DUPLICATES, sheet)
    live.write_cells(customers.sheet.name, customers.letters, _ids(assigned))
    clusters = len(found.clusters)
    return t("dedupe.found" if clusters else "dedupe.none", language(), file=live.book.name, clusters=clusters,
             rows=len(sheet), sure=actions.sure_clusters(sheet))


def _merge(live: Live, today: dt.datetime) -> str:
    book = live.core()
    live.status("progress.merge")
    log = live.tool_rows(schema.MERGE_LOG)
    merge_id = actions.new_merge_id(log, today)
    plan, new_log, remaining = actions.merge_plan(book, live.tool_rows(schema.DUPLICATES), log, today, merge_id)
    if not plan.survivors:
        return t("merge.none", language(), file=live.book.name)
    by_name = {table.sheet.name: table for table in book.tables.values()}
    for sheet_name, changes in plan.cells.items():
        live.write_cells(sheet_name, by_name[sheet_name].letters, changes)
    live.write_frame(schema.MERGE_LOG, new_log)
    live.write_frame(schema.DUPLICATES, remaining)
    return t("merge.done", language(), file=live.book.name, groups=len(plan.survivors),
             rows=sum(len(v) for v in plan.survivors.values()), merge_id=merge_id)


def _import(live: Live, today: dt.datetime) -> str:
    source = str(live.sheets["操作"].range("B14").value or "").strip() if "操作" in live.sheets else ""
    if not source:
        raise errors.NoImportFile(file=live.book.name)
    book = live.core()
    live.status("progress.check")
    plan, changes, new_log = actions.import_changes(book, source, live.tool_rows(schema.MERGE_LOG), today=today,
                                                    merge=False, lang=language())
    customers = book.tables["customers"]
    live.write_cells(customers.sheet.name, customers.letters, changes[customers.sheet.name])
    live.write_frame(schema.IMPORT_ERRORS, plan.errors)
    return t("import.done", language(), file=live.book.name, added=len(plan.new_rows), rejected=len(plan.errors),
             duplicates=plan.duplicates, updated=len(plan.updates))


def _tag(live: Live, today: dt.datetime) -> str:
    book = live.core()
    assigned = actions.new_customer_ids(book, today)
    live.status("progress.tag")
    changes, changed = actions.tag_changes(book, today)
    for row in assigned.index:
        changes.setdefault(int(row), {}).update(assigned.loc[row].to_dict())
    customers = book.tables["customers"]
    live.write_cells(customers.sheet.name, customers.letters, changes)
    result = actions.check_book(book, today, language())
    live.write_frame(schema.CHECK_RESULTS, result.problems)
    live.write_frame(schema.DATA_QUALITY, result.quality)
    return t("tag.done", language(), file=live.book.name, **changed)


def _remind(live: Live, today: dt.datetime, *, send: bool) -> str:
    book = live.core()
    live.status("progress.remind")
    sheet, mails = actions.remind_plan(book, today, previous=live.tool_rows(schema.TASKS))
    live.write_frame(schema.TASKS, sheet)
    sent = {"sent": 0, "failed": 0}
    if send:
        live.status("progress.send")
        folder = Path(live.book.fullname).parent
        smtp = SmtpSettings.from_settings(book.setting)
        ledger = Ledger(folder)
        ledger.add(mails, smtp.sender if smtp else "crm-sheets@localhost", today)
        sent = deliver(ledger, smtp, folder, today)
    return t("remind.done", language(), file=live.book.name, **actions.task_counts(sheet),
             mails=len(mails) if send else 0, sent=sent["sent"], failed=sent["failed"])


def _summary(live: Live, today: dt.datetime) -> str:
    book = live.core()
    live.status("progress.summary")
    month = previous_month(today)
    blocks = actions.summary_blocks(book, month, today, tasks_sheet=live.tool_rows(schema.TASKS))
    name = f"{schema.MONTHLY_PREFIX}{month}"
    live.write_rows(name, summary_grid(f"{book.setting('公司名称')} {month} 月度汇总".strip(), blocks))
    sheet = live.sheets[name]
    for row, block in zip(block_rows(blocks), blocks):  # a chart for every block, even an empty one: same calls
        rows, cols = len(block.table) + 1, max(len(block.table.columns), 1)
        kind = {"pie": "pie", "bar": "bar_clustered", "column": "column_clustered", "stacked": "column_stacked",
                "line": "line_markers"}[block.chart]
        source = sheet.range((row + 2, 1), (row + 1 + rows, cols))
        chart = sheet.charts.add(left=48.0 * (cols + 1), top=15.0 * row, width=400, height=225,
                                 chart_type=kind, source=source)
        chart.title = block.title
    live.write_frame(schema.FEEDBACK, feedback_by_month(book.tables))
    return t("summary.done", language(), file=live.book.name, sheet=name, blocks=len(blocks))


def validate() -> None:
    """校验"""
    _button(_validate)


def dedupe() -> None:
    """查重"""
    _button(_dedupe)


def merge() -> None:
    """合并"""
    _button(_merge)


def import_customers() -> None:
    """导入"""
    _button(_import)


def tag() -> None:
    """打标签"""
    _button(_tag)


def revisit_list() -> None:
    """生成回访清单"""
    _button(lambda live, today: _remind(live, today, send=False))


def send_reminders() -> None:
    """发送提醒"""
    _button(lambda live, today: _remind(live, today, send=True))


def summary() -> None:
    """生成月报"""
    _button(_summary)


# Excel hands a UDF what the cell holds: a float for any number (a phone typed as 13812345678 arrives as
# 13812345678.0), None for an empty cell, a datetime for a date; cell_text reads them as the sheet reader does.
@xw.func
def CRM_MASK_PHONE(phone: object) -> str:
    """138****5678：电话打码。"""
    return mask_phone(CRM_NORMALIZE_PHONE(phone))


@xw.func
def CRM_NORMALIZE_PHONE(phone: object) -> str:
    """标准化电话：13812345678 或 010-62345678；无效时为空。"""
    return normalize_phone(pd.Series([cell_text(phone)])).iloc[0]


@xw.func
def CRM_NORMALIZE_NAME(name: object) -> str:
    """查重用的公司名称键：去掉城市、括号、公司后缀、繁简和空格差异。"""
    keys = company_keys(pd.Series([cell_text(name)]))
    return keys["core"].iloc[0]


@xw.func
def CRM_TIER(amount: object, high_value: object = None, mid_value: object = None) -> str:
    """按近6个月消费金额给出价值层级；门槛用第2、3个参数引用“设置”的高价值门槛、中价值门槛（如 设置!B8, 设置!B9），省略时为 5万/1万。"""
    default = Thresholds()
    limits = replace(default, high_value=_number(high_value, default.high_value),
                     mid_value=_number(mid_value, default.mid_value))
    return str(spend_tiers(np.array([_number(amount, 0.0)]), limits)[0])


def _number(value: object, default: float) -> float:
    number = pd.to_numeric(pd.Series([cell_text(value).replace(",", "")]), errors="coerce").iloc[0]
    return default if pd.isna(number) else float(number)
