"""docs/fields.md, generated from the schema so it can never drift from it.

    python -m crm_sheets.docs > docs/fields.md
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


def _row(f: Field) -> str:
    required = "是" if f.required else ("工具填写" if f.maintained else "")
    kind = _TYPE_NAMES[f.type] + (f"（{f.options}）" if f.options else "")
    cells = [f.header, f"`{f.key}`", kind, required, "、".join(f.aliases), f.rule, f.rule_en]
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


if __name__ == "__main__":
    sys.stdout.write(fields_markdown())
