"""Why a command could not run.

Each class is one line: its docstring is the Chinese message (with the
placeholders filled from the keyword arguments) and ``en`` the English one.
Every message names the file, and where it can the sheet, row and column,
and says what to do.  The CLI prints ``message()`` and exits with code 2.

A message says the file was not changed only where that is so: an error raised before its command wrote
anything (``unchanged``), or a failure after which the file's bytes were found the same.  A command that wrote
something and then failed says what it wrote (PartlyDone).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

UNCHANGED = {"zh": "；文件未被修改。", "en": "; the file was not changed."}


class CrmError(Exception):
    """{file}: 无法处理。"""

    en = "{file}: cannot be processed."
    unchanged = False  # ends by saying the file was not changed: true where the error is raised, alone

    def __init__(self, **context: object) -> None:
        self.context = context
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh", *, claim: bool = True) -> str:
        """``claim``: False when something was written before this error (PartlyDone tells what)."""
        template = self.en if lang == "en" else (self.__doc__ or "")
        text = template.format(**self.context)
        return text + UNCHANGED["en" if lang == "en" else "zh"] if self.unchanged and claim else text


class PartlyDone(CrmError):
    """{wrote}已写入{backup}；之后出错，没有做完：{reason}"""

    en = "{wrote} was written{backup}; then this failed and the rest was not done: {reason}"

    def __init__(self, *, wrote: str, backup: Path | None, cause: BaseException) -> None:
        self.wrote, self.backup, self.cause = wrote, backup, cause
        super().__init__(wrote=wrote)

    def message(self, lang: str = "zh", *, claim: bool = True) -> str:
        en = lang == "en"
        cause = self.cause
        reason = (cause.message(lang, claim=False) if isinstance(cause, CrmError)
                  else f"{type(cause).__name__}: {cause}"[:200])
        backup = "" if self.backup is None else (f" (backup from before: {self.backup})" if en
                                                  else f"（写入前的备份：{self.backup}）")
        return (self.en if en else self.__doc__ or "").format(wrote=self.wrote, backup=backup, reason=reason)


@contextmanager
def after_writing(wrote: str | Callable[[], str], backup: Path | None = None) -> Iterator[None]:
    """A failure in the block is told as PartlyDone: ``wrote`` (what the command wrote before it, or a function
    that says so at the time of the failure; "" for nothing) was written."""
    try:
        yield
    except Exception as exc:
        said = wrote() if callable(wrote) else wrote
        if not said:
            raise
        if isinstance(exc, PartlyDone):
            raise PartlyDone(wrote=f"{said}、{exc.wrote}", backup=backup or exc.backup, cause=exc.cause) \
                from exc.cause
        raise PartlyDone(wrote=said, backup=backup, cause=exc) from exc


def fingerprint(path: Path | None) -> str | None:
    """The file's SHA-256, to tell afterwards whether a failed command changed it; None if there is no file."""
    if path is None or not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def as_found(exc: BaseException, path: Path | None, before: str | None) -> tuple[BaseException, bool]:
    """(``exc`` as it may be told, whether ``path`` is byte-identical to what ``before`` was taken of).  A failure
    after the file changed, which does not say so itself, says the file was written."""
    same = before is not None and fingerprint(path) == before
    if before is None or path is None or same or isinstance(exc, PartlyDone):
        return exc, same
    return PartlyDone(wrote=path.name, backup=None, cause=exc), False


class FileMissing(CrmError):
    """{file}: 找不到这个文件，请检查路径。"""
    en = "{file}: file not found; check the path."


class NotAWorkbook(CrmError):
    """{file}: 不是 Excel 工作簿（.xlsx/.xlsm），请在 Excel 中另存为 .xlsx 后再试。"""
    en = "{file}: not an Excel workbook (.xlsx/.xlsm); save it as .xlsx in Excel and try again."


class CorruptWorkbook(CrmError):
    """{file}: 文件已损坏或不完整（{detail}），请用备份或重新从 Excel 保存。"""
    en = "{file}: the file is damaged or incomplete ({detail}); use a backup or save it again from Excel."


class LegacyXls(CrmError):
    """{file}: 这是旧版 .xls 文件，扩展名却是 {suffix}；请在 Excel 中“另存为” .xlsx 后再试。"""
    en = "{file}: this is an old .xls file named {suffix}; use Save As .xlsx in Excel and try again."


