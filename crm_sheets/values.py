"""Cell values: what the user sees, what the core computes with.

Column-wise over pandas Series (a million rows must not mean a million Python
calls where a vectorized string operation will do).  Imports nothing of ours
but the schema's type names and written_numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .schema import EXCEL_CELL_LIMIT, FieldType
from .written_numbers import exact_digits

TEXT_TYPES = {"text", "id", "name", "content", "option", "tags", "member", "customer_ref", "email"}
DATE_TYPES = {"date", "datetime"}
NUMBER_TYPES = {"money", "number"}

# Excel's day 0 (1900 system, with its 1900-02-29 bug folded in for serials > 60).
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Excel goes to 9999-12-31 (serial 2958465); pandas' nanosecond dates stop in 2262.
_MAX_SERIAL = (dt.datetime(2262, 4, 11) - dt.datetime(1899, 12, 30)).days
# Text date formats seen in Chinese offices, tried in order after unifying separators.
_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d", "%Y-%m")
_DATE_SEPARATORS = re.compile(r"\s*[年月/.]\s*|\s*-\s*")
_PHONE_NOISE = re.compile(r"[\s\-()（）.·—_/]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# 010 and 02x area codes have eight-digit local numbers; the rest seven or eight.
_LANDLINE = re.compile(r"^0(?:[12]\d[1-9]\d{7}|[3-9]\d{2}[1-9]\d{6,7})$")
_LOCAL = re.compile(r"[2-9]\d{6,7}")
_EXTENSION = re.compile(r"转|分机|ext|x(?=\s*\d)", re.IGNORECASE)


def normalize_header(value: str) -> str:
    """'联系电话＊ ' and '联系电话' compare equal; so do 'E-mail' and 'e-mail'."""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"[\s*]", "", text).lower()


def _number_text(value: float) -> str:
    """13812345678.0 -> '13812345678' (never 1.38e10); 12.5 -> '12.5'."""
    if math.isnan(value):
        return ""
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))


def cell_text(value: object) -> str:
    """A cell as Excel hands it over (str, float for any number, datetime, bool, None), as the user sees it."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _number_text(float(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%Y-%m-%d")
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value).strip()


def shown_text(values: pd.Series) -> pd.Series:
    """cell_text over a column the tool computed (dates, text, blanks)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        when = values.to_numpy(dtype="datetime64[ns]")
        return pd.Series(np.where(np.isnat(when), "", _moments_text(when)), index=values.index, dtype=object)
    return text_column(values.astype(object).where(values.notna(), None))


def text_column(raw: pd.Series, type: FieldType = "text") -> pd.Series:
    """Each cell as the user sees it, as a str ('' for empty)."""
    if isinstance(raw.dtype, pd.StringDtype):  # text columns read column-wise: vectorized in Arrow
        stripped = raw.fillna("").str.strip()
        # the column itself when nothing was padded, so a million-row sheet is not held twice
        return raw if raw.notna().all() and stripped.str.len().equals(raw.str.len()) else stripped
    if raw.dtype != object or not len(raw):
        return raw.map(cell_text).astype(object)
    # A sheet read row-wise holds text, datetimes, numbers and blanks: each kind converted in one go.
    cells = raw.to_numpy()
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":  # text only: no kinds to tell apart
        return pd.Series([v.strip() for v in cells], index=raw.index, dtype="str")
    kinds = _kinds(cells)
    out = np.empty(len(cells), dtype=object)
    text = kinds == "str"
    out[text] = [v.strip() for v in cells[text]]
    when = kinds == "datetime"
    if when.any():
        out[when] = _datetime_text(cells[when])
    rest = ~(text | when)
    if rest.any():
        out[rest] = [cell_text(v) for v in cells[rest]]
    # pandas' own text type (Arrow in pandas 3): the checks over 100,000 rows run twice as fast on it.
    return pd.Series(out, index=raw.index, dtype="str")


@lru_cache(maxsize=64)
def _kind(cls: type) -> str:
    """What a cell's Python type is for our purposes (isinstance once per type, not once per cell)."""
    if issubclass(cls, str):
        return "str"
    if issubclass(cls, bool):
        return "bool"
    if issubclass(cls, dt.datetime):
        return "datetime"
    if issubclass(cls, dt.date):
        return "date"
    if issubclass(cls, (int, float, np.integer, np.floating)):
        return "number"
    return "other"


def _kinds(cells: np.ndarray) -> np.ndarray:
    return np.array([_kind(t) for t in map(type, cells)], dtype=object)


