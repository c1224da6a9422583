"""The adversarial corpus (issue 32): what a careless user types and what an attacker would, one cell at a time.

Each input names the cell it goes into, and what validate must say of that cell (the reason codes on 校验结果;
none: the text is fine and kept).  The expectations are written by hand from README, docs/fields.md and the issue, not read off
the code: a path-like or header-like name is a name like any other; a line break in an e-mail cell is never a
header; text Excel cannot hold is said, not cut silently; a phone is kept as typed unless its digits are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Input:
    id: str
    sheet: str  # 客户信息 or 团队
    column: str
    value: str
    reasons: frozenset[str] = field(default_factory=frozenset)  # what validate lists for this cell
    stored: str | None = None  # what the workbook holds after import, when it is not the text as typed
    refused: frozenset[str] = field(default_factory=frozenset)  # import lists the row on 导入错误 for these


LONG = "长" * 40_000
PATHS = ["../../../x", "a/b", "a\\b", "C:\\evil", "\\\\server\\share\\x", "CON", "nul.txt", "..", "LPT1.xlsx",
         "name. ", "<script>", "*?:|\""]

INPUTS: list[Input] = [
    # Formula-like text is text: never a formula in the workbook, quoted in exports and mails.
    Input("formula-hyperlink", "客户信息", "客户名称", '=HYPERLINK("http://evil.example","点我")'),
    Input("formula-dde", "客户信息", "客户名称", "+cmd|' /C calc'!A0"),
    Input("formula-at", "客户信息", "客户名称", "@SUM(1+1)"),
    Input("formula-minus", "客户信息", "客户名称", "-2+3有限公司"),
    # Right-to-left override, Arabic, emoji, zero-width characters.
    Input("rtl-override", "客户信息", "客户名称", "\u202e司公限有技科xslx.exe"),
    Input("arabic", "客户信息", "客户名称", "شركة الأمل للتجارة"),
    Input("emoji", "客户信息", "客户名称", "😀开心科技有限公司👍"),
    Input("zero-width", "客户信息", "联系人姓名", "王\u200b建国"),
    # Longer than an Excel cell holds: said, kept in full where it was typed.
    Input("40000-chars", "客户信息", "客户名称", LONG, frozenset({"text_too_long"}),
          refused=frozenset({"text_too_long"})),
    # Header-like and HTML-like text in a customer's cells is only text.
    Input("header-in-name", "客户信息", "客户名称", "北京公司\r\nBcc: x@evil.example"),
    Input("html-in-contact", "客户信息", "联系人姓名", "<img src=x onerror=alert(1)>王"),
    # Path-like people: each one a real team member and an owner, so distribute, export and remind name files
    # after them.
    *[Input(f"owner-path-{i}", "团队", "姓名", text) for i, text in enumerate(PATHS)],
    # E-mail cells: a path with ".." is no address (RFC 5322), a pasted header or a second address neither: refused
    # on validate and skipped by remind; a display name is read as the address.
    Input("email-path", "团队", "邮箱", "x/../../../tmp/y@example.com", frozenset({"bad_team_email"})),  # ".." breaks RFC 5322's dot-atom
    Input("email-display-name", "团队", "邮箱", "王经理 <wang@example.com>"),
    Input("email-crlf-bcc", "团队", "邮箱", "a@example.com\r\nBcc: x@evil.example", frozenset({"bad_team_email"})),
    Input("email-two", "团队", "邮箱", "a@example.com, c@example.com", frozenset({"bad_team_email"})),
    # Phones as other programs write them (import: exact digits are stored as digits; the rest kept as typed).
    Input("phone-float", "客户信息", "联系电话", "13812345679.0", stored="13812345679"),
    Input("phone-exact-e", "客户信息", "联系电话", "1.3812345679E+10", stored="13812345679"),
    Input("phone-inexact-e", "客户信息", "联系电话", "1.38123E+10", frozenset({"phone_digits_lost"})),
    Input("phone-words", "客户信息", "联系电话", "请打前台", frozenset({"bad_phone"}),
          refused=frozenset({"no_contact"})),  # no e-mail either: no way to reach them
    Input("phone-spaced", "客户信息", "联系电话", "+86 138 1234 5679", stored="13812345679"),
    Input("phone-landline", "客户信息", "联系电话", "(0571) 8888-1234", stored="0571-88881234"),
]
