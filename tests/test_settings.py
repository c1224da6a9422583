"""设置 read into typed values: what the office typed on a real workbook (written here with openpyxl), each
setting by its attribute; a name that is no setting is a mistake in our code and fails at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from crm_sheets import errors, schema
from crm_sheets.settings import Settings
from crm_sheets.templates import build_template
from crm_sheets.workbook.read import read_book, read_settings


def typed_in(tmp_path: Path, cells: dict[str, object], extra: tuple[str, str] | None = None) -> Path:
    """The template with ``cells`` typed into column B of 设置 (and ``extra``, a row of the office's own)."""
    path = tmp_path / "客户.xlsx"
    build_template(path)
    wb = openpyxl.load_workbook(path)
    sheet = wb["设置"]
    rows = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    for name, value in cells.items():
        sheet.cell(rows[name], 2).value = value
    if extra:
        sheet.append(list(extra))
    wb.save(path)
    return path


def test_what_the_office_typed_reads_as_typed_values(tmp_path: Path) -> None:
    path = typed_in(tmp_path, {"公司名称": "  华东五金  ", "提醒发送时间": "7:05", "时区": "Europe/Berlin",
                               "沉默天数": 60, "流失预警天数": "二十", "高价值门槛": 80000.5, "逾期上报天数": 10,
                               "每人每天回访上限": "", "SMTP端口": 587, "SMTP加密方式": "starttls",
                               "邮件显示完整号码": "是", "备份保留份数": 0, "工作簿保留月数": 6,
                               "历史数据库": "postgresql://crm@db/crm"},
                    extra=("我们自己的备注", "别删"))
    for settings in (read_book(path).settings, read_settings(path)):
        assert settings.company == "华东五金"
        assert settings.send_time == dt.time(7, 5)
        assert settings.time_zone == ZoneInfo("Europe/Berlin")
        assert settings.silent_days == 60.0
        assert settings.churn_warning_days == 30.0  # not a number: the template's 30
        assert settings.high_value == 80000.5
        assert settings.overdue_days == 10
        assert settings.daily_cap == 30  # left empty: the template's 30
        assert (settings.smtp_port, settings.smtp_security) == (587, "STARTTLS")
        assert settings.full_phones is True
        assert settings.backups_kept == 10  # 0 would keep no backup: the template's 10
        assert settings.archive_months == 6
        assert settings.history_database == "postgresql://crm@db/crm"
        assert settings.rows["我们自己的备注"] == "别删"  # distribute copies the office's own rows too
        assert settings.file == "客户.xlsx"


def test_the_template_reads_as_the_defaults(tmp_path: Path) -> None:
    settings = read_book(typed_in(tmp_path, {})).settings
    assert (settings.company, settings.send_time, settings.time_zone) == (
        "示例贸易有限公司", dt.time(8, 30), ZoneInfo("Asia/Shanghai"))
    assert (settings.sender, settings.smtp_host, settings.smtp_port, settings.smtp_security) == ("", "", 465, "")
    assert (settings.full_phones, settings.archive_months, settings.history_database) == (False, 0, "")


def test_a_name_that_is_no_setting_fails_at_once() -> None:
    settings = Settings.of({"SMTP服务": "mail.example.com"}, "客户.xlsx")  # a row of the office's own: kept
    with pytest.raises(KeyError, match="SMTP服务器"):  # the message lists the real names
        settings["SMTP服务"]
    with pytest.raises(AttributeError):
        settings.smtp_server  # type: ignore[attr-defined]  # noqa: B018


def test_every_setting_of_the_schema_has_its_attribute() -> None:
    """Each attribute reads one setting, and each setting on 设置 is read by an attribute."""
    read: list[str] = []

    class Watched(Settings):
        def __getitem__(self, name: str) -> str:
            read.append(name)
            return super().__getitem__(name)

    watched = Watched.of({}, "客户.xlsx")
    attributes = [a for a, v in vars(Settings).items() if isinstance(v, property)]
    for attribute in attributes:
        getattr(watched, attribute)
    assert sorted(read) == sorted(s.name for s in schema.SETTINGS)
    assert len(attributes) == len(schema.SETTINGS) == 22


@pytest.mark.parametrize(("name", "typed", "error", "message"), [
    ("每人每天回访上限", "2.5", errors.BadDailyCap,
     "客户.xlsx 工作表“设置”: 每人每天回访上限“2.5”不对；填一个整数，如 30（0 = 不限）。；文件未被修改。"),
    ("SMTP加密方式", "TLS", errors.BadSmtpSecurity,
     "客户.xlsx 工作表“设置”: SMTP加密方式“TLS”不对；填 SSL、STARTTLS、不加密 之一，或留空（按端口：465 = SSL，587 = STARTTLS）。"
     "；文件未被修改。"),
    ("提醒发送时间", "8点半", errors.BadTime, "设置“提醒发送时间”的值“8点半”不对，正确格式是 HH:MM（如 08:30）。"),
])
def test_a_value_that_cannot_be_used_is_its_one_line_error_when_used(name: str, typed: str, error: type,
                                                                     message: str) -> None:
    settings = Settings.of({name: typed}, "客户.xlsx")  # reading it is no error: only using it
    attribute = {"每人每天回访上限": "daily_cap", "SMTP加密方式": "smtp_security", "提醒发送时间": "send_time"}[name]
    with pytest.raises(error) as raised:
        getattr(settings, attribute)
    assert raised.value.message() == message
