"""collect at scale (issue 19): people's workbooks brought back into the master, against the read floor.

    python benchmarks/bench_collect.py [--scale 1.0] [--people 20]

At scale 1.0 a master of 100,000 customers and 1,000,000 follow-ups (the demo's data, owned by a flat team of
20) is distributed into 20 person workbooks that hold those 100,000 customers and 1,000,000 follow-ups between
them.  Each person then works as a week brings: 500 follow-ups, 25 new customers (5 of them the same firm
another person also entered, with the same mobile) and 10 changed phones, saved into their file by a program
(the tool's own cell writer, as another tool would).  Prepared files are cached in benchmarks/.cache/.

Printed, measured in this run: the read floor (python-calamine reading the four data sheets of the 20 person
workbooks, nothing else, in one process), `crm-sheets collect` on a fresh copy of the master in its own process
(seconds, ratio to the floor, peak RSS), and a second collect of the same files (which must write nothing).
Goal: ratio <= 3, peak <= 2 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
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
DATA_SHEETS = ("客户信息", "跟进记录", "交易记录", "服务工单")
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴倩", "徐明", "孙丽", "马超", "朱琳",
         "胡斌", "郭婷", "何勇", "高洁", "林峰", "罗晶")

FIRST, SECOND = "辰瑞澜拓岳霖昕沐珂翊", "新华泰宇远"

RUN = r"""
import json, sys, time
t0 = time.perf_counter()
args = json.loads(sys.argv[1])
if args[0] == "floor":
    import python_calamine
    for path in args[1:]:
        wb = python_calamine.CalamineWorkbook.from_path(path)
        for name in ("客户信息", "跟进记录", "交易记录", "服务工单"):
            wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    code = 0
else:
    from crm_sheets.cli import app
    code = app(args, standalone_mode=False) or 0
