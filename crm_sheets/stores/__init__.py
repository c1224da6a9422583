"""Where a workbook lives: the file on disk (file.py) or the book open in Excel (excel.py)."""