class PasswordProtected(CrmError):
    """{file}: 文件设有打开密码，请在 Excel 中取消密码（文件→信息→保护工作簿）后再试。"""
    en = "{file}: the file is password protected; remove the password in Excel and try again."


class TextAsWorkbook(CrmError):
    """{file}: 这是 CSV/文本文件，扩展名却是 {suffix}；请把扩展名改为 .csv 再试。"""
    en = "{file}: this is a CSV/text file named {suffix}; rename it to .csv and try again."


class UnsupportedFile(CrmError):
    """{file}: 不支持 {suffix} 文件，请提供 .xlsx、.xlsm 或 .csv。"""
    en = "{file}: {suffix} files are not supported; use .xlsx, .xlsm or .csv."


class MissingPart(CrmError):
    """{file}: 工作簿缺少 {member}，工具无法安全写回；请在 Excel 中打开并另存一份再试。"""
    en = "{file}: the workbook has no {member}, so it cannot be written back safely; open it in Excel and save a copy."


class UnsafeXml(CrmError):
    """{file}: 文件里的 {member} 含有 DTD/实体声明（可能读取本机文件或耗尽内存），已拒绝；请在 Excel 中另存一份再试。"""
    en = "{file}: {member} declares a DTD or entities (may read local files or exhaust memory); refused. Save a fresh copy from Excel."


class ZipBomb(CrmError):
    """{file}: 文件解压后异常巨大（{member}），疑似恶意文件，已拒绝。"""
    en = "{file}: a part unpacks to an abnormal size ({member}); refused as unsafe."


class UnreadableCsv(CrmError):
    """{file}: 无法识别 CSV 的编码，请用 Excel 另存为“CSV UTF-8”后再试。"""
    en = "{file}: cannot tell the CSV's encoding; save it as 'CSV UTF-8' and try again."


class MissingSheet(CrmError):
    """{file}: 缺少工作表“{sheet}”，请用 crm-sheets new 生成的模板，或把工作表改回这个名字。"""
    en = "{file}: sheet '{sheet}' is missing; use a template from crm-sheets new or rename the sheet back."


class EmptySheet(CrmError):
    """{file} 工作表“{sheet}”: 是空的，第1行应是表头（{headers}）。"""
    en = "{file} sheet '{sheet}': is empty; row 1 must hold the headers ({headers})."


class MissingHeader(CrmError):
    """{file} 工作表“{sheet}” 第1行: 缺少必填列“{header}”，请在第1行加上这一列的表头。"""
    en = "{file} sheet '{sheet}' row 1: required column '{header}' is missing; add it to the header row."


class TextTooLong(CrmError):
    """{file} 工作表“{sheet}” {cell}: 要写入的文字超过 Excel 单元格上限 32,767 个字符，未写入；请缩短这段内容后再试。"""
    en = "{file} sheet '{sheet}' {cell}: the text to write is longer than an Excel cell holds (32,767); nothing was written."


class MergedHeader(CrmError):
    """{file} 工作表“{sheet}” 第1行 {cells}: 表头是合并单元格，请取消合并，每列一个表头。"""
    en = "{file} sheet '{sheet}' row 1 {cells}: header cells are merged; unmerge them, one header per column."


class ExtraHeaderRow(CrmError):
    """{file} 工作表“{sheet}” 第{row}行: 这一行又是表头，请删除多余的表头行，只保留第1行。"""
    en = "{file} sheet '{sheet}' row {row}: this row repeats the headers; delete it and keep only row 1."


class OpenInExcel(CrmError):
    """{file}: 正在被 Excel 打开（发现 {lock}），请先在 Excel 中保存并关闭，或在 Excel 里点按钮运行。"""
    en = "{file}: open in Excel (found {lock}); save and close it first, or use the button inside Excel."


class Busy(CrmError):
    """{file}: 另一个 crm-sheets 任务正在写这个文件，请稍后再试。"""
    en = "{file}: another crm-sheets task is writing this file; try again shortly."


class FileInUse(CrmError):
    """{file}: 文件正被其他程序占用，请稍后再试（可能是杀毒软件、同步盘或预览窗格）"""
    en = ("{file}: the file is in use by another program, try again shortly (antivirus, a sync client or a preview "
          "pane?)")
    unchanged = True


# The workbook cannot be written now but can be later: the job tries again, the day's mail still goes out.
WRITE_LATER = (OpenInExcel, Busy, FileInUse)


