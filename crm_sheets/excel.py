"""Inside Excel: the entry points of the workbook's buttons (RunPython) and its worksheet functions.

Excel is the storage here; this face never touches the file on disk.  Each button builds an ExcelStore over the
calling book and calls the same application function as the CLI and the job (app/), then shows the result as one
Chinese message; progress goes to the status bar; any problem becomes one message box, never a traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import xlwings as xw

from . import errors
from .app import dedupe as dedupe_app
from .app import functions, importing, remind
from .app import merge as merge_app
from .app import summary as summary_app
from .app import sync as sync_app
from .app import tag as tag_app
from .app import validate as validate_app
from .i18n import language, t
from .stores.excel import ExcelStore

TITLE = "crm-sheets"
OPERATIONS, IMPORT_CELL, IMPORT_OWNER_CELL, SYNC_CELL = "操作", "B14", "B15", "B17"


def _now() -> dt.datetime:
    return dt.datetime.now().replace(second=0, microsecond=0)


def _button(work: Callable[[ExcelStore, dt.datetime, str], str], vba_xlwings: str) -> None:
    """Run ``work`` on the calling book; ``vba_xlwings`` is the workbook's xlwings module version (its VBA
    passes XLWINGS_VERSION along), checked against the installed package before anything else."""
    book = xw.Book.caller()
    lang = language()
    try:
        if vba_xlwings and vba_xlwings != xw.__version__:
            raise errors.XlwingsMismatch(file=book.name, workbook=vba_xlwings, installed=xw.__version__)
        store = ExcelStore(book)
        message = work(store, _now(), lang)
        book.app.alert(message, title=TITLE)
    except errors.CrmError as exc:
        book.app.alert(exc.message(lang), title=TITLE)
    except Exception as exc:  # noqa: BLE001 - a button never shows a traceback
        book.app.alert(t("error.unexpected", lang, file=book.name, detail=f"{type(exc).__name__}: {exc}"[:200]),
                       title=TITLE)
    finally:
        book.app.status_bar = False


def _validate(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    return "\n".join(validate_app.run(store, today=today, lang=lang).lines(lang))


def _dedupe(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    return "\n".join(dedupe_app.run(store, today=today).lines(lang))


def _merge(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    return "\n".join(merge_app.run(store, today=today).lines(lang))


def _import(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    operations = store.sheets.get(OPERATIONS)
    source, owner = (str(operations.range(cell).value or "").strip() if operations is not None else ""
                     for cell in (IMPORT_CELL, IMPORT_OWNER_CELL))
    if not source:
        raise errors.NoImportFile(file=store.name)
    return "\n".join(importing.run(store, source, today=today, owner=owner or None, lang=lang).lines(lang))


def _sync_folder(store: ExcelStore) -> Path:
    """The folder in 操作!B17, or the one beside the workbook."""
    operations = store.sheets.get(OPERATIONS)
    typed = str(operations.range(SYNC_CELL).value or "").strip() if operations is not None else ""
    return Path(typed) if typed else sync_app.copies_folder(store.folder / store.name)


def _distribute(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    written = sync_app.distribute(store, out=_sync_folder(store), today=today, lang=lang)
    done = t("distribute.done", lang, file=store.name, count=len(written.files), folder=_sync_folder(store))
    return "\n".join(filter(None, [done, written.cut_line(lang)]))


def _collect(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    return "\n".join(sync_app.collect(store, [_sync_folder(store)], today=today).report(store.name, lang))


def _tag(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    return "\n".join(tag_app.run(store, today=today, lang=lang).lines(lang))


def _remind(store: ExcelStore, today: dt.datetime, lang: str, *, send: bool) -> str:
    lines = remind.run(store, today=today, send=send).lines(lang, dry_run=False)
    return "\n".join(lines if send else lines[:1])  # without sending, notes on mail would not be true


def _test_chat(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    return "\n".join(line for _took, line in remind.test_chat(store, today, lang))


def _summary(store: ExcelStore, today: dt.datetime, lang: str) -> str:
    return "\n".join(summary_app.run(store, today=today).lines(lang))


def validate(vba_xlwings: str = "") -> None:
    """校验"""
    _button(_validate, vba_xlwings)


def dedupe(vba_xlwings: str = "") -> None:
    """查重"""
    _button(_dedupe, vba_xlwings)


def merge(vba_xlwings: str = "") -> None:
    """合并"""
    _button(_merge, vba_xlwings)


def import_customers(vba_xlwings: str = "") -> None:
    """导入"""
    _button(_import, vba_xlwings)


def distribute(vba_xlwings: str = "") -> None:
    """分发"""
    _button(_distribute, vba_xlwings)


def collect(vba_xlwings: str = "") -> None:
    """汇总"""
    _button(_collect, vba_xlwings)


def tag(vba_xlwings: str = "") -> None:
    """打标签"""
    _button(_tag, vba_xlwings)


def revisit_list(vba_xlwings: str = "") -> None:
    """生成回访清单"""
    _button(lambda store, today, lang: _remind(store, today, lang, send=False), vba_xlwings)


def send_reminders(vba_xlwings: str = "") -> None:
    """发送提醒"""
    _button(lambda store, today, lang: _remind(store, today, lang, send=True), vba_xlwings)


def test_chat(vba_xlwings: str = "") -> None:
    """测试群消息"""
    _button(_test_chat, vba_xlwings)


def summary(vba_xlwings: str = "") -> None:
    """生成月报"""
    _button(_summary, vba_xlwings)


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
