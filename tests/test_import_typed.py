"""Nothing typed is lost on import (issue 32): every value of an imported row is in the workbook as typed, a
phone other programs wrote as a number is read as its digits, and what cannot be read is kept and flagged.

Expected values are written out by hand (the digits a person reads off the source), and the sources are written
by other programs' libraries (csv, openpyxl), never by our writer; the workbook is read back with python-calamine.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import python_calamine
import xlwings as xw
from file_engine import FileBook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from crm_sheets import excel, schema
from crm_sheets.cli import app
from crm_sheets.templates import write_workbook
from crm_sheets.written_numbers import digits_lost, exact_digits

TODAY = dt.datetime(2026, 11, 24, 9, 0)
HEADERS = ["客户名称", "所属行业", "联系人姓名", "联系电话", "联系邮箱", "客户来源", "客户标签", "负责人"]
TEAM = pd.DataFrame([["张伟", "zw@example.com", "经理", ""], ["李娜", "ln@example.com", "销售", "张伟"]],
                    columns=schema.TEAM.headers[:4])
PHONE = HEADERS.index("联系电话")


def book(path: Path) -> Path:
    write_workbook(path, data={schema.TEAM.name: TEAM})
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([HEADERS, *rows])
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    """As openpyxl writes it: a float stays a number cell, a str a text cell."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [HEADERS, *rows]:
        ws.append([None if v == "" else v for v in row])
    for cells in ws.iter_rows():
        for cell in cells:  # typed text, not a formula (openpyxl takes "=…" for one)
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    return path


def run_import(workbook: Path, source: Path):
    return CliRunner().invoke(app, ["import", str(workbook), str(source), "--today", "2026-11-24"])


def sheet(workbook: Path, name: str) -> list[list]:
    return python_calamine.CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name(name).to_python()


def customers(workbook: Path) -> list[dict]:
    rows = sheet(workbook, schema.CUSTOMERS.name)
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def checks(workbook: Path) -> set[tuple[int, str, str, str]]:
    """校验结果 as (row, column, value, code)."""
    return {(int(r[1]), r[2], r[3], r[6]) for r in sheet(workbook, schema.CHECK_RESULTS.name)[1:]}


def row(name: str, phone: object, email: str = "") -> list:
    return [name, "制造业", "王建国", phone, email, "展会推荐", "", "张伟"]


# -- the issue's inputs ---------------------------------------------------------------------------------------
def test_the_issues_phones_are_kept_and_validate_says_the_same_afterwards(tmp_path: Path) -> None:
    workbook = book(tmp_path / "客户.xlsx")
    source = write_csv(tmp_path / "导出.csv", [
        row("甲公司", "13812345679.0"),  # pandas / Excel CSV export of a number
        row("乙公司", "1.3812345679E+10"),  # Excel's scientific display, all digits still there
        row("丙公司", "1.38123E+10"),  # Excel's display of a long number in a narrow column: digits gone
        row("丁公司", "请打前台", "ding@example.com"),
    ])
    result = run_import(workbook, source)
    assert result.exit_code == 1, result.output
    stored = {c["客户名称"]: c["联系电话"] for c in customers(workbook)}
    assert stored == {"甲公司": "13812345679", "乙公司": "13812345679", "丙公司": "1.38123E+10", "丁公司": "请打前台"}
    assert sheet(workbook, schema.IMPORT_ERRORS.name)[1:] == []
    expected = {(4, "联系电话", "1.38123E+10", "phone_digits_lost"), (5, "联系电话", "请打前台", "bad_phone")}
    assert checks(workbook) == expected
    fixes = {r[6]: r[5] for r in sheet(workbook, schema.CHECK_RESULTS.name)[1:]}
    assert "从原始表格" in fixes["phone_digits_lost"] and "文本" in fixes["phone_digits_lost"]

    again = CliRunner().invoke(app, ["validate", str(workbook), "--today", "2026-11-24"])
    assert again.exit_code == 1 and "必填项为空" not in again.output, again.output
    assert checks(workbook) == expected  # not 必填项为空: the typed value is still there
    assert {c["客户名称"]: c["联系电话"] for c in customers(workbook)} == stored


