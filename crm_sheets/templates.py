"""The CRM workbook, written from the schema with XlsxWriter.

``crm-sheets new`` and the demo both come through here: every sheet (docs/design.md
"The sheets") with dropdowns pointing at 选项/团队/客户信息, input hints, frozen headers,
column widths, conditional formats for flagged rows, and the default
团队/选项/设置/回访规则 rows.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import schema
from .schema import Field, Sheet
from .workbook.write import LAST_ROW, ToolSheet, dress, write_value

LIST_ROWS = 200  # room for staff to extend a list on 选项 / 团队
FIXED_CREATED = dt.datetime(2026, 1, 1)  # so two builds of the template are byte-identical
# 标签字典 holds several tags per cell's vocabulary; it is no dropdown.
NO_DROPDOWN = {"标签字典"}
FLAG_FILL = "#FFC7CE"
SILENT_FILL = "#D9D9D9"
ESCALATE_FILL = "#FFD966"


TEMPLATES = Path(__file__).resolve().parent.parent / "workbook_templates"
OPERATIONS = "操作"
# (VBA Sub in macros/Module1.bas, caption, what it does); the first ones also sit on the data sheets.
BUTTONS: tuple[tuple[str, str, str], ...] = (
    ("CrmValidate", "校验", "检查所有数据，问题列在“校验结果”，给新客户生成编号"),
    ("CrmDedupe", "查重", "找出重复录入的客户，列在“疑似重复”"),
    ("CrmMerge", "合并", "合并“疑似重复”里 确认合并=是 的客户（可在“合并记录”撤销）"),
    ("CrmImport", "导入", "选择一个 CSV/xlsx 文件，导入其中的客户（路径记在下面 B14，负责人在 B15）"),
    ("CrmTag", "打标签", "更新客户阶段、价值层级、自动标签、下次回访日期"),
    ("CrmRevisitList", "生成回访清单", "按回访规则生成“回访任务”"),
    ("CrmSendReminders", "发送提醒", "生成回访清单并给每个负责人发今天的提醒邮件"),
    ("CrmSummary", "生成月报", "写上个月的“月度汇总”（带图表）和“反馈统计”"),
    ("CrmDistribute", "分发", "给团队每人生成一本自己的工作簿（自己的客户和记录），放在 B17 的文件夹"),
    ("CrmCollect", "汇总", "把 B17 文件夹里各人的工作簿收进本表：新增和改动只收一次，冲突列在“同步冲突”"),
    ("CrmTestChat", "测试群消息", "给“设置”里的每个群机器人发一条测试消息，报告每个群的回答"),
)
# 操作's rows for BUTTONS: the first ten from row 4; B14, B15 and B17 hold the import file, its owner and the
# folder (workbooks out there have them there), so later buttons go below those, from row 20.
BUTTON_ROWS = (*range(3, 13), *range(19, 19 + len(BUTTONS) - 10))
ON_DATA_SHEETS = {"客户信息": ("CrmValidate", "CrmDedupe", "CrmTag"), "跟进记录": ("CrmValidate", "CrmTag")}
IMPORT_CELL = "B14"
IMPORT_OWNER_CELL = "B15"  # next to the path: who gets the rows a lead list leaves without an owner
SYNC_CELL = "B17"  # the folder 分发 writes the copies to and 汇总 collects them from
IMPORT_NAME = "CrmImportPath"  # the path cell by a name the ASCII-only VBA can use (操作 is not ASCII)
XLWINGS_CONF = "xlwings.conf"  # xlwings' settings sheet: where its UDFs come from
# Tool sheets the template has from the start, empty: 回访任务 so the sheet Excel's buttons fill keeps its
# filter and colours.
EMPTY_TOOL_SHEETS = (schema.CHECK_RESULTS, schema.TASKS)


def build_template(path: str | Path, *, addin: bool = False) -> None:
    """An empty CRM workbook with the defaults filled in (.xlsm: with the buttons and their VBA, standalone
    unless ``addin``: then RunPython comes from the xlwings add-in)."""
    vba = None
    if Path(path).suffix.lower() == ".xlsm":
        from .vba import vba_project

        vba = vba_project(addin=addin)
    write_workbook(path, vba=vba)


def build_templates(folder: Path = TEMPLATES, *, addin: bool = False) -> list[Path]:
    """workbook_templates/: the plain .xlsx and the .xlsm with buttons, rebuilt from schema and macros/ for the
    installed xlwings (``addin``: crm-template-addin.xlsm, whose buttons need the xlwings add-in)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("crm-template-addin.xlsm",) if addin else ("crm-template.xlsx", "crm-template.xlsm"):
        target = folder / name
        tmp = folder / f".{name}.tmp{target.suffix}"
        build_template(tmp, addin=addin)
        os.replace(tmp, target)
        written.append(target)
    return written


