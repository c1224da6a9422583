"""Mutation check: remove each guard the README promises and show that the tests fail without it.

Run by hand (it runs the listed test files once per guard; about N × a few minutes):

    python tests/mutations.py            # every guard
    python tests/mutations.py zip-bomb   # one

Each mutation replaces one exact piece of the package's source in a copy of the repository (the piece must occur
exactly once, so a mutation that no longer matches the code fails loudly instead of testing nothing), runs the
test files that guard it against the copy and prints a table: the guard, the tests, and whether they failed.
A guard whose tests still pass is a promise nobody would miss: the script exits 1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    guard: str
    file: str
    find: str
    replace: str
    tests: tuple[str, ...]


MUTATIONS = [
    Mutation("zip bomb", "crm_sheets/workbook/sniff.py",
             "                    raise errors.ZipBomb(file=name, member=info.filename)", "                    pass",
             ("tests/test_corpus.py", "tests/test_security.py")),
    Mutation("DTD / entity expansion", "crm_sheets/workbook/sniff.py",
             "                            raise errors.UnsafeXml(file=name, member=info.filename)",
             "                            pass",
             ("tests/test_corpus.py", "tests/test_security.py")),
    Mutation("phone masking", "crm_sheets/values.py",
             '    return f"{phone[:3]}****{phone[-4:]}"', "    return phone",
             ("tests/test_remind.py", "tests/test_sync.py")),
    Mutation("exactly-once mail: the same day again", "crm_sheets/mail.py",
             "INSERT OR IGNORE INTO mail VALUES", "INSERT OR REPLACE INTO mail VALUES",
             ("tests/test_remind.py", "tests/test_ledger.py")),
    Mutation("exactly-once mail: a crash after sending", "crm_sheets/mail.py",
             "            db.execute(\"UPDATE mail SET status = 'sending' WHERE key = ?\", (key,))",
             "            pass",
             ("tests/test_remind.py",)),
    Mutation("Excel's lock (~$ owner file)", "crm_sheets/workbook/safety.py",
             "    lock = excel_lock_file(path)\n    if lock is None:", "    lock = None\n    if lock is None:",
             ("tests/test_write.py", "tests/test_windows.py")),
    Mutation("remind --dry-run", "crm_sheets/app/remind.py",
             "    if dry_run:\n        return RemindOutcome(", "    if False:\n        return RemindOutcome(",
             ("tests/test_remind.py",)),
    Mutation("import --dry-run", "crm_sheets/app/importing.py",
             "    if dry_run:\n        return ImportOutcome(", "    if False:\n        return ImportOutcome(",
             ("tests/test_leads.py",)),
    Mutation("export: no overwrite", "crm_sheets/app/export.py",
             "    refuse_existing(files.values())", "    refuse_existing([])", ("tests/test_promises.py",)),
    Mutation("distribute: no overwrite", "crm_sheets/app/sync.py",
             "    refuse_existing(targets.values())", "    refuse_existing([])",
             ("tests/test_promises.py", "tests/test_sync.py")),
    Mutation("password in the workbook refused", "crm_sheets/stores/history.py",
             "    if has_password:\n        raise errors.PasswordInWorkbook(", "    if False:\n        raise errors.PasswordInWorkbook(",
             ("tests/test_history_address.py",)),
]


def copy_repository(target: Path) -> None:
    """The tracked files as they are in the work tree (uncommitted edits included)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode("utf-8").split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def mutate(copy: Path, mutation: Mutation) -> None:
    source = copy / mutation.file
    text = source.read_text(encoding="utf-8")
    found = text.count(mutation.find)
    if found != 1:
        raise SystemExit(f"{mutation.guard}: the piece to remove occurs {found} times in {mutation.file}, not once: "
                         "bring the mutation up to date with the code")
    source.write_text(text.replace(mutation.find, mutation.replace), encoding="utf-8")


def run_tests(copy: Path, tests: tuple[str, ...]) -> tuple[bool, str, float]:
    """(failed, the first failing test or the summary line, seconds)."""
    env = {**os.environ, "PYTHONPATH": str(copy)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                          cwd=copy, env=env, capture_output=True, text=True, encoding="utf-8")
    lines = done.stdout.splitlines()
    failing = next((line.split(" - ")[0] for line in lines if line.startswith(("FAILED", "ERROR"))),
                   lines[-1] if lines else "")
    return done.returncode != 0, failing, time.monotonic() - started


def main(names: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not names or m.guard in names]
    if names and len(chosen) != len(set(names)):
        known = ", ".join(m.guard for m in MUTATIONS)
        raise SystemExit(f"unknown guard in {names}; known: {known}")
    with tempfile.TemporaryDirectory(prefix="crm-mutations-") as tmp:
        clean = Path(tmp) / "clean"
        copy_repository(clean)
        failed, summary, _ = run_tests(clean, tuple(sorted({t for m in chosen for t in m.tests})))
        if failed:
            raise SystemExit(f"the tests fail without any mutation ({summary}): fix them first")
        print("| guard removed | tests run | tests fail? | first failure | s |")
        print("|---|---|---|---|---|")
        survived = []
        for number, mutation in enumerate(chosen):
            copy = Path(tmp) / f"mutant-{number}"  # no guard name: a ":" in it would split PYTHONPATH
            shutil.copytree(clean, copy)
            mutate(copy, mutation)
            failed, first, seconds = run_tests(copy, mutation.tests)
            print(f"| {mutation.guard} | {' '.join(Path(t).name for t in mutation.tests)} | "
                  f"{'yes' if failed else 'NO'} | {first} | {seconds:.0f} |", flush=True)
            if not failed:
                survived.append(mutation.guard)
            shutil.rmtree(copy)
    if survived:
        print(f"guards no test misses: {', '.join(survived)}", file=sys.stderr)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
