"""Every command end to end, as a user runs it, against the python-calamine read floor.

    python benchmarks/bench_commands.py [--scale 1.0] [--shares 0.1,0.5,1.0]

At scale 1.0 the workbook is Excel's limit for this CRM (SPEC §5): 100,000
customers and 1,048,575 follow-ups (orders and tickets as the demo makes
them).  Workbooks are generated once and cached in benchmarks/.cache/.  For
each size it prints, measured in this run on the same file: seconds per
command, the ratio to the read floor (python-calamine reading the four data
sheets, nothing else) and the peak RSS of the command's process.  Goal
(issue 8): every ratio <= 3, peak <= 2 GB, growth linear in rows.
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

CACHE = Path(__file__).parent / ".cache"
TODAY = "2026-11-24"
FULL_CUSTOMERS, FULL_FOLLOWUPS = 100_000, 1_048_575

RUN = r"""
import json, resource, sys, time
t0 = time.perf_counter()
args = json.loads(sys.argv[1])
if args[0] == "floor":
    import python_calamine
    wb = python_calamine.CalamineWorkbook.from_path(args[1])
    for name in ("客户信息", "跟进记录", "交易记录", "服务工单"):
        wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    code = 0
else:
    from crm_sheets.cli import app
    code = app(args, standalone_mode=False) or 0  # click returns the exit code instead of exiting
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "code": code}))
"""


def workbook(customers: int, followups: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"limit-{customers}-{followups}.xlsx"
    if not path.exists():
        from crm_sheets.demo_data import make_demo
        from crm_sheets.templates import write_workbook

        demo = make_demo(dt.date.fromisoformat(TODAY), n_customers=customers, n_followups=followups)
        write_workbook(path, data=demo.frames)
        customers_frame = demo.frames["客户信息"][["客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "负责人"]]
        customers_frame.iloc[: max(1, customers // 10)].to_csv(path.with_suffix(".import.csv"), index=False,
                                                               encoding="gbk", errors="replace")
    return path


def measure(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(done.stderr[-2000:])
    return json.loads(lines[-1])


def commands(path: Path) -> list[tuple[str, list[str]]]:
    source = path.with_suffix(".import.csv")
    return [
        ("validate", ["validate", str(path), "--today", TODAY]),
        ("import", ["import", str(path), str(source), "--today", TODAY]),
        ("dedupe", ["dedupe", str(path), "--today", TODAY]),
        ("merge", ["merge", str(path), "--today", TODAY]),
        ("tag", ["tag", str(path), "--today", TODAY]),
        ("remind --dry-run", ["remind", str(path), "--dry-run", "--today", TODAY]),
        ("summary", ["summary", str(path), "--today", TODAY]),
        ("remind", ["remind", str(path), "--today", TODAY]),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000 customers / 1,048,575 follow-ups")
    parser.add_argument("--shares", default="0.1,0.5,1.0")
    args = parser.parse_args()
    print(f"{'size':>5} {'command':<18} {'seconds':>8} {'floor s':>8} {'ratio':>6} {'peak MB':>8} {'exit':>4}")
    for share in (float(s) for s in args.shares.split(",")):
        customers = int(FULL_CUSTOMERS * args.scale * share)
        followups = int(FULL_FOLLOWUPS * args.scale * share)
        source = workbook(customers, followups)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / source.name
            shutil.copy(source, path)
            shutil.copy(source.with_suffix(".import.csv"), path.with_suffix(".import.csv"))
            floor = measure(["floor", str(path)])
            print(f"{share:>5.0%} {'(read floor)':<18} {floor['seconds']:>8.2f} {floor['seconds']:>8.2f} {1:>6.2f} "
                  f"{floor['rss_mb']:>8.0f} {0:>4}")
            for name, command in commands(path):
                run = measure(command)
                print(f"{share:>5.0%} {name:<18} {run['seconds']:>8.2f} {floor['seconds']:>8.2f} "
                      f"{run['seconds'] / floor['seconds']:>6.2f} {run['rss_mb']:>8.0f} {run['code']:>4}",
                      flush=True)


if __name__ == "__main__":
    main()
