"""设置 SMTP加密方式 and the SMTP password, against real servers on 127.0.0.1 (aiosmtpd) with TLS from the first
byte or after STARTTLS, a login, and certificates of a certificate authority the test makes (trustme).

The tool runs as `crm-sheets remind` in a child process.  It trusts the test's authority only because the child's
SSL_CERT_FILE (OpenSSL's own variable, read by ssl.create_default_context) names it, as a company names its own;
the password comes from the environment or from a real keyring file (keyrings.alt's PlaintextKeyring, chosen with
keyring's own PYTHON_KEYRING_BACKEND)."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import openpyxl
import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from smtp import Inbox
from test_remind import TODAY, build

from crm_sheets import smtp_server
from crm_sheets.mail import Ledger, Mail, SmtpSettings, deliver
from crm_sheets.settings import Settings
from crm_sheets.templates import build_template

SENDER = "crm@example.com"
PASSWORD = "s3cret-7f1d-tls"  # noqa: S105 - the test server's, made up
WRONG = "not-the-password-42"
# build()'s team: each 销售 gets their list, the 经理 the digest.
RECIPIENTS = {"li@example.com", "wang@example.com", "boss@example.com"}
REMIND = ["-m", "crm_sheets", "remind"]
NOW = dt.datetime(2026, 3, 2, 8, 0)


class Server(Inbox):
    """Inbox, with every login it was offered: (user, password, accepted)."""

    def __init__(self) -> None:
        super().__init__()
        self.logins: list[tuple[str, str, bool]] = []

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, secret = auth_data.login.decode(), auth_data.password.decode()
        accepted = (user, secret) == (SENDER, PASSWORD)
        self.logins.append((user, secret, accepted))
        return AuthResult(success=accepted, handled=False)  # handled=False: the server answers 535


def free_port() -> int:
    with socket.socket() as probe:  # aiosmtpd cannot start on port 0
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@contextmanager
def serve(*, implicit: ssl.SSLContext | None = None, starttls: ssl.SSLContext | None = None, login: bool = False,
          demand: bool = True) -> Iterator[Server]:
    """A server with TLS from the first byte (``implicit``) or after STARTTLS; ``login``: it wants AUTH.
    ``demand``: STARTTLS before anything else and AUTH only once the line is encrypted (else it takes both in
    clear, like a careless server)."""
    handler = Server()
    handler.port = free_port()
    assert handler.port not in (465, 587)  # the mode comes from 设置, not from the port
    options: dict = {"authenticator": handler.authenticate, "auth_required": login} if login else {}
    if implicit is not None:
        options.update(ssl_context=implicit, auth_require_tls=False)  # encrypted from the first byte already
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=demand, auth_require_tls=demand)
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port, **options)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


def environment(tmp_path: Path, ca: trustme.CA, password: str | None = None) -> dict[str, str]:
    """The child's environment: the test's authority trusted, a keyring file of its own under tmp_path (empty
    until a test stores a password in it), and the SMTP password in CRM_SHEETS_SMTP_PASSWORD when given."""
    trusted = tmp_path / "ca.pem"
    if not trusted.exists():
        ca.cert_pem.write_to_path(str(trusted))
    env = {k: v for k, v in os.environ.items() if k != "CRM_SHEETS_SMTP_PASSWORD"}
    env.update(SSL_CERT_FILE=str(trusted), PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
               XDG_DATA_HOME=str(tmp_path / "xdg"))
    if password is not None:
        env["CRM_SHEETS_SMTP_PASSWORD"] = password
    return env


def remind(path: Path, env: dict[str, str], *more: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *REMIND, str(path), "--today", f"{TODAY:%Y-%m-%d}", *more], env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def make(folder: Path) -> Path:
    folder.mkdir()
    return folder


def delivered_to(server: Server) -> set[str]:
    return {to for rcpt in server.recipients for to in rcpt}


def test_ssl_from_the_first_byte_on_a_port_that_is_not_465(tmp_path: Path, ca: trustme.CA) -> None:
    with serve(implicit=server_context(ca)) as server:
        path = build(tmp_path, server.port, more={"SMTP加密方式": "SSL"})
        result = remind(path, environment(tmp_path, ca))
    assert result.returncode == 0, result.stdout + result.stderr
    assert delivered_to(server) == RECIPIENTS
    assert Ledger(tmp_path).counts() == {"sent": 3}


def test_starttls_and_a_login_from_the_environment_on_a_port_that_is_not_587(tmp_path: Path, ca: trustme.CA) -> None:
    with serve(starttls=server_context(ca), login=True) as server:
        path = build(tmp_path, server.port, more={"SMTP加密方式": "STARTTLS"})
        result = remind(path, environment(tmp_path, ca, PASSWORD))
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.logins == [(SENDER, PASSWORD, True)]
    assert delivered_to(server) == RECIPIENTS


def test_the_password_from_the_keyring_file_as_readme_stores_it(tmp_path: Path, ca: trustme.CA) -> None:
    env = environment(tmp_path, ca)
    # README's own command; a new session has no terminal, so keyring reads the password from standard input.
    stored = subprocess.run([sys.executable, "-m", "keyring", "set", "crm-sheets", SENDER], input=PASSWORD + "\n",
                            env=env, capture_output=True, text=True, encoding="utf-8", timeout=120, start_new_session=True)
    assert stored.returncode == 0, stored.stderr
    keyring_file = tmp_path / "xdg" / "python_keyring" / "keyring_pass.cfg"
    assert base64.b64encode(PASSWORD.encode()).decode() in keyring_file.read_text(encoding="utf-8")  # its format
    with serve(starttls=server_context(ca), login=True) as server:
        path = build(tmp_path, server.port, more={"SMTP加密方式": "STARTTLS"})
        result = remind(path, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert server.logins == [(SENDER, PASSWORD, True)]
    assert delivered_to(server) == RECIPIENTS


def test_a_wrong_password_says_so_and_the_mail_waits_for_the_right_one(tmp_path: Path, ca: trustme.CA,
                                                                       monkeypatch) -> None:
    with serve(starttls=server_context(ca), login=True) as server:
        path, other = (build(folder, server.port, more={"SMTP加密方式": "STARTTLS"})
                       for folder in (tmp_path, make(tmp_path / "en")))
        env = environment(tmp_path, ca, WRONG)
        result, english = remind(path, env), remind(other, env, "--lang", "en")
        # smtplib offers the password once per method the server names (PLAIN, LOGIN)
        assert set(server.logins) == {(SENDER, WRONG, False)} and server.messages == []
        assert result.returncode == english.returncode == 1  # done, and some mail did not go (README)
        assert f"邮件服务器 127.0.0.1:{server.port} 拒绝了 {SENDER} 的登录" in result.stdout
        assert "keyring set crm-sheets crm@example.com" in result.stdout and "3 封邮件留在台账里" in result.stdout
        assert f"The mail server 127.0.0.1:{server.port} refused the login of {SENDER}" in english.stdout
        assert WRONG not in result.stdout + result.stderr + english.stdout + english.stderr
        ledger = Ledger(tmp_path)
        assert ledger.counts() == {"pending": 3}
        kept = {email.message_from_bytes(body, policy=email.policy.default)["Message-ID"]
                for _key, _to, body in ledger.pending(TODAY.replace(hour=9))}
        # The right password, a retry later (as the job does every minute): the same three mails go out.
        monkeypatch.setenv("CRM_SHEETS_SMTP_PASSWORD", PASSWORD)
        monkeypatch.setenv("SSL_CERT_FILE", env["SSL_CERT_FILE"])
        smtp = SmtpSettings.from_settings(Settings.of({"SMTP服务器": "127.0.0.1", "SMTP端口": str(server.port),
                                                       "发件人邮箱": SENDER, "SMTP加密方式": "STARTTLS"}, path.name))
        assert deliver(ledger, smtp, tmp_path, TODAY.replace(hour=9)) == {"sent": 3, "failed": 0}
    assert server.logins[-1] == (SENDER, PASSWORD, True)
    assert {m["Message-ID"] for m in server.messages} == kept and delivered_to(server) == RECIPIENTS


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # the careless server, on purpose
@pytest.mark.parametrize("mode", ["SSL", "STARTTLS"])
def test_a_certificate_of_an_authority_not_trusted_is_refused_and_nothing_goes_in_clear(
        tmp_path: Path, ca: trustme.CA, mode: str) -> None:
    """The server's certificate is another authority's (the child trusts ``ca`` only).  The STARTTLS server would
    take mail and a login in clear; it gets neither."""
    stranger = server_context(trustme.CA())
    implicit, starttls = (stranger, None) if mode == "SSL" else (None, stranger)
    with serve(implicit=implicit, starttls=starttls, login=True, demand=False) as server:
        path = build(tmp_path, server.port, more={"SMTP加密方式": mode})
        result = remind(path, environment(tmp_path, ca, PASSWORD))
    assert result.returncode == 1, result.stdout + result.stderr
    assert server.messages == [] and server.logins == []
    assert "的证书不可信" in result.stdout and "CERTIFICATE_VERIFY_FAILED" in result.stdout
    assert Ledger(tmp_path).counts() == {"pending": 3}


def test_starttls_asked_of_a_server_without_it_sends_nothing_in_clear(tmp_path: Path, ca: trustme.CA,
                                                                      inbox: Inbox) -> None:
    path = build(tmp_path, inbox.port, more={"SMTP加密方式": "STARTTLS"})
    result = remind(path, environment(tmp_path, ca))
    assert result.returncode == 1, result.stdout + result.stderr
    assert inbox.messages == []
    assert f"邮件没有发出：连不上邮件服务器 127.0.0.1:{inbox.port}" in result.stdout and "STARTTLS" in result.stdout


@pytest.mark.parametrize("port, expected", [(465, "SSL"), (587, "STARTTLS"), (25, "不加密"), (2525, "不加密")])
def test_left_empty_the_mode_follows_the_port(port: int, expected: str) -> None:
    settings = {"SMTP服务器": "mail.example.com", "SMTP端口": str(port), "发件人邮箱": SENDER, "SMTP加密方式": ""}
    assert SmtpSettings.from_settings(Settings.of(settings, "客户.xlsx")).mode == expected


def test_a_mode_that_is_none_of_the_choices_is_one_line_and_exit_2(tmp_path: Path, ca: trustme.CA) -> None:
    path = build(tmp_path, free_port(), more={"SMTP加密方式": "TLS"})
    before = path.read_bytes()
    result = remind(path, environment(tmp_path, ca))
    english = remind(path, environment(tmp_path, ca), "--lang", "en")
    assert result.returncode == english.returncode == 2
    assert "客户.xlsx 工作表“设置”: SMTP加密方式“TLS”不对；填 SSL、STARTTLS、不加密 之一" in result.stdout + result.stderr
    assert "SMTP加密方式 (mail encryption) 'TLS' is not one of SSL、STARTTLS、不加密" in english.stdout + english.stderr
    assert path.read_bytes() == before and not (tmp_path / ".crm-mail.sqlite").exists()


def test_the_template_offers_the_three_choices(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    build_template(path)
    sheet = openpyxl.load_workbook(path)["设置"]
    (row,) = [c.row for c in sheet["A"] if c.value == "SMTP加密方式"]
    (rule,) = [dv for dv in sheet.data_validations.dataValidation if f"B{row}" in str(dv.sqref)]
    assert rule.formula1 == '"SSL,STARTTLS,不加密"' and sheet[f"B{row}"].value is None


def test_a_server_that_takes_the_connection_and_never_answers_does_not_hold_the_morning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A listening socket that never sends its greeting: without a timeout smtplib waits for good."""
    monkeypatch.setattr(smtp_server, "TIMEOUT", 1)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        smtp = SmtpSettings(host="127.0.0.1", port=silent.getsockname()[1], sender=SENDER, security="不加密")
        ledger = Ledger(tmp_path)
        ledger.add([Mail(key="k1", recipient="li@example.com", subject="s", text="t", html="<p>t</p>")],
                   SENDER, NOW)
        outcome: dict = {}
        worker = threading.Thread(target=lambda: outcome.update(deliver(ledger, smtp, tmp_path, NOW)), daemon=True)
        worker.start()
        worker.join(60)  # a liveness bound, not a speed claim: the timeout is 1 s
        assert not worker.is_alive(), "deliver still waits on a server that never answers"
    assert (outcome["sent"], outcome["failed"], outcome["unsent"]) == (0, 1, "connect")
    assert "timed out" in outcome["reason"]
