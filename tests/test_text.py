"""Text (issue 31): the commands run on a console that cannot show every character, and every file names its encoding.

A scheduled task on a Chinese Windows writes its output in the ANSI code page (GBK, cp936); a customer's emoji or a
rare character outside GBK must come out as "?" there, never as a UnicodeEncodeError.
"""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook

ROOT = Path(__file__).parent.parent
TODAY = "2026-11-24"
NOT_GBK = "🐼"  # in the workbook's name: every command's lines name the file
PHONE = "📞13800000001"
COMPANY = "𠀋记🍵茶行有限公司"  # 𠀋 (U+2000B) is outside GBK too
NOTE_COLUMN = "备注📌"


def _workbook(folder: Path) -> tuple[Path, Path]:
    demo = make_demo(dt.date.fromisoformat(TODAY), n_customers=40, n_followups=200).frames
    customers = demo["客户信息"]
    customers.loc[customers.index[0], "联系电话"] = PHONE
    customers.loc[customers.index[1], "客户名称"] = COMPANY
    path = folder / f"客户{NOT_GBK}.xlsx"
    write_workbook(path, data=demo)
    customers.to_csv(path.with_suffix(".csv"), index=False, encoding="utf-8")
    leads = pd.DataFrame({"公司名称": ["🌸花语文化传媒有限公司"], "联系人": ["周杰"], "手机": ["13912345678"],
                          "负责人": ["李娜"], NOTE_COLUMN: ["展会😀"]})
    leads.to_csv(folder / f"线索{NOT_GBK}.csv", index=False, encoding="utf-8-sig")
    return path, path.with_suffix(".csv")


def _run_gbk(folder: Path, *args: str) -> tuple[int, str, str]:
    """One command as a scheduled task runs it: GBK output redirected to files, default-encoding warnings on."""
    env = {**os.environ, "PYTHONIOENCODING": "cp936", "PYTHONWARNDEFAULTENCODING": "1"}
    with open(folder / "out.txt", "wb") as stdout, open(folder / "err.txt", "wb") as stderr:
        code = subprocess.run([sys.executable, "-c", "from crm_sheets.cli import main; main()", *args], cwd=folder,
                              env=env, stdout=stdout, stderr=stderr, timeout=300).returncode
    return code, (folder / "out.txt").read_bytes().decode("gbk"), (folder / "err.txt").read_bytes().decode("gbk")


def test_the_main_commands_replace_what_a_gbk_console_cannot_show(tmp_path: Path) -> None:
    book, csv = _workbook(tmp_path)
    shown = "客户?.xlsx"  # the panda replaced
    runs = [  # (arguments, exit code, what stdout must hold)
        (["new", f"新{NOT_GBK}.xlsx"], 0, "新?.xlsx"),
        (["validate", csv.name, "--today", TODAY], 1, f"?{PHONE[1:]}"),  # CSV mode prints each problem's cell
        (["import", book.name, f"线索{NOT_GBK}.csv", "--dry-run", "--today", TODAY], 0, "备注?"),
        (["import", book.name, f"线索{NOT_GBK}.csv", "--today", TODAY], 0, "备注?"),
        (["validate", book.name, "--today", TODAY], 1, shown),
        (["dedupe", book.name, "--today", TODAY], 1, shown),
        (["dedupe", book.name, "--json", "--today", TODAY], 1, '{"clusters"'),
        (["merge", book.name, "--today", TODAY], 0, shown),
        (["tag", book.name, "--today", TODAY], 1, shown),
        (["summary", book.name, "--today", TODAY], 0, shown),
        (["remind", book.name, "--today", TODAY], 0, shown),
        (["export", book.name, "--owner", "李娜", "--today", TODAY], 0, "客户?-李娜.xlsx"),
        (["job", book.name, "--once", "--today", TODAY], 0, "后台任务"),
        (["restore", book.name], 0, shown),
    ]
    for args, expected, echoed in runs:
        code, stdout, stderr = _run_gbk(tmp_path, *args)
        assert (code, "Traceback" in stdout + stderr) == (expected, False), (args, stdout, stderr)
        assert echoed in stdout, (args, stdout)
        assert not [line for line in stderr.splitlines() if "EncodingWarning" in line and "crm_sheets" in line], stderr
    code, stdout, stderr = _run_gbk(tmp_path, "validate", f"无{NOT_GBK}.xlsx")
    assert (code, stdout, "Traceback" in stderr) == (2, "", False) and "无?.xlsx" in stderr, stderr


