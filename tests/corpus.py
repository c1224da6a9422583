"""The bad-input corpus (issue 9): hand-made inputs plus hypothesis-generated ones, and the check run on each.

Every command on every input must end as OUTCOMES says (exit 0, exit 1, or
exit 2 with that error's one line): no traceback, no "unexpected error", and
when the command failed, every file it was given byte-identical afterwards.  ``python
tests/reliability.py`` runs the same checks and writes docs/RELIABILITY.md.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from typer.testing import CliRunner

from crm_sheets import errors, schema
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.i18n import t

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2026-11-24"
GENERATED_EXAMPLES = 35  # per generated family (three families)
UNEXPECTED = t("error.unexpected", "zh", file="", detail="").split("（")[0].strip(": ")
Maker = Callable[[Path], Path]


# -- which error a command told ---------------------------------------------------------------------
def _pattern(template: str) -> re.Pattern[str]:
    """The error's own Chinese template as a regex: each {placeholder} any text (PartlyDone's backup may be none)."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".*?".join(map(re.escape, parts)) + f"(?:{re.escape(errors.UNCHANGED['zh'])})?", re.DOTALL)


# Most specific first: a longer fixed text wins over a shorter one that also matches (every template starts
# with "{file}: ", which alone would match any line); PartlyDone wraps another error's line, so it goes first.
REASONS: list[tuple[type[errors.CrmError], re.Pattern[str]]] = sorted(
    ((cls, _pattern(cls.__doc__ or "")) for cls in vars(errors).values()
     if isinstance(cls, type) and issubclass(cls, errors.CrmError) and cls is not errors.CrmError),
    key=lambda pair: (pair[0] is not errors.PartlyDone, -len(re.sub(r"\{\w+\}", "", pair[0].__doc__ or ""))))


def reason_of(stderr: str) -> str | None:
    """The name of the error class whose message ``stderr`` is, or None when it is none of them."""
    text = stderr.strip()
    return next((cls.__name__ for cls, pattern in REASONS if pattern.fullmatch(text)), None)


# -- well-formed starting points ------------------------------------------------------------------
def customer_row(name: str = "北京瑞丰科技有限公司", phone: object = "13812345678", **cells: object) -> list:
    values = {"客户名称": name, "所属行业": "信息技术", "联系人姓名": "王建国", "联系电话": phone, "客户来源": "展会推荐",
              "负责人": "张伟"} | cells
    return [values.get(h, "") for h in schema.CUSTOMERS.headers]


