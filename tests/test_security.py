"""Formula injection, sensitive numbers and masked phones in what leaves the workbook (issue 9)."""

from __future__ import annotations

import csv
import email
import email.policy
import re
from pathlib import Path

import pytest
import python_calamine
from corpus import customer_row, demo_book, small_book
from support import members, sheet_part
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app

EVIL = ['=HYPERLINK("http://evil.example","点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def test_import_stores_formula_text_as_text_and_refuses_id_and_card_numbers(tmp_path: Path) -> None:
    path = small_book(tmp_path / "客户管理.xlsx")
    source = tmp_path / "导入.csv"
    rows = [schema.CUSTOMERS.headers[1:9]]
    rows += [customer_row(name, f"1391234567{i}")[1:9] for i, name in enumerate(EVIL)]
    rows.append(customer_row("深圳证件科技有限公司", "13711112222", 客户标签="身份证 11010519491231002X")[1:9])
    rows.append(customer_row("深圳卡号科技有限公司", "13711113333", 联系人姓名="卡号 6222021234567890128")[1:9])
    with source.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    result = CliRunner().invoke(app, ["import", str(path), str(source), "--today", "2026-11-24"])
    assert result.exit_code == 1, result.output  # the ID-card and bank-card rows are refused
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    names = [r[1] for r in wb.get_sheet_by_name(schema.CUSTOMERS.name).to_python()[1:]]
    assert [n for n in names if n in EVIL] == EVIL  # stored exactly as typed
    assert "深圳证件科技有限公司" not in names and "深圳卡号科技有限公司" not in names
    codes = {r[6] for r in wb.get_sheet_by_name(schema.IMPORT_ERRORS.name).to_python()[1:]}
    assert {"id_number", "bank_card"} <= codes
    every = b"".join(members(path).values())
    assert b"11010519491231002X" not in every and b"6222021234567890128" not in every  # listed masked only
    sheet = members(path)[sheet_part(path, schema.CUSTOMERS.name)]
    assert b"<f>" not in sheet and b"<f " not in sheet  # text, never a formula


def test_exports_and_mails_quote_formula_text_and_mask_phones(tmp_path: Path) -> None:
    path = demo_book(tmp_path / "客户管理.xlsx")
    renamed = tmp_path / "带公式.xlsx"
    evil_rows = [customer_row(name, f"1391234567{i}", 负责人="李娜") for i, name in enumerate(EVIL)]
    small_book(renamed, [schema.CUSTOMERS.headers, *evil_rows])
    out = tmp_path / "exports"
    result = CliRunner().invoke(app, ["export", str(renamed), "--all-owners", "--out", str(out), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    cells = [c for f in out.glob("*.xlsx") for name in python_calamine.CalamineWorkbook.from_path(str(f)).sheet_names
             for r in python_calamine.CalamineWorkbook.from_path(str(f)).get_sheet_by_name(name).to_python() for c in r]
    texts = [c for c in cells if isinstance(c, str)]
    assert {"'" + e for e in EVIL} <= set(texts)
    assert not [c for c in texts if c.startswith(("=", "+", "@"))]
    assert not [c for c in texts if MOBILE.search(c)]
    result = CliRunner().invoke(app, ["remind", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    mails = list((tmp_path / "outbox").glob("*.eml"))
    assert mails
    for mail in mails:
        message = email.message_from_bytes(mail.read_bytes(), policy=email.policy.default)
        for part in message.walk():
            if part.get_content_maintype() == "text":
                assert not MOBILE.search(part.get_content()), mail.name


def test_distributed_copies_quote_formula_text_and_collect_takes_the_quote_off(tmp_path: Path) -> None:
    path = tmp_path / "总表.xlsx"
    ids = [f"CRM20261101{i:05d}" for i in range(1, len(EVIL) + 1)]
    customers = [customer_row(name, f"1391234567{i}", 客户编号=cid, 负责人="李娜", 客户标签=name)
                 for i, (name, cid) in enumerate(zip(EVIL, ids))]
    followups = [[cid, "2026-11-20 10:00", "李娜", "电话", "已接通", name, "", "", "", "", "", ""]
                 for cid, name in zip(ids, EVIL)]
    small_book(path, [schema.CUSTOMERS.headers, *customers], 跟进记录=[schema.FOLLOWUPS.headers, *followups])
    result = CliRunner().invoke(app, ["distribute", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 0, result.output
    copy = tmp_path / "总表-分发" / "总表-李娜.xlsx"
    book = python_calamine.CalamineWorkbook.from_path(str(copy))
    texts = [c for name in (schema.CUSTOMERS.name, schema.FOLLOWUPS.name)
             for r in book.get_sheet_by_name(name).to_python() for c in r if isinstance(c, str)]
    assert [t for t in texts if t.startswith(("=", "+", "-", "@"))] == []
    # name, tag and follow-up content of each customer, each behind the quote
    assert sorted(t for t in texts if t[1:] in EVIL) == sorted(["'" + e for e in EVIL] * 3)
    before = path.read_bytes()
    result = CliRunner().invoke(app, ["collect", str(path), "--today", "2026-11-25"])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before, result.output  # the quoted text is the master's own: nothing to bring


FORBIDDEN = {"pty", "xml.dom", "xml.dom.minidom", "xml.dom.pulldom", "xml.sax.expatreader", "lxml", "lxml.etree"}
# subprocess may only quote (list2cmdline, for the Task Scheduler's Arguments); ElementTree may only build.
ALLOWED = {"subprocess": {"list2cmdline"},
           "xml.etree.ElementTree": {"Element", "SubElement", "indent", "tostring"}}
ALLOWED["xml.etree"] = ALLOWED["xml.etree.cElementTree"] = ALLOWED["xml.etree.ElementTree"]


def unsafe_uses(source: str) -> list[str]:
    """What in this module could run a shell or parse XML without defusedxml."""
    import ast

    found = []
    aliases = {}  # local name -> module, for the modules that are allowed only in part
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in FORBIDDEN or (alias.name in ALLOWED and "." in alias.name and not alias.asname):
                    found.append(f"import {alias.name}")
                if alias.name in ALLOWED:
                    aliases[alias.asname or alias.name] = alias.name
        if isinstance(node, ast.ImportFrom):
            names = {alias.name for alias in node.names}
            if node.module in FORBIDDEN or names - ALLOWED.get(node.module, names):
                found.append(f"from {node.module} import {sorted(names)}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            module = aliases.get(node.value.id)
            if module and node.attr not in ALLOWED[module]:
                found.append(f"{module}.{node.attr}")
            if node.value.id == "os" and node.attr in {"system", "popen", "spawnl", "execv", "execvp"}:
                found.append(f"os.{node.attr}")
    return found


@pytest.mark.parametrize("source", [
    "import subprocess\nsubprocess.run(['ls'])", "from subprocess import Popen", "import pty",
    "import xml.etree.ElementTree as ET\nET.fromstring(b'<a/>')", "from xml.etree.ElementTree import parse",
    "import xml.etree.ElementTree\n", "from xml.etree import ElementTree", "import os\nos.system('ls')",
    "import lxml.etree as etree", "import xml.dom.minidom"])
def test_the_checker_sees_a_shell_or_an_unsafe_parser(source: str) -> None:
    assert unsafe_uses(source), source


def test_no_shell_and_no_unsafe_xml_parser_in_the_package() -> None:
    """User data never reaches a shell, and every XML parse goes through defusedxml."""
    package = Path(__file__).parent.parent / "crm_sheets"
    found = [f"{source.name}: {use}" for source in package.rglob("*.py")
             for use in unsafe_uses(source.read_text(encoding="utf-8"))]
    assert not found, found