def test_the_validate_button_reports_a_kept_phone_as_the_cli_does(tmp_path: Path, monkeypatch) -> None:
    workbook = book(tmp_path / "客户.xlsx")
    assert run_import(workbook, write_csv(tmp_path / "a.csv", [row("丙公司", "1.38123E+10"),
                                                               row("丁公司", "请打前台", "d@example.com")])
                      ).exit_code == 1
    monkeypatch.setattr(excel, "_now", lambda: TODAY)
    engine = FileBook(workbook)
    xw.Book(impl=engine).set_mock_caller()
    try:
        excel.validate()
    finally:
        del xw.Book._mock_caller
    found = {(int(r[1]), r[2], r[3], r[6]) for r in engine.values(schema.CHECK_RESULTS.name)[1:]}
    assert found == {(2, "联系电话", "1.38123E+10", "phone_digits_lost"), (3, "联系电话", "请打前台", "bad_phone")}
    assert [r[4] for r in engine.values(schema.CUSTOMERS.name)[1:]] == ["1.38123E+10", "请打前台"]


def test_a_number_cell_of_an_xlsx_list_is_stored_as_its_digits(tmp_path: Path) -> None:
    workbook = book(tmp_path / "客户.xlsx")
    source = write_xlsx(tmp_path / "名单.xlsx", [row("甲公司", 13812345679.0), row("乙公司", 1.3812345679e10),
                                                 row("丙公司", "1.38123E+10")])
    assert run_import(workbook, source).exit_code == 1
    assert [(c["客户名称"], c["联系电话"]) for c in customers(workbook)] == [
        ("甲公司", "13812345679"), ("乙公司", "13812345679"), ("丙公司", "1.38123E+10")]
    assert checks(workbook) == {(4, "联系电话", "1.38123E+10", "phone_digits_lost")}


def test_a_date_the_tool_cannot_read_is_kept_as_typed(tmp_path: Path) -> None:
    workbook = book(tmp_path / "客户.xlsx")
    source = tmp_path / "a.csv"
    source.write_text("客户名称,所属行业,联系人姓名,联系电话,客户来源,负责人,合同到期日\n"
                      "甲公司,制造业,王建国,13812345679,展会推荐,张伟,下个月底\n", encoding="utf-8")
    assert run_import(workbook, source).exit_code == 1
    assert customers(workbook)[0]["合同到期日"] == "下个月底"
    assert checks(workbook) == {(2, "合同到期日", "下个月底", "bad_date")}


@pytest.mark.parametrize(("text", "digits", "lost"), [
    ("13812345679.0", "13812345679", False), ("1.3812345679E+10", "13812345679", False),
    ("1.3812345679e10", "13812345679", False), ("１．３８１２３４５６７９Ｅ＋１０", "13812345679", False),
    ("1.38123E+10", None, True), ("1.381e+10", None, True), ("1E+10", None, True),
    ("13812345679", None, False), ("13812345679.5", None, False), ("010-62345678", None, False),
    ("138.1234.5678", None, False), ("-1.0", None, False), ("", None, False), ("一三八", None, False),
])
def test_numbers_in_disguise(text: str, digits: str | None, lost: bool) -> None:
    assert exact_digits(text) == digits
    assert digits_lost(pd.Series([text])).tolist() == [lost]


