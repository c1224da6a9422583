"""Issue 32, point 5: the history database's address (设置 历史数据库) never carries a password, no message repeats
one, and a server the tool cannot use — not running, or no driver installed — is one line, exit 2, the workbook
untouched.  libpq (psycopg.conninfo) is the oracle for what counts as a password in an address."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from test_archive import cli, postgres, workbook, write_back_setting  # noqa: F401  (a fixture, used below)

from crm_sheets.stores.history import PASSWORD_ENV, password_hidden

MARK = "S3cr3t"  # in every secret below: it must appear in no output and no file
SECRET = f"{MARK}@/wö rd"  # '@' and '/' break a URL written by hand, the space a keyword value
URL_SECRET = quote(SECRET, safe="")
FORMS = {
    "url user info": f"postgresql://crm:{URL_SECRET}@db.example.com/crm",
    "url user info, ':' percent-encoded": f"postgresql://crm%3A{URL_SECRET}@db.example.com/crm",
    "url query": f"postgresql://crm@db.example.com/crm?password={URL_SECRET}",
    "url query, mixed case": f"postgres://crm@db.example.com/crm?sslmode=require&PassWord={URL_SECRET}",
    "url query, key percent-encoded": f"postgresql://crm@db.example.com/crm?pass%77ord={URL_SECRET}",
    "url query, '=' percent-encoded": f"postgresql://crm@db.example.com/crm?password%3D{URL_SECRET}",
    "keyword": f"host=db.example.com dbname=crm password='{SECRET}'",
    "keyword, capitals and spaces": f"host=db.example.com PASSWORD = '{SECRET}' dbname=crm",
    "keyword, unquoted": f"host=db.example.com password={MARK} dbname=crm",
    "keyword, escaped quote": f"host=db.example.com password='{MARK}\\' x' dbname=crm",
    "keyword, ideographic space in it": f"host=db.example.com password=x\u3000{MARK} dbname=crm",
    "keyword, sslpassword": f"host=db.example.com sslkey=/k sslpassword={MARK}",
    "another database's url": f"mysql://crm:{URL_SECRET}@db.example.com/crm",
}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def libpq_reads_password(address: str) -> bool | None:
    """Whether libpq reads a password from the address; None when it refuses the address."""
    try:
        fields = conninfo_to_dict(address)
    except psycopg.ProgrammingError:
        return None
    return bool(fields.get("password") or fields.get("sslpassword") or ":" in fields.get("user", ""))


def test_the_forms_are_passwords_to_libpq_or_addresses_it_refuses() -> None:
    """The oracle for the table above: each form is one libpq reads a password from (or a user name with ':' in
    it, which is one typed the wrong way), or one it refuses without saying it held a password."""
    readings = {name: libpq_reads_password(address) for name, address in FORMS.items()}
    assert {name for name, read in readings.items() if read is None} == {
        "url query, mixed case", "url query, '=' percent-encoded", "keyword, capitals and spaces",
        "another database's url"}
    assert all(read is not False for read in readings.values())


@pytest.fixture(params=["driver", "no driver"])
def driver(request, monkeypatch) -> str:
    if request.param == "no driver":
        monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` raises ImportError
    return request.param


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    return workbook(tmp_path_factory.mktemp("book") / "w.xlsx", n=300)


def with_address(book: Path, folder: Path, address: str) -> Path:
    """A copy of the book whose 设置 names ``address`` as the history database."""
    path = folder / "w.xlsx"
    path.write_bytes(book.read_bytes())
    write_back_setting(path, "历史数据库", address)
    return path


@pytest.mark.parametrize("name", list(FORMS))
def test_a_password_in_any_form_is_refused_and_never_shown(tmp_path: Path, book: Path, driver: str, name: str,
                                                           monkeypatch) -> None:
    path = with_address(book, tmp_path, FORMS[name])
    before = files(tmp_path)
    for lang, says in (("zh", "不能写密码"), ("en", "no password")):
        done = cli("archive", str(path), "--before", "2026-06-01", "--lang", lang)
        assert done.exit_code == 2, done.output
        assert says in done.output and "***" in done.output, done.output
        assert MARK not in done.output and URL_SECRET not in done.output
        assert len(done.output.strip().splitlines()) == 1, done.output
        assert files(tmp_path) == before  # nothing written: no backup, no history file


def test_what_libpq_reads_no_password_from_is_accepted_and_shown_as_typed() -> None:
    for address in ("postgresql://postgres:@/postgres?host=/tmp/pg",  # pgserver's: an empty password
                    "postgresql://crm@db.example.com/crm?password=&passfile=/home/crm/.pgpass",
                    "host=db.example.com port=5433 dbname=crm user=crm passfile='/a b/pgpass'"):
        assert libpq_reads_password(address) is False
        assert password_hidden(address) == (" ".join(address.split()), False)


KEYS = st.sampled_from(["host", "port", "dbname", "user", "sslmode", "application_name", "options"])
PLAIN = st.text(st.characters(codec="utf-8", exclude_characters="\x00Z"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, PLAIN, max_size=5),
       st.sampled_from(["password", "sslpassword"]),
       st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12),
       st.booleans())
def test_any_keyword_address_libpq_writes_with_a_password_is_refused_and_hidden(fields, key, secret, as_url) -> None:
    """Addresses written by libpq's own quoting (make_conninfo: quotes, backslashes, spaces, any text) or as a
    URL with every part percent-encoded; the password marked by Z's no other part holds."""
    secret = f"ZZ{secret}ZZ"
    if as_url:
        query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in {**fields, key: secret}.items())
        address = f"postgresql://db.example.com/crm?{query}"
    else:
        address = make_conninfo(**{k: v for k, v in fields.items() if v}, **{key: secret})
    assert conninfo_to_dict(address)[key] == secret  # libpq reads that password from it
    shown, has_password = password_hidden(address)
    assert has_password and "Z" not in shown and "***" in shown


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("form", ["url", "keyword"])
def test_an_unreachable_server_is_one_line_and_the_workbook_untouched(tmp_path: Path, book: Path, form: str,
                                                                      monkeypatch) -> None:
    port = closed_port()
    address = (f"postgresql://crm@127.0.0.1:{port}/crm" if form == "url"
               else f"host=127.0.0.1 port={port} dbname=crm user=crm")
    monkeypatch.setenv(PASSWORD_ENV, SECRET)  # the password from the environment is not shown either
    path = with_address(book, tmp_path, address)
    before, digest = files(tmp_path), sha(path)
    for lang, says in (("zh", "连不上历史数据库"), ("en", "cannot connect to the history database")):
        done = cli("archive", str(path), "--before", "2026-06-01", "--lang", lang)
        assert done.exit_code == 2, done.output
        lines = done.output.strip().splitlines()
        assert len(lines) == 1 and says in lines[0] and address in lines[0] and "Connection refused" in lines[0], lines
        assert "意外错误" not in done.output and "unexpected" not in done.output and MARK not in done.output
        assert sha(path) == digest and files(tmp_path) == before


