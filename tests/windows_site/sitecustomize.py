"""Puts tests/windows_rules.py in force in a Python subprocess a test starts under the Windows rules."""

import os
import sys

if os.environ.get("CRM_SHEETS_WINDOWS_RULES") == "1":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import windows_rules

    windows_rules.install()
    del sys.path[0]