# -- the corpus: phones as other programs write them -------------------------------------------------------------
# (what the source cell holds, how it is written, what 联系电话 must hold, the reason on 校验结果 or 导入错误,
#  whether the row has an e-mail, exit code)
PHONES = [
    ("13812345679.0", "csv", "13812345679", None, False, 0),
    ("13812345679.00", "csv", "13812345679", None, False, 0),
    ("1.3812345679E+10", "csv", "13812345679", None, False, 0),
    ("1.3812345679e10", "csv", "13812345679", None, False, 0),
    ("1.38123456790E+10", "csv", "13812345679", None, False, 0),
    ("8613812345679.0", "csv", "13812345679", None, False, 0),
    ("１３８１２３４５６７９．０", "csv", "13812345679", None, False, 0),
    ("+86 138-1234-5679", "csv", "13812345679", None, False, 0),
    ("(010) 6234 5678", "csv", "010-62345678", None, False, 0),
    ("010.62345678", "csv", "010-62345678", None, False, 0),
    (13812345679.0, "xlsx", "13812345679", None, False, 0),
    (1.3812345679e10, "xlsx", "13812345679", None, False, 0),
    ("1.38123E+10", "csv", "1.38123E+10", "phone_digits_lost", False, 1),
    ("1.38123e+10", "csv", "1.38123e+10", "phone_digits_lost", False, 1),
    ("1.381E+10", "xlsx", "1.381E+10", "phone_digits_lost", True, 1),
    ("1062345678.0", "csv", "1062345678.0", "bad_phone", True, 1),  # 010… as a number: its 0 is gone
    ("13812345679.5", "csv", "13812345679.5", "bad_phone", True, 1),
    ("=13812345679", "csv", "=13812345679", "bad_phone", True, 1),
    ("请打前台", "csv", "请打前台", "bad_phone", True, 1),
    ("请打前台", "csv", None, "no_contact", False, 1),  # no phone and no e-mail: kept out, said why
    ("1062345678.0", "xlsx", None, "no_contact", False, 1),
]


@pytest.mark.parametrize(("cell", "kind", "stored", "code", "email", "exit_code"), PHONES,
                         ids=[f"{p[1]}-{p[0]}-{p[4]}" for p in PHONES])
def test_phones_as_other_programs_write_them(tmp_path: Path, cell: object, kind: str, stored: str | None,
                                              code: str | None, email: bool, exit_code: int) -> None:
    workbook = book(tmp_path / "客户.xlsx")
    rows = [row("甲公司", cell, "jia@example.com" if email else "")]
    source = write_xlsx(tmp_path / "s.xlsx", rows) if kind == "xlsx" else write_csv(tmp_path / "s.csv", rows)
    result = run_import(workbook, source)
    assert result.exit_code == exit_code, result.output
    errors = [(int(r[1]), r[6]) for r in sheet(workbook, schema.IMPORT_ERRORS.name)[1:]]
    if stored is None:
        assert customers(workbook) == [] and (2, code) in errors and {r for r, _ in errors} == {2}
        return
    assert [c["联系电话"] for c in customers(workbook)] == [stored] and errors == []
    assert {c for _, col, _, c in checks(workbook) if col == "联系电话"} == ({code} if code else set())
    CliRunner().invoke(app, ["validate", str(workbook), "--today", "2026-11-24"])
    assert {c for _, col, _, c in checks(workbook) if col == "联系电话"} == ({code} if code else set())


# -- the property: every typed cell is in the workbook or its row is on 导入错误 ----------------------------------
SYNONYMS = {s.split("=", 1)[0] for s in schema.OPTION_LISTS[schema.SYNONYMS]}


def texts(codec: str) -> st.SearchStrategy[str]:
    """Any text the codec can hold: formula-like, RTL, emoji, quotes and separators, line breaks inside."""
    chars = st.characters(codec=codec, exclude_categories=("Cc", "Cs")) | st.sampled_from(
        ["\n", "\t", "=", "+", "-", "@", ",", ";", '"', "'", " ", "\u202e", "١", "😀"] if codec == "utf-8"
        else ["\n", "\t", "=", "+", "-", "@", ",", ";", '"', "'", " "])
    return st.text(chars, max_size=20)


