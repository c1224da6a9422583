"""The history database's password (设置 历史数据库 = postgresql://…, never with a password in it): from
CRM_SHEETS_DB_PASSWORD or the keyring, against a real PostgreSQL (pgserver) whose role logs in only with its
password (SCRAM), through `crm-sheets archive` in a child process.  The keyring is a real file (keyrings.alt's
PlaintextKeyring, chosen with keyring's own PYTHON_KEYRING_BACKEND) under the test's folder."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_archive import DAY, server_package, workbook

PASSWORD = "db-s3cret-91c4"  # noqa: S105 - the test server's, made up
ROLE = "crm"


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Iterator[Callable[[], tuple[str, Callable[[], int]]]]:
    """A new database of role crm per call: its address (no password in it) and how many parts it holds."""
    package = server_package()
    if package is None:
        pytest.skip(f"no PostgreSQL server package installs on Python {sys.version_info[0]}.{sys.version_info[1]}")
    pgserver = pytest.importorskip(package.replace("-", "_"))
    psycopg = pytest.importorskip("psycopg")
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    admin_uri = server.get_uri()
    socket_dir = conninfo_to_dict(admin_uri)["host"]
    with psycopg.connect(admin_uri, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE), sql.Literal(PASSWORD)))
        hba = Path(admin.execute("SHOW hba_file").fetchone()[0])
        hba.write_text(f"local all {ROLE} scram-sha-256\n" + hba.read_text(encoding="utf-8"), encoding="utf-8")  # first match wins: crm needs it
        admin.execute("SELECT pg_reload_conf()")
    wait_for_password_rule(psycopg, f"postgresql://{ROLE}@/postgres?host={socket_dir}")
    names = (f"crm{n}" for n in itertools.count())

    def new() -> tuple[str, Callable[[], int]]:
        name = next(names)
        with psycopg.connect(admin_uri, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(ROLE)))

        def parts() -> int:
            with psycopg.connect(server.get_uri(name)) as conn:
                return conn.execute("SELECT count(*) FROM crm_parts").fetchone()[0]

        return f"postgresql://{ROLE}@/{name}?host={socket_dir}", parts

    yield new
    server.cleanup()


def wait_for_password_rule(psycopg, address: str) -> None:
    """pg_reload_conf only signals the server: wait until it refuses crm without a password."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            psycopg.connect(address).close()
        except psycopg.OperationalError as exc:
            if "no password supplied" in str(exc):
                return
            raise
    raise AssertionError("the server never asked crm for a password")


def environment(tmp_path: Path, password: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CRM_SHEETS_DB_PASSWORD"}
    env.update(PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring", XDG_DATA_HOME=str(tmp_path / "xdg"))
    if password is not None:
        env["CRM_SHEETS_DB_PASSWORD"] = password
    return env


def archive(path: Path, env: dict[str, str], *more: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crm_sheets", "archive", str(path), "--before", "2026-06-01",
                           "--today", DAY, *more], env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=300)


def test_the_password_from_the_environment(tmp_path: Path, database) -> None:
    address, parts = database()
    result = archive(workbook(tmp_path / "w.xlsx", address, n=600), environment(tmp_path, PASSWORD))
    assert result.returncode == 0, result.stdout + result.stderr
    assert parts() > 0


def test_the_password_from_the_keyring_as_readme_stores_it(tmp_path: Path, database) -> None:
    address, parts = database()
    env = environment(tmp_path)
    # README: the keyring's service crm-sheets, the account the address as 设置 has it.
    stored = subprocess.run([sys.executable, "-m", "keyring", "set", "crm-sheets", address], input=PASSWORD + "\n",
                            env=env, capture_output=True, text=True, encoding="utf-8", timeout=120, start_new_session=True)
    assert stored.returncode == 0, stored.stderr
    assert (tmp_path / "xdg" / "python_keyring" / "keyring_pass.cfg").exists()
    result = archive(workbook(tmp_path / "w.xlsx", address, n=600), env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert parts() > 0


@pytest.mark.parametrize("password, libpq_says", [(None, "no password supplied"),
                                                  ("wrong-one", "password authentication failed")])
def test_without_the_right_password_one_line_exit_2_and_the_workbook_untouched(
        tmp_path: Path, database, password: str | None, libpq_says: str) -> None:
    address, _parts = database()
    path = workbook(tmp_path / "w.xlsx", address, n=600)
    before = path.read_bytes()
    result = archive(path, environment(tmp_path, password))
    assert result.returncode == 2
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and f"w.xlsx 工作表“设置”: 连不上历史数据库 {address}" in lines[0], lines
    assert libpq_says in lines[0] and "CRM_SHEETS_DB_PASSWORD" in lines[0]
    assert "wrong-one" not in result.stdout + result.stderr
    assert path.read_bytes() == before