def write_workbook(
    target: str | Path,
    data: dict[str, pd.DataFrame] | None = None,
    sheets: tuple[Sheet, ...] = schema.SHEETS,
    extra: Sequence[ToolSheet] = (),
    vba: bytes | None = None,
) -> None:
    """Write every sheet of ``sheets`` plus an empty 校验结果 and 回访任务, then the ``extra`` tool sheets.

    ``data`` maps sheet name -> rows with Chinese headers as columns (any
    subset); config sheets without data get the schema's defaults.
    """
    data = data or {}
    wb = xlsxwriter.Workbook(
        str(target),
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
         "strings_to_urls": False},
    )
    wb.set_properties({"title": "客户管理", "created": FIXED_CREATED})
    formats = _Formats(wb)
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
        _operations_sheet(wb, formats)
    by_key = {s.key: s for s in sheets}
    given = {tool.name for tool in extra}
    for sheet in (*sheets, *(s for s in EMPTY_TOOL_SHEETS if s.name not in given)):
        ws = wb.add_worksheet(sheet.name)
        rows = data.get(sheet.name)
        if rows is None:
            rows = _defaults(sheet)
        _write_sheet(wb, ws, sheet, rows, formats, by_key)
        if vba is not None:
            for k, sub in enumerate(ON_DATA_SHEETS.get(sheet.name, ())):
                caption = next(c for s, c, _ in BUTTONS if s == sub)
                ws.insert_button(0, len(sheet.fields) + 1 + 2 * k, {"macro": sub, "caption": caption,
                                                                     "width": 110, "height": 30})
    for tool in extra:
        tool.fill(wb, wb.add_worksheet(tool.name))
    if vba is not None:
        _xlwings_conf(wb)
    wb.close()


def template_sheets(data: dict[str, pd.DataFrame], sheets: tuple[Sheet, ...] = schema.SHEETS) -> list[ToolSheet]:
    """The template's sheets as sheets to graft into a workbook another program made (its own sheets stay)."""
    by_key = {s.key: s for s in sheets}

    def builder(sheet: Sheet):
        def build(wb: Workbook, ws: Worksheet) -> None:
            rows = data.get(sheet.name)
            _write_sheet(wb, ws, sheet, _defaults(sheet) if rows is None else rows, _Formats(wb), by_key)

        return build

    return [ToolSheet(sheet.name, builder(sheet)) for sheet in (*sheets, *EMPTY_TOOL_SHEETS)]


def _xlwings_conf(wb: Workbook) -> None:
    """xlwings.conf (hidden): the UDFs' module, so =CRM_MASK_PHONE(E2) answers without "Import Functions".

    No interpreter or path: this sheet overrides every PC's own xlwings.conf, and the workbook travels (each PC
    names its own Python with ``crm-sheets excel-setup``)."""
    from .vba import UDF_MODULES

    ws = wb.add_worksheet(XLWINGS_CONF)
    ws.write_string(0, 0, "UDF Modules")
    ws.write_string(0, 1, UDF_MODULES)
    ws.hide()


