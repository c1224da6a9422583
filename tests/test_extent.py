"""Where a sheet ends, read from the two ends of its XML (collect appends to a master it does not read), checked
against python-calamine reading every cell: on files written by openpyxl, pandas, LibreOffice, XlsxWriter, the
Open XML SDK's prefixes, and real files saved by Excel, WPS and Tencent Docs."""

from __future__ import annotations

from pathlib import Path

import compat
import pytest
import python_calamine

from crm_sheets.workbook.extent import sheet_end

GENERATED = sorted(compat.GENERATED)
REAL = sorted(compat.real_files())


def calamine_end(path: Path, name: str) -> tuple[list, int]:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(
        skip_empty_area=False)
    return (rows[0] if rows else []), len(rows)  # down to the last row with a cell value (an error value too)


def agrees(path: Path) -> int:
    """How many sheets sheet_end could tell; each one it told agrees with calamine."""
    told = 0
    for name in python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names:
        found = sheet_end(path, name)
        if found is None:
            continue
        header, last = calamine_end(path, name)
        assert found[1] == last, (path.name, name)
        ours = found[0] + [""] * (len(header) - len(found[0]))
        assert [ours[i] for i, h in enumerate(header) if isinstance(h, str)] == [
            h for h in header if isinstance(h, str)], (path.name, name)
        told += 1
    return told


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    return compat.reference(tmp_path_factory.mktemp("extent"))


@pytest.mark.parametrize("producer", GENERATED)
def test_the_end_of_every_data_sheet_agrees_with_reading_every_cell(producer: str, reference: Path,
                                                                     tmp_path: Path) -> None:
    path = compat.GENERATED[producer](reference, tmp_path)
    agrees(path)
    for name in ("跟进记录", "交易记录"):  # the sheets collect appends to: every producer's are told
        assert sheet_end(path, name) is not None, (producer, name)


@pytest.mark.parametrize("name", REAL)
def test_real_files_either_agree_or_say_they_cannot_tell(name: str) -> None:
    agrees(compat.REAL / name)


def test_the_real_files_are_mostly_told() -> None:
    """The check above is not empty: most sheets of real files are told."""
    told = sum(agrees(compat.REAL / name) for name in REAL)
    total = sum(len(python_calamine.CalamineWorkbook.from_path(str(compat.REAL / n)).sheet_names) for n in REAL)
    assert told >= total // 2, (told, total)