def xlsx(path: Path, sheets: dict[str, list[list]], *, date1904: bool = False,
         decorate: Callable | None = None) -> Path:
    """A workbook as XlsxWriter writes it (cells typed as given); ``decorate(wb, sheets)`` adds the odd part."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "date_1904": date1904, "default_date_format": "yyyy-mm-dd hh:mm"})
    # A fixed creation time (XlsxWriter stamps the zip's members with it too): the same input byte for byte on
    # every run, so corrupt-bytes-N flips the same bytes each time.
    wb.set_properties({"created": dt.datetime(2026, 11, 24, 9, 0)})
    worksheets = {}
    for name, rows in sheets.items():
        ws = worksheets[name] = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value)
                elif value not in ("", None):
                    ws.write(r, c, value)
    if decorate:
        decorate(wb, worksheets)
    wb.close()
    return path


def team_rows() -> list[list]:
    return [schema.TEAM.headers, ["张伟", "zw@example.com", "经理", ""], ["李娜", "ln@example.com", "销售", "张伟"]]


def small_book(path: Path, customers: list[list] | None = None, **extra: list[list]) -> Path:
    rows = customers if customers is not None else [schema.CUSTOMERS.headers, customer_row()]
    return xlsx(path, {schema.CUSTOMERS.name: rows, schema.TEAM.name: team_rows(), **extra})


def demo_book(path: Path) -> Path:
    from crm_sheets.templates import write_workbook

    write_workbook(path, data=make_demo(dt.date(2026, 11, 24), n_customers=60, n_followups=300).frames)
    return path


def rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a package member by member; ``change`` returns new bytes, or None to drop the member."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
    return target


def sheet_xml_edit(path: Path, name: str, pattern: str, replacement: str, count: int = 1) -> Path:
    base = small_book(path.with_name("base-" + path.name))
    return rezip(base, path, lambda member, data: re.sub(pattern.encode(), replacement.encode(), data, count=count)
                 if member == "xl/worksheets/sheet1.xml" else data)


# -- the hand-made cases --------------------------------------------------------------------------
def _truncated(share: float) -> Maker:
    def make(tmp: Path) -> Path:
        whole = demo_book(tmp / "whole.xlsx").read_bytes()
        p = tmp / f"截断{int(share * 100)}.xlsx"
        p.write_bytes(whole[: int(len(whole) * share)])
        return p
    return make


def _flipped(seed: int) -> Maker:
    def make(tmp: Path) -> Path:
        data = bytearray(small_book(tmp / "whole.xlsx").read_bytes())
        rng = random.Random(seed)
        for _ in range(1 + seed % 7):
            data[rng.randrange(len(data))] ^= 0xFF
        p = tmp / f"损坏{seed}.xlsx"
        p.write_bytes(bytes(data))
        return p
    return make


def _drop_member(member: str) -> Maker:
    def make(tmp: Path) -> Path:
        base = small_book(tmp / "base.xlsx")
        return rezip(base, tmp / "缺部件.xlsx", lambda name, data: None if name == member else data)
    return make


def _bad_member_xml(member: str, xml: bytes) -> Maker:
    def make(tmp: Path) -> Path:
        base = small_book(tmp / "base.xlsx")
        return rezip(base, tmp / "坏XML.xlsx", lambda name, data: xml if name == member else data)
    return make


def _doctype(member: str, kind: str) -> Maker:
    dtd = {
        "external": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        "laughs": b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                  b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        "plain": b"<!DOCTYPE worksheet>",
    }[kind]

    def make(tmp: Path) -> Path:
        base = small_book(tmp / "base.xlsx")

        def change(name: str, data: bytes) -> bytes:
            if name != member:
                return data
            head, _, rest = data.partition(b"?>")
            return head + b"?>" + dtd + rest
        return rezip(base, tmp / f"DTD-{kind}.xlsx", change)
    return make


def _renamed(source: Callable[[Path], bytes], suffix: str) -> Maker:
    def make(tmp: Path) -> Path:
        p = tmp / f"改名{suffix}"
        p.write_bytes(source(tmp))
        return p
    return make


def _ods(tmp: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def _csv_bytes(tmp: Path) -> bytes:
    return (",".join(schema.CUSTOMERS.headers) + "\n," + ",".join(map(str, customer_row()[1:])) + "\n").encode("gbk")


def zip_bomb(tmp: Path) -> Path:
    base = small_book(tmp / "base.xlsx")
    p = tmp / "炸弹.xlsx"
    rezip(base, p, lambda name, data: data)
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/media/padding.bin", b"\0" * (64 << 20))  # 64 MB of zeros: ~1000x
    return p


def _csv(encoding: str, newline: str, bom: bool = False, rows: list[list] | None = None) -> Maker:
    def make(tmp: Path) -> Path:
        body = rows if rows is not None else [schema.CUSTOMERS.headers, customer_row(),
                                              customer_row("上海恒达物流有限公司", "021-62345678")]
        text = newline.join(",".join(str(c) for c in r) for r in body) + newline
        data = text.encode(encoding)
        if bom:
            data = {"utf-8": b"\xef\xbb\xbf"}.get(encoding, b"") + data
        p = tmp / f"客户-{encoding}-{len(newline)}{'-bom' if bom else ''}.csv"
        p.write_bytes(data)
        return p
    return make


def _mixed_newlines(tmp: Path) -> Path:
    rows = [",".join(schema.CUSTOMERS.headers), ",".join(map(str, customer_row())),
            ",".join(map(str, customer_row("广州华信科技有限公司", "13912345678")))]
    p = tmp / "换行混用.csv"
    p.write_bytes((rows[0] + "\r\n" + rows[1] + "\n" + rows[2] + "\r").encode("utf-8"))
    return p


def _cells(label: str, *values: object, sheet: str = schema.CUSTOMERS.name, column: str = "客户名称") -> Maker:
    """A workbook whose ``column`` holds each of ``values`` in turn (one customer per value)."""
    def make(tmp: Path) -> Path:
        rows = [schema.CUSTOMERS.headers] + [customer_row(**{column: v}) for v in values]
        return small_book(tmp / f"{label}.xlsx", rows)
    return make


TEXT_DATES = ["2024-03-10", "2024/3/10", "2024.03.10", "2024年3月10日", "20240310", "2024-03-10 14:30",
              "2024年3月10日 14时30分", "10/03/2024", "2024-3-1 9:05:00", "2024-03"]


def text_dates(tmp: Path) -> Path:
    follow = [schema.FOLLOWUPS.headers]
    for i, when in enumerate(TEXT_DATES):
        follow.append(["CRM2026010100001", when, "张伟", "电话", "已接通", f"介绍了方案{i}，客户关心交期", "周五前发报价",
                       "价格可以接受", "意向客户"])
    rows = [schema.CUSTOMERS.headers, customer_row(客户编号="CRM2026010100001")]
    return small_book(tmp / "文本日期.xlsx", rows, **{schema.FOLLOWUPS.name: follow})


def numbers_as_text(tmp: Path) -> Path:
    orders = [schema.ORDERS.headers, ["CRM2026010100001", "2026-01-05", "1,234.50", "首购", ""],
              ["CRM2026010100001", "45000", "¥1234", "复购", ""], ["CRM2026010100001", 46000, "1234元", "退款", ""]]
    rows = [schema.CUSTOMERS.headers, customer_row(客户编号="CRM2026010100001", 联系电话="13812345678")]
    return small_book(tmp / "文本数字.xlsx", rows, **{schema.ORDERS.name: orders})


def error_values(tmp: Path) -> Path:
    def decorate(wb, sheets):
        ws = sheets[schema.CUSTOMERS.name]
        ws.write_formula(1, 4, "=NA()", None, "#N/A")
        ws.write_formula(1, 1, "=#REF!", None, "#REF!")
    return xlsx(tmp / "错误值.xlsx", {schema.CUSTOMERS.name: [schema.CUSTOMERS.headers, customer_row()],
                                    schema.TEAM.name: team_rows()}, decorate=decorate)


def formulas(tmp: Path) -> Path:
    def decorate(wb, sheets):
        ws = sheets[schema.CUSTOMERS.name]
        ws.write_formula(1, 1, '="北京"&"瑞丰科技有限公司"', None, "北京瑞丰科技有限公司")
        ws.write_formula(2, 4, "=13800000000+1")  # no cached value
        ws.write_formula(2, 1, '=HYPERLINK("http://example.com","点我")', None, "点我")
    rows = [schema.CUSTOMERS.headers, customer_row(), customer_row("上海恒达物流有限公司")]
    return xlsx(tmp / "公式.xlsx", {schema.CUSTOMERS.name: rows, schema.TEAM.name: team_rows()}, decorate=decorate)


def merged_data(tmp: Path) -> Path:
    def decorate(wb, sheets):
        sheets[schema.CUSTOMERS.name].merge_range("B2:B3", "北京瑞丰科技有限公司")
    rows = [schema.CUSTOMERS.headers, customer_row(), customer_row("", "13912345678")]
    return xlsx(tmp / "合并数据.xlsx", {schema.CUSTOMERS.name: rows, schema.TEAM.name: team_rows()}, decorate=decorate)


def merged_header(tmp: Path) -> Path:
    def decorate(wb, sheets):
        sheets[schema.CUSTOMERS.name].merge_range("A1:B1", "客户编号")
    rows = [schema.CUSTOMERS.headers, customer_row()]
    return xlsx(tmp / "合并表头.xlsx", {schema.CUSTOMERS.name: rows}, decorate=decorate)


def hidden(tmp: Path) -> Path:
    def decorate(wb, sheets):
        sheets[schema.CUSTOMERS.name].set_row(2, None, None, {"hidden": True})
        sheets[schema.TEAM.name].hide()
    rows = [schema.CUSTOMERS.headers, customer_row(), customer_row("上海恒达物流有限公司", "13912345678")]
    return xlsx(tmp / "隐藏.xlsx", {schema.CUSTOMERS.name: rows, schema.TEAM.name: team_rows(), "说明": [["x"]]},
                decorate=decorate)


def headers(kind: str) -> Maker:
    def make(tmp: Path) -> Path:
        head = list(schema.CUSTOMERS.headers)
        if kind == "duplicate":
            head.append("客户名称")
        elif kind == "fullwidth":
            head = [h.replace("客户", "客户 ") + "＊" for h in head]
        elif kind == "alias":
            head = ["编号", "公司名称", "行业", "联系人", "手机号", "邮箱", "来源", "标签", "销售", *head[9:]]
        elif kind == "second":
            return small_book(tmp / "两行表头.xlsx", [head, head, customer_row()])
        elif kind == "missing":
            head = [h for h in head if h != "联系电话"]
        elif kind == "empty":
            return small_book(tmp / "空表.xlsx", [])
        elif kind == "only":
            return small_book(tmp / "只有表头.xlsx", [head])
        return small_book(tmp / f"表头-{kind}.xlsx", [head, customer_row()])
    return make


def date1904(tmp: Path) -> Path:
    rows = [schema.CUSTOMERS.headers, customer_row(创建时间=dt.datetime(2024, 3, 10, 9, 30))]
    return xlsx(tmp / "1904.xlsx", {schema.CUSTOMERS.name: rows, schema.TEAM.name: team_rows()}, date1904=True)


def long_cell(tmp: Path) -> Path:
    base = small_book(tmp / "base.xlsx")
    huge = "长" * 40_000

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            return data.replace("北京瑞丰科技有限公司".encode(), huge.encode(), 1)
        return data
    return rezip(base, tmp / "超长单元格.xlsx", change)


def max_rows(tmp: Path) -> Path:
    """A customer on row 1,048,576, Excel's last row."""
    def decorate(wb, sheets):
        sheets[schema.CUSTOMERS.name].write_row(1_048_575, 0, customer_row("深圳末行科技有限公司", "13711112222"))
    rows = [schema.CUSTOMERS.headers, customer_row()]
    return xlsx(tmp / "最后一行.xlsx", {schema.CUSTOMERS.name: rows, schema.TEAM.name: team_rows()},
                decorate=decorate)


