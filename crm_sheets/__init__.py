"""crm-sheets: a small team's CRM in an Excel workbook."""

__all__ = ["__version__"]
__version__ = "0.1.0"