def _datetime_text(cells: np.ndarray) -> list[str]:
    """cell_text of naive datetimes, formatted by numpy (strftime is a Python call per cell)."""
    if any(v.tzinfo is not None or not 1678 <= v.year <= 2261 for v in cells):  # rare: as cell_text has it
        return [cell_text(v) for v in cells]
    return _moments_text(pd.to_datetime(cells).to_numpy()).tolist()


def _moments_text(when: np.ndarray) -> np.ndarray:
    """2024-03-10 14:30, or 2024-03-10 at midnight (cell_text's forms), for datetime64 values."""
    if not len(when):  # numpy's string functions cannot reduce over nothing
        return np.array([], dtype=object)
    text = np.char.replace(np.datetime_as_string(when.astype("datetime64[m]"), unit="m"), "T", " ")
    midnight = when == when.astype("datetime64[D]")
    return np.where(midnight, np.char.partition(text, " ")[:, 0], text)


def nfkc(text: pd.Series) -> pd.Series:
    """Unicode NFKC (full-width letters and digits to plain ones), in Arrow when the column is there."""
    if isinstance(text.dtype, pd.StringDtype) and text.dtype.storage == "pyarrow":
        normalized = pc.utf8_normalize(pa.array(text.array), form="NFKC")
        return pd.Series(pd.array(normalized, dtype=text.dtype), index=text.index, name=text.name)
    return text.str.normalize("NFKC")


def distinct_text(column: pd.Series) -> pa.Array:
    """The distinct non-blank texts of a column, as member() takes them without converting each time."""
    found = pc.unique(pa.array(column.to_numpy(dtype=object) if column.dtype == object else column.array,
                               type=pa.large_string()))
    return pc.filter(found, pc.not_equal(found, "")) if len(found) else found


def member(column: pd.Series, items) -> pd.Series:
    """column.isin(items), without pandas' Python loop over ``items`` for Arrow text (100,000 ids); ``items``
    any collection of text, or distinct_text() of a column."""
    if not (isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"):
        return column.isin(items.to_pylist() if isinstance(items, pa.Array) else items)
    wanted = items if isinstance(items, pa.Array) else pa.array([str(i) for i in items], type=pa.large_string())
    found = pc.is_in(pa.array(column.array).cast(pa.large_string()), value_set=wanted)
    return pd.Series(found.fill_null(False).to_numpy(zero_copy_only=False), index=column.index)


# What spreadsheet programs start a formula with (OWASP "CSV injection"), tab and CR included.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: object) -> str:
    """Text as it may leave the workbook (mail, copies): a leading formula character is quoted with ', and so are
    quotes before one, so that a copy's quote can be taken off exactly (app.common.unquoted)."""
    text = "" if is_blank(text) else str(text)
    return "'" + text if text.lstrip("'").startswith(FORMULA_START) else text


def is_blank(value: object) -> bool:
    """Nothing in the cell: None, '', NaN or NaT."""
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)) or value == ""


def cell_value(value: object) -> object:
    """What to put in a cell: None for a blank, a plain datetime for a pandas Timestamp."""
    kind = type(value)
    if kind is str:  # most changed cells: checked first
        return value or None
    if isinstance(value, pd.Timestamp):  # (NaT is not one)
        return value.to_pydatetime()
    return None if is_blank(value) else value


def per_distinct(column: pd.Series, fn) -> np.ndarray:
    """fn of each cell, called once per distinct value (a team writes a few hundred tag cells 100,000 times)."""
    codes, distinct = pd.factorize(column, use_na_sentinel=False)
    # (fn("") only gives an empty column the type of fn's answers)
    return np.array([fn(v) for v in distinct] or [fn("")])[codes]


def carries_tag(cells: pd.Series, tag: str) -> np.ndarray:
    """Whether each tag cell carries ``tag`` as a tag, not as part of one (风险等级-高 in 风险等级-高级 is not)."""
    return per_distinct(cells, lambda cell: tag in split_tags(cell)).astype(bool)


# Staff separate tags with any of these (docs/fields.md asks for commas; people also type 、 and ;).
TAG_SEPARATORS = r"[,，、;；]"


@lru_cache(maxsize=1 << 16)  # a team uses a few hundred tag combinations over 100,000 rows
def split_tags(cell: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in re.split(TAG_SEPARATORS, cell or "") if t.strip())


def typed_column(raw: pd.Series, type: FieldType, text: pd.Series | None = None) -> pd.Series:
    """The value the core computes with; unusable cells become ''/NaT/NaN.

    ``text`` is text_column(raw) when the caller has it already.
    """
    if text is None and type not in DATE_TYPES | NUMBER_TYPES:
        text = text_column(raw, type)
    if type == "phone":
        return normalize_phone(text)
    if type in DATE_TYPES:
        return parse_dates(raw)
    if type in NUMBER_TYPES:
        return parse_numbers(raw)
    return text


