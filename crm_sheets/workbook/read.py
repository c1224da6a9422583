"""Read a workbook (or a CSV export) into typed tables keyed by schema field.

python-calamine reads each sheet in one call; everything after that is
column-wise pandas.  Headers are matched through the schema's aliases
(model/headers.py).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pandas as pd
import python_calamine as calamine

from .. import errors, schema, values
from ..schema import Sheet
from ..model.book import Book, default_rules
from ..model.headers import column_letters, match_headers
from ..model.tables import SheetTable
from ..settings import Settings
from .columns import columns_ahead, one_heap
from .sniff import sniff


def read_book(
    path: str | Path,
    *,
    need: tuple[str, ...] = ("customers",),
    sheets: tuple[Sheet, ...] = schema.SHEETS,
    required: set[str] | None = None,
) -> Book:
    """Read the data sheets of a workbook (or a CSV / xlsx export of one table).

    ``need`` names the sheet keys that must be present; other data sheets are
    read when they exist.  ``required`` overrides which field keys must have a
    column (default: the schema's required fields).  Raises a CrmError with a
    one-line message naming file, sheet, row and column for anything that
    cannot be read.
    """
    path = Path(path)
    kind = sniff(path)
    data_sheets = [s for s in sheets if s.kind == "data"]
    if kind == "csv":
        rows = _csv_rows(path)
        at, sheet = _header_row(data_sheets, rows)
        table = table_from_rows(path.name, sheet, rows[at:], merged=None, required=required, first=at)
        return Book(path, kind, {sheet.key: table}, _default_options(), _empty_team(), Settings.of({}, path.name), [])
    # The big sheets are parsed by fastexcel in a second thread (the parse holds no GIL) while this one reads and
    # types 客户信息 by rows: on a two-core machine the two overlap.
    one_heap()
    with _calamine(path) as wb, ThreadPoolExecutor(1) as pool:
        names = list(wb.sheet_names)
        parsed: dict[str, calamine.CalamineSheet] = {}

        def sheet_of(name: str) -> calamine.CalamineSheet:
            # Each get_sheet_by_name parses the sheet's XML again: once per sheet is enough.
            if name not in parsed:
                parsed[name] = wb.get_sheet_by_name(name)
            return parsed[name]

        def rows_of(name: str) -> list[list]:
            return sheet_of(name).to_python(skip_empty_area=False)

        def merged_of(name: str):
            ranges = sheet_of(name).merged_cell_ranges
            del parsed[name]  # asked for after the rows: the parsed sheet is not needed any more
            return ranges

        big = [s.name for s in sheets if s.kind == "data" and s.key in COLUMN_SHEETS and s.name in names]
        return book_from_sheets(path, names, rows_of, merged_of, need=need, sheets=sheets, required=required,
                                columns_of=columns_ahead(path, big, pool))


@contextmanager
def _calamine(path: Path) -> Iterator[calamine.CalamineWorkbook]:
    """The workbook open in python-calamine; whatever it cannot read is a one-line CrmError."""
    try:
        wb = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise errors.PasswordProtected(file=path.name) from None
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError, ValueError, OSError) as exc:
        raise errors.CorruptWorkbook(file=path.name, detail=str(exc).splitlines()[0][:80]) from None
    try:
        yield wb
    except (calamine.CalamineError, calamine.ZipError, calamine.XmlError) as exc:
        raise errors.CorruptWorkbook(file=path.name, detail=str(exc).splitlines()[0][:80]) from None
    finally:
        wb.close()


# Sheets read as text columns: big, and none of their cells is ever copied verbatim (客户信息's are, on merge).
COLUMN_SHEETS = {"followups", "orders", "tickets"}
Columns = Callable[[str], "tuple[pd.DataFrame, object] | None"]


def book_from_sheets(
    path: Path,
    names: list[str],
    rows_of: Callable[[str], list[list]],
    merged_of: Callable[[str], object] = lambda name: None,
    *,
    need: tuple[str, ...] = ("customers",),
    sheets: tuple[Sheet, ...] = schema.SHEETS,
    required: set[str] | None = None,
    columns_of: Columns = lambda name: None,
) -> Book:
    """A Book from a workbook's sheets, however they are read (python-calamine from the file,
    or xlwings from a live Excel workbook): ``rows_of(name)`` gives a sheet's rows; ``columns_of(name)``
    its text columns and merged ranges where a column reader can (see COLUMN_SHEETS)."""
    data_sheets = [s for s in sheets if s.kind == "data"]
    tables: dict[str, SheetTable] = {}
    if names and not any(s.name in names for s in data_sheets):
        export = _export_table(rows_of(names[0]), merged_of(names[0]), path.name, data_sheets, required)
        if export is not None:
            return Book(path, "export", {export.sheet.key: export}, _default_options(), _empty_team(),
                        Settings.of({}, path.name), names)
    for sheet in data_sheets:
        if sheet.name not in names:
            if sheet.key in need:
                raise errors.MissingSheet(file=path.name, sheet=sheet.name)
            continue
        must = required if sheet.key in need else None
        columns = columns_of(sheet.name) if sheet.key in COLUMN_SHEETS else None
        if columns is not None:
            tables[sheet.key] = table_from_columns(path.name, sheet, *columns, required=must)
        else:
            tables[sheet.key] = table_from_rows(path.name, sheet, rows_of(sheet.name), merged=merged_of(sheet.name),
                                                required=must)
    present: Sheets = {name: partial(rows_of, name) for name in names}
    by_key = {s.key: s for s in sheets}
    return Book(
        path, "xlsx", tables,
        _read_options(present, by_key.get("options", schema.OPTIONS)),
        _read_team(present, path.name, by_key.get("team", schema.TEAM)),
        _read_settings(present, path.name),
        names,
        _read_rules(present, path.name),
    )


def table_from_rows(file: str, sheet: Sheet, rows: list[list], merged=None, required: set[str] | None = None,
                    first: int = 0) -> SheetTable:
    """Header row plus data rows (as python-calamine returns them) -> a typed table; ``first`` is how many rows
    (a list's title) stood above the header in the file."""
    width = max(map(len, rows), default=0)  # a CSV's rows may be ragged; a sheet's never are
    body = pd.DataFrame([r + [""] * (width - len(r)) if len(r) < width else r for r in rows[1:]], dtype=object)
    return _table(file, sheet, rows[:4], body, merged, required, first)


def table_from_columns(file: str, sheet: Sheet, columns: pd.DataFrame, merged=None,
                       required: set[str] | None = None) -> SheetTable:
    """Text columns of a whole sheet (row 1 first, as columns.read_columns gives them) -> a typed table."""
    head = [list(r) for r in columns.iloc[:4].itertuples(index=False, name=None)]
    return _table(file, sheet, head, columns.iloc[1:], merged, required)


def _table(file: str, sheet: Sheet, head: list[list], body: pd.DataFrame, merged, required: set[str] | None,
           first: int = 0) -> SheetTable:
    """The first rows of a sheet from its header row (row ``first`` + 1) and its data rows as columns -> a typed
    table."""
    if not head or all(c in ("", None) for c in head[0]):
        raise errors.EmptySheet(file=file, sheet=sheet.name, headers="、".join(sheet.headers[:5]) + "…")
    for (r0, c0), (r1, c1) in merged or ():
        if r0 <= first <= r1:
            cells = f"{column_letters(c0)}{r0 + 1}:{column_letters(c1)}{r1 + 1}"
            raise errors.MergedHeader(file=file, sheet=sheet.name, cells=cells)
    found = match_headers(sheet, head[0])
    for f in sheet.fields:
        must = f.key in required if required is not None else f.required and not f.maintained
        if must and f.key not in found:
            raise errors.MissingHeader(file=file, sheet=sheet.name, header=f.header)
    for r in range(1, len(head)):
        again = match_headers(sheet, head[r])
        if len(again) >= max(2, len(found) // 2):
            raise errors.ExtraHeaderRow(file=file, sheet=sheet.name, row=first + r + 1)
    body = body.set_axis(pd.RangeIndex(first + 2, first + len(body) + 2), axis=0)
    raw = pd.DataFrame(index=body.index)
    for key, col in found.items():
        raw[key] = body[col] if col in body.columns else pd.Series("", index=body.index, dtype=object)
    text = pd.DataFrame({k: values.text_column(raw[k], sheet.field(k).type) for k in raw.columns}, index=raw.index)
    nonempty = (text != "").any(axis=1) if len(text.columns) else pd.Series(False, index=text.index)
    text = text[nonempty]
    raw = raw[nonempty]
    data = pd.DataFrame({k: values.typed_column(raw[k], sheet.field(k).type, text[k]) for k in raw.columns},
                        index=raw.index)
    letters = {k: column_letters(c) for k, c in found.items()}
    written = tuple(str(c).strip() if c is not None else "" for c in head[0])
    return SheetTable(sheet=sheet, data=data, text=text, letters=letters, source=file, raw=raw,
                      headers={k: written[c] for k, c in found.items()}, columns=written)


def _export_table(rows: list[list], merged, file: str, data_sheets: list[Sheet], required: set[str] | None
                  ) -> SheetTable | None:
    """The first sheet of an xlsx export of one table, if its header row looks like one of ours."""
    at, sheet = _header_row(data_sheets, rows)
    found = match_headers(sheet, rows[at] if rows else [])
    identifying = next(f.key for f in sheet.fields if f.required and not f.maintained)
    if len(found) < 2 or identifying not in found:  # e.g. a 团队 sheet is no customer export
        return None
    return table_from_rows(file, sheet, rows[at:], merged=merged, required=required, first=at)


def read_tool_sheet(path: str | Path, sheet: Sheet) -> pd.DataFrame:
    """A tool-owned sheet's rows as they are (raw cell values) keyed by field key; empty if absent."""
    wb = calamine.CalamineWorkbook.from_path(str(path))
    try:
        rows = wb.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False) if sheet.name in wb.sheet_names else []
    finally:
        wb.close()
    return tool_frame(sheet, rows)


def tool_frame(sheet: Sheet, rows: list[list]) -> pd.DataFrame:
    """A tool sheet's rows (header first) as a frame keyed by field key, blank rows dropped."""
    if len(rows) < 2:
        return pd.DataFrame({f.key: pd.Series(dtype=object) for f in sheet.fields})
    found = match_headers(sheet, rows[0])
    body = [r for r in rows[1:] if any(c not in ("", None) for c in r)]
    return pd.DataFrame({f.key: [r[found[f.key]] if f.key in found else "" for r in body] for f in sheet.fields},
                        dtype=object)


# A list's title and notes above its header (展会名称, 导出时间, a blank row): at most this many rows.
TITLE_ROWS = 10


def _header_row(data_sheets: list[Sheet], rows: list[list]) -> tuple[int, Sheet]:
    """Where a list's header is (0-based) and whose it is: the first row naming two of a data sheet's fields."""
    for at, row in enumerate(rows[:TITLE_ROWS + 1]):
        sheet = _best_sheet(data_sheets, row)
        if len(match_headers(sheet, row)) >= 2:
            return at, sheet
    return 0, _best_sheet(data_sheets, rows[0] if rows else [])


def _best_sheet(data_sheets: list[Sheet], header_row: list) -> Sheet:
    scored = [(len(match_headers(s, header_row)), -i, s) for i, s in enumerate(data_sheets)]
    return max(scored, key=lambda t: (t[0], t[1]))[2]


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    text = None
    encodings = ["utf-16"] if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else ["utf-8-sig", "gb18030"]
    for enc in encodings:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text:
        raise errors.UnreadableCsv(file=path.name)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text[:8192])))


