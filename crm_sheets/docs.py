"""docs/fields.md and the sheet table of docs/design.md, generated from the schema so they can never drift from it.

    python -m crm_sheets.docs > docs/fields.md
    python -m crm_sheets.docs sheets    # the table between the markers of docs/design.md "The sheets"
"""

from __future__ import annotations

import sys

from . import schema
from .schema import Field, Sheet

_TYPE_NAMES = {
    "text": "文本", "id": "编号", "name": "姓名", "content": "文字说明", "phone": "电话", "email": "邮箱",
    "date": "日期", "datetime": "日期时间", "money": "金额", "number": "数字", "option": "下拉选项",
    "tags": "标签", "member": "团队成员", "customer_ref": "客户编号",
}


def fields_markdown(sheets: tuple[Sheet, ...] = schema.SHEETS + schema.TOOL_SHEETS) -> str:
    """The field reference: one table per sheet, one row per field."""
    lines = [
        "# 字段说明 / Field reference",
        "",
        "由 `python -m crm_sheets.docs > docs/fields.md` 从 `crm_sheets/schema.py` 生成，请勿手改。",
        "Generated from `crm_sheets/schema.py`; do not edit by hand.",
        "",
        "“别名”是导入和读取时也认的表头写法（忽略空格、全角和 `*`）。",
        "",
    ]
    for sheet in sheets:
        lines += [f"## {sheet.name} (`{sheet.key}`)", "", f"{sheet.description} {sheet.description_en}".strip(), ""]
        lines += ["| 表头 | 键 key | 类型 | 必填 | 别名 | 规则 | Rule |", "|---|---|---|---|---|---|---|"]
        lines += [_row(f) for f in sheet.fields]
        lines.append("")
    lines += ["## 下拉选项 / Option lists", ""]
    lines += [f"- **{name}**：{'、'.join(items)}" for name, items in schema.OPTION_LISTS.items()]
    lines += ["", "## 设置 / Settings", "", "| 设置项 | 默认值 | 说明 |", "|---|---|---|"]
    lines += [f"| {s.name} | {s.default} | {s.note} |" for s in schema.SETTINGS]
    return "\n".join(lines) + "\n"


def sheets_markdown() -> str:
    """The contract of every sheet: who types into it, which cells the tool may change, which are hidden."""
    lines = ["| Sheet | Kind | What it holds | The tool may change | Staff type into | Hidden |",
             "|---|---|---|---|---|---|"]
    for sheet in schema.SHEETS + schema.TOOL_SHEETS:
        if sheet.kind == "tool":
            # A tool sheet's column with a dropdown is where staff answer the tool (确认合并, 执行结果).
            changes = "written once, by distribute" if sheet.hidden else "the whole sheet"
            typed = "、".join(f.header for f in sheet.fields if f.options) or "—"
        else:
            changes = "、".join(f.header for f in sheet.fields if f.maintained) or "—"
            typed = "every other column" if changes != "—" else "every column"
        lines.append(_table_row([sheet.name, sheet.kind, sheet.description_en, changes, typed,
                                 "yes" if sheet.hidden else ""]))
    lines.append(f"| {schema.MONTHLY_PREFIX}YYYY-MM | tool | The monthly summary: small tables, each with its chart. "
                 "| the whole sheet | — |  |")
    return "\n".join(lines) + "\n"


def _row(f: Field) -> str:
    required = "是" if f.required else ("工具填写" if f.maintained else "")
    kind = _TYPE_NAMES[f.type] + (f"（{f.options}）" if f.options else "")
    return _table_row([f.header, f"`{f.key}`", kind, required, "、".join(f.aliases), f.rule, f.rule_en])


def _table_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


if __name__ == "__main__":
    sys.stdout.write(sheets_markdown() if sys.argv[1:] == ["sheets"] else fields_markdown())