def sensitive(tmp: Path) -> Path:
    rows = [schema.CUSTOMERS.headers, customer_row(客户标签="身份证 11010519491231002X"),
            customer_row("上海恒达物流有限公司", "13912345678", 联系人姓名="李四 卡号6222021234567890128")]
    return small_book(tmp / "敏感信息.xlsx", rows)


def injection(tmp: Path) -> Path:
    rows = [schema.CUSTOMERS.headers, customer_row("=HYPERLINK(\"http://evil\",\"x\")"),
            customer_row("+cmd|' /C calc'!A0", "13912345678"), customer_row("@SUM(1+1)", "13712345678"),
            customer_row("-2+3", "13612345678")]
    return small_book(tmp / "注入.xlsx", rows)


def a_folder(tmp: Path) -> Path:
    p = tmp / "文件夹.xlsx"
    p.mkdir()
    return p


def missing_file(tmp: Path) -> Path:
    return tmp / "不存在.xlsx"


def empty_file(tmp: Path) -> Path:
    p = tmp / "空文件.xlsx"
    p.write_bytes(b"")
    return p


def png_named_xlsx(tmp: Path) -> Path:
    p = tmp / "图片.xlsx"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    return p


def encrypted(tmp: Path) -> Path:
    import msoffcrypto.format.ooxml

    plain = small_book(tmp / "plain.xlsx")
    p = tmp / "加密.xlsx"
    with plain.open("rb") as src, p.open("wb") as dst:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("secret", dst)
    return p