def _operations_sheet(wb: Workbook, formats: _Formats) -> None:
    """操作: one labelled button per action, with a line saying what it does."""
    ws = wb.add_worksheet(OPERATIONS)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 70)
    ws.write_string(0, 0, "客户管理 · 操作", wb.add_format({"bold": True, "font_size": 14}))
    ws.write_string(1, 0, "点按钮运行；结果写在对应的工作表里，状态栏显示进度。这台电脑要装有 Python 和 crm-sheets（见 README）。")
    for row, (sub, caption, what) in zip(BUTTON_ROWS, BUTTONS):
        ws.set_row(row, 30)
        ws.insert_button(row, 0, {"macro": sub, "caption": caption, "width": 120, "height": 34})
        ws.write_string(row, 1, what)
    ws.write_string(13, 0, "导入文件路径", formats.head)
    ws.write_string(14, 0, "导入客户的负责人", formats.head)
    # A lead list has no 负责人 column: rows without one go to the member picked here (or stay unassigned).
    ws.data_validation(IMPORT_OWNER_CELL, {
        "validate": "list", "source": f"={schema.TEAM.name}!$A$2:$A${LIST_ROWS}", "error_type": "warning",
        "input_title": "导入客户的负责人", "input_message": "源文件里没有负责人的行记到此人名下；留空则不指定，导入后列在“校验结果”。"})
    ws.write_string(15, 1, "点“导入”选择文件，选中的路径记在 B14；列表没有负责人列时先在 B15 选负责人。"
                           "命令行用 crm-sheets import（--owner 指定负责人，--dry-run 先看会导入什么）。")
    ws.write_string(16, 0, "分发/汇总文件夹", formats.head)
    ws.write_string(17, 1, "留空则用本文件旁的“<文件名>-分发”文件夹。一人一本时：分发后各人在自己的工作簿里录入，"
                           "交回的工作簿放进这个文件夹再点“汇总”。命令行用 crm-sheets distribute / collect。")
    wb.define_name(IMPORT_NAME, f"='{OPERATIONS}'!${IMPORT_CELL[0]}${IMPORT_CELL[1:]}")


class _Formats:
    def __init__(self, wb: Workbook) -> None:
        self.head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"})
        self.head_required = wb.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter", "font_color": "#C00000"}
        )
        self.head_tool = wb.add_format({"bold": True, "bg_color": "#EDEDED", "border": 1, "font_color": "#595959"})
        self.text = wb.add_format({"num_format": "@"})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.money = wb.add_format({"num_format": "#,##0.00"})
        self.flag = wb.add_format({"bg_color": FLAG_FILL})
        self.silent = wb.add_format({"bg_color": SILENT_FILL})
        self.escalate = wb.add_format({"bg_color": ESCALATE_FILL})

    def column(self, f: Field):
        if f.type in ("phone", "id", "customer_ref"):
            return self.text
        if f.type == "date":
            return self.date
        if f.type == "datetime":
            return self.datetime
        if f.type == "money":
            return self.money
        return None


def _defaults(sheet: Sheet) -> pd.DataFrame:
    if sheet is schema.OPTIONS or sheet.key == "options":
        return pd.DataFrame({name: pd.Series(items, dtype=object) for name, items in schema.OPTION_LISTS.items()})
    rows = {
        "team": schema.DEFAULT_TEAM,
        "rules": schema.DEFAULT_RULES,
        "settings": tuple((s.name, s.default, s.note) for s in schema.SETTINGS),
    }.get(sheet.key, ())
    return pd.DataFrame(list(rows), columns=sheet.headers)


