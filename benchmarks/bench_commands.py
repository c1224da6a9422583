"""Every command end to end, as a user runs it, against the python-calamine read floor.

    python benchmarks/bench_commands.py [--scale 1.0] [--shares 0.1,0.5,1.0]
    python benchmarks/bench_commands.py --workbook YOUR.xlsx [--leads LEADS.csv]

At scale 1.0 the workbook is Excel's limit for this CRM (a sheet holds 1,048,576 rows): 100,000 customers, 1,048,575 follow-ups,
200,000 orders and 20,000 tickets, plus a 100,000-row CSV of leads to import.  Workbooks are generated once and
cached in benchmarks/.cache/.  Each command runs on a fresh copy of the same file (merge after an untimed dedupe),
in its own process, as a user runs it; then the job runs on three mornings in a row in one folder, after an untimed
first run the day before.  For each size (--shares) it prints, measured in this run: seconds per command, the
ratio to the read floor (python-calamine reading the four data sheets, nothing else, measured again right before
each command: this shared machine's speed changes from minute to minute), peak RSS of the command's process and,
on sizes of at most 100,000 follow-ups, the ratio to openpyxl doing the same work (read_only reading the four
sheets for commands that only read, load + save for commands that write).  Goals: every ratio to the floor <= 3
(issue 8; remind and each of the job's mornings <= 2, issue 33), peak <= 2 GB, growth linear in rows.  With
--workbook the same figures are measured on a copy of any workbook in the template's layout.
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
FULL = {"customers": 100_000, "followups": 1_048_575, "orders": 200_000, "tickets": 20_000, "leads": 100_000}
DATA_SHEETS = ("客户信息", "跟进记录", "交易记录", "服务工单")
# openpyxl's own speed is measured where it finishes in reasonable time (issue 8: a 100,000-row subset).
OPENPYXL_MAX_FOLLOWUPS = 105_000
READ_ONLY = {"remind --dry-run"}

RUN = r"""
import json, resource, sys, time
t0 = time.perf_counter()
args = json.loads(sys.argv[1])
sheets = ("客户信息", "跟进记录", "交易记录", "服务工单")
if args[0] == "floor":
    import python_calamine
    wb = python_calamine.CalamineWorkbook.from_path(args[1])
    for name in sheets:
        wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    code = 0
elif args[0] == "openpyxl-read":
    import openpyxl
    wb = openpyxl.load_workbook(args[1], read_only=True)
    for name in sheets:
        list(wb[name].iter_rows(values_only=True))
    code = 0
elif args[0] == "openpyxl-write":
    import openpyxl
    wb = openpyxl.load_workbook(args[1])
    wb.save(args[1])
    code = 0
else:
    from crm_sheets.cli import app
    code = app(args, standalone_mode=False) or 0  # click returns the exit code instead of exiting
seconds = time.perf_counter() - t0
# Linux keeps ru_maxrss across exec (a parent that just built a 1 GB workbook would show as every child's
# peak); VmHWM belongs to this process's own memory.
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": peak, "code": code}))
"""


def workbook(size: dict[str, int]) -> Path:
    """The cached workbook of that size, and beside it (.import.csv) a GBK lead list to import."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / ("limit-" + "-".join(str(size[k]) for k in ("customers", "followups", "orders", "tickets")) + ".xlsx")
    if not path.exists():
        from crm_sheets.demo_data import make_demo
        from crm_sheets.templates import write_workbook

        today = dt.date.fromisoformat(TODAY)
        demo = make_demo(today, n_customers=size["customers"], n_followups=size["followups"],
                         n_orders=size["orders"], n_tickets=size["tickets"])
        write_workbook(path, data=demo.frames)
    lead_list(path.with_suffix(".import.csv"), size["leads"])
    return path


def measure(args: list[str], cwd: Path | None = None) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, encoding="utf-8", check=False,
                          cwd=cwd)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(done.stderr[-2000:])
    return json.loads(lines[-1])


def commands(path: Path) -> list[tuple[str, list[list[str]], list[str]]]:
    """(name, untimed commands that prepare the copy, the timed command)."""
    source = path.with_suffix(".import.csv")
    return [
        ("validate", [], ["validate", str(path), "--today", TODAY]),
        ("import", [], ["import", str(path), str(source), "--today", TODAY]),
        ("dedupe", [], ["dedupe", str(path), "--today", TODAY]),
        ("merge", [["dedupe", str(path), "--today", TODAY]], ["merge", str(path), "--today", TODAY]),
        ("tag", [], ["tag", str(path), "--today", TODAY]),
        ("remind --dry-run", [], ["remind", str(path), "--dry-run", "--today", TODAY]),
        ("summary", [], ["summary", str(path), "--today", TODAY]),
        ("remind", [], ["remind", str(path), "--today", TODAY]),
        ("job, first run", [], ["job", str(path), "--once", "--today", TODAY]),
    ]


def job_days(path: Path) -> list[tuple[str, list[str]]]:
    """The job on three mornings in a row in one folder (its ledger, backups and outbox kept), after a first run
    the day before: a workbook in daily use, its month's summary written, every customer tagged once."""
    start = dt.date.fromisoformat(TODAY)
    return [(f"job day {k}" if k else "job day 0 (untimed)",
             ["job", str(path), "--once", "--today", f"{start + dt.timedelta(days=k - 1)}"]) for k in range(4)]