def _legacy(tmp: Path) -> bytes:
    return (FIXTURES / "legacy.xls").read_bytes()


def _xlsx_bytes(tmp: Path) -> bytes:
    return small_book(tmp / "real.xlsx").read_bytes()


HAND_MADE: dict[str, Maker] = {
    **{f"truncated-{int(s * 100)}": _truncated(s) for s in (0.05, 0.3, 0.5, 0.8, 0.99)},
    **{f"corrupt-bytes-{seed}": _flipped(seed) for seed in range(12)},
    **{f"missing-{m}": _drop_member(m) for m in ("xl/workbook.xml", "[Content_Types].xml", "xl/worksheets/sheet1.xml",
                                                 "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/sharedStrings.xml")},
    **{f"bad-xml-{m}": _bad_member_xml(m, b"<worksheet><sheetData><row>") for m in (
        "xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
        "xl/styles.xml", "[Content_Types].xml")},
    **{f"doctype-{kind}-{m}": _doctype(m, kind) for kind in ("external", "laughs", "plain") for m in (
        "xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
        "[Content_Types].xml", "xl/styles.xml")},
    "xls-as-xlsx": _renamed(_legacy, ".xlsx"), "xls-as-xlsm": _renamed(_legacy, ".xlsm"),
    "xls-as-csv": _renamed(_legacy, ".csv"), "ods-as-xlsx": _renamed(_ods, ".xlsx"), "ods-as-ods": _renamed(_ods, ".ods"),
    "csv-as-xlsx": _renamed(_csv_bytes, ".xlsx"), "xlsx-as-csv": _renamed(_xlsx_bytes, ".csv"),
    "xlsx-as-txt": _renamed(_xlsx_bytes, ".txt"), "xlsx-no-suffix": _renamed(_xlsx_bytes, ""),
    "csv-as-pdf": _renamed(_csv_bytes, ".pdf"),
    "zip-bomb": zip_bomb, "folder": a_folder, "missing-file": missing_file, "empty-file": empty_file,
    "png-as-xlsx": png_named_xlsx, "encrypted": encrypted,
    **{f"csv-{enc}-{'crlf' if nl == chr(13) + chr(10) else 'lf'}{'-bom' if bom else ''}": _csv(enc, nl, bom)
       for enc in ("utf-8", "gbk", "utf-16") for nl in ("\r\n", "\n") for bom in (False, True)},
    "csv-mixed-newlines": _mixed_newlines,
    "csv-semicolons": _csv("utf-8", "\n", rows=[[";".join(schema.CUSTOMERS.headers)], [";".join(map(str, customer_row()))]]),
    "csv-header-only": _csv("utf-8", "\n", rows=[schema.CUSTOMERS.headers]),
    "csv-empty": _csv("utf-8", "\n", rows=[]),
    "csv-ragged": _csv("gbk", "\r\n", rows=[schema.CUSTOMERS.headers, ["", "只有名字"], [*customer_row(), "多", "余"]]),
    "date-1904": date1904, "text-dates": text_dates, "numbers-as-text": numbers_as_text,
    "error-values": error_values, "formulas": formulas, "merged-data": merged_data, "merged-header": merged_header,
    "hidden-rows-and-sheets": hidden, "long-cell": long_cell, "max-rows": max_rows, "sensitive": sensitive,
    "injection": injection,
    **{f"headers-{k}": headers(k) for k in ("duplicate", "fullwidth", "alias", "second", "missing", "empty", "only")},
    "phones-as-numbers": _cells("电话数字", 13812345678, 8613812345678, 2162345678, 1.38e10, -1, 0,
                                column="联系电话"),
    "weird-text": _cells("怪字符", "\u200b瑞丰\u200b", "瑞\x00丰", "😀科技有限公司", "a" * 300, " ", "\t\n", "ＡＢＣ公司",
                         "北京瑞丰科技有限公司\r\n上海", "&lt;b&gt;", "<script>"),
    "odd-values": _cells("怪值", True, False, 0.1 + 0.2, 1e308, -0.0, dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31)),
    "demo": lambda tmp: demo_book(tmp / "演示.xlsx"),
}