class BadDate(CrmError):
    """日期“{value}”无法识别，正确格式是 YYYY-MM-DD（如 2024-03-10）。"""
    en = "date '{value}' not understood; valid format is YYYY-MM-DD (e.g. 2024-03-10)."


class TargetExists(CrmError):
    """{file}: 文件已存在，未覆盖；请换一个文件名，或先移走旧文件。"""
    en = "{file}: already exists and was not overwritten; choose another name or move the old file."


class TooManyNewIds(CrmError):
    """{file}: 同一天最多生成 99999 个客户编号，今天还剩 {free} 个，这次最多需要 {count} 个；请把文件拆小，分天导入。"""
    en = ("{file}: at most 99,999 new 客户编号 per day, {free} left today and this run may need {count}; split the "
          "file and import the rest another day.")


# A refusal of the core (model.problems.Refusal) by its code: rules/ name the problem, these classes word it.
REFUSALS: dict[str, type[CrmError]] = {"too_many_new_ids": TooManyNewIds}


class UnknownMerge(CrmError):
    """{file}: 合并记录里没有尚未撤销的合并“{merge_id}”；合并编号见工作表“合并记录”第一列。"""
    en = "{file}: no merge '{merge_id}' to undo; merge ids are in the first column of sheet 合并记录."


class BadMonth(CrmError):
    """“{value}”不是月份，请写成 YYYY-MM，例如 2026-10。"""
    en = "'{value}' is not a month; valid format is YYYY-MM, e.g. 2026-10."


class BadTime(CrmError):
    """设置“提醒发送时间”的值“{value}”不对，正确格式是 HH:MM（如 08:30）。"""
    en = "设置 提醒发送时间 '{value}' is not a time; valid format is HH:MM (e.g. 08:30)."


class UnknownOwner(CrmError):
    """{file}: “{owner}”不在团队表里；团队成员有：{members}。"""
    en = "{file}: '{owner}' is not on 团队; members are: {members}."


class XlwingsMismatch(CrmError):
    """{file}: 工作簿里的 xlwings 是 {workbook} 版，这台电脑装的是 {installed} 版，两者必须一致：请运行 pip install xlwings=={workbook}（或用 crm-sheets build-templates 按已装版本重新生成模板）。"""
    en = ("{file}: this workbook's xlwings module is {workbook} but {installed} is installed; they must match: "
          "run pip install xlwings=={workbook} (or rebuild the template with crm-sheets build-templates).")


class NoImportFile(CrmError):
    """{file}: 没有要导入的文件：点“导入”选择 CSV 或 xlsx 文件（或在“操作”表 B14 填完整路径）。"""
    en = "{file}: no file to import: press 导入 and choose a CSV or xlsx (or put its full path into 操作!B14)."


class NoBackups(CrmError):
    """{file}: 旁边的 .crm-backups 文件夹里没有这个工作簿的备份。"""
    en = "{file}: there is no backup of this workbook in the .crm-backups folder beside it."


class NoSuchBackup(CrmError):
    """{file}: 没有第 {pick} 份备份，现有 {count} 份；用 crm-sheets restore --list 查看。"""
    en = "{file}: there is no backup {pick}; there are {count}. See crm-sheets restore --list."


class NoContactColumn(CrmError):
    """{file} 工作表“{sheet}”: 没有电话列也没有邮箱列（表头如“手机”“联系电话”“邮箱”），至少要有一列才能导入。"""
    en = ("{file} sheet '{sheet}': no phone and no e-mail column (headers such as 手机, 联系电话, 邮箱); "
          "one of them is needed to import.")


class BadHistoryUrl(CrmError):
    """{file} 工作表“设置”: 历史数据库“{value}”无法识别；留空用工作簿旁的 SQLite 文件，或填 postgresql://用户@服务器/数据库。"""
    en = ("{file} sheet 设置: history database '{value}' not understood; leave it empty for the SQLite file beside the "
          "workbook, or give postgresql://user@host/database.")


class PasswordInWorkbook(CrmError):
    """{file} 工作表“设置”: 历史数据库的地址（{address}）里不能写密码（工作簿会被传来传去）；请从地址里删掉密码，把它存进系统钥匙串（keyring）或环境变量 CRM_SHEETS_DB_PASSWORD。"""
    en = ("{file} sheet 设置: no password in the history database address ({address}; workbooks get passed around); "
          "remove it from the address and put it in the system keyring or the CRM_SHEETS_DB_PASSWORD environment "
          "variable.")


