Attribute VB_Name = "Module1"
' crm-sheets: the buttons of the workbook. Each Sub is one RunPython call into crm_sheets.excel;
' all the work happens in Python, so a button and the crm-sheets command give the same answer.
' XLWINGS_VERSION (this workbook's xlwings module) goes along, so Python can say in Chinese when the
' xlwings installed on this PC is another version.
' (ASCII only: the VBA project's code page cannot hold Chinese; captions live on the buttons.)

Sub CrmValidate()
    RunPython "import crm_sheets.excel; crm_sheets.excel.validate('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmDedupe()
    RunPython "import crm_sheets.excel; crm_sheets.excel.dedupe('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmMerge()
    RunPython "import crm_sheets.excel; crm_sheets.excel.merge('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmImport()
    ' Excel's own file picker; the path goes to the cell named CrmImportPath (the path cell on the
    ' operations sheet, also the place to type a path by hand), where Python reads it.
    ' (Excel for Mac ignores the filter and shows every file.)
    Dim chosen As Variant
    chosen = Application.GetOpenFilename("Customer lists (*.csv;*.xlsx),*.csv;*.xlsx", 1, "crm-sheets")
    If VarType(chosen) = vbBoolean Then Exit Sub  ' cancelled
    ThisWorkbook.Names("CrmImportPath").RefersToRange.Value = chosen
    RunPython "import crm_sheets.excel; crm_sheets.excel.import_customers('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmTag()
    RunPython "import crm_sheets.excel; crm_sheets.excel.tag('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmRevisitList()
    RunPython "import crm_sheets.excel; crm_sheets.excel.revisit_list('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmSendReminders()
    RunPython "import crm_sheets.excel; crm_sheets.excel.send_reminders('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmTestChat()
    RunPython "import crm_sheets.excel; crm_sheets.excel.test_chat('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmSummary()
    RunPython "import crm_sheets.excel; crm_sheets.excel.summary('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmDistribute()
    RunPython "import crm_sheets.excel; crm_sheets.excel.distribute('" & XLWINGS_VERSION & "')"
End Sub

Sub CrmCollect()
    RunPython "import crm_sheets.excel; crm_sheets.excel.collect('" & XLWINGS_VERSION & "')"
End Sub
