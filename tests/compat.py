"""The compatibility corpus (issue 13): the template's data as other programs save it.

Each producer here is the real program writing the file: openpyxl, pandas
(openpyxl and xlsxwriter engines), headless LibreOffice, XlsxWriter with
Tables, a chart sheet and defined names, and the same package re-spelled with
a prefix on every SpreadsheetML element as the Open XML SDK writes it.  Files
saved by real Excel (Windows and Mac), WPS Office and Tencent Docs come from
public test corpora (tests/fixtures/real/SOURCES.md); the template's sheets
are grafted into them, so their own parts (styles, themes, pictures in cells,
custom properties, WPS's own parts) are the user's extra content that every
command must leave byte-identical.

``pipeline`` runs every write command in the order a team uses them and
records each one's answer (exit code, message, the sheets it writes and the
customer columns it maintains).  tests/test_compat.py fills the files with
hand-written data (tests/compat_data.py) and checks the answers against ones
worked out by hand; comparing a producer's file with our own template holding
the same data is a parity check on top.  Other tests take the demo's data.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import python_calamine as calamine
import xlsxwriter
from typer.testing import CliRunner

from crm_sheets import schema
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook
from crm_sheets.workbook.package import MAIN_NS, Package, rels_path

TODAY = "2026-11-24"
REAL = Path(__file__).parent / "fixtures" / "real"
DATA_SHEETS = [s.name for s in schema.SHEETS if s.kind == "data"]
CONFIG_SHEETS = [s.name for s in schema.SHEETS if s.kind != "data"]
# (command, arguments after the workbook) in the order a team meets them.
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("validate", ()),
    ("dedupe", ()),
    ("merge", ()),
    ("import", ("{source}",)),
    ("tag", ()),
    ("summary", ()),
    ("remind", ()),
)
Producer = Callable[[Path, Path], Path]  # (reference workbook, target folder) -> the producer's file
Data = Callable[[], dict[str, pd.DataFrame]]


def reference_data() -> dict[str, pd.DataFrame]:
    """Small but whole: planted problems and duplicates, every sheet filled."""
    return make_demo(dt.date(2026, 11, 24), seed=13, n_customers=120, n_followups=700).frames


def reference(folder: Path, data: Data = reference_data) -> Path:
    path = folder / "reference.xlsx"
    write_workbook(path, data=data())
    return path


def import_source(folder: Path, data: Data = reference_data) -> Path:
    """Leads as a CSV: good rows, a duplicate of an existing customer (the fourth), a vertical tab pasted from
    Word, a literal _x000B_, and a 40,000-character note that must be rejected."""
    frames = data()
    existing = frames[schema.CUSTOMERS.name].iloc[3]
    owner = frames[schema.TEAM.name]["姓名"].iloc[1]
    headers = ["客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "负责人", "客户标签"]
    rows = [
        ["杭州云帆网络科技有限公司", "信息技术", "周明远", "13700001111", "展会推荐", owner, ""],
        ["苏州\x0b恒达精密机械有限公司", "制造业", "吴海涛", "13700002222", "线上搜索", owner, ""],
        ["南京宏图文化传媒有限公司", "信息技术", "郑_x000B_丽华", "13700003333", "客户转介绍", owner, ""],
        ["宁波长文贸易有限公司", "信息技术", "钱进", "13700004444", "展会推荐", owner, "需求-" + "长" * 40000],
        [existing["客户名称"], existing["所属行业"], existing["联系人姓名"], str(existing["联系电话"]),
         existing["客户来源"], owner, ""],
    ]
    path = folder / "leads.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([headers, *rows])
    return path


# -- producers ---------------------------------------------------------------------------------------
def _frames(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a workbook as pandas reads it (what an exporting system would hold)."""
    return pd.read_excel(path, sheet_name=None, engine="calamine", dtype=object)


def by_openpyxl(ref: Path, folder: Path) -> Path:
    import openpyxl

    out = folder / "openpyxl.xlsx"
    openpyxl.load_workbook(ref).save(out)
    return out


def _by_pandas(engine: str) -> Producer:
    def produce(ref: Path, folder: Path) -> Path:
        out = folder / f"pandas-{engine}.xlsx"
        with pd.ExcelWriter(out, engine=engine) as writer:
            for name, frame in _frames(ref).items():
                frame.to_excel(writer, sheet_name=name, index=False)
        return out

    return produce


