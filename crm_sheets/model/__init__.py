"""The core's types, shared by every layer: a workbook read into tables (Book, SheetTable), where each field stands
(headers and column letters), what a command writes (outputs) and how the monthly summary is laid out.

Plain data over the schema: no file format, no Excel, no rule, no caller, no words for staff.
"""