seconds = time.perf_counter() - t0
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
print(json.dumps({"seconds": seconds, "rss_mb": peak, "code": code}))
"""


def measure(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", RUN, json.dumps(args)], capture_output=True, encoding="utf-8", check=False)
    lines = done.stdout.strip().splitlines()
    if not lines:
        raise SystemExit(done.stderr[-2000:])
    return json.loads(lines[-1])


def master(folder: Path, customers: int, followups: int, people: int) -> Path:
    """The demo's data with every customer (and their follow-ups) owned by one of a flat team of ``people``."""
    from crm_sheets.demo_data import make_demo
    from crm_sheets.templates import write_workbook

    demo = make_demo(dt.date.fromisoformat(TODAY), n_customers=customers, n_followups=followups,
                     n_orders=customers // 2, n_tickets=customers // 20)
    frames = dict(demo.frames)
    team = list(NAMES[:people])
    frames["团队"] = pd.DataFrame({"姓名": team, "邮箱": [f"p{k}@example.com" for k in range(people)],
                                 "角色": "销售", "上级": ""})
    rows = frames["客户信息"].copy()
    rows["负责人"] = [team[k % people] for k in range(len(rows))]
    frames["客户信息"] = rows
    owner = dict(zip(rows["客户编号"], rows["负责人"]))
    history = frames["跟进记录"].copy()
    history["跟进人"] = history["客户编号"].map(owner).fillna(team[0])
    frames["跟进记录"] = history
    tickets = frames["服务工单"].copy()
    tickets["负责人"] = tickets["客户编号"].map(owner).fillna(team[0])
    frames["服务工单"] = tickets
    path = folder / "总表.xlsx"
    write_workbook(path, data=frames)
    return path


def edit(copies: list[Path], seed: int = 5) -> None:
    """A week's work in each copy, written into the file as another program would."""
    import python_calamine

    from crm_sheets.workbook.write import write_back

    rng = np.random.default_rng(seed)
    shared = [f"1{rng.integers(3, 9)}{rng.integers(0, 10**9):09d}" for _ in range(len(copies))]
    for n, path in enumerate(copies):
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        customers = wb.get_sheet_by_name("客户信息").to_python()
        history = wb.get_sheet_by_name("跟进记录").to_python()
        head, fhead = customers[0], history[0]
        person = path.stem.split("-", 1)[1]
        ids = [r[0] for r in customers[1:] if r[0]]
        cells: dict[str, dict[int, dict[int, object]]] = {"客户信息": {}, "跟进记录": {}}
        col, fcol = {h: i for i, h in enumerate(head)}, {h: i for i, h in enumerate(fhead)}
        for k in rng.choice(len(ids), size=min(10, len(ids)), replace=False):
            cells["客户信息"][int(k) + 2] = {col["联系电话"]: f"1{rng.integers(3, 9)}{rng.integers(0, 10**9):09d}"}
        next_row = len(customers) + 1
        for k in range(25):
            # People n and n+1 (n even) both enter five firms, named their own way, with the same mobiles.
            same = k < 5
            brand = FIRST[n // 2 % len(FIRST)] + SECOND[k % 5]
            name = (f"{'杭州' if n % 2 else ''}{brand}科技有限公司{'' if n % 2 else '(杭州)'}" if same
                    else f"{person}{FIRST[k % 10]}{SECOND[k // 5]}贸易有限公司")
            phone = shared[n // 2][:-2] + f"{k:02d}" if same else f"1{rng.integers(3, 9)}{rng.integers(0, 10**9):09d}"
            cells["客户信息"][next_row + k] = {col["客户名称"]: name, col["所属行业"]: "制造业", col["联系人姓名"]: "周明",
                                            col["联系电话"]: phone, col["客户来源"]: "展会推荐", col["负责人"]: person}
        start = len(history) + 1
        for k in range(500):
            when = dt.datetime(2026, 11, 17) + dt.timedelta(minutes=int(rng.integers(0, 7 * 24 * 60)))
            cells["跟进记录"][start + k] = {
                fcol["客户编号"]: ids[int(rng.integers(0, len(ids)))], fcol["跟进时间"]: when, fcol["跟进人"]: person,
                fcol["沟通方式"]: "电话", fcol["联系结果"]: "已接通", fcol["沟通内容"]: f"第{k}次：报价了年度服务套餐，客户在比价",
                fcol["下一步计划"]: "周五前发正式报价单", fcol["客户反馈"]: "考虑中", fcol["跟进状态"]: "意向客户"}
        write_back(path, cells=cells, keep_backups=0)
        shutil.rmtree(path.parent / ".crm-backups", ignore_errors=True)


def prepared(scale: float, people: int) -> tuple[Path, list[Path]]:
    customers, followups = int(100_000 * scale), int(1_000_000 * scale)
    folder = CACHE / f"collect-{people}-{customers}-{followups}"
    ready = folder / "ready"
    if not ready.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        path = master(folder, customers, followups, people)
        from crm_sheets.cli import app

        app(["distribute", str(path), "--today", TODAY], standalone_mode=False)
        edit(sorted(p for p in (folder / "总表-分发").iterdir() if p.suffix == ".xlsx"))
        ready.write_text("", encoding="utf-8")
    return folder / "总表.xlsx", sorted(p for p in (folder / "总表-分发").iterdir() if p.suffix == ".xlsx")


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--people", type=int, default=20)
    args = parser.parse_args()
    source, copies = prepared(args.scale, args.people)
    before = digest(copies)
    floor = measure(["floor", *map(str, copies)])
    print(f"read floor ({len(copies)} person workbooks, four data sheets): {floor['seconds']:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / source.name
        shutil.copy(source, path)
        run = measure(["collect", str(path), str(copies[0].parent), "--today", TODAY])
        print(f"collect: {run['seconds']:.1f} s = {run['seconds'] / floor['seconds']:.2f}x the floor, "
              f"peak {run['rss_mb']:.0f} MB, exit {run['code']}")
        stamp = hashlib.sha256(path.read_bytes()).hexdigest()
        again = measure(["collect", str(path), str(copies[0].parent), "--today", TODAY])
        unchanged = hashlib.sha256(path.read_bytes()).hexdigest() == stamp
        print(f"collect again: {again['seconds']:.1f} s = {again['seconds'] / floor['seconds']:.2f}x, "
              f"peak {again['rss_mb']:.0f} MB, master unchanged: {unchanged}")
    print(f"person workbooks unchanged: {digest(copies) == before}")


if __name__ == "__main__":
    main()