def parse_numbers(raw: pd.Series) -> pd.Series:
    """Numbers, and text such as '1,234.50', '¥1234', '1234元'."""
    if isinstance(raw.dtype, pd.StringDtype):
        numeric, text = pd.Series(np.nan, index=raw.index), text_column(raw)
    else:
        numeric = pd.to_numeric(raw.where(_kinds(raw.to_numpy()) == "number"), errors="coerce")
        text = text_column(raw.where(numeric.isna(), ""), "text")
    cleaned = nfkc(text).str.replace(r"^[¥￥]|元$|,", "", regex=True).str.strip()
    from_text = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    return numeric.fillna(from_text).astype("float64")


def parse_dates(raw: pd.Series) -> pd.Series:
    """Dates from datetime cells, Excel serial numbers and common text formats."""
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if not len(raw):
        return out
    if isinstance(raw.dtype, pd.StringDtype) or pd.api.types.infer_dtype(raw, skipna=False) == "string":
        # text only (a CSV, a sheet read column-wise): Excel serial numbers arrive as digits
        out = parse_date_text(raw)
        digits = raw[out.isna() & raw.str.fullmatch(r"\d+(?:\.\d+)?").fillna(False)]
        if len(digits):
            out[digits.index] = _serial_dates(digits.astype("float64"))
        return out
    kinds = _kinds(raw.to_numpy())
    is_when = (kinds == "datetime") | (kinds == "date")
    if is_when.any():
        when = raw[is_when]
        if (kinds == "date").any():
            when = when.map(_as_datetime)
        out[is_when] = _ns(pd.to_datetime(when, errors="coerce"))
    is_number = kinds == "number"
    if is_number.any():
        out[is_number] = _serial_dates(raw[is_number].astype("float64"))
    is_text = kinds == "str"
    if is_text.any():
        out[is_text] = parse_date_text(raw[is_text])
    return out.astype("datetime64[ns]")


def _ns(dates: pd.Series) -> pd.Series:
    """Dates at pandas' nanosecond resolution; a date it cannot hold (after 2262, before 1677) is no date."""
    if str(dates.dtype) != "datetime64[ns]":
        dates = dates.where((dates >= pd.Timestamp.min) & (dates <= pd.Timestamp.max))
    return dates.astype("datetime64[ns]")


def _serial_dates(numbers: pd.Series) -> pd.Series:
    """Excel serial numbers (and 20240310-style numbers) as dates; NaT where neither."""
    yyyymmdd = (numbers >= 19000101) & (numbers <= 29991231) & (numbers % 1 == 0)
    serial = numbers.where((numbers >= 1) & (numbers <= _MAX_SERIAL) & ~yyyymmdd)
    out = (_EXCEL_EPOCH + pd.to_timedelta(serial.round(6), unit="D")).astype("datetime64[ns]")
    if yyyymmdd.any():
        digits = numbers[yyyymmdd].astype("int64").astype(str)
        out[digits.index] = _ns(pd.to_datetime(digits, format="%Y%m%d", errors="coerce"))
    return out


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)


def parse_date_text(text: pd.Series) -> pd.Series:
    """'2024-03-10 14:30', '2024/3/10', '2024.03.10', '2024年3月10日 9:05', '20240310', …"""
    # Most cells are ISO already (2024-03-10, 2024-03-10 14:30): one fast pass first.
    out = _ns(pd.to_datetime(text.str.strip(), format="ISO8601", errors="coerce"))
    rest = text[out.isna() & (text != "")]
    if not len(rest):
        return out
    unified = (
        nfkc(rest)
        .str.strip()
        .str.replace("T", " ", regex=False)
        .str.replace(r"日\s*", " ", regex=True)
        .str.replace(r"[时点]", ":", regex=True)
        .str.replace("分", "", regex=False)
        .str.replace(_DATE_SEPARATORS, "-", regex=True)
        .str.strip(" -:")
    )
    for fmt in _DATE_FORMATS:
        todo = unified[out[unified.index].isna() & (unified != "")]
        if not len(todo):
            break
        out[todo.index] = _ns(pd.to_datetime(todo, format=fmt, errors="coerce"))
    return out


def normalize_phone(text: pd.Series) -> pd.Series:
    """Mainland mobile as 11 digits, landline as '010-12345678'; '' when not a phone.

    Accepts +86 / 0086 / 86 prefixes, spaces, dashes, brackets and full-width digits.
    """
    return pd.Series([phone_digits(t) for t in text.tolist()], index=text.index, dtype=object)


