"""One module per command: read through a Store, plan with rules/, write back through the Store.

A button (ExcelStore over the live book), a CLI command and the job (FileStore over the workbook file) call the
same function here, so they give the same answer.
"""
