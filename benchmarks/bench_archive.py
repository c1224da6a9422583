"""Commands over workbook + history (issue 20), against the read floor of the workbook alone.

    python benchmarks/bench_archive.py [--workbook 200000] [--history 3000000] [--postgres]

The demo's workbook (``--workbook`` follow-ups, 100,000 customers) and ``--history`` older follow-ups of the
same customers archived the way `crm-sheets archive` leaves them (in batches of under a million rows, as a
workbook holds at most that many), into the SQLite file beside the workbook, or with --postgres into a
PostgreSQL server started for the run (pgserver).  Then tag (and tag again the next day), remind and summary
run each in their own process on a fresh copy, each right after a run of the read floor (python-calamine reading
the four data sheets of the workbook, nothing else), ``--repeat`` times, and print the median ratio to the floor,
every ratio, and peak RSS.  Goal: ratio <= 3, peak <= 2 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

CACHE = Path(__file__).parent / ".cache"
TODAY = "2026-11-24"
NEXT_DAY = "2026-11-25"
BATCH = 1_000_000
sys.path.insert(0, str(Path(__file__).parent))
from bench_commands import RUN  # noqa: E402  (the same timed child process as every other benchmark)

from crm_sheets import schema  # noqa: E402


def measure(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, encoding="utf-8")
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(done.stderr[-2000:])
    return json.loads(lines[-1])


def build(folder: Path, in_book: int, archived: int, url: str) -> Path:
    """The demo's workbook with ``in_book`` follow-ups (100,000 customers), and ``archived`` older follow-ups of
    the same customers in the history database as `crm-sheets archive` leaves them: a second demo's, moved
    back in time to end the day before the workbook's first (years of a team's calls, each customer's in
    order), in batches of under a million rows (a workbook never held more)."""
    from crm_sheets.app.archive import kept_beside
    from crm_sheets.demo_data import make_demo
    from crm_sheets.model.outputs import FrameOut
    from crm_sheets.stores.file import FileStore, tool_sheet
    from crm_sheets.stores.history import DONE, History
    from crm_sheets.templates import write_workbook
    from crm_sheets.workbook.read import read_book
    from crm_sheets.workbook.write import write_back

    today = pd.Timestamp(TODAY)
    frames = dict(make_demo(today.date(), n_customers=100_000, n_followups=in_book).frames)
    if url:
        frames["设置"] = pd.DataFrame({"设置项": [s.name for s in schema.SETTINGS],
                                     "值": [url if s.name == "历史数据库" else s.default for s in schema.SETTINGS],
                                     "说明": [s.note for s in schema.SETTINGS]})
    path = folder / "w.xlsx"
    write_workbook(path, data=frames)
    first = read_book(path).tables["followups"].data["time"].min()
    old = make_demo(today.date(), n_customers=100_000, n_followups=archived).frames["跟进记录"]
    when = pd.to_datetime(old["跟进时间"], errors="coerce", format="mixed")
    old = old[when.notna().to_numpy()].assign(跟进时间=when.dropna() - (when.max() - first + pd.Timedelta(days=1)))
    store = History(url or f"sqlite:///{path.with_name('w.history.sqlite')}")
    entries = []
    for k in range(0, len(old), BATCH):
        part = folder / f"part{k}.xlsx"
        write_workbook(part, data={"客户信息": frames["客户信息"], "跟进记录": old.iloc[k:k + BATCH]})
        table = read_book(part).tables["followups"]
        batch = f"A2025{k // BATCH:010d}"
        parts = {"跟进记录": (table.text, table.data)}
        store.add(batch, parts, dt.datetime(2026, 1, 1), kept_beside(parts))
        store.set_state([batch], DONE)
        entries.append({"batch": batch, "time": pd.Timestamp("2026-01-01"), "before": first.normalize(),
                        "sheet": "跟进记录", "rows": len(table.text)})
        part.unlink()
    store.close()
    write_back(path, tool_sheets=[tool_sheet(FrameOut(schema.ARCHIVE_LOG, pd.DataFrame(entries)))], keep_backups=0)
    shutil.rmtree(folder / ".crm-backups", ignore_errors=True)
    assert len(FileStore(path).read().history["followups"].text) == len(old)
    return path


def paired(source: Path, url: str, work: Path, command: str, repeat: int) -> list[tuple[str, float, dict]]:
    """Each run of ``command`` (tag: and the next day's) right after a run of the read floor, on a fresh copy,
    ``repeat`` times: (label, ratio to the floor just measured, run).  Pairs, because this kind of machine is
    shared: the same loop takes 0.7 s or 1.3 s from one minute to the next, and a floor measured once at the
    start says little about a command measured ten minutes later."""
    out = []
    for k in range(repeat):
        folder = work / f"{command}-{k}"
        folder.mkdir()
        path = folder / source.name
        shutil.copy(source, path)
        if not url:
            shutil.copy(source.with_name("w.history.sqlite"), folder / "w.history.sqlite")
        days = [(command, TODAY)] + ([("tag, next day", NEXT_DAY)] if command == "tag" else [])
        for label, day in days:  # tag the next day, as a workbook in daily use is tagged: only changes are written
            floor = measure(["floor", str(source)])
            run = measure([command, str(path), "--today", day])
            out.append((label, run["seconds"] / floor["seconds"], run | {"floor": floor["seconds"]}))
        shutil.rmtree(folder)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=int, default=200_000)
    parser.add_argument("--history", type=int, default=3_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="pairs (floor, command) per command; the median counts")
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory() as tmp:
        url = ""
        if args.postgres:
            import pgserver

            server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")
            url = server.get_uri()
        source = build(Path(tmp), args.workbook, args.history, url)
        print(f"workbook {args.workbook:,} follow-ups, history {args.history:,} ({'PostgreSQL' if url else 'SQLite'}); "
              f"each command {args.repeat} times, each time right after the read floor of the workbook alone")
        for command in ("tag", "remind", "summary"):
            runs = paired(source, url, Path(tmp), command, args.repeat)
            for label in dict.fromkeys(label for label, _ratio, _run in runs):
                mine = sorted((ratio, run) for k, ratio, run in runs if k == label)
                ratio, run = mine[len(mine) // 2]
                print(f"{label}: median {ratio:.2f}x ({', '.join(f'{r:.2f}' for r, _ in mine)}); that run "
                      f"{run['seconds']:.1f} s against a floor of {run['floor']:.1f} s, peak "
                      f"{max(r['rss_mb'] for _, r in mine):.0f} MB, exit {run['code']}")
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