# -- what each command should do on each input (the oracle: written by hand, one input at a time) -------------
# An outcome is exit 0, exit 1 (done, with findings), or the error class whose one line it tells (exit 2).
Outcome = int | type[errors.CrmError]
COMMANDS = ("validate", "dedupe", "merge", "tag", "dry_run", "remind", "summary", "export", "import_from",
            "import_into")
WRITERS = ("validate", "dedupe", "tag", "remind", "summary", "import_into")  # write into the file they are given


def every(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(COMMANDS, outcome)


def book(**outcomes: Outcome) -> dict[str, Outcome]:
    """A readable workbook: what small_book does unless said otherwise.  Its one customer, 北京瑞丰 at
    13812345678, is also the target workbook's, so importing either way finds a duplicate (exit 1)."""
    return every(0) | {"import_from": 1, "import_into": 1} | outcomes


def csv_file(**outcomes: Outcome) -> dict[str, Outcome]:
    """A readable customer CSV: validate and dedupe read it, import takes it, the rest want a workbook.  Its
    first customer is the target's (exit 1 on import)."""
    return every(errors.NotAWorkbook) | {"validate": 0, "dedupe": 0, "import_from": 1} | outcomes


def cannot_write(reason: type[errors.CrmError], **outcomes: Outcome) -> dict[str, Outcome]:
    """Readable, but a command that writes into the file is refused with ``reason``."""
    return book(**dict.fromkeys(WRITERS, reason)) | outcomes


OUTCOMES: dict[str, dict[str, Outcome]] = {
    # a zip cut short has no central directory
    **{f"truncated-{n}": every(errors.CorruptWorkbook) for n in (5, 30, 50, 80, 99)},
    # flipped bytes land in compressed data (CRC) or in the zip's headers: damaged either way
    **{f"corrupt-bytes-{seed}": every(errors.CorruptWorkbook) for seed in range(12)},
    # a zip without the workbook's manifest or workbook part is not an Excel workbook
    "missing-xl/workbook.xml": every(errors.NotAWorkbook),
    "missing-[Content_Types].xml": every(errors.NotAWorkbook),
    # the parts the data is in: nothing can be read
    "missing-xl/worksheets/sheet1.xml": every(errors.CorruptWorkbook),
    "missing-xl/_rels/workbook.xml.rels": every(errors.CorruptWorkbook),
    "missing-xl/sharedStrings.xml": every(errors.CorruptWorkbook),
    # styles carry no data: reading works, writing back needs them (merge finds nothing to merge, writes nothing)
    "missing-xl/styles.xml": cannot_write(errors.MissingPart),
    **{f"bad-xml-{m}": every(errors.CorruptWorkbook) for m in (
        "xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
        "xl/styles.xml")},  # the reader parses styles too (date formats)
    "bad-xml-[Content_Types].xml": cannot_write(errors.CorruptWorkbook),  # no data in it, as with styles
    # any DTD is refused before parsing, a harmless one too: the check cannot tell them apart safely
    **{f"doctype-{kind}-{m}": every(errors.UnsafeXml) for kind in ("external", "laughs", "plain") for m in (
        "xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml",
        "[Content_Types].xml", "xl/styles.xml")},
    "xls-as-xlsx": every(errors.LegacyXls), "xls-as-xlsm": every(errors.LegacyXls),
    "xls-as-csv": every(errors.LegacyXls),
    "ods-as-xlsx": every(errors.UnsupportedFile), "ods-as-ods": every(errors.UnsupportedFile),
    "csv-as-xlsx": every(errors.TextAsWorkbook),
    # a real workbook under a wrong name is still read (and written) as the workbook it is
    "xlsx-as-csv": book(), "xlsx-as-txt": book(), "xlsx-no-suffix": book(),
    "csv-as-pdf": every(errors.UnsupportedFile),
    "zip-bomb": every(errors.ZipBomb),
    "folder": every(errors.FileMissing), "missing-file": every(errors.FileMissing),
    "empty-file": every(errors.NotAWorkbook), "png-as-xlsx": every(errors.NotAWorkbook),
    "encrypted": every(errors.PasswordProtected),
    # UTF-8 with or without BOM, GBK, UTF-16 (Python writes its BOM), either newline: all read alike
    **{f"csv-{enc}-{nl}{bom}": csv_file() for enc in ("utf-8", "gbk", "utf-16") for nl in ("crlf", "lf")
       for bom in ("", "-bom")},
    "csv-mixed-newlines": csv_file(), "csv-semicolons": csv_file(),
    "csv-header-only": csv_file(import_from=0),  # nothing to import, nothing wrong
    "csv-empty": csv_file(validate=errors.EmptySheet, dedupe=errors.EmptySheet, import_from=errors.EmptySheet),
    "csv-ragged": csv_file(validate=1),  # 只有名字 has no phone
    "date-1904": book(),
    "text-dates": book(validate=1, tag=1),  # 10/03/2024 and 2024-03 are no days
    "numbers-as-text": book(),  # "1,234.50", "¥1234", "1234元" are amounts; "45000" a date serial
    "error-values": book(validate=1, tag=1, import_from=1, import_into=0),  # #REF! name, #N/A phone
    "formulas": book(validate=1, tag=1),  # a phone formula without a cached value: no phone
    "merged-data": book(validate=1, tag=1),  # the merge's lower row holds no name: flagged, not guessed
    "merged-header": every(errors.MergedHeader),
    "hidden-rows-and-sheets": book(),
    # a 40,000-character name: flagged; a person's copy shows it cut, and says so; no longer the target's name
    "long-cell": book(validate=1, tag=1, import_into=0),
    "max-rows": book(),
    "sensitive": book(validate=1, tag=1),  # an ID number and a bank card in free text
    # names Excel would run as formulas are kept as text (tests/adversarial.py); the first shares the target's
    # phone, but different names sharing a phone are no duplicate (rules/dedupe.py)
    "injection": book(import_from=0, import_into=0),
    "headers-duplicate": book(),  # the first 客户名称 column is the one read
    "headers-fullwidth": book(), "headers-alias": book(),
    "headers-second": every(errors.ExtraHeaderRow),
    # an import source or dedupe needs a phone or an e-mail column, and 联系邮箱 is there
    "headers-missing": every(errors.MissingHeader) | {"import_from": 1, "dedupe": 0},
    "headers-empty": every(errors.EmptySheet),
    "headers-only": book(import_from=0, import_into=0),
    # -1, 0 are no phones; 8613812345678 is 13812345678 again
    "phones-as-numbers": book(validate=1, dedupe=1, tag=1),
    "weird-text": book(validate=1, dedupe=1, tag=1),  # blank names; every row has the same phone
    # names TRUE, 0.30000000000000004, 1900-01-01 ... are names; the same phone under different names is no
    # duplicate (so none of the target's either)
    "odd-values": book(import_from=0, import_into=0),
    "demo": book(validate=1, dedupe=1, tag=1, import_into=0),  # the demo's planted mistakes and duplicates
}
# Where the tool does not yet do what OUTCOMES (or FAMILY_OUTCOMES) says: (label, command) -> what it does
# instead.  Each one is a reported bug: the test is an expected failure while it lasts, and a hand-made input's
# test fails once it is fixed (drop it here then).
NEEDS_WORKBOOK = [c for c in COMMANDS if c not in ("validate", "dedupe", "import_from")]
CSV_FAULTS = {errors.UnreadableCsv, errors.EmptySheet, errors.MissingHeader, errors.ExtraHeaderRow}
# What a generated input may end in, per family: any of these on each command.
FAMILY_OUTCOMES: dict[str, dict[str, set[Outcome]]] = {
    "random-cells": {c: {0, 1} for c in COMMANDS},
    "random-csv": {c: {errors.NotAWorkbook} for c in COMMANDS} | {
        c: {0, 1, errors.NoContactColumn, *CSV_FAULTS} for c in ("validate", "dedupe", "import_from")},
    # a byte set anywhere: harmless, a damaged member (CRC), the magic (not a zip), a header's encryption flag,
    # a part's name, or a size field
    "random-corruption": {c: {0, 1, errors.CorruptWorkbook, errors.NotAWorkbook, errors.PasswordProtected,
                              errors.MissingPart, errors.ZipBomb} for c in COMMANDS},
}


def expected(label: str, command: str) -> Outcome:
    """What ``command`` should do on the hand-made input ``label``."""
    return OUTCOMES[label][command]


def allowed(label: str, command: str) -> set[Outcome]:
    return FAMILY_OUTCOMES[label][command] if label in FAMILY_OUTCOMES else {expected(label, command)}


def shown(outcome: Outcome | str | None) -> str:
    return f"exit {outcome}" if isinstance(outcome, int) else f"exit 2 {getattr(outcome, '__name__', outcome)}"


# -- the check --------------------------------------------------------------------------------------
@dataclass
class Tally:
    """What the corpus run saw (the numbers docs/RELIABILITY.md shows)."""

    inputs: int = 0
    runs: int = 0
    exits: dict[int, int] = field(default_factory=dict)
    tracebacks: int = 0
    unexpected: int = 0
    changed_on_failure: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, label: str, command: str, result, changed: bool) -> None:
        self.runs += 1
        self.exits[result.exit_code] = self.exits.get(result.exit_code, 0) + 1
        text = (result.stdout or "") + (result.stderr or "")
        problems = []
        if result.exit_code not in (0, 1, 2) or (result.exception is not None and not isinstance(result.exception,
                                                                                                 SystemExit)):
            problems.append(f"exit {result.exit_code} {result.exception!r}")
        if "Traceback" in text:
            self.tracebacks += 1
            problems.append("traceback")
        if UNEXPECTED and UNEXPECTED in text:
            self.unexpected += 1
            problems.append("unexpected error")
        if result.exit_code == 2 and len([line for line in (result.stderr or "").splitlines() if line.strip()]) != 1:
            problems.append("not one line")
        if result.exit_code == 2 and changed:
            self.changed_on_failure += 1
            problems.append("file changed")
        got: Outcome | str | None = (result.exit_code if result.exit_code != 2 else
                                     getattr(errors, reason_of(result.stderr or "") or "", None))
        wanted = allowed(label, command)
        if got not in wanted:
            problems.append(f"wanted {' or '.join(sorted(map(shown, wanted)))}, got "
                            f"{shown(got) if got is not None else 'exit 2 with no known message'}")
        if problems:
            self.failures.append(f"{label}: {command}: {', '.join(problems)}: {text.strip()[:300]}")