def test_a_server_that_never_answers_is_given_up_on(tmp_path: Path, book: Path) -> None:
    """A port that takes the connection and never answers (a firewall or a hung server): libpq alone would wait
    for ever; the command gives up after its timeout (2 s here, as the address may set it) with one line."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # the kernel completes the handshake; nobody reads
        address = f"postgresql://crm@127.0.0.1:{silent.getsockname()[1]}/crm"
        path = with_address(book, tmp_path, address)
        before, digest = files(tmp_path), sha(path)
        run = ("import sys; from crm_sheets.stores import history; history.CONNECT_TIMEOUT = 2; "
               "from crm_sheets.cli import main; sys.argv[0] = 'crm-sheets'; main()")
        done = subprocess.run([sys.executable, "-c", run, "archive", str(path), "--before", "2026-06-01"],
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "连不上历史数据库" in lines[0] and "timeout" in lines[0], lines
    assert sha(path) == digest and files(tmp_path) == before


def test_a_missing_driver_is_one_line_and_the_workbook_untouched(tmp_path: Path, book: Path, monkeypatch) -> None:
    path = with_address(book, tmp_path, "postgresql://crm@db.example.com/crm")
    monkeypatch.setitem(sys.modules, "psycopg", None)
    before, digest = files(tmp_path), sha(path)
    for lang, says in (("zh", "还没装它的驱动 psycopg"), ("en", "psycopg is not installed")):
        done = cli("archive", str(path), "--before", "2026-06-01", "--lang", lang)
        assert done.exit_code == 2, done.output
        lines = done.output.strip().splitlines()
        assert len(lines) == 1 and says in lines[0] and 'pip install "psycopg[binary]"' in lines[0], lines
        assert "postgresql://crm@db.example.com/crm" in lines[0] and "意外错误" not in done.output
        assert sha(path) == digest and files(tmp_path) == before


@pytest.fixture(scope="module")
def guarded(postgres: str) -> dict[str, str]:  # noqa: F811
    """The real server with a role crm that must give its password (scram) and two databases of its own (crm_url,
    crm_keyword); where the server listens (host, port), for addresses."""
    with psycopg.connect(postgres, autocommit=True) as conn:
        hba = Path(conn.execute("SHOW hba_file").fetchone()[0])
        rules = "local all crm scram-sha-256\nhost all crm all scram-sha-256\n"
        hba.write_text(rules + hba.read_text(encoding="utf-8"), encoding="utf-8")
        conn.execute(sql.SQL("CREATE ROLE crm LOGIN PASSWORD {}").format(SECRET))
        for form in ("url", "keyword"):
            conn.execute(f"CREATE DATABASE crm_{form} OWNER crm")
        conn.execute("SELECT pg_reload_conf()")
    return {k: v for k, v in conninfo_to_dict(postgres).items() if k in ("host", "port")}


@pytest.mark.parametrize("form", ["url", "keyword"])
def test_the_password_from_the_environment_reaches_a_real_server_in_either_form(
        tmp_path: Path, book: Path, guarded: dict[str, str], form: str, monkeypatch) -> None:
    address = ("postgresql://crm@/crm_url?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in guarded.items())
               if form == "url" else make_conninfo(dbname="crm_keyword", user="crm", **guarded))
    path = with_address(book, tmp_path, address)
    digest = sha(path)
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    refused = cli("archive", str(path), "--before", "2026-06-01")
    assert refused.exit_code == 2 and "连不上历史数据库" in refused.output and "password" in refused.output, refused.output
    assert len(refused.output.strip().splitlines()) == 1 and sha(path) == digest
    monkeypatch.setenv(PASSWORD_ENV, SECRET)
    done = cli("archive", str(path), "--before", "2026-06-01")
    assert done.exit_code == 0, done.output
    assert MARK not in done.output and MARK.encode() not in path.read_bytes()
    with psycopg.connect(make_conninfo(address, password=SECRET)) as conn:  # the rows went to that database
        assert conn.execute("SELECT count(*) FROM crm_parts").fetchone()[0] > 0
