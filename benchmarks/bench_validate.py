"""How `crm-sheets validate` compares with just reading the workbook.

    python benchmarks/bench_validate.py [--customers 20000] [--followups 200000]

Builds (and caches under benchmarks/.cache/) a demo workbook of the given
size plus 10 % and 50 % versions, then for each prints, measured in this run:
the read floor (python-calamine reading the four data sheets, nothing else),
the end-to-end validate time (read, assign ids, check, write back), their
ratio and the peak RSS of the validate process.
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
TODAY = dt.datetime(2026, 11, 24, 9, 0)

CHILD = r"""
import json, resource, sys, time, datetime as dt
mode, path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == "floor":
    import python_calamine
    wb = python_calamine.CalamineWorkbook.from_path(path)
    for name in ("客户信息", "跟进记录", "交易记录", "服务工单"):
        wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
else:
    from crm_sheets.actions import run_validate
    run_validate(path, today=dt.datetime(2026, 11, 24, 9, 0))
seconds = time.perf_counter() - t0
print(json.dumps({"seconds": seconds, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def workbook(customers: int, followups: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-{customers}-{followups}.xlsx"
    if not path.exists():
        from crm_sheets.demo_data import make_demo
        from crm_sheets.templates import write_workbook

        demo = make_demo(TODAY.date(), n_customers=customers, n_followups=followups)
        write_workbook(path, data=demo.frames)
    return path


def measure(mode: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(path)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--followups", type=int, default=200_000)
    args = parser.parse_args()
    print(f"{'size':>6} {'customers':>10} {'follow-ups':>11} {'floor s':>8} {'validate s':>11} {'ratio':>6} {'peak MB':>8}")
    for share in (0.1, 0.5, 1.0):
        c, f = int(args.customers * share), int(args.followups * share)
        source = workbook(c, f)
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / source.name
            shutil.copy(source, copy)
            floor = measure("floor", copy)
            run = measure("validate", copy)
        ratio = run["seconds"] / floor["seconds"]
        print(
            f"{share:>6.0%} {c:>10,} {f:>11,} {floor['seconds']:>8.2f} {run['seconds']:>11.2f} "
            f"{ratio:>6.2f} {run['rss_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