def commands_for(path: Path, target: Path, out: Path) -> list[tuple[str, list[str], list[Path]]]:
    """Every command (named as in COMMANDS), each with the files it was handed (unchanged when it fails)."""
    p = str(path)
    return [
        ("validate", ["validate", p], [path]),
        ("dedupe", ["dedupe", p, "--json"], [path]),
        ("merge", ["merge", p], [path]),
        ("tag", ["tag", p], [path]),
        ("dry_run", ["remind", p, "--dry-run"], [path]),
        ("remind", ["remind", p], [path]),
        ("summary", ["summary", p], [path]),
        ("export", ["export", p, "--all-owners", "--out", str(out)], [path]),
        ("import_from", ["import", str(target), p], [target, path]),
        ("import_into", ["import", p, str(target)], [path, target]),
    ]


def _snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


def check_input(label: str, path: Path, tally: Tally) -> None:
    """Run every command on ``path`` (each on a fresh copy, beside a fresh good workbook) and tally it."""
    tally.inputs += 1
    runner = CliRunner()
    for n in range(len(commands_for(path, path, path))):
        work = path.parent / f"run{n}"
        work.mkdir()
        name, command, given = commands_for(_copy(path, work), small_book(work / "target.xlsx"), work / "out")[n]
        argv = [*command, "--today", TODAY, "--lang", "zh"]
        before = [_snapshot(f) for f in given]
        result = runner.invoke(app, argv)
        changed = any(_snapshot(f) != b for f, b in zip(given, before, strict=True))
        tally.add(label, name, result, changed)


