"""The library (docs/api.md): the documented session runs, each method returns its outcome, and the outcome's
DataFrames hold what the file's sheets hold afterwards, as python-calamine (not the tool's reader) reads them."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import python_calamine

import crm_sheets
from crm_sheets import (ArchiveOutcome, CollectOutcome, CrmError, DedupeOutcome, ImportOutcome, MergeOutcome,
                        RemindOutcome, SummaryOutcome, TagOutcome, ValidateOutcome, Workbook, Written, schema)
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook
from crm_sheets.vba import vba_project

ROOT = Path(__file__).parent.parent
API_MD = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
TODAY = dt.datetime(2026, 11, 24, 9, 0)


def demo(path: Path, day: dt.date) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_workbook(path, data=make_demo(day, n_customers=150, n_followups=900).frames, vba=vba_project())
    return path


def sheet(path: Path, name: str) -> pd.DataFrame:
    """A sheet as python-calamine reads it, under its headers."""
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    return pd.DataFrame(rows[1:], columns=rows[0])


def as_keys(frame: pd.DataFrame, of: schema.Sheet) -> pd.DataFrame:
    return frame.rename(columns={f.header: f.key for f in of.fields})


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    return demo(tmp_path_factory.mktemp("api") / "客户.xlsm", TODAY.date())


@pytest.fixture
def book(master: Path, tmp_path: Path) -> Workbook:
    return Workbook(shutil.copy(master, tmp_path / master.name), today=TODAY, lang="zh")


def test_the_session_in_the_docs_runs(tmp_path: Path, monkeypatch, capsys) -> None:
    """Every ```python block of docs/api.md, in order, in one namespace, beside the demo workbook it opens."""
    demo(tmp_path / "crm-demo" / "crm-demo.xlsm", dt.date.today())
    monkeypatch.chdir(tmp_path)
    blocks = re.findall(r"```python\n(.*?)```", API_MD, re.DOTALL)
    assert len(blocks) == 2
    space: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), space)  # noqa: S102 - the documentation's own example
    said = capsys.readouterr().out
    assert "没有这个文件.xlsx: 找不到这个文件" in said  # the error block told its one line
    assert isinstance(space["checked"], ValidateOutcome) and isinstance(space["reminded"], RemindOutcome)
    assert (tmp_path / "crm-demo" / "crm-demo.xlsm").is_file()


def test_validate_and_tag_return_the_sheets_they_wrote(book: Workbook) -> None:
    checked = book.validate()
    assert isinstance(checked, ValidateOutcome)
    found = as_keys(sheet(book.path, schema.CHECK_RESULTS.name), schema.CHECK_RESULTS)
    assert len(found) == len(checked.problems) > 0
    assert found["code"].tolist() == checked.problems["code"].tolist()
    assert [int(r) for r in found["row"]] == [int(r) for r in checked.problems["row"]]
    assert len(sheet(book.path, schema.DATA_QUALITY.name)) == len(checked.quality)
    tagged = book.tag()
    assert isinstance(tagged, TagOutcome)
    customers = as_keys(sheet(book.path, schema.CUSTOMERS.name), schema.CUSTOMERS)
    for key in ("stage", "tier", "tags"):
        assert customers[key].fillna("").astype(str).tolist() == tagged.customers[key].fillna("").tolist(), key
    assert len(as_keys(sheet(book.path, schema.CHECK_RESULTS.name), schema.CHECK_RESULTS)) == len(tagged.problems)


def test_dedupe_and_merge_return_the_groups_on_the_sheet(book: Workbook) -> None:
    found = book.dedupe()
    assert isinstance(found, DedupeOutcome)
    listed = as_keys(sheet(book.path, schema.DUPLICATES.name), schema.DUPLICATES)
    assert listed["customer_id"].tolist() == found.duplicates["customer_id"].tolist()
    groups = {frozenset(g["customer_id"]) for _, g in listed.groupby("cluster")}
    assert groups == {frozenset(c) for c in found.clusters}
    merged = book.merge()
    assert isinstance(merged, MergeOutcome) and len(merged.merged)  # the demo has groups sure enough to merge
    ids = set(sheet(book.path, schema.CUSTOMERS.name)["客户编号"])
    assert not set(merged.merged["customer_id"]) & ids and set(merged.merged["survivor"]) <= ids
    sure = listed[listed["confirm"] == "是"]
    assert set(merged.merged["customer_id"]) | set(merged.merged["survivor"]) == set(sure["customer_id"])


def test_import_returns_the_rows_it_added(book: Workbook, tmp_path: Path) -> None:
    source = tmp_path / "new.csv"
    source.write_text("客户名称,所属行业,联系人姓名,联系电话,客户来源,负责人\n"
                      "宁波新客电子有限公司,制造业,钱多多,13999998888,展会推荐,张伟\n", encoding="utf-8")
    imported = book.import_customers(source)
    assert isinstance(imported, ImportOutcome)
    assert imported.added["name"].tolist() == ["宁波新客电子有限公司"]
    assert sheet(book.path, schema.CUSTOMERS.name)["客户名称"].iloc[-1] == "宁波新客电子有限公司"
    assert len(sheet(book.path, schema.IMPORT_ERRORS.name)) == len(imported.problems) == 0


def test_summary_and_remind_return_the_tables_they_wrote(book: Workbook) -> None:
    report = book.summary("2026-10")
    assert isinstance(report, SummaryOutcome) and report.sheet_name == "月度汇总-2026-10"
    rows = python_calamine.CalamineWorkbook.from_path(str(book.path)).get_sheet_by_name(report.sheet_name).to_python()
    titles = [r[0] for r in rows if r and r[0] in report.tables]
    assert titles == list(report.tables) and len(titles) > 3
    for title, table in report.tables.items():
        at = next(i for i, r in enumerate(rows) if r and r[0] == title)
        assert [str(c) for c in rows[at + 1][:len(table.columns)]] == [str(c) for c in table.columns], title
    reminded = book.remind(send=False)
    assert isinstance(reminded, RemindOutcome)
    tasks = as_keys(sheet(book.path, schema.TASKS.name), schema.TASKS)
    assert tasks["task_id"].tolist() == reminded.tasks["task_id"].tolist()
    assert reminded.by_owner.sum(axis=1).to_dict() == tasks["owner"].value_counts().to_dict()
    with pytest.raises(CrmError, match="2026-13"):
        book.summary("2026-13")


def test_export_distribute_and_collect(book: Workbook, tmp_path: Path) -> None:
    exported = book.export("张伟", tmp_path / "张伟.xlsx")
    assert isinstance(exported, Written) and exported.files == {"张伟": tmp_path / "张伟.xlsx"}
    assert exported.files["张伟"].is_file() and {"file", "sheet", "row"} <= set(exported.cuts.columns)
    spread = book.distribute()
    team = sheet(book.path, schema.TEAM.name)
    assert isinstance(spread, Written) and set(spread.files) == set(team["姓名"])
    assert all(f.is_file() for f in spread.files.values())
    collected = book.collect()
    assert isinstance(collected, CollectOutcome) and collected.sources == sorted(spread.files.values())
    assert list(collected.conflicts.columns) == list(schema.SYNC_CONFLICTS.keys) and not len(collected.conflicts)


def test_archive_moves_what_it_says(book: Workbook) -> None:
    before = len(sheet(book.path, schema.FOLLOWUPS.name))
    moved = book.archive(dt.date(2026, 6, 1))
    assert isinstance(moved, ArchiveOutcome) and moved.moved[schema.FOLLOWUPS.name] > 0
    assert len(sheet(book.path, schema.FOLLOWUPS.name)) == before - moved.moved[schema.FOLLOWUPS.name]
    back = book.archive(restore=True)
    assert back.moved[schema.FOLLOWUPS.name] == moved.moved[schema.FOLLOWUPS.name]
    assert len(sheet(book.path, schema.FOLLOWUPS.name)) == before
    with pytest.raises(TypeError):
        book.archive()


def test_all_names_exactly_the_documented_api() -> None:
    section = API_MD.split("## 公开的名字 / Public names")[1]
    assert set(re.findall(r"`(\w+)`", section.split(":", 1)[1])) == set(crm_sheets.__all__)
    assert all(getattr(crm_sheets, name) is not None for name in crm_sheets.__all__)
    with pytest.raises(AttributeError):
        crm_sheets.Nothing  # noqa: B018 - a name the package does not have


def test_importing_the_package_stays_cheap() -> None:
    """The API comes in when first asked for: `import crm_sheets` does not pull pandas in."""
    code = "import sys, crm_sheets; print('pandas' in sys.modules); crm_sheets.Workbook; print('pandas' in sys.modules)"
    said = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    assert said == ["False", "True"]


def test_restore_puts_the_workbook_back_as_it_was_before_a_command(book: Workbook) -> None:
    """restore(1) after validate: the bytes from before validate (the backup it made first) are back, and the
    validated file is kept as a backup of its own."""
    before = book.path.read_bytes()
    book.validate()
    assert book.path.read_bytes() != before
    put_back, saved = book.restore(1)
    assert book.path.read_bytes() == before
    assert saved is not None and saved.is_file() and put_back.name != saved.name
