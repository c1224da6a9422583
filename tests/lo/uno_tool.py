"""Drive headless LibreOffice through UNO (run with /usr/bin/python3).

    uno_tool.py inspect FILE            print JSON: sheets, charts, pictures, comments, names
    uno_tool.py decorate IN OUT PNG     add a user's sheet with chart, picture, comment,
                                        a custom cell style and a defined name; save as .xlsm
    uno_tool.py press FILE [PICK]       print JSON: every button, its macro, the RunPython call it makes and
                                        the import path cell; PICK: the path the file picker returns
                                        (without it, LibreOffice's own picker, which headless cancels)
    uno_tool.py render FILE SHEET PNG [CELLS]  a range of one sheet as a PNG picture (needs pdftoppm)
    uno_tool.py append FILE JSON        type rows below the last row of sheets, as a person would, and save
                                        the file in place in its own format; JSON: {sheet: [{header: value}]},
                                        a value "=date:YYYY-MM-DD HH:MM" is typed as a date

Tests call it in a subprocess because UNO only imports in Debian's python3.
"""

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import uno

CTX = None
from com.sun.star.awt import Point, Size
from com.sun.star.beans import PropertyValue
from com.sun.star.table import CellAddress, CellRangeAddress


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start_office():
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    pipe = "crmtest" + str(os.getpid())
    proc = subprocess.Popen(
        [
            "soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
            f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # no .~lock files beside the inspected workbook, and no refusal because of one
        env={**os.environ, "SAL_ENABLE_FILE_LOCKING": "0"},
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.1)
    else:
        proc.kill()
        raise SystemExit("LibreOffice did not start")
    global CTX
    CTX = ctx
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop, profile


def load(desktop, path):
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    return desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("MacroExecutionMode", 0)))


def inspect(desktop, path):
    doc = load(desktop, path)
    out = {"sheets": [], "charts": {}, "pictures": {}, "comments": {}, "names": [], "cells": {}}
    sheets = doc.getSheets()
    for i in range(sheets.getCount()):
        sh = sheets.getByIndex(i)
        name = sh.getName()
        out["sheets"].append(name)
        out["charts"][name] = sh.getCharts().getCount()
        page = sh.getDrawPage()
        pics = 0
        for j in range(page.getCount()):
            if "GraphicObjectShape" in page.getByIndex(j).getShapeType():
                pics += 1
        out["pictures"][name] = pics
        out["comments"][name] = sh.getAnnotations().getCount()
        out["cells"][name] = sh.getCellRangeByName("A1:C3").getDataArray()
    out["names"] = list(doc.NamedRanges.getElementNames())
    doc.close(True)
    print(json.dumps(out, ensure_ascii=False, default=str))


