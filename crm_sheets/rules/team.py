"""The team on 团队: who reports to whom, and the address each person can be mailed at."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
from email_validator import EmailNotValidError, validate_email


def team_of(team: pd.DataFrame, person: str) -> set[str]:
    """The person and everyone reporting to them, directly or not (a manager's team reaches to the bottom)."""
    members, frontier = {person}, {person}
    while frontier:
        frontier = set(team.loc[team["manager"].isin(frontier), "name"]) - members
        members |= frontier
    return members


def mail_address(cell: str) -> str | None:
    """The one address a 团队 邮箱 cell names, fit to go into a mail header; None when the cell cannot be used.

    ``王伟 <wang@example.com>`` is read as ``wang@example.com`` (Outlook copies addresses that way).  Refused:
    a line break or any other control or invisible character (a pasted ``\\r\\nBcc: x@y.com`` would add a
    header), several addresses, a name holding , ; : @ " (text that looks like another address or a header),
    and anything email-validator does not take as one address.  A domain in Chinese comes back as its ASCII
    form, which every mail server reads.
    """
    text = cell.strip()
    if not text or any(unicodedata.category(c) in _UNSEEN for c in text):
        return None
    named = _NAMED.fullmatch(text)
    if named:
        name = named["name"].strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1]
        if _NOT_IN_NAME.search(name):
            return None
        text = named["address"].strip()
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    # As typed (the mail ledger's keys name the address), unless only the ASCII form can travel.
    return text if text.isascii() else checked.ascii_email


def mail_addresses(team: pd.DataFrame) -> tuple[dict[str, str], dict[str, str]]:
    """(name -> address for everyone on 团队 who can be mailed, name -> the cell for everyone whose 邮箱 is filled
    but cannot be used).  Nobody's mail waits for another's bad cell."""
    usable, unusable = {}, {}
    for name, cell in zip(team["name"].fillna(""), team["email"].fillna("")):
        if not name or not cell:
            continue
        address = mail_address(cell)
        if address is None:
            unusable[name] = cell
        else:
            usable[name] = address
    return usable, unusable


_UNSEEN = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}  # controls, format (zero-width, bidi), line/paragraph separators
_NAMED = re.compile(r"(?P<name>[^<>]*)<(?P<address>[^<>]*)>")
_NOT_IN_NAME = re.compile(r'[,;:@"\\<>，；：]')
