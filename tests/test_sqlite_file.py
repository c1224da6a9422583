"""The SQLite files the tool keeps use a journal mode a network drive can carry (issue 31).

https://www.sqlite.org/wal.html: "WAL does not work over a network filesystem" — so the rollback journal (DELETE)
unless the file is on a disk of this computer.  Which disk a folder is on is probed per OS; the tests inject the
probe's answer ("nfs4", "ext4", ...) and read the mode back from a separate connection.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess
import threading
import time
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crm_sheets import schema, sqlite_file
from crm_sheets.cli import app
from crm_sheets.demo_data import make_demo
from crm_sheets.mail import LEDGER, Ledger, Mail
from crm_sheets.stores.history import History
from crm_sheets.templates import write_workbook

NOW = dt.datetime(2026, 11, 30, 8, 30)
LOCAL = ("ext4", "xfs", "btrfs", "tmpfs", "overlay", "apfs", "hfs", "fixed", "removable")
NETWORK = ("nfs", "nfs4", "cifs", "smb3", "smbfs", "afpfs", "webdav", "fuse.sshfs", "9p", "remote", "unc", "cdrom",
           "unknown", "")


def mode_of(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return db.execute("PRAGMA journal_mode").fetchone()[0]


@pytest.fixture(params=["nfs4", "ext4"])
def disk(request, monkeypatch) -> str:
    monkeypatch.setattr(sqlite_file, "disk_of", lambda folder: request.param)
    return request.param


@pytest.mark.parametrize("kind", LOCAL)
def test_a_local_disk_gets_wal(kind: str) -> None:
    assert sqlite_file.journal_mode(kind) == "wal"


@pytest.mark.parametrize("kind", NETWORK)
def test_a_network_drive_or_a_disk_it_cannot_tell_gets_the_rollback_journal(kind: str) -> None:
    assert sqlite_file.journal_mode(kind) == "delete"


MOUNTS = r"""/dev/sda1 / ext4 rw,relatime 0 0
server:/export /mnt/nfs nfs4 rw,vers=4.2 0 0
//nas/team /mnt/team\040share cifs rw,vers=3.1.1 0 0
/dev/sdb1 /mnt/nfs/local ext4 rw 0 0
tmpfs /dev/shm tmpfs rw 0 0
"""


@pytest.mark.parametrize(("path", "kind"), [
    ("/home/li/客户.history.sqlite", "ext4"), ("/mnt/nfs/客户.xlsx", "nfs4"), ("/mnt/nfs", "nfs4"),
    ("/mnt/nfsx/a", "ext4"),  # a prefix of the mount point's name is not inside it
    ("/mnt/team share/销售/.crm-mail.sqlite", "cifs"), ("/mnt/nfs/local/a", "ext4"), ("/dev/shm/x", "tmpfs"),
])
def test_linux_reads_the_mount_that_holds_the_path(path: str, kind: str) -> None:
    assert sqlite_file.linux_filesystem(path, MOUNTS) == kind


def test_the_probe_here_agrees_with_findmnt(tmp_path: Path) -> None:
    if not shutil.which("findmnt"):
        pytest.skip("util-linux findmnt not installed")
    for folder in (tmp_path, Path("/dev/shm"), Path("/proc")):
        found = subprocess.run(["findmnt", "-n", "-o", "FSTYPE", "--target", str(folder)], capture_output=True,
                               encoding="utf-8", check=True).stdout.split()[-1]
        assert sqlite_file.disk_of(folder) == found


@pytest.mark.parametrize(("path", "code", "kind"), [
    ("Z:\\团队\\客户.xlsx", 4, "remote"), ("C:\\Users\\li\\客户.xlsx", 3, "fixed"), ("E:\\客户.xlsx", 2, "removable"),
    ("\\\\nas\\team\\客户.xlsx", None, "unc"), ("\\\\?\\UNC\\nas\\team\\客户.xlsx", None, "unc"),
    ("\\\\?\\C:\\客户.xlsx", 3, "fixed"), ("Y:\\a", 1, "no_root_dir"), ("Q:\\a", 99, "unknown"),
])
def test_windows_asks_the_drive_type_of_the_root_and_knows_a_share_by_its_name(path: str, code, kind: str) -> None:
    asked = []

    def drive_type(root: str) -> int:  # GetDriveTypeW's codes: DRIVE_REMOVABLE 2, FIXED 3, REMOTE 4
        asked.append(root)
        return code

    assert sqlite_file.windows_drive(path, drive_type) == kind
    assert asked == ([] if code is None else [path[: path.index(":") + 2]])


def test_the_ledger_uses_the_mode_its_disk_carries(tmp_path: Path, disk: str) -> None:
    ledger = Ledger(tmp_path)
    ledger.add([Mail("2026-11-30|li@example.com", "li@example.com", "回访", "t", "<p>t</p>")], "crm@example.com", NOW)
    assert mode_of(tmp_path / LEDGER) == sqlite_file.journal_mode(disk) == {"nfs4": "delete", "ext4": "wal"}[disk]


def test_a_ledger_left_in_wal_goes_back_to_the_rollback_journal_on_a_share(tmp_path: Path, monkeypatch) -> None:
    with closing(sqlite3.connect(tmp_path / LEDGER)) as old:  # as the version before this one made it
        old.execute("PRAGMA journal_mode=WAL")
    monkeypatch.setattr(sqlite_file, "disk_of", lambda folder: "cifs")
    other = sqlite3.connect(tmp_path / LEDGER)
    other.execute("SELECT * FROM sqlite_master").fetchall()  # another process has it open: it cannot switch yet
    assert Ledger(tmp_path).counts() == {}
    assert mode_of(tmp_path / LEDGER) == "wal"
    other.close()
    assert Ledger(tmp_path).counts() == {}
    assert mode_of(tmp_path / LEDGER) == "delete"
    assert not (tmp_path / (LEDGER + "-wal")).exists()


def test_the_history_database_uses_the_mode_its_disk_carries(tmp_path: Path, disk: str) -> None:
    frames = dict(make_demo(NOW.date(), n_customers=100, n_followups=800).frames)
    frames["设置"] = pd.DataFrame({"设置项": [s.name for s in schema.SETTINGS], "值": [s.default for s in schema.SETTINGS],
                                  "说明": [s.note for s in schema.SETTINGS]})
    path = tmp_path / "客户.xlsx"
    write_workbook(path, data=frames)
    done = CliRunner().invoke(app, ["archive", str(path), "--before", "2026-06-01", "--today", NOW.date().isoformat()])
    assert done.exit_code == 0, done.output
    assert mode_of(tmp_path / "客户.history.sqlite") == {"nfs4": "delete", "ext4": "wal"}[disk]


def test_writers_on_a_share_wait_for_each_other(tmp_path: Path, monkeypatch) -> None:
    """In the rollback journal a writer locks out readers too; every one waits (busy timeout), none fails."""
    monkeypatch.setattr(sqlite_file, "disk_of", lambda folder: "smb3")
    Ledger(tmp_path)
    failures: list[BaseException] = []

    def sender(who: str) -> None:
        try:
            ledger = Ledger(tmp_path)
            for n in range(25):
                key = f"2026-11-30|{who}|{n}"
                ledger.add([Mail(key, f"{who}@example.com", "回访", "t" * 2000, "<p>t</p>", (f"T{who}{n}",))],
                           "crm@example.com", NOW)
                ledger.sent(key, NOW)
                ledger.counts()
                ledger.reminders(dt.date(2026, 12, 1))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=sender, args=(f"p{k}",)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Ledger(tmp_path).counts() == {"sent": 100}
    assert mode_of(tmp_path / LEDGER) == "delete"


def test_on_a_share_the_history_reader_waits_for_the_writer_holding_the_file(tmp_path: Path, monkeypatch) -> None:
    """The rollback journal shuts readers out while a writer commits; the reader waits instead of failing."""
    monkeypatch.setattr(sqlite_file, "disk_of", lambda folder: "nfs")
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    History(url).close()
    writer = sqlite3.connect(tmp_path / "h.sqlite", isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("INSERT INTO crm_batches VALUES ('b1', 'done', ?)", (NOW.isoformat(),))
    threading.Timer(1.0, lambda: (writer.execute("COMMIT"), writer.close())).start()
    started = time.perf_counter()
    history = History(url)
    assert history._run("SELECT batch FROM crm_batches").fetchall() == [("b1",)]
    history.close()
    assert time.perf_counter() - started >= 0.9
    assert mode_of(tmp_path / "h.sqlite") == "delete"