def decorate(desktop, src, dst, png):
    doc = load(desktop, src)
    sheets = doc.getSheets()
    sheets.insertNewByName("我的笔记", sheets.getCount())
    sh = sheets.getByName("我的笔记")
    rows = (("月份", "拜访数"), ("1月", 12), ("2月", 18), ("3月", 9), ("4月", 21))
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            cell = sh.getCellByPosition(c, r)
            if isinstance(v, str):
                cell.setString(v)
            else:
                cell.setValue(v)
    styles = doc.getStyleFamilies().getByName("CellStyles")
    style = doc.createInstance("com.sun.star.style.CellStyle")
    styles.insertByName("我的强调", style)
    style.CellBackColor = 0xFFE699
    style.CharWeight = 150
    sh.getCellRangeByName("A1:B1").CellStyle = "我的强调"
    rect = uno.createUnoStruct("com.sun.star.awt.Rectangle")
    rect.X, rect.Y, rect.Width, rect.Height = 4000, 500, 10000, 7000
    rng = CellRangeAddress()
    rng.Sheet, rng.StartColumn, rng.StartRow, rng.EndColumn, rng.EndRow = sheets.getCount() - 1, 0, 0, 1, 4
    sh.getCharts().addNewByName("拜访图", rect, (rng,), True, True)
    shape = doc.createInstance("com.sun.star.drawing.GraphicObjectShape")
    gp = CTX.ServiceManager.createInstanceWithContext("com.sun.star.graphic.GraphicProvider", CTX)
    shape.Graphic = gp.queryGraphic((prop("URL", uno.systemPathToFileUrl(os.path.abspath(png))),))
    sh.getDrawPage().add(shape)
    pos = Point()
    pos.X, pos.Y = 15000, 500
    size = Size()
    size.Width, size.Height = 2000, 2000
    shape.setPosition(pos)
    shape.setSize(size)
    addr = CellAddress()
    addr.Sheet, addr.Column, addr.Row = sheets.getCount() - 1, 0, 6
    sh.getAnnotations().insertNew(addr, "这是用户自己的批注")
    first = sheets.getByIndex(0)
    addr0 = CellAddress()
    addr0.Sheet, addr0.Column, addr0.Row = 0, 1, 1
    first.getAnnotations().insertNew(addr0, "客户名称批注")
    base = CellAddress()
    base.Sheet, base.Column, base.Row = 0, 0, 0
    doc.NamedRanges.addNewByName("拜访区域", "$我的笔记.$A$1:$B$5", base, 0)
    doc.getDocumentProperties().getUserDefinedProperties().addProperty("部门", 0, "华东销售部")
    url = uno.systemPathToFileUrl(os.path.abspath(dst))
    doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 VBA XML"),))
    doc.close(True)


def render(desktop, path, sheet_name, png, cells="A1:O32"):
    """One sheet's CELLS, landscape and one page wide, to PDF, then to PNG with pdftoppm.

    The other sheets stay loaded (conditional formats may refer to them); only
    page 1 is exported, so the sheet is moved to the front first.
    """
    doc = load(desktop, path)
    sheets = doc.getSheets()
    sheets.moveByName(sheet_name, 0)
    sheet = sheets.getByName(sheet_name)
    sheet.setPrintAreas((sheet.getCellRangeByName(cells).getRangeAddress(),))
    page = sheet.getDrawPage()
    for i in range(page.getCount()):  # buttons are not printed unless asked to
        shape = page.getByIndex(i)
        if shape.supportsService("com.sun.star.drawing.ControlShape"):
            shape.getControl().Printable = True
    style = doc.getStyleFamilies().getByName("PageStyles").getByName(sheet.PageStyle)
    width, height = style.Width, style.Height
    style.IsLandscape, style.Width, style.Height = True, max(width, height), min(width, height)
    style.ScaleToPagesX, style.ScaleToPagesY = 1, 1
    pdf = os.path.splitext(os.path.abspath(png))[0] + ".pdf"
    filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", (prop("PageRange", "1"),))
    doc.storeToURL(
        uno.systemPathToFileUrl(pdf), (prop("FilterName", "calc_pdf_Export"), prop("FilterData", filter_data))
    )
    doc.close(True)
    stem = os.path.splitext(os.path.abspath(png))[0]
    kind = [] if png.endswith(".ppm") else ["-png"]  # PPM: pixels a test reads without an image library
    subprocess.run(["pdftoppm", *kind, "-r", "110", "-f", "1", "-l", "1", "-singlefile", pdf, stem], check=True)
    os.unlink(pdf)


STUB = """Option VBASupport 1
Public Const XLWINGS_VERSION As String = "{version}"
Sub RunPython(code As String)
    ThisComponent.Sheets.getByIndex(0).getCellByPosition(25, 0).setString(code)
End Sub
Function CrmTestPick(Optional filter, Optional index, Optional title) As Variant
    CrmTestPick = "{pick}"
End Function
"""
PICKER = "Application.GetOpenFilename("


