@echo off
rem Starts the crm-sheets background job for one workbook (used by crm-sheets-job.xml).
rem Edit the two paths below: where crm-sheets is installed, and the workbook.
set CRM_SHEETS=%USERPROFILE%\crm-sheets\venv\Scripts\crm-sheets.exe
set WORKBOOK=%USERPROFILE%\Documents\客户管理.xlsx
chcp 65001 >nul
"%CRM_SHEETS%" job "%WORKBOOK%"