def by_libreoffice(ref: Path, folder: Path) -> Path:
    profile = tempfile.mkdtemp(prefix="lo-compat-")
    try:
        subprocess.run(
            ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
             "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder / "lo"), str(ref)],
            check=True, capture_output=True, timeout=300,
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    out = folder / "libreoffice.xlsx"
    (folder / "lo" / ref.name).rename(out)
    return out


def by_xlsxwriter_tables(ref: Path, folder: Path) -> Path:
    """Data sheets as Excel Tables (Ctrl+T), a chart sheet and defined names, as XlsxWriter writes them."""
    out = folder / "xlsxwriter-tables.xlsx"
    wb = xlsxwriter.Workbook(str(out), {"strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False, "default_date_format": "yyyy-mm-dd hh:mm"})
    for name, frame in _frames(ref).items():
        ws = wb.add_worksheet(name)
        rows = [[None if _blank(v) else v for v in row] for row in frame.itertuples(index=False, name=None)]
        if name in DATA_SHEETS:
            ws.add_table(0, 0, max(len(rows), 1), len(frame.columns) - 1,
                         {"columns": [{"header": str(h)} for h in frame.columns], "data": rows,
                          "style": "Table Style Medium 2", "name": f"表_{DATA_SHEETS.index(name) + 1}"})
        else:
            ws.write_row(0, 0, [str(h) for h in frame.columns])
            for r, row in enumerate(rows, start=1):
                for c, value in enumerate(row):
                    if value is not None:
                        ws.write(r, c, value)
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "金额", "values": f"='{schema.ORDERS.name}'!$C$2:$C$11", "fill": {"color": "#4472C4"}})
    wb.add_chartsheet("我的图表").set_chart(chart)
    wb.define_name("客户区域", f"='{schema.CUSTOMERS.name}'!$A$1:$B$20")
    wb.define_name("增值税率", "=0.13")
    wb.close()
    return out


def by_openxml_sdk_style(ref: Path, folder: Path) -> Path:
    """Our template with every SpreadsheetML element written as ``<x:…>`` (the Open XML SDK's spelling)."""
    from lxml import etree

    out = folder / "prefixed.xlsx"
    with zipfile.ZipFile(ref) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".xml") and not info.filename.startswith("["):
                root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True))
                if root.tag.startswith(f"{{{MAIN_NS}}}"):
                    data = etree.tostring(_prefixed(root), xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    return out


def _prefixed(root):
    """A copy of the tree with the main namespace bound to x: instead of the default namespace."""
    from lxml import etree

    nsmap = {("x" if uri == MAIN_NS else prefix): uri for prefix, uri in root.nsmap.items()}
    nsmap = {k: v for k, v in nsmap.items() if k is not None}

    def copy(el, parent=None):
        if not isinstance(el.tag, str):  # comments and processing instructions
            return
        new = etree.Element(el.tag, nsmap=nsmap) if parent is None else etree.SubElement(parent, el.tag)
        for key, value in el.attrib.items():
            new.set(key, value)
        new.text, new.tail = el.text, el.tail
        for child in el:
            copy(child, new)
        return new

    return copy(root)


def grafted(real: Path, data: Data = reference_data) -> Producer:
    """The template's sheets, with ``data``, added to a workbook another program saved."""

    def produce(ref: Path, folder: Path) -> Path:
        from crm_sheets.templates import template_sheets
        from crm_sheets.workbook.write import write_back

        out = folder / real.name
        shutil.copy(real, out)
        write_back(out, tool_sheets=template_sheets(data()), keep_backups=1)
        shutil.rmtree(folder / ".crm-backups", ignore_errors=True)
        return out

    return produce


def real_files() -> dict[str, str]:
    """File name -> producer (excel-win, excel-mac, wps, tencent) of the real workbooks in the corpus."""
    entries = json.loads((REAL / "producers.json").read_text(encoding="utf-8"))
    return {name: entry["producer"] for name, entry in entries.items()}


GENERATED: dict[str, Producer] = {
    "openpyxl": by_openpyxl,
    "pandas-openpyxl": _by_pandas("openpyxl"),
    "pandas-xlsxwriter": _by_pandas("xlsxwriter"),
    "libreoffice": by_libreoffice,
    "xlsxwriter-tables": by_xlsxwriter_tables,
    "openxml-sdk-prefixed": by_openxml_sdk_style,
}


def producers(data: Data = reference_data) -> dict[str, Producer]:
    return GENERATED | {f"real:{name}": grafted(REAL / name, data) for name in real_files()}


# -- running the commands and reading their answers ------------------------------------------------
@dataclass
class Step:
    command: str
    exit_code: int
    answer: dict  # what the command said and wrote, comparable across producers
    changed: set[str]  # package members whose bytes changed (or that came or went)
    allowed: set[str]  # members the command may change (docs/design.md "The sheets")


def pipeline(path: Path, source: Path, check: Callable[[Path, Step, bytes], None] | None = None) -> list[Step]:
    """Every write command on ``path`` in turn; ``check(path, step, the file's bytes before)`` runs after each."""
    runner = CliRunner()
    steps = []
    for command, extra in COMMANDS:
        file_before = path.read_bytes()
        before = _members(path)
        owned_before = owned_parts(path)
        args = [command, str(path), *(a.format(source=source) for a in extra), "--today", TODAY]
        result = runner.invoke(app, args, env={"CRM_SHEETS_SMTP_PASSWORD": ""})
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        after = _members(path)
        changed = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n)}
        step = Step(command, result.exit_code, answer(path, result.output), changed,
                    owned_before | owned_parts(path))
        steps.append(step)
        if check:
            check(path, step, file_before)
    return steps