def phone_digits(text: str) -> str:
    """normalize_phone for one cell."""
    # A number in disguise (13812345679.0) is its digits, not 138123456790.
    text = exact_digits(text) or unicodedata.normalize("NFKC", text) if text else ""
    digits = _PHONE_NOISE.sub("", text)
    if not digits:
        return ""
    international = digits.startswith(("+86", "0086"))
    if international:
        digits = digits[3:] if digits[0] == "+" else digits[4:]
        # +86 10 12345678: the trunk 0 is dropped in international form.
        if digits[:1] in "23456789" or digits.startswith("10"):
            candidate = "0" + digits
            if _LANDLINE.match(candidate):
                digits = candidate
    elif len(digits) == 13 and digits.startswith("86") and _MOBILE.match(digits[2:]):
        digits = digits[2:]
    if _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(digits):
        area = 3 if digits[1] in "12" else 4
        return f"{digits[:area]}-{digits[area:]}"
    return ""


def local_numbers(text: pd.Series, phones: pd.Series) -> pd.Series:
    """A landline's number without its area code (0571-88881234 -> 88881234; 88881234 as written; an extension
    转808 / ext.808 dropped); '' for mobiles and anything else.  ``phones`` is normalize_phone(text): only the
    cells it could not read are parsed again.  Staff often leave the area code out."""
    out = phones.where(phones.str.startswith("0"), "").str.split("-", n=1).str[-1].fillna("").astype(object)
    unread = (phones == "") & (text.fillna("").astype(str) != "")
    for row, cell in zip(text.index[unread].tolist(), text[unread].astype(str).tolist()):
        base = _EXTENSION.split(unicodedata.normalize("NFKC", cell), maxsplit=1)[0]
        full = phone_digits(base)
        digits = _PHONE_NOISE.sub("", base)
        out[row] = full.split("-", 1)[1] if full.startswith("0") else (digits if _LOCAL.fullmatch(digits) else "")
    return out


def valid_emails(text: pd.Series) -> pd.Series:
    """True where the cell is one valid address (surrounding spaces and case ignored)."""
    return text.str.strip().str.fullmatch(_EMAIL) & ~text.str.contains("..", regex=False)


def mask_phone(phone: str) -> str:
    """'13812345678' -> '138****5678'; '010-12345678' -> '010-****5678'."""
    if not phone:
        return ""
    if "-" in phone:
        area, local = phone.split("-", 1)
        return f"{area}-{'*' * (len(local) - 4)}{local[-4:]}"
    return f"{phone[:3]}****{phone[-4:]}"


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_PATTERN = r"(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])"
_CARD_PATTERN = r"(?<!\d)(\d(?:[ -]?\d){15,18})(?!\d)"
# The WHATWG (HTML form) definition of a valid e-mail address.
_EMAIL = (r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
          r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


def is_id_number(candidate: str) -> bool:
    """An 18-character 身份证号 (GB 11643) with a plausible birth date and a valid check digit."""
    if len(candidate) != 18 or not candidate[:17].isdigit():
        return False
    try:
        born = dt.date(int(candidate[6:10]), int(candidate[10:12]), int(candidate[12:14]))
    except ValueError:
        return False
    if not dt.date(1900, 1, 1) <= born <= dt.date(2100, 1, 1):
        return False
    total = sum(int(d) * w for d, w in zip(candidate[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == candidate[17].upper()


def is_bank_card(candidate: str) -> bool:
    """16–19 digits passing the Luhn check."""
    digits = re.sub(r"[ -]", "", candidate)
    if not (16 <= len(digits) <= 19 and digits.isdigit()):
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def find_sensitive(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """身份证号 and bank-card numbers in a column: two Series, index -> the number found.

    A card number that is also a valid 身份证号 counts as the 身份证号.
    """
    # Cheap vectorized filters first, so only cells with 16 digits in a row (or in
    # groups) go through Python.
    long_enough = text[text.str.len() >= 16]
    candidates = long_enough[long_enough.str.contains(r"\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}", regex=True)]
    ids: dict[object, str] = {}
    cards: dict[object, str] = {}
    for index, cell in candidates.items():
        for match in re.finditer(_ID_PATTERN, cell):
            if is_id_number(match.group(1)):
                ids[index] = match.group(1)
                break
        for match in re.finditer(_CARD_PATTERN, cell):
            number = match.group(1)
            if is_bank_card(number) and not is_id_number(re.sub(r"[ -]", "", number)):
                cards[index] = number
                break
    return pd.Series(ids, dtype=object), pd.Series(cards, dtype=object)


def fitted(text: str) -> str:
    """Text as a cell of a new workbook holds it: longer than Excel's 32,767 characters, cut visibly (ending
    in …; XlsxWriter would cut silently).  What was cut is listed (rules/overlong.py)."""
    return text[:EXCEL_CELL_LIMIT - 1] + "…" if len(text) > EXCEL_CELL_LIMIT else text
