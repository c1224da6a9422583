"""Inside Excel: the entry points of the workbook's buttons (RunPython) and its worksheet functions.

Excel is the storage here; this face never touches the file on disk.  Each button builds the library's Workbook
(api.py) over an ExcelStore of the calling book and calls the same method as the CLI and the job, then shows the
result as one Chinese message; progress goes to the status bar; any problem becomes one message box, never a
traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import xlwings as xw

from . import errors
from .api import Workbook
from .app import functions
from .app.sync import copies_folder
from .i18n import language, t
from .stores.excel import ExcelStore

TITLE = "crm-sheets"
OPERATIONS, IMPORT_CELL, IMPORT_OWNER_CELL, SYNC_CELL = "操作", "B14", "B15", "B17"


def _now() -> dt.datetime:
    return dt.datetime.now().replace(second=0, microsecond=0)


Work = Callable[[Workbook, ExcelStore], list[str]]


def _button(work: Work) -> Callable[[str], None]:
    """A button's entry point: run ``work`` on the calling book and show what it says as one message.

    The entry point's ``vba_xlwings`` is the workbook's xlwings module version (its VBA passes XLWINGS_VERSION
    along), checked against the installed package before anything else."""

    def press(vba_xlwings: str = "") -> None:
        book = xw.Book.caller()
        lang = language()
        try:
            if vba_xlwings and vba_xlwings != xw.__version__:
                raise errors.XlwingsMismatch(file=book.name, workbook=vba_xlwings, installed=xw.__version__)
            store = ExcelStore(book)
            book.app.alert("\n".join(work(Workbook.over(store, today=_now(), lang=lang), store)), title=TITLE)
        except errors.CrmError as exc:
            book.app.alert(exc.message(lang), title=TITLE)
        except Exception as exc:  # noqa: BLE001 - a button never shows a traceback
            book.app.alert(t("error.unexpected", lang, file=book.name, detail=f"{type(exc).__name__}: {exc}"[:200]),
                           title=TITLE)
        finally:
            book.app.status_bar = False

    return press


def _typed(store: ExcelStore, cell: str) -> str:
    """What is typed in a cell of the 操作 sheet ("" without the sheet)."""
    operations = store.sheets.get(OPERATIONS)
    return str(operations.range(cell).value or "").strip() if operations is not None else ""


def _import(book: Workbook, store: ExcelStore) -> list[str]:
    source = _typed(store, IMPORT_CELL)
    if not source:
        raise errors.NoImportFile(file=store.name)
    return book.import_customers(source, owner=_typed(store, IMPORT_OWNER_CELL) or None).lines(book.lang)


def _sync_folder(store: ExcelStore) -> Path:
    """The folder in 操作!B17, or the one beside the workbook."""
    typed = _typed(store, SYNC_CELL)
    return Path(typed) if typed else copies_folder(store.folder / store.name)


def _distribute(book: Workbook, store: ExcelStore) -> list[str]:
    written = book.distribute(_sync_folder(store))
    done = t("distribute.done", book.lang, file=store.name, count=len(written.files), folder=_sync_folder(store))
    return list(filter(None, [done, written.cut_line(book.lang)]))


def _remind(book: Workbook, send: bool) -> list[str]:
    lines = book.remind(send=send).lines(book.lang, dry_run=False)
    return lines if send else lines[:1]  # without sending, notes on mail would not be true


# The buttons, as the workbook's VBA calls them (RunPython "crm_sheets.excel.validate(...)").
validate = _button(lambda book, _store: book.validate().lines(book.lang))  # 校验
dedupe = _button(lambda book, _store: book.dedupe().lines(book.lang))  # 查重
merge = _button(lambda book, _store: book.merge().lines(book.lang))  # 合并
import_customers = _button(_import)  # 导入
distribute = _button(_distribute)  # 分发
collect = _button(lambda book, store: book.collect([_sync_folder(store)]).report(store.name, book.lang))  # 汇总
tag = _button(lambda book, _store: book.tag().lines(book.lang))  # 打标签
revisit_list = _button(lambda book, _store: _remind(book, send=False))  # 生成回访清单
send_reminders = _button(lambda book, _store: _remind(book, send=True))  # 发送提醒
test_chat = _button(lambda book, _store: [line for _took, line in book.test_chat()])  # 测试群消息
summary = _button(lambda book, _store: book.summary().lines(book.lang))  # 生成月报


@xw.func
def CRM_MASK_PHONE(phone: object) -> str:  # noqa: N802 - the name a worksheet formula calls
    """138****5678：电话打码。"""
    return functions.masked_phone(phone)


@xw.func
def CRM_NORMALIZE_PHONE(phone: object) -> str:  # noqa: N802 - the name a worksheet formula calls
    """标准化电话：13812345678 或 010-62345678；无效时为空。"""
    return functions.normalized_phone(phone)


@xw.func
def CRM_NORMALIZE_NAME(name: object) -> str:  # noqa: N802 - the name a worksheet formula calls
    """查重用的公司名称键：去掉城市、括号、公司后缀、繁简和空格差异。"""
    return functions.name_key(name)


@xw.func
def CRM_TIER(amount: object, high_value: object = None, mid_value: object = None) -> str:  # noqa: N802
    """按近6个月消费金额给出价值层级；门槛用第2、3个参数引用“设置”的高价值门槛、中价值门槛（如 设置!B8, 设置!B9），省略时为 5万/1万。"""
    return functions.tier(amount, high_value, mid_value)