def owned_parts(path: Path) -> set[str]:
    """The members a command may rewrite: the package's manifest parts, the data sheets (maintained cells)
    with their Tables, and the tool sheets with everything hanging off them."""
    with Package(path) as pkg:
        wb = pkg.workbook_part()
        owned = {"[Content_Types].xml", wb, rels_path(wb)}
        owned |= {p for p in pkg.reachable(wb) if p.endswith("styles.xml")}
        for name, _rid, part in pkg.sheets():
            if name in DATA_SHEETS:
                owned.add(part)
                owned |= {p for p in pkg.reachable(part) if "/tables/" in p}
            elif schema.is_tool_sheet(name):
                owned |= {part, rels_path(part), *pkg.reachable(part)}
                owned |= {rels_path(p) for p in pkg.reachable(part)}
    return owned


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


_BACKUP_LINE = re.compile(r"^.*\.crm-backups.*$", re.MULTILINE)
MAINTAINED = [f.header for f in schema.CUSTOMERS.fields if f.maintained or f.key in ("customer_id", "tags")]


def answer(path: Path, output: str) -> dict:
    """The message (file name and backup path left out), the tool sheets, and 客户信息's maintained columns."""
    message = _BACKUP_LINE.sub("", output.replace(str(path.parent), "DIR").replace(path.name, "FILE")).strip()
    wb = calamine.CalamineWorkbook.from_path(str(path))
    try:
        sheets = {}
        for name in wb.sheet_names:
            if schema.is_tool_sheet(name):
                sheets[name] = _normal_rows(wb.get_sheet_by_name(name).to_python(skip_empty_area=False))
        rows = _normal_rows(wb.get_sheet_by_name(schema.CUSTOMERS.name).to_python(skip_empty_area=False))
    finally:
        wb.close()
    header = rows[0] if rows else []
    keep = [header.index(h) for h in MAINTAINED if h in header]
    customers = [[row[i] if i < len(row) else "" for i in keep] for row in rows]
    return {"message": message, "tool_sheets": sheets, "customers": customers}


def _normal_rows(rows: list[list], *, in_place: bool = False) -> list[list]:
    """Rows of normalized cells, trailing blanks cut; blank rows dropped unless ``in_place`` (where each cell
    stands matters, as between a button and the CLI)."""
    out = [[_normal(v) for v in row] for row in rows]
    for row in out:
        while row and row[-1] == "":
            row.pop()
    if in_place:
        while out and not out[-1]:
            out.pop()
        return out
    return [row for row in out if row]


def _normal(value: object) -> object:
    """A cell's value as Excel holds it: 3.0 is 3, a time to the minute (midnight is the date: one serial number,
    whether a reader hands it over as a date or a datetime), blanks are ""."""
    if _blank(value):
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 9)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != dt.time(0) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def libreoffice_available() -> bool:
    return bool(shutil.which("soffice")) and not os.environ.get("CRM_SKIP_LIBREOFFICE")