@st.composite
def phones(draw, codec: str, kind: str) -> tuple[object, str]:
    """(the cell as another program writes it, what 联系电话 must hold afterwards)."""
    mobile = draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
    area, local = draw(st.sampled_from([("010", 8), ("021", 8), ("0571", 8), ("0755", 8)]))
    number = draw(st.from_regex(rf"[2-8][0-9]{{{local - 1}}}", fullmatch=True))
    spaced = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    forms = [(mobile, mobile), (f"{mobile}.0", mobile), (f"+86 {spaced}", mobile), (f"{mobile[0]}.{mobile[1:]}E+10", mobile),
             (f"({area}) {number}", f"{area}-{number}"), (f"{area}-{number}", f"{area}-{number}")]
    rounded = f"{int(mobile):.{draw(st.integers(1, 6))}E}"  # as Excel shows it: 1.38123E+10
    forms.append((rounded, rounded))
    if kind == "xlsx":
        forms.append((float(mobile), mobile))
    digitless = draw(texts(codec).filter(lambda s: not any(c.isdigit() for c in s)))
    forms.append((digitless, digitless.strip()))
    return draw(st.sampled_from(forms))


@st.composite
def source_rows(draw, codec: str, kind: str) -> tuple[list, list]:
    """(a source row, the text each of its cells must have in the workbook)."""
    text = texts(codec)
    name, contact, tags = draw(text), draw(text), draw(text)
    industry = draw(st.sampled_from(schema.OPTION_LISTS["所属行业"]) | text.filter(lambda s: s.strip() not in SYNONYMS))
    origin = draw(st.sampled_from(schema.OPTION_LISTS["客户来源"]) | text.filter(lambda s: s.strip() not in SYNONYMS))
    email = draw(st.emails() | text)
    owner = draw(st.sampled_from(["张伟", "李娜"]) | text)
    phone, stored = draw(phones(codec, kind))
    cells = [name, industry, contact, phone, email, origin, tags, owner]
    return cells, [c.strip() if isinstance(c, str) else c for c in cells[:PHONE]] + [stored] + [
        c.strip() for c in cells[PHONE + 1:]]


SOURCES = {"utf-8": ("csv", "utf-8"), "gbk": ("csv", "gbk"), "xlsx": ("xlsx", "utf-8")}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return book(tmp_path_factory.mktemp("base") / "客户.xlsx")


@pytest.mark.parametrize("source_kind", list(SOURCES))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_typed_cell_is_in_the_workbook_or_its_row_is_on_import_errors(base: Path, source_kind: str,
                                                                            data) -> None:
    kind, codec = SOURCES[source_kind]
    rows = data.draw(st.lists(source_rows(codec, kind), min_size=1, max_size=6), label="rows")
    with tempfile.TemporaryDirectory() as folder:
        workbook = Path(folder) / "客户.xlsx"
        shutil.copy(base, workbook)
        cells = [r for r, _ in rows]
        source = (write_xlsx(Path(folder) / "名单.xlsx", cells) if kind == "xlsx"
                  else write_csv(Path(folder) / "名单.csv", cells, codec))
        result = run_import(workbook, source)
        assert result.exit_code in (0, 1), result.output
        errors = {int(r[1]) for r in sheet(workbook, schema.IMPORT_ERRORS.name)[1:]}
        stored = sheet(workbook, schema.CUSTOMERS.name)
    header = stored[0]
    at = [header.index(h) for h in HEADERS]
    # A row with nothing typed in it is no row; the others land in order after the (empty) sheet's header.
    typed = [(n, want) for n, (cells, want) in enumerate(rows, start=2) if any(w != "" for w in want)]
    landed = [want for n, want in typed if n not in errors]
    assert len(stored) - 1 == len(landed), (errors, stored)
    for want, got in zip(landed, stored[1:]):
        assert [got[i] for i in at] == want
