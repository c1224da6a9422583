"""Answers worked out without crm_sheets: the published check-digit formulas and Google's phone-number library.

The tests compare the tool's verdicts with these, so a bug in crm_sheets.values cannot also be in the expected
answer.  Each formula is written from its standard, not from the tool's code.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import phonenumbers

HAND_CHECKED = Path(__file__).parent / "fixtures" / "hand_checked_values.csv"


def hand_checked(kind: str) -> list[dict[str, str]]:
    """The rows of the hand-written table for one kind (phone, id, card)."""
    with HAND_CHECKED.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row["kind"] == kind]


def mod11_2_check(body: str) -> str:
    """ISO 7064 MOD 11-2 (GB 11643-1999 §6.2): the check character for the 17 digits before it.

    Folded from the left as the standard's recursive form: p = (p + d) * 2 mod 11, then the check c makes
    (p + c) ≡ 1 (mod 11); c = 10 is written X.
    """
    p = 0
    for d in body:
        p = (p + int(d)) * 2 % 11
    c = (12 - p) % 11
    return "X" if c == 10 else str(c)


def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812-1 Annex B: double every second digit from the right, sum the digits, a multiple of 10."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n // 10 + n % 10
    return total % 10 == 0


_EIGHTEEN = re.compile(r"(?<![0-9A-Za-z])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9])([0-9](?:[ -]?[0-9]){15,18})(?![0-9])")


def id_numbers_in(cell: object) -> list[str]:
    """18-character 身份证号 in a cell's text whose check character is right."""
    return [m for m in _EIGHTEEN.findall(str(cell)) if mod11_2_check(m[:17]) == m[17].upper()]


def card_numbers_in(cell: object) -> list[str]:
    """16-19 digit numbers (in groups or not) in a cell's text passing Luhn that are not 身份证号."""
    found = []
    for m in _CARD.findall(str(cell)):
        digits = re.sub(r"[ -]", "", m)
        if luhn_ok(digits) and not id_numbers_in(digits):
            found.append(digits)
    return found


def phone_normal_form(written: str) -> str:
    """A mainland number as libphonenumber reads it: mobile as 11 digits, landline as 0 + area code - local;
    '' when it is no possible mainland number."""
    try:
        number = phonenumbers.parse(written, "CN")
    except phonenumbers.NumberParseException:
        return ""
    if number.country_code != 86 or not phonenumbers.is_possible_number(number):
        return ""
    national = str(number.national_number)
    if national.startswith("1") and not national.startswith("10"):
        mobile = phonenumbers.number_type(number) in (phonenumbers.PhoneNumberType.MOBILE,
                                                      phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
        return national if mobile else ""
    if phonenumbers.is_valid_number(number):
        if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.FIXED_LINE:
            return ""  # 400 numbers, hotlines: no area code, not a customer's phone
        area = phonenumbers.length_of_geographical_area_code(number)
        return f"0{national[:area]}-{national[area:]}"
    # A local number libphonenumber does not know (seven digits where the city now has eight, say): the
    # numbering plan's shape.  Area codes 10 and 2x are two digits with eight-digit locals; the rest are three
    # digits with seven or eight.
    area = 2 if national[:1] == "2" or national.startswith("10") else 3
    if len(national) - area not in ((8,) if area == 2 else (7, 8)):
        return ""
    return f"0{national[:area]}-{national[area:]}"
