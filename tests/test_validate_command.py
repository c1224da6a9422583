"""`crm-sheets validate` end to end: on the demo workbook and on another program's file.

The demo is input only: its phones, 身份证号 and card numbers are judged by tests/oracles.py (libphonenumber,
MOD 11-2, Luhn), and its other problems are the literal values demo_data plants (a 负责人 赵六, an e-mail
wang@@qq.com, ...), each with the code a person gives it.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import python_calamine
from oracles import card_numbers_in, id_numbers_in, phone_normal_form
from support import FIXTURES, MANIFEST, lo_inspect, members, rows_removed, sheet_part
from typer.testing import CliRunner

from crm_sheets.app import validate as validate_app
from crm_sheets.cli import app
from crm_sheets.demo import write_demo
from crm_sheets.stores.file import FileStore
from crm_sheets.templates import write_workbook

TODAY = dt.datetime(2026, 11, 24, 9, 0)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    path, manifest = write_demo(folder, today=TODAY)
    outcome = validate_app.run(FileStore(path), today=TODAY)
    return path, manifest, outcome


# Codes whose expected cells the tests find on their own; the others come from the planted literal values.
JUDGED_HERE = {"bad_phone", "id_number", "bank_card"}


def expected_problems(manifest) -> set[tuple]:
    planted = manifest.planted[~manifest.planted["code"].isin(JUDGED_HERE)]
    expected = set(map(tuple, planted[["sheet", "row", "column", "code"]].values.tolist()))
    phones = manifest.frames["客户信息"]["联系电话"].fillna("").astype(str)
    expected |= {("客户信息", int(i) + 2, "联系电话", "bad_phone") for i, p in phones.items()
                 if p and not phone_normal_form(p)}
    for sheet, frame in manifest.frames.items():
        for column in frame.columns:
            for i, cell in frame[column].items():
                if id_numbers_in(cell):
                    expected.add((sheet, int(i) + 2, column, "id_number"))
                elif card_numbers_in(cell):
                    expected.add((sheet, int(i) + 2, column, "bank_card"))
    return expected


def test_demo_validation_lists_exactly_the_planted_problems(demo) -> None:
    _path, manifest, outcome = demo
    found = outcome.result.problems[["sheet", "row", "column", "code"]]
    found = set(map(tuple, found.astype({"row": int}).values.tolist()))
    expected = expected_problems(manifest)
    assert {c for *_rest, c in expected} >= JUDGED_HERE  # the outside oracles found something of each
    assert found == expected, {"missed": expected - found, "extra": sorted(found - expected)[:20]}


def test_demo_new_customers_got_ids_written_into_the_file(demo) -> None:
    path, manifest, outcome = demo
    assert sorted(outcome.assigned.index) == sorted(manifest.unassigned_rows)
    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_name("客户信息").to_python(skip_empty_area=False)
    ids = [rows[r - 1][0] for r in manifest.unassigned_rows]
    assert all(isinstance(i, str) and i.startswith("CRM20261124") and len(i) == 16 for i in ids)
    assert len(set(ids)) == len(ids)
    assert all(isinstance(rows[r - 1][9], dt.datetime) for r in manifest.unassigned_rows)
    sheet = wb.get_sheet_by_name("校验结果").to_python()
    assert len(sheet) - 1 == len(outcome.result.problems)


def test_demo_validation_is_stable_on_a_second_run(demo) -> None:
    path, _manifest, outcome = demo
    again = validate_app.run(FileStore(path), today=TODAY)
    assert len(again.assigned) == 0
    pd.testing.assert_frame_equal(
        again.result.problems.reset_index(drop=True), outcome.result.problems.reset_index(drop=True)
    )


def test_validate_preserves_a_libreoffice_workbook(tmp_path: Path) -> None:
    path = tmp_path / "团队客户.xlsm"
    shutil.copy(FIXTURES / "foreign.xlsm", path)
    before = members(path)
    data_part = sheet_part(path, "客户信息")
    result = CliRunner().invoke(app, ["validate", str(path), "--today", "2026-11-24"])
    assert result.exit_code == 1, result.output  # 某总 is a vague contact
    after = members(path)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= MANIFEST | {data_part}, changed
    assert rows_removed(before[data_part], {3, 4}) == rows_removed(after[data_part], {3, 4})
    assert set(before) < set(after)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    info = lo_inspect(path)
    assert info["charts"]["我的笔记"] == 1 and info["pictures"]["我的笔记"] == 1
    assert {"校验结果", "数据质量"} <= set(info["sheets"])
    problems = info["cells"]["校验结果"]
    assert problems[1][:3] == ["客户信息", 4.0, "联系人姓名"]


@pytest.mark.parametrize(("lang", "said"), [("zh", "今天还剩 0 个，这次最多需要 1 个"),
                                            ("en", "0 left today and this run may need 1")])
def test_a_day_without_free_ids_is_refused_in_words(tmp_path: Path, lang: str, said: str) -> None:
    """rules/ids refuses by a code; app/ words it as errors.TooManyNewIds in the asked language: today's last
    serial (99999) is taken and one customer lacks an id -> exit 2, the file untouched."""
    workbook = tmp_path / "客户.xlsx"
    rows = pd.DataFrame({"客户编号": ["CRM2026112499999", ""], "客户名称": ["宁波老客五金有限公司", "宁波新客电子有限公司"],
                         "联系电话": ["13900000000", "13900000001"], "负责人": ["张伟", "张伟"]})
    write_workbook(workbook, data={"客户信息": rows})
    before = workbook.read_bytes()
    result = CliRunner().invoke(app, ["validate", str(workbook), "--today", "2026-11-24", "--lang", lang])
    assert result.exit_code == 2, result.output
    assert said in result.output and workbook.read_bytes() == before
