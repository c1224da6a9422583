"""设置 as typed values: one attribute per row of schema.SETTINGS, each read and checked in one place.

A setting is asked for by its attribute (``settings.daily_cap``), never by its Chinese name as a string, so a
mistyped name fails at once instead of reading "".  A value the office typed that cannot be used is refused with
its one-line error when the setting is first used, not when the workbook is read: a bad 每人每天回访上限 does not
stop 校验 or 导入.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from . import errors, schema
from .shown import visible

DEFAULTS: dict[str, str] = {s.name: str(s.default) for s in schema.SETTINGS}


@dataclass(frozen=True)
class Settings:
    """``rows``: every row of 设置, name -> value as the sheet shows it (the schema's default for a row the sheet
    lacks; rows of the office's own kept too, since distribute copies the sheet); ``file``: the workbook's name,
    for the errors."""

    rows: Mapping[str, str]
    file: str = ""

    @classmethod
    def of(cls, typed: Mapping[str, str], file: str) -> Settings:
        """The schema's defaults, with the rows ``typed`` on 设置 over them."""
        return cls({**DEFAULTS, **typed}, file)

    def __getitem__(self, name: str) -> str:
        """The text of the setting ``name`` (a name of schema.SETTINGS; any other is a mistake in our code)."""
        if name not in DEFAULTS:
            raise KeyError(f"no setting {name!r}; the settings are {'、'.join(DEFAULTS)}")
        return self.rows.get(name, "").strip()

    def _number(self, name: str) -> float:
        """A numeric setting; the schema default when the cell is empty or not a number."""
        value = pd.to_numeric(pd.Series([self[name]]), errors="coerce").iloc[0]
        return float(DEFAULTS[name]) if pd.isna(value) else float(value)

    def _count(self, name: str, fallback: int) -> int:
        """A whole number of the sheet, ``fallback`` when it is anything else."""
        value = self[name]
        return int(value) if value.isdigit() else fallback

    @property
    def company(self) -> str:
        return self["公司名称"]

    @property
    def send_time(self) -> dt.time:
        """When the day's reminders go out."""
        text = self["提醒发送时间"]
        try:
            return dt.datetime.strptime(text or DEFAULTS["提醒发送时间"], "%H:%M").time()
        except ValueError:
            raise errors.BadTime(value=text) from None

    @property
    def time_zone(self) -> ZoneInfo:
        """Where "today" is."""
        return ZoneInfo(self["时区"] or DEFAULTS["时区"])

    @property
    def silent_days(self) -> float:
        return self._number("沉默天数")

    @property
    def churn_warning_days(self) -> float:
        return self._number("流失预警天数")

    @property
    def churn_months(self) -> float:
        return self._number("流失月数")

    @property
    def high_value(self) -> float:
        return self._number("高价值门槛")

    @property
    def mid_value(self) -> float:
        return self._number("中价值门槛")

    @property
    def new_buyer_days(self) -> float:
        return self._number("新购天数")

    @property
    def unanswered(self) -> float:
        return self._number("未接通升级次数")

    @property
    def overdue_days(self) -> int:
        return int(self._number("逾期上报天数"))

    @property
    def daily_cap(self) -> int:
        """How many customers one person's mail lists at most (0: all; blank: the default)."""
        name = "每人每天回访上限"
        typed = self[name]
        value = float(pd.to_numeric(typed, errors="coerce")) if typed else self._number(name)
        if not (value >= 0 and value.is_integer()):  # not a number, below zero, a fraction, infinite
            raise errors.BadDailyCap(file=self.file, value=visible(typed))
        return int(value)

    @property
    def sender(self) -> str:
        """发件人邮箱 as typed (checked where the mail is sent: outbox/ takes none)."""
        return self["发件人邮箱"]

    @property
    def smtp_host(self) -> str:
        """The mail server; empty: mail goes to outbox/."""
        return self["SMTP服务器"]

    @property
    def smtp_port(self) -> int:
        return int(float(self["SMTP端口"] or DEFAULTS["SMTP端口"]))

    @property
    def smtp_security(self) -> str:
        """One of schema.SMTP_SECURITY (ssl and SSL alike), or "" (then the port decides)."""
        typed = self["SMTP加密方式"]
        found = next((c for c in schema.SMTP_SECURITY if c.casefold() == typed.casefold()), None) if typed else ""
        if found is None:
            raise errors.BadSmtpSecurity(file=self.file, value=visible(typed), choices="、".join(schema.SMTP_SECURITY))
        return found

    @property
    def full_phones(self) -> bool:
        """Internal mail shows whole phone numbers."""
        return self["邮件显示完整号码"] == "是"

    @property
    def chat_robots(self) -> tuple[str, ...]:
        """群机器人地址: one robot's webhook address a line (blank lines and spaces around dropped)."""
        return tuple(dict.fromkeys(filter(None, (line.strip() for line in self["群机器人地址"].splitlines()))))

    @property
    def chat_shows_customers(self) -> bool:
        """The group message names customers (phones masked); otherwise it has counts only."""
        return self["群消息显示客户"] == "是"

    @property
    def backups_kept(self) -> int:
        kept = self._count("备份保留份数", 0)
        return kept if kept > 0 else int(DEFAULTS["备份保留份数"])

    @property
    def history_database(self) -> str:
        """The history database's address as typed; empty: the SQLite file beside the workbook."""
        return self["历史数据库"]

    @property
    def archive_months(self) -> int:
        """Rows older than this many months go to the history database each month; 0: never."""
        return self._count("工作簿保留月数", 0)