def test_without_the_replacement_the_same_line_would_fail() -> None:
    """The runs above can fail: GBK has no panda, no 𠀋."""
    for text in (NOT_GBK, COMPANY, PHONE):
        with pytest.raises(UnicodeEncodeError):
            text.encode("cp936")


# --- every file read or written names its encoding ---------------------------------------------------------------

READS_OR_WRITES_TEXT = {"read_text", "write_text", "to_csv", "TextIOWrapper", "FileHandler", "RotatingFileHandler",
                        "TimedRotatingFileHandler"}
SUBPROCESS = {"run", "Popen", "check_output", "check_call", "call"}


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _text_mode(mode: ast.expr | None) -> bool:
    return mode is None or (isinstance(mode, ast.Constant) and isinstance(mode.value, str) and "b" not in mode.value)


def _mode(call: ast.Call, position: int) -> ast.expr | None:
    return _keyword(call, "mode") or (call.args[position] if len(call.args) > position else None)


def without_encoding(call: ast.Call) -> bool:
    """A call that reads or writes text in the platform's default encoding (GBK on a Chinese Windows)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if _keyword(call, "encoding") is not None or any(k.arg is None for k in call.keywords):
        return False
    if name in READS_OR_WRITES_TEXT:
        return True
    if name == "read_csv":  # pandas'; pyarrow's reads UTF-8 unless told otherwise
        return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in {"pd", "pandas"}
    if name == "open" and isinstance(func, ast.Name):
        return _text_mode(_mode(call, 1))
    if name == "open":  # Path.open(mode); ZipFile.open(member, mode) takes a member first and is binary
        first = call.args[0] if call.args else None
        return (first is None or isinstance(first, ast.Constant)) and _text_mode(_mode(call, 0))
    if name in {"fdopen", "NamedTemporaryFile", "TemporaryFile"}:  # binary unless given a text mode
        mode = _mode(call, 1 if name == "fdopen" else 0)
        return mode is not None and _text_mode(mode)
    if name in SUBPROCESS:
        text = _keyword(call, "text") or _keyword(call, "universal_newlines")
        return isinstance(text, ast.Constant) and text.value is True
    return False


def unnamed_encodings(source: str) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and without_encoding(node)]


def test_every_file_read_or_written_names_its_encoding() -> None:
    # benchmarks' .cache/ holds what they make, splink's virtualenv among it: other people's code, not ours.
    found = {f"{path.relative_to(ROOT)}:{line}"
             for folder in ("crm_sheets", "tests", "benchmarks") for path in sorted((ROOT / folder).rglob("*.py"))
             if ".cache" not in path.parts
             for line in unnamed_encodings(path.read_text(encoding="utf-8"))}
    assert found == set()


@pytest.mark.parametrize("line", [
    'open(path)', 'open(path, "w")', 'open(path, mode="a")', 'path.open()', 'path.open("r")', 'path.read_text()',
    'path.write_text(text)', 'pd.read_csv(path)', 'frame.to_csv(path)', 'os.fdopen(fd, "w")',
    'tempfile.NamedTemporaryFile(mode="w")', 'logging.FileHandler(path)', 'io.TextIOWrapper(raw)',
    'subprocess.run(args, text=True)', 'subprocess.Popen(args, universal_newlines=True)',
])
def test_the_scan_sees_a_default_encoding(line: str) -> None:
    assert unnamed_encodings(line) == [1]
    named = line[:-1] + (', encoding="utf-8")' if line[-2] != "(" else 'encoding="utf-8")')
    assert unnamed_encodings(named) == []


@pytest.mark.parametrize("line", [
    'open(path, "rb")', 'path.open("wb")', 'zf.open(info)', 'zf.open(target, "w")', 'os.fdopen(fd, "wb")',
    'tempfile.NamedTemporaryFile()', 'subprocess.run(args, capture_output=True)', 'pa_csv.read_csv(path)',
    'path.read_bytes()',
])
def test_the_scan_leaves_bytes_alone(line: str) -> None:
    assert unnamed_encodings(line) == []
