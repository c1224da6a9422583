"""Commands over workbook + history (issue 20), against the read floor of the workbook alone.

    python benchmarks/bench_archive.py [--workbook 200000] [--history 3000000] [--postgres]

The demo's data with ``--workbook + --history`` follow-ups; the oldest ``--history`` of them are archived the
way `crm-sheets archive` leaves them (in batches of under a million rows, as a workbook holds at most that
many), into the SQLite file beside the workbook, or with --postgres into a PostgreSQL server started for the
run (pgserver).  Then tag, remind and summary run each in their own process on a fresh copy, and print: seconds,
the ratio to the read floor (python-calamine reading the four data sheets of the workbook, nothing else) and
peak RSS.  Goal: ratio <= 3, peak <= 2 GB.
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

import numpy as np
import pandas as pd

CACHE = Path(__file__).parent / ".cache"
TODAY = "2026-11-24"
BATCH = 1_000_000
sys.path.insert(0, str(Path(__file__).parent))
from bench_commands import RUN  # noqa: E402  (the same timed child process as every other benchmark)

from crm_sheets import schema  # noqa: E402


def measure(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, text=True)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(done.stderr[-2000:])
    return json.loads(lines[-1])


def even_pace(frames: dict[str, pd.DataFrame], today: pd.Timestamp, followups: int) -> dict[str, pd.DataFrame]:
    """The demo's dates spread so that follow-ups come at a steady pace, as a team's do (the issue's team of 30
    logging 40 a day: about 36,000 a month), instead of the demo's few busy months: every past date moves by one
    monotone map, so each customer's story keeps its order (created, contacted, ordered, resolved)."""
    months = followups / 36_000
    times = pd.to_datetime(frames["跟进记录"]["跟进时间"], errors="coerce", format="mixed")
    known = np.sort(times.dropna().to_numpy(dtype="datetime64[ns]").astype("int64"))
    grid = np.linspace((today - pd.Timedelta(days=30.44 * months)).value, today.value, len(known))
    out = {}
    for name, frame in frames.items():
        sheet = schema.SHEETS_BY_NAME.get(name)
        past = [f.header for f in sheet.fields if f.past and f.header in frame.columns] if sheet else []
        frame = frame.copy()
        for header in past:
            when = pd.to_datetime(frame[header], errors="coerce", format="mixed")
            moved = (when <= today).to_numpy()
            values = frame[header].to_numpy(dtype=object, copy=True)
            values[moved] = pd.to_datetime(np.interp(when[moved].to_numpy(dtype="datetime64[ns]").astype("int64"),
                                                     known, grid)).floor("min").to_pydatetime()
            frame[header] = values
        out[name] = frame
    return out


def build(folder: Path, in_book: int, archived: int, url: str) -> Path:
    """The workbook with the newest rows, and the older ones archived as `crm-sheets archive` would have left
    them (follow-ups, orders and resolved tickets dated before the cut)."""
    from crm_sheets.demo_data import make_demo
    from crm_sheets.outputs import FrameOut
    from crm_sheets.stores.file import FileStore, tool_sheet
    from crm_sheets.stores.history import DONE, History
    from crm_sheets.templates import write_workbook
    from crm_sheets.workbook.read import read_book
    from crm_sheets.workbook.write import write_back

    today = pd.Timestamp(TODAY)
    demo = make_demo(today.date(), n_customers=100_000, n_followups=in_book + archived)
    frames = even_pace(dict(demo.frames), today, in_book + archived)
    if url:
        frames["设置"] = pd.DataFrame({"设置项": [s.name for s in schema.SETTINGS],
                                     "值": [url if s.name == "历史数据库" else s.default for s in schema.SETTINGS],
                                     "说明": [s.note for s in schema.SETTINGS]})
    when = pd.to_datetime(frames["跟进记录"]["跟进时间"], errors="coerce", format="mixed")
    order = np.argsort(when.to_numpy(dtype="datetime64[ns]"), kind="stable")  # undated rows last: they stay
    cut = when.iloc[order[archived]]
    old = {"跟进记录": frames["跟进记录"].iloc[np.sort(order[:archived])]}
    kept = {"跟进记录": frames["跟进记录"].iloc[np.sort(order[archived:])]}
    for name, header, rule in (("交易记录", "日期", None), ("服务工单", "解决时间", ("状态", "已解决"))):
        frame = frames[name]
        dated = pd.to_datetime(frame[header], errors="coerce", format="mixed") < cut
        if rule:
            dated &= frame[rule[0]] == rule[1]
        old[name], kept[name] = frame[dated.to_numpy()], frame[~dated.to_numpy()]
    path = folder / "w.xlsx"
    write_workbook(path, data={**frames, **kept})
    store = History(url or f"sqlite:///{path.with_name('w.history.sqlite')}")
    entries = []
    for name, rows in old.items():
        for k in range(0, len(rows), BATCH):
            part = folder / f"part{k}.xlsx"
            write_workbook(part, data={"客户信息": frames["客户信息"], name: rows.iloc[k:k + BATCH]})
            table = next(t for t in read_book(part).tables.values() if t.sheet.name == name)
            batch = f"A2025{len(entries):010d}"
            store.add(batch, {name: (table.text, table.data)}, dt.datetime(2026, 1, 1))
            store.set_state([batch], DONE)
            entries.append({"batch": batch, "time": pd.Timestamp("2026-01-01"), "before": cut.normalize(),
                            "sheet": name, "rows": len(table.text)})
            part.unlink()
    store.close()
    write_back(path, tool_sheets=[tool_sheet(FrameOut(schema.ARCHIVE_LOG, pd.DataFrame(entries)))], keep_backups=0)
    shutil.rmtree(folder / ".crm-backups", ignore_errors=True)
    assert len(FileStore(path).read().history["followups"].text) == archived
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbook", type=int, default=200_000)
    parser.add_argument("--history", type=int, default=3_000_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    server = None
    with tempfile.TemporaryDirectory() as tmp:
        url = ""
        if args.postgres:
            import pgserver

            server = pgserver.get_server(Path(tmp) / "pg", cleanup_mode="stop")
            url = server.get_uri()
        source = build(Path(tmp), args.workbook, args.history, url)
        floor = measure(["floor", str(source)])
        print(f"workbook {args.workbook:,} follow-ups, history {args.history:,} ({'PostgreSQL' if url else 'SQLite'}); "
              f"read floor of the workbook alone {floor['seconds']:.1f} s")
        for name, command in (("tag", ["tag"]), ("remind", ["remind"]), ("summary", ["summary"])):
            run_dir = Path(tmp) / name
            run_dir.mkdir()
            path = run_dir / source.name
            shutil.copy(source, path)
            if not url:
                shutil.copy(source.with_name("w.history.sqlite"), run_dir / "w.history.sqlite")
            run = measure([*command, str(path), "--today", TODAY])
            print(f"{name}: {run['seconds']:.1f} s = {run['seconds'] / floor['seconds']:.2f}x, "
                  f"peak {run['rss_mb']:.0f} MB, exit {run['code']}")
        if server is not None:
            server.cleanup()


if __name__ == "__main__":
    main()
