"""Passwords never come from the workbook (it gets passed around): the environment, else the system's keyring."""

from __future__ import annotations

import os

KEYRING_SERVICE = "crm-sheets"


def stored_password(env: str, account: str) -> str | None:
    """``$env`` when set, else the keyring's password for ``account`` under the service crm-sheets; None when
    neither has one (a machine with no keyring, such as a server or CI, has none)."""
    if os.environ.get(env):
        return os.environ[env]
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(KEYRING_SERVICE, account)
    except KeyringError:
        return None