def _write_sheet(
    wb: Workbook, ws: Worksheet, sheet: Sheet, rows: pd.DataFrame, formats: _Formats, by_key: dict[str, Sheet]
) -> None:
    for col, f in enumerate(sheet.fields):
        head = formats.head_tool if sheet.kind == "tool" or f.maintained else (
            formats.head_required if f.required else formats.head
        )
        ws.write_string(0, col, f.header, head)
        ws.set_column(col, col, f.width, formats.column(f))
    ws.freeze_panes(1, 0)
    ws.set_row(0, 20)
    if sheet.kind == "data":
        _dropdowns_and_hints(ws, sheet, by_key)
        _flag_formats(ws, sheet, formats)
    if sheet.key == "settings":
        _setting_choices(ws, sheet, rows)
    dress(wb, ws, sheet)
    columns = [rows[f.header] if f.header in rows.columns else None for f in sheet.fields]
    kinds = [f.type for f in sheet.fields]
    cell_formats = [formats.column(f) for f in sheet.fields]
    for i, record in enumerate(zip(*[c.tolist() if c is not None else [None] * len(rows) for c in columns])):
        for col, value in enumerate(record):
            write_value(ws, i + 1, col, value, cell_formats[col], text=kinds[col] in ("phone", "id"))


def _list_source(f: Field, by_key: dict[str, Sheet]) -> str | None:
    if f.type == "option" and f.options and f.options not in NO_DROPDOWN:
        names = list(schema.OPTION_LISTS)
        if f.options not in names:
            return None
        letter = xlsxwriter.utility.xl_col_to_name(names.index(f.options))
        return f"={schema.OPTIONS.name}!${letter}$2:${letter}${LIST_ROWS}"
    if f.type == "member":
        return f"={schema.TEAM.name}!$A$2:$A${LIST_ROWS}"
    if f.type == "customer_ref" and "customers" in by_key:
        return f"={by_key['customers'].name}!$A$2:$A${LAST_ROW + 1}"
    return None


def _dropdowns_and_hints(ws: Worksheet, sheet: Sheet, by_key: dict[str, Sheet]) -> None:
    for col, f in enumerate(sheet.fields):
        source = _list_source(f, by_key)
        hint = {"input_title": f.header[:32], "input_message": f.rule[:255]} if f.rule else {}
        if source:
            strict = f.type == "option"
            ws.data_validation(1, col, LAST_ROW, col, {
                "validate": "list", "source": source, "error_type": "stop" if strict else "warning",
                "error_title": f.header[:32],
                "error_message": ("请从下拉列表中选择。" if strict else "不在列表中：请确认，或先把它加到列表里。"),
                **hint,
            })
        elif hint:
            ws.data_validation(1, col, LAST_ROW, col, {"validate": "any", **hint})


def _setting_choices(ws: Worksheet, sheet: Sheet, rows: pd.DataFrame) -> None:
    """The 值 of a setting that takes only some values (SMTP加密方式) gets their dropdown, in its own row."""
    choices = {s.name: s.options for s in schema.SETTINGS if s.options}
    names = rows[sheet.fields[0].header].tolist() if sheet.fields[0].header in rows.columns else []
    for row, name in enumerate(names, start=1):
        if name in choices:
            ws.data_validation(row, 1, row, 1, {
                "validate": "list", "source": list(choices[name]), "error_title": name[:32],
                "error_message": f"只能填 {'、'.join(choices[name])}，或留空。",
            })


def _flag_formats(ws: Worksheet, sheet: Sheet, formats: _Formats) -> None:
    last_col = len(sheet.fields) - 1
    checks = schema.CHECK_RESULTS.name
    ws.conditional_format(1, 0, LAST_ROW, last_col, {
        "type": "formula",
        "criteria": f'=COUNTIFS({checks}!$A:$A,"{sheet.name}",{checks}!$B:$B,ROW())>0',
        "format": formats.flag,
    })
    if sheet.key != "customers":
        return
    keys = sheet.keys
    for key, needle, fmt in (("stage", "沉默客户", formats.silent), ("tags", "需人工跟进", formats.escalate)):
        if key not in keys:
            continue
        letter = xlsxwriter.utility.xl_col_to_name(keys.index(key))
        ws.conditional_format(1, 0, LAST_ROW, last_col, {
            "type": "formula",
            "criteria": f'=ISNUMBER(SEARCH("{needle}",${letter}2))',
            "format": fmt,
        })
