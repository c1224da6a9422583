"""The library: ``Workbook(path)`` with one method per command, in the style of sqlite-utils (docs/api.md).

The command line, the buttons and the background job all go through it, so a script gets the same answer as
they do.  Each method runs its command on the workbook (read, plan, one write back with a backup first, as the
command does) and returns the command's outcome, whose tables are pandas DataFrames keyed by field key (the
sheets' columns are listed in docs/fields.md).  Bad input raises a CrmError whose message says what to do; the
file is then untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from . import errors
from .app import archive as archive_app
from .app import day as day_app
from .app import dedupe as dedupe_app
from .app import export as export_app
from .app import importing, remind
from .app import merge as merge_app
from .app import restore as restore_app
from .app import summary as summary_app
from .app import sync as sync_app
from .app import tag as tag_app
from .app import validate as validate_app
from .app.archive import ArchiveOutcome
from .app.day import DayOutcome
from .app.dedupe import DedupeOutcome
from .app.export import ExportStore, Written
from .app.importing import ImportOutcome
from .app.merge import MergeOutcome
from .app.remind import RemindOutcome
from .app.summary import SummaryOutcome
from .app.sync import CollectOutcome
from .app.tag import TagOutcome
from .app.validate import ValidateOutcome
from .i18n import language
from .stores.file import FileStore

Day = dt.date | dt.datetime


def _quiet(_: str) -> None:
    return None


class Workbook:
    """A CRM workbook (.xlsx/.xlsm; validate and dedupe also take a customer CSV).

    ``today`` fixes the day the rules count from (default: the clock, to the minute, at each call); ``lang``
    the language of the messages written on the sheets and of ``.lines()`` (zh/en, default from the
    environment); ``progress`` is told what a command is doing (an i18n key such as ``progress.read``).
    """

    def __init__(self, path: str | Path, *, today: Day | None = None, lang: str | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.today = today
        self.lang = language(lang)
        self.store: ExportStore = FileStore(self.path, progress or _quiet)

    @classmethod
    def over(cls, store: ExportStore, *, today: Day | None = None, lang: str | None = None) -> Workbook:
        """The workbook held by another store: the buttons' book open in Excel."""
        book = cls(Path(store.folder) / store.name, today=today, lang=lang)
        book.store = store
        return book

    def on(self, today: Day) -> Workbook:
        """The same workbook with another "today" (the job's clock moves on)."""
        return Workbook.over(self.store, today=today, lang=self.lang)

    def now(self) -> dt.datetime:
        """The moment the rules count from."""
        if self.today is None:
            return dt.datetime.now().replace(second=0, microsecond=0)
        if isinstance(self.today, dt.datetime):
            return self.today
        return dt.datetime.combine(self.today, dt.time())

    def validate(self) -> ValidateOutcome:
        """校验: check every sheet, number new customers, write 校验结果 and 数据质量 (a CSV is only checked)."""
        return validate_app.run(self.store, today=self.now(), lang=self.lang)

    def dedupe(self) -> DedupeOutcome:
        """查重: list the likely duplicate customers on 疑似重复 for review."""
        return dedupe_app.run(self.store, today=self.now())

    def merge(self, undo: str | None = None) -> MergeOutcome:
        """合并: merge the groups confirmed on 疑似重复 (确认合并 = 是), or ``undo`` the merge with that id."""
        return merge_app.run(self.store, today=self.now(), undo=undo)

    def import_customers(self, source: str | Path, *, merge: bool = False, owner: str | None = None,
                         dry_run: bool = False) -> ImportOutcome:
        """导入: add the customers of a CSV or workbook, all or nothing; ``merge`` updates the customers they
        match, ``owner`` fills 负责人 where the list has none, ``dry_run`` writes nothing."""
        return importing.run(self.store, source, today=self.now(), merge=merge, owner=owner, dry_run=dry_run,
                             lang=self.lang)

    def tag(self) -> TagOutcome:
        """打标签: update 客户阶段, 价值层级, 客户标签 and the follow-up dates, then check like validate."""
        return tag_app.run(self.store, today=self.now(), lang=self.lang)

    def summary(self, month: str | pd.Period | None = None, export: str | Path | None = None) -> SummaryOutcome:
        """生成月报: write 月度汇总-YYYY-MM of ``month`` (default: last month) and 反馈统计; ``export``: the
        summary sheet alone in that new .xlsx as well (refused before anything is written if it exists)."""
        target = Path(export) if export is not None else None
        if target is not None and target.exists():
            raise errors.TargetExists(file=target.name)
        outcome = summary_app.run(self.store, today=self.now(), month=_month(month))
        if target is not None:
            with errors.after_writing(f"{self.store.name} 的“{outcome.sheet_name}”", outcome.backup):
                FileStore(self.path).export(target, [outcome.output])
        return outcome

    def remind(self, *, dry_run: bool = False, send: bool = True) -> RemindOutcome:
        """生成回访清单 / 发送提醒: write 回访任务 and (``send``) mail each person today's list (to outbox/
        without a mail server); ``dry_run`` changes nothing."""
        return remind.run(self.store, today=self.now(), dry_run=dry_run, send=send)

    def test_chat(self) -> list[tuple[bool, str]]:
        """测试群消息: one test message to each robot of 设置 群机器人地址; for each, whether it took it and its
        answer in one line.  Nothing is written."""
        return remind.test_chat(self.store, self.now(), self.lang)

    def export(self, owner: str | None = None, target: str | Path | None = None) -> Written:
        """``owner``'s customers (everyone's, one file each, when None) in workbooks of their own, phones masked;
        ``target``: the file or folder (default: beside the workbook)."""
        return export_app.run(self.store, owner=owner, target=_path(target), today=self.now(), lang=self.lang)

    def distribute(self, folder: str | Path | None = None) -> Written:
        """分发: one workbook per member of 团队 in ``folder`` (default: “<workbook>-分发” beside it)."""
        return sync_app.distribute(self.store, out=_path(folder), today=self.now(), lang=self.lang)

    def collect(self, sources: Iterable[str | Path] | None = None) -> CollectOutcome:
        """汇总: bring what people changed in their workbooks (or the folders holding them; default the one
        distribute wrote) into this one, once."""
        found = [Path(s) for s in sources] if sources is not None else [sync_app.copies_folder(self.path)]
        return sync_app.collect(self.store, found, today=self.now())

    def archive(self, before: Day | None = None, *, restore: bool = False) -> ArchiveOutcome:
        """归档: move the follow-ups, orders and resolved tickets dated before ``before`` to the history
        database; ``restore`` puts archived rows back (with ``before``: those dated on or after it)."""
        day = before.date() if isinstance(before, dt.datetime) else before
        if restore:
            return archive_app.restore(self.store, today=self.now(), before=day)
        if day is None:
            raise TypeError("archive() needs the day before which rows move (or restore=True)")
        return archive_app.archive(self.store, before=day, today=self.now())

    def restore(self, pick: int = 1) -> tuple[Path, Path | None]:
        """恢复: put back the ``pick``-th newest backup from .crm-backups/ (1 = newest); returns the backup put back
        and the backup made of the file it replaced (None when the workbook was missing)."""
        return restore_app.run(FileStore(self.path, self.store.progress), pick=pick)

    def day(self, *, month: pd.Period | None = None, send: bool = True, manager_note: str = "") -> DayOutcome:
        """The background job's day: tag, 回访任务 and the reminders in one read and one write, with ``month``'s
        summary when given; the managers' digest carries ``manager_note``."""
        return day_app.run(self.store, today=self.now(), month=month, send=send, manager_note=manager_note)


def _path(value: str | Path | None) -> Path | None:
    return Path(value) if value is not None else None


def _month(value: str | pd.Period | None) -> pd.Period | None:
    """YYYY-MM as a month; BadMonth when it is not one."""
    if value is None or isinstance(value, pd.Period):
        return value
    try:
        return pd.Period(dt.datetime.strptime(value, "%Y-%m"), "M")
    except ValueError:
        raise errors.BadMonth(value=value) from None