def _delimiter(sample: str) -> str:
    """The separator that splits the first records into the most columns. csv.Sniffer guesses from character
    counts and takes a tab inside a quoted name for the separator; a header row has no separator in it."""
    def median_width(delimiter: str) -> int:
        widths = sorted(len(row) for row, _ in zip(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter),
                                                   range(20)))
        return widths[len(widths) // 2] if widths else 0
    return max(",\t;", key=median_width)


def _default_options() -> dict[str, list[str]]:
    return {name: list(items) for name, items in schema.OPTION_LISTS.items()}


def _empty_team() -> pd.DataFrame:
    return pd.DataFrame({f.key: pd.Series(dtype=object) for f in schema.TEAM.fields})


Sheets = dict[str, Callable[[], list[list]]]


def _read_options(present: Sheets, sheet: Sheet) -> dict[str, list[str]]:
    """Option lists as the workbook has them; lists missing there use the defaults."""
    options = _default_options()
    if sheet.name not in present:
        return options
    rows = present[sheet.name]()
    if not rows:
        return options
    for col, head in enumerate(rows[0]):
        name = values.text_column(pd.Series([head], dtype=object), "text").iloc[0]
        if not name:
            continue
        column = pd.Series([r[col] if col < len(r) else "" for r in rows[1:]], dtype=object)
        items = [v for v in values.text_column(column, "text").tolist() if v]
        options[name] = items
    return options


def _read_team(present: Sheets, file: str, sheet: Sheet) -> pd.DataFrame:
    if sheet.name not in present:
        return _empty_team()
    rows = present[sheet.name]()
    if not rows or all(c in ("", None) for c in rows[0]):
        return _empty_team()
    return table_from_rows(file, sheet, rows, merged=None).data  # indexed by Excel row, for 校验结果


def _read_rules(present: Sheets, file: str) -> pd.DataFrame:
    if schema.RULES.name not in present:
        return default_rules()
    rows = present[schema.RULES.name]()
    if not rows or all(c in ("", None) for c in rows[0]):
        return default_rules()
    data = table_from_rows(file, schema.RULES, rows).data.reset_index(drop=True)
    return data.reindex(columns=schema.RULES.keys)


def read_settings(path: str | Path) -> Settings:
    """Just the 设置 sheet (the job's clock and mail server), without reading the data sheets."""
    path = Path(path)
    if sniff(path) != "xlsx":
        raise errors.NotAWorkbook(file=path.name)
    with _calamine(path) as wb:
        name = schema.SETTINGS_SHEET.name
        return _read_settings({name: lambda: wb.get_sheet_by_name(name).to_python()} if name in wb.sheet_names else {},
                              path.name)


def _read_settings(present: Sheets, file: str) -> Settings:
    typed: dict[str, str] = {}
    rows = present[schema.SETTINGS_SHEET.name]() if schema.SETTINGS_SHEET.name in present else []
    for row in rows[1:]:
        if len(row) >= 2 and row[0] not in ("", None):
            cells = values.text_column(pd.Series(row[:2], dtype=object), "text").tolist()
            typed[cells[0]] = cells[1]
    return Settings.of(typed, file)
