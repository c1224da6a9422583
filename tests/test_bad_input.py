"""Ten kinds of bad input: each gives exit 2, one clear line, no traceback, the file unchanged."""

from __future__ import annotations

import csv
import io
import shutil
import struct
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import pytest
import xlsxwriter
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app
from crm_sheets.workbook.read import read_book

FIXTURES = Path(__file__).parent / "fixtures"


def _workbook(path: Path, sheets: dict[str, list[list]], merge: str | None = None) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
        if merge and name == schema.CUSTOMERS.name:
            ws.merge_range(merge, rows[0][0])
    wb.close()
    return path


def _customer_rows() -> list[list]:
    return [
        schema.CUSTOMERS.headers,
        ["", "北京瑞丰科技有限公司", "信息技术", "王建国", "13812345678", "", "展会推荐", "", "张经理"],
    ]


def not_a_zip(tmp: Path) -> tuple[Path, str]:
    p = tmp / "客户.xlsx"
    p.write_bytes(bytes(range(256)) * 8)
    return p, "不是 Excel 工作簿"


def truncated_zip(tmp: Path) -> tuple[Path, str]:
    whole = _workbook(tmp / "whole.xlsx", {"客户信息": _customer_rows()}).read_bytes()
    p = tmp / "截断.xlsx"
    p.write_bytes(whole[: len(whole) // 2])
    return p, "损坏或不完整"


def xls_renamed(tmp: Path) -> tuple[Path, str]:
    p = tmp / "旧版.xlsx"
    shutil.copy(FIXTURES / "legacy.xls", p)
    return p, "旧版 .xls"


def gbk_csv_named_xlsx(tmp: Path) -> tuple[Path, str]:
    p = tmp / "导出.xlsx"
    text = ",".join(schema.CUSTOMERS.headers) + "\n,北京瑞丰科技有限公司,信息技术,王建国,13812345678\n"
    p.write_bytes(text.encode("gbk"))
    return p, "CSV"


def missing_sheet(tmp: Path) -> tuple[Path, str]:
    return _workbook(tmp / "缺表.xlsx", {"Sheet1": [["a", "b"]]}), "缺少工作表“客户信息”"


def missing_header(tmp: Path) -> tuple[Path, str]:
    rows = _customer_rows()
    rows[0] = [h for h in rows[0] if h != "联系电话"]
    return _workbook(tmp / "缺列.xlsx", {"客户信息": rows}), "缺少必填列“联系电话”"


def empty_workbook(tmp: Path) -> tuple[Path, str]:
    return _workbook(tmp / "空.xlsx", {"客户信息": []}), "是空的"


def password_protected(tmp: Path) -> tuple[Path, str]:
    plain = _workbook(tmp / "plain.xlsx", {"客户信息": _customer_rows()})
    p = tmp / "加密.xlsx"
    with plain.open("rb") as src, p.open("wb") as dst:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("secret", dst)
    return p, "密码"


def _zip_encryption_flag(data: bytes, *, central: bool, local: bool) -> bytes:
    """``data`` with general-purpose bit 0 (the zip encryption flag) set in every member's chosen headers,
    found from the end-of-central-directory record as the zip format lays them out; nothing else changes."""
    out = bytearray(data)
    end = out.rfind(b"PK\x05\x06")
    count, _size, at = struct.unpack_from("<HII", out, end + 10)
    for _ in range(count):
        assert out[at:at + 4] == b"PK\x01\x02"
        names, extra, comment = struct.unpack_from("<HHH", out, at + 28)
        header = struct.unpack_from("<I", out, at + 42)[0]
        assert out[header:header + 4] == b"PK\x03\x04"
        if central:
            out[at + 8] |= 1
        if local:
            out[header + 6] |= 1
        at += 46 + names + extra + comment
    return bytes(out)


def zip_encrypted(tmp: Path) -> tuple[Path, str]:
    plain = _workbook(tmp / "plain.xlsx", {"客户信息": _customer_rows()})
    p = tmp / "zip加密.xlsx"
    p.write_bytes(_zip_encryption_flag(plain.read_bytes(), central=True, local=True))
    return p, "密码"


def zip_encrypted_central_only(tmp: Path) -> tuple[Path, str]:
    plain = _workbook(tmp / "plain.xlsx", {"客户信息": _customer_rows()})
    p = tmp / "zip加密.xlsx"
    p.write_bytes(_zip_encryption_flag(plain.read_bytes(), central=True, local=False))
    return p, "密码"


def zip_encrypted_local_only(tmp: Path) -> tuple[Path, str]:
    plain = _workbook(tmp / "plain.xlsx", {"客户信息": _customer_rows()})
    p = tmp / "zip加密.xlsx"
    p.write_bytes(_zip_encryption_flag(plain.read_bytes(), central=False, local=True))
    return p, "密码"


def merged_header(tmp: Path) -> tuple[Path, str]:
    return _workbook(tmp / "合并表头.xlsx", {"客户信息": _customer_rows()}, merge="A1:B1"), "合并单元格"


def second_header_row(tmp: Path) -> tuple[Path, str]:
    rows = _customer_rows()
    rows.insert(1, list(schema.CUSTOMERS.headers))
    return _workbook(tmp / "两行表头.xlsx", {"客户信息": rows}), "第2行"


CASES = [
    not_a_zip, truncated_zip, xls_renamed, gbk_csv_named_xlsx, missing_sheet,
    missing_header, empty_workbook, password_protected, zip_encrypted, zip_encrypted_central_only,
    zip_encrypted_local_only, merged_header, second_header_row,
]


@pytest.mark.parametrize("make", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_exit_2_one_line_file_unchanged(tmp_path: Path, make) -> None:
    path, expected = make(tmp_path)
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["validate", str(path), "--lang", "zh"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert path.name in lines[0] and expected in lines[0], lines[0]
    assert "Traceback" not in result.output + result.stderr
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".crm-backups/*"))


def test_bad_input_message_in_english(tmp_path: Path) -> None:
    path, _ = missing_header(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert "required column '联系电话' is missing" in result.stderr


def test_gbk_csv_with_csv_extension_is_read(tmp_path: Path) -> None:
    p = tmp_path / "导出.csv"
    header = ",".join(schema.CUSTOMERS.headers)
    row = ",北京瑞丰科技有限公司,信息技术,王建国,138-1234-5678,,展会推荐,,张经理"
    p.write_bytes((header + "\r\n" + row + "\r\n").encode("gbk"))
    before = p.read_bytes()
    result = CliRunner().invoke(app, ["validate", str(p), "--lang", "zh"])
    assert result.exit_code == 0, result.output  # the row is a good customer once its GBK is read right
    assert "没有发现问题" in result.output
    assert "Traceback" not in result.output
    assert p.read_bytes() == before


@pytest.mark.parametrize("delimiter, encoding", [(",", "gbk"), (";", "utf-8-sig"), ("\t", "utf-16")])
def test_a_csv_is_split_by_its_own_separator_whatever_its_cells_hold(tmp_path: Path, delimiter: str,
                                                                        encoding: str) -> None:
    """Python's csv writes the file (quoting as it must); a name holding a tab after a quote, a semicolon or a comma does
    not change which separator the header row is split by (Excel's 'Unicode text' is UTF-16 with tabs)."""
    names = ["", '"\t甲', "甲;乙,丙"]  # csv.Sniffer took the tab for the separator (hypothesis found it)
    p = tmp_path / "导出.csv"
    with p.open("w", encoding=encoding, newline="") as f:
        out = csv.writer(f, delimiter=delimiter)
        out.writerow(["客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "负责人"])
        out.writerows([name, "信息技术", "王建国", "13812345678", "展会推荐", "张经理"] for name in names)
    table = read_book(p).tables["customers"]
    assert list(table.text["name"]) == names


def test_unknown_today_format_says_what_is_valid(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "ok.xlsx", {"客户信息": _customer_rows()})
    result = CliRunner().invoke(app, ["validate", str(path), "--today", "24/11/2026"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_encrypted_fixture_is_really_encrypted(tmp_path: Path) -> None:
    path, _ = password_protected(tmp_path)
    assert msoffcrypto.OfficeFile(io.BytesIO(path.read_bytes())).is_encrypted()


def test_zip_encryption_flag_is_set_where_the_test_says(tmp_path: Path) -> None:
    """The flag really is in the headers (zipfile reads the central one) and the bytes are otherwise those
    XlsxWriter wrote, so the refusal is about the flag and nothing else."""
    plain = _workbook(tmp_path / "plain.xlsx", {"客户信息": _customer_rows()}).read_bytes()
    both = _zip_encryption_flag(plain, central=True, local=True)
    with zipfile.ZipFile(io.BytesIO(both)) as zf:
        assert all(info.flag_bits & 1 for info in zf.infolist())
    with zipfile.ZipFile(io.BytesIO(_zip_encryption_flag(plain, central=False, local=True))) as zf:
        assert not any(info.flag_bits & 1 for info in zf.infolist())
    assert len(both) == len(plain)
    with zipfile.ZipFile(io.BytesIO(plain)) as zf:
        members = len(zf.infolist())
    assert sum(a != b for a, b in zip(both, plain)) == 2 * members


@pytest.mark.parametrize("make", [zip_encrypted, zip_encrypted_local_only])
@pytest.mark.parametrize("role", ["source", "target"])
def test_import_refuses_a_zip_encrypted_file_either_side(tmp_path: Path, make, role: str) -> None:
    locked, expected = make(tmp_path)
    other = _workbook(tmp_path / "客户.xlsx", {"客户信息": _customer_rows()})
    target, source = (other, locked) if role == "source" else (locked, other)
    before = {p: p.read_bytes() for p in (target, source)}
    result = CliRunner().invoke(app, ["import", str(target), str(source), "--lang", "zh"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and locked.name in lines[0] and expected in lines[0], result.stderr
    assert "意外错误" not in result.output + result.stderr
    assert {p: p.read_bytes() for p in before} == before