def fresh_copy(source: Path, leads: Path, folder: Path) -> Path:
    """The workbook (and its lead list beside it) in an empty folder: no backups, ledger or outbox from before."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    path = folder / source.name
    shutil.copy(source, path)
    shutil.copy(leads, path.with_suffix(".import.csv"))
    return path


def run_size(label: str, source: Path, leads: Path, *, openpyxl: bool) -> dict[str, dict]:
    """Every command and (if asked) openpyxl on one workbook, each command right after a read floor measured on
    the same copy (this shared machine's speed changes from one minute to the next); prints a line each, returns
    the runs."""
    runs: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "work"
        path = fresh_copy(source, leads, work)
        baseline = {}
        if openpyxl:
            spare = Path(tmp) / "openpyxl.xlsx"
            shutil.copy(source, spare)
            baseline = {"read": measure(["openpyxl-read", str(spare)]), "write": measure(["openpyxl-write", str(spare)])}

        def timed(name: str, command: list[str]) -> None:
            floor = measure(["floor", str(path)])
            run = measure(command, cwd=work)
            runs[name] = run | {"ratio": run["seconds"] / floor["seconds"], "floor": floor["seconds"]}
            other = baseline.get("read" if name in READ_ONLY else "write")
            versus = f"{other['seconds']:>10.2f} {run['seconds'] / other['seconds']:>11.2f}" if other else f"{'':>10} {'':>11}"
            print(f"{label:>5} {name:<18} {run['seconds']:>8.2f} {floor['seconds']:>8.2f} "
                  f"{run['seconds'] / floor['seconds']:>6.2f} {run['rss_mb']:>8.0f} {versus} {run['code']:>4}",
                  flush=True)

        floor = measure(["floor", str(path)])
        runs["(read floor)"] = floor | {"ratio": 1.0, "floor": floor["seconds"]}
        print(f"{label:>5} {'(read floor)':<18} {floor['seconds']:>8.2f} {floor['seconds']:>8.2f} {1:>6.2f} "
              f"{floor['rss_mb']:>8.0f} {'':>10} {'':>11} {0:>4}", flush=True)
        for name, setup, command in commands(path):
            fresh_copy(source, leads, work)  # every command on the same file, as the floor was measured
            for step in setup:
                measure(step, cwd=work)
            timed(name, command)
        fresh_copy(source, leads, work)
        for name, command in job_days(path):
            if name.startswith("job day 0"):
                measure(command, cwd=work)
            else:
                timed(name, command)
    return runs


def lead_list(target: Path, rows: int) -> Path:
    """A GBK lead list of ``rows`` rows from another draw than the workbooks (most leads new, some known)."""
    from crm_sheets.demo_data import make_demo

    if not target.exists():
        leads = make_demo(dt.date.fromisoformat(TODAY), seed=11, n_customers=rows, n_followups=1_000).frames["客户信息"]
        leads[["客户名称", "所属行业", "联系人姓名", "联系电话", "客户来源", "负责人"]].iloc[:rows].to_csv(
            target, index=False, encoding="gbk", errors="replace")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = Excel's limit (100,000 customers, ...)")
    parser.add_argument("--shares", default="0.1,0.5,1.0", help="sizes to run, as shares of --scale")
    parser.add_argument("--workbook", type=Path, help="time the commands on this workbook instead (a copy of it)")
    parser.add_argument("--leads", type=Path, help="with --workbook: the CSV to import (default: 100,000 made-up leads)")
    args = parser.parse_args()
    print(f"{'size':>5} {'command':<18} {'seconds':>8} {'floor s':>8} {'ratio':>6} {'peak MB':>8} "
          f"{'openpyxl s':>10} {'vs openpyxl':>11} {'exit':>4}")
    if args.workbook:
        CACHE.mkdir(exist_ok=True)
        leads = args.leads or lead_list(CACHE / f"leads-{FULL['leads']}.csv", FULL["leads"])
        print(f"# {args.workbook}; import {leads}", flush=True)
        run_size("given", args.workbook, leads, openpyxl=False)
        return
    shares = [float(s) for s in args.shares.split(",")]
    table: dict[str, dict[float, dict]] = {}  # command -> share -> run, for the README table at the end
    for share in shares:
        size = {k: max(1, int(v * args.scale * share)) for k, v in FULL.items()}
        source = workbook(size)
        print(f"# {share:.0%}: {size['customers']:,} customers, {size['followups']:,} follow-ups, "
              f"{size['orders']:,} orders, {size['tickets']:,} tickets; import {size['leads']:,} rows", flush=True)
        runs = run_size(f"{share:.0%}", source, source.with_suffix(".import.csv"),
                        openpyxl=size["followups"] <= OPENPYXL_MAX_FOLLOWUPS)
        for name, run in runs.items():
            table.setdefault(name, {})[share] = run
    print("\nREADME table:")
    print("| 命令 / command | " + " | ".join(f"{s:.0%} 秒 | 读取下限 秒 | 比值" for s in shares)
          + f" | 内存峰值 MB ({shares[-1]:.0%}) |")
    print("|---|" + "---:|---:|---:|" * len(shares) + "---:|")
    for name, runs in table.items():
        cells = " | ".join(f"{runs[s]['seconds']:.1f} | {runs[s]['floor']:.1f} | {runs[s]['ratio']:.2f}" for s in shares)
        print(f"| {name} | {cells} | {runs[shares[-1]]['rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