class HistoryDriverMissing(CrmError):
    """{file} 工作表“设置”: 历史数据库 {address} 在 PostgreSQL 服务器上，这台电脑还没装它的驱动 psycopg；请运行 pip install "psycopg[binary]" 后再试。"""
    en = ("{file} sheet 设置: the history database {address} is on a PostgreSQL server and its driver psycopg is not "
          "installed here; run pip install \"psycopg[binary]\" and try again.")


class HistoryUnreachable(CrmError):
    """{file} 工作表“设置”: 连不上历史数据库 {address}（{reason}）；请确认服务器开着、地址和网络无误（需要密码时存进系统钥匙串或环境变量 CRM_SHEETS_DB_PASSWORD），或找管理员，再试。"""
    en = ("{file} sheet 设置: cannot connect to the history database {address} ({reason}); check that the server is "
          "running and the address and network are right (a password goes in the system keyring or "
          "CRM_SHEETS_DB_PASSWORD), or ask your administrator, then try again.")


class CannotArchive(CrmError):
    """{file} 工作表“{sheet}”: 不能移走行（{reason}）"""
    en = "{file} sheet '{sheet}': rows cannot be moved out ({reason})"
    unchanged = True


class BadDailyCap(CrmError):
    """{file} 工作表“设置”: 每人每天回访上限“{value}”不对；填一个整数，如 30（0 = 不限）。"""
    en = "{file} sheet 设置: 每人每天回访上限 (daily list cap) '{value}' is not a whole number; enter e.g. 30 (0 = no limit)."
    unchanged = True


class BadSender(CrmError):
    """{file} 工作表“设置”: 发件人邮箱“{value}”不能用来发信；只填一个地址，如 crm@example.com。"""
    en = "{file} sheet 设置: sender address '{value}' cannot be used; enter one address such as crm@example.com."


class BadSmtpSecurity(CrmError):
    """{file} 工作表“设置”: SMTP加密方式“{value}”不对；填 {choices} 之一，或留空（按端口：465 = SSL，587 = STARTTLS）。"""
    en = ("{file} sheet 设置: SMTP加密方式 (mail encryption) '{value}' is not one of {choices}; enter one of them, or "
          "leave it empty (by the port: 465 = SSL, 587 = STARTTLS).")
    unchanged = True


class BadRobot(CrmError):
    """{file} 工作表“设置”: 群机器人地址第 {line} 行“{value}”不是企业微信、钉钉或飞书的群机器人地址；从群设置的机器人详情里复制 Webhook 地址，一行一个。"""
    en = ("{file} sheet 设置: line {line} of 群机器人地址, '{value}', is no WeCom, DingTalk or Feishu robot address; "
          "copy the webhook from the robot's page in the group settings, one a line.")
    unchanged = True


class NoExcelHere(CrmError):
    """这台电脑（{system}）上没有 Excel，什么也没改；请在装有 Excel 的 Windows 或 Mac 上运行 crm-sheets excel-setup。"""
    en = ("There is no Excel on this computer ({system}); nothing changed. Run crm-sheets excel-setup on the "
          "Windows or Mac PC with Excel.")


class InterpreterPathCodePage(CrmError):
    """Python 的路径 {path} 里有“{char}”，Excel 按这台电脑的 {encoding} 编码读不出来；请把 Python 或 venv 装到只含英文字母和数字的文件夹（如 C:\\crm\\venv）后再运行 crm-sheets excel-setup。"""
    en = ("The Python path {path} holds '{char}', which Excel cannot read in this PC's {encoding}; put Python or "
          "the venv in a folder named with plain letters and digits (such as C:\\crm\\venv) and run "
          "crm-sheets excel-setup again.")


class InterpreterPathMac(CrmError):
    """Python 的路径 {path} 里有“{char}”，Mac 上的 xlwings 无法用它运行；请把 venv 建在只含英文字母、数字和 ._- 的文件夹（如 python3 -m venv ~/crm-venv）后再运行 crm-sheets excel-setup。"""
    en = ("The Python path {path} holds '{char}', which xlwings on Mac cannot run; make the venv in a folder named "
          "with English letters, digits and ._- only (python3 -m venv ~/crm-venv) and run crm-sheets excel-setup "
          "again.")


class ExcelNeverOpened(CrmError):
    """这台 Mac 上还没有打开过 Excel（没有 {folder}）；请先打开一次 Excel，再运行 crm-sheets excel-setup。"""
    en = "Excel has not been opened on this Mac yet (no {folder}); open Excel once, then run crm-sheets excel-setup."