def press(desktop, path, pick=""):
    """Every button: its label, the macro it is bound to, the Python call that macro makes, and the import path
    cell afterwards.

    RunPython (the workbook's own xlwings module, or the add-in, neither of which runs here) is replaced by a stub
    that records its argument; the stub keeps the xlwings module's XLWINGS_VERSION.  xlwings' own modules go
    (they talk to Excel and Windows; LibreOffice cannot even compile its Dictionary class, which would stop
    every macro of the project).  With ``pick``, Excel's file picker in Module1 is replaced by a function
    returning that path.
    """
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("MacroExecutionMode", 4)))
    library = doc.BasicLibraries.getByName("VBAProject")
    version = ""
    if library.hasByName("xlwings"):
        found = re.search(r'XLWINGS_VERSION As String = "([^"]+)"', library.getByName("xlwings"))
        version = found.group(1) if found else ""
    for module in ("xlwings", "Dictionary"):
        if library.hasByName(module):
            library.removeByName(module)
    if pick:
        library.replaceByName("Module1", library.getByName("Module1").replace(PICKER, "CrmTestPick("))
    library.insertByName("CrmTestStub", STUB.format(version=version, pick=pick))
    provider = doc.getScriptProvider()
    record = doc.getSheets().getByIndex(0).getCellByPosition(25, 0)
    names = doc.NamedRanges
    path_cell = (names.getByName("CrmImportPath").getReferredCells().getCellByPosition(0, 0)
                 if names.hasByName("CrmImportPath") else None)
    out = []
    sheets = doc.getSheets()
    for name in sheets.getElementNames():
        forms = sheets.getByName(name).getDrawPage().getForms()
        for fi in range(forms.getCount()):
            form = forms.getByIndex(fi)
            for ci in range(form.getCount()):
                label = getattr(form.getByIndex(ci), "Label", "")
                for event in form.getScriptEvents(ci):
                    record.setString("")
                    if path_cell is not None:
                        path_cell.setString("")
                    error = ""
                    try:
                        provider.getScript(event.ScriptCode).invoke((), (), ())
                    except Exception as exc:  # the test reports it
                        error = str(exc)[:200]
                    out.append({"sheet": name, "label": label, "macro": event.ScriptCode, "call": record.getString(),
                                "error": error, "path": path_cell.getString() if path_cell is not None else ""})
    doc.close(True)
    print(json.dumps(out, ensure_ascii=False))


def date_format(doc):
    formats = doc.getNumberFormats()
    locale = uno.createUnoStruct("com.sun.star.lang.Locale")
    key = formats.queryKey("YYYY-MM-DD HH:MM", locale, False)
    return key if key != -1 else formats.addNew("YYYY-MM-DD HH:MM", locale)


def append(desktop, path, spec):
    doc = load(desktop, path)
    for name, rows in json.loads(spec).items():
        sh = doc.getSheets().getByName(name)
        cursor = sh.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last = cursor.getRangeAddress().EndRow
        headers = [sh.getCellByPosition(c, 0).getString() for c in range(64)]
        for k, row in enumerate(rows):
            for header, value in row.items():
                cell = sh.getCellByPosition(headers.index(header), last + 1 + k)
                if isinstance(value, str) and value.startswith("=date:"):
                    when = datetime.datetime.strptime(value[len("=date:"):], "%Y-%m-%d %H:%M")
                    cell.setValue((when - datetime.datetime(1899, 12, 30)).total_seconds() / 86400)
                    cell.NumberFormat = date_format(doc)
                else:
                    cell.setString(value)
    xlsm = path.lower().endswith(".xlsm")
    url = uno.systemPathToFileUrl(os.path.abspath(path))
    doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 VBA XML" if xlsm else "Calc MS Excel 2007 XML"),))
    doc.close(True)


def main():
    cmd, *args = sys.argv[1:]
    proc, desktop, profile = start_office()
    try:
        {"inspect": inspect, "decorate": decorate, "render": render, "press": press, "append": append}[cmd](desktop, *args)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        proc.wait(timeout=30)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