def _copy(path: Path, folder: Path) -> Path:
    target = folder / path.name
    if path.is_dir():
        target.mkdir()
    elif path.exists():
        shutil.copyfile(path, target)
    return target


# -- generated cases (hypothesis) -------------------------------------------------------------------
def generated_strategies():
    """Three families of generated inputs, each a strategy of makers."""
    from hypothesis import strategies as st

    cell = st.one_of(
        st.text(max_size=40), st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
        st.booleans(), st.none(), st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)),
        st.sampled_from(["=1+1", "+86 138-1234-5678", "某总", "已沟通", "CRM2026010100001", "预算规模-50万以上",
                         "11010519491231002X", "6222021234567890128", "#N/A", "2024年3月10日", "　"]),
    )
    grid = st.lists(st.lists(cell, min_size=0, max_size=len(schema.CUSTOMERS.headers)), min_size=0, max_size=8)

    def grid_book(rows: list[list]) -> Maker:
        def make(tmp: Path) -> Path:
            clean = [[_xlsx_cell(v) for v in r] for r in rows]
            follow = [schema.FOLLOWUPS.headers] + [[_xlsx_cell(v) for v in r[:9]] for r in rows]
            return small_book(tmp / "随机单元格.xlsx", [schema.CUSTOMERS.headers, *clean],
                              **{schema.FOLLOWUPS.name: follow})
        return make

    def csv_file(args: tuple) -> Maker:
        rows, encoding, newline, delimiter = args

        def make(tmp: Path) -> Path:
            lines = [delimiter.join(schema.CUSTOMERS.headers)] + [delimiter.join(r) for r in rows]
            p = tmp / "随机.csv"
            p.write_bytes((newline.join(lines) + newline).encode(encoding, errors="replace"))
            return p
        return make

    def corrupted(args: tuple) -> Maker:
        offsets, value = args

        def make(tmp: Path) -> Path:
            data = bytearray(small_book(tmp / "base.xlsx").read_bytes())
            for offset in offsets:
                data[offset % len(data)] = value
            p = tmp / "随机损坏.xlsx"
            p.write_bytes(bytes(data))
            return p
        return make

    csv_rows = st.lists(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
                                 max_size=12), max_size=6)
    return {
        "random-cells": grid.map(grid_book),
        "random-csv": st.tuples(csv_rows, st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "latin-1"]),
                                st.sampled_from(["\n", "\r\n", "\r"]), st.sampled_from([",", ";", "\t", "|"])
                                ).map(csv_file),
        "random-corruption": st.tuples(st.lists(st.integers(0, 10**6), min_size=1, max_size=8),
                                       st.integers(0, 255)).map(corrupted),
    }


def _xlsx_cell(value: object) -> object:
    """What XlsxWriter can hold: text beyond a cell's limit cut, control characters kept out."""
    if isinstance(value, str):
        return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", value)[:32767]
    return value


def run_family(family: str, tally: Tally) -> None:
    """Every generated input of one family through every command (the same examples on every run)."""
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=GENERATED_EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(generated_strategies()[family])
    def run(make: Maker) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            check_input(family, make(Path(tmp)), tally)

    run()
