Attribute VB_Name = "Module1"
' crm-sheets: the buttons of the workbook. Each Sub is one RunPython call into crm_sheets.excel;
' all the work happens in Python, so a button and the crm-sheets command give the same answer.
' (ASCII only: the VBA project's code page cannot hold Chinese; captions live on the buttons.)

Sub CrmValidate()
    RunPython "import crm_sheets.excel; crm_sheets.excel.validate()"
End Sub

Sub CrmDedupe()
    RunPython "import crm_sheets.excel; crm_sheets.excel.dedupe()"
End Sub

Sub CrmMerge()
    RunPython "import crm_sheets.excel; crm_sheets.excel.merge()"
End Sub

Sub CrmImport()
    RunPython "import crm_sheets.excel; crm_sheets.excel.import_customers()"
End Sub

Sub CrmTag()
    RunPython "import crm_sheets.excel; crm_sheets.excel.tag()"
End Sub

Sub CrmRevisitList()
    RunPython "import crm_sheets.excel; crm_sheets.excel.revisit_list()"
End Sub

Sub CrmSendReminders()
    RunPython "import crm_sheets.excel; crm_sheets.excel.send_reminders()"
End Sub

Sub CrmSummary()
    RunPython "import crm_sheets.excel; crm_sheets.excel.summary()"
End Sub
