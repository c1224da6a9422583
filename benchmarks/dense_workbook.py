"""A customer list far denser than the demo: one trade, five cities, short brands, common contact names.

    python benchmarks/dense_workbook.py [--customers 100000] [--leads 90000]
    python benchmarks/dense_workbook.py --review     # what 疑似重复 asks a manager to look at
    python benchmarks/bench_commands.py --workbook benchmarks/.cache/dense-100000.xlsx \
        --leads benchmarks/.cache/dense-leads-90000.csv

The workbook is Excel's limit for this CRM (the demo's 1,048,575 follow-ups, 200,000 orders and 20,000
tickets) with every customer's name, contact, phone and e-mail replaced: names are a city + a 3-character
brand drawn from a pool of 40 characters + one trade word + a legal form, contact names come from 400
combinations (20 surnames x 20 given names), and phones and e-mails are unique to each record.  No two
records are the same customer (each brand is registered once per city, as the naming rules require), yet
many names are one character apart and many contacts share a name: an ordinary list for a one-industry
business (issue 17), and the case where blocking on shared words must not grow quadratically.  Beside it, a
GBK list of leads drawn the same way (none of them already a customer) to import.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from crm_sheets import schema
from crm_sheets.demo_data import make_demo
from crm_sheets.templates import write_workbook

CACHE = Path(__file__).parent / ".cache"
POOL = list("瑞丰恒达华信金科鼎盛宏图新元天润博远汇通嘉禾永泰中联东方立邦世德安明辉星辰海航启正")
CITIES = ["北京", "上海", "广州", "深圳", "杭州"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞",
         "平", "刚"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司"]


def dense_customers(n: int, seed: int = 17, serials: int = 0) -> pd.DataFrame:
    """``n`` dense customers; ``serials`` shifts the phones and e-mails so that two draws never share one."""
    rng = np.random.default_rng(seed)
    pool = np.asarray(POOL, dtype=object)
    # Brand and city without replacement over both draws (the seed picks the order, the serials the slice).
    combo = np.random.default_rng(0).permutation(len(POOL) ** 3 * len(CITIES))[serials:serials + n]
    combo = combo[rng.permutation(n)]
    b1, rest = np.divmod(combo, len(POOL) ** 2 * len(CITIES))
    b2, rest = np.divmod(rest, len(POOL) * len(CITIES))
    b3, city = np.divmod(rest, len(CITIES))
    name = (np.asarray(CITIES, dtype=object)[city] + pool[b1] + pool[b2] + pool[b3] + "建材"
            + np.asarray(FORMS, dtype=object)[rng.integers(0, len(FORMS), n)])
    contact = (np.asarray(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)]
               + np.asarray(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), n)])
    serial = serials + rng.permutation(n)
    return pd.DataFrame({
        "客户名称": name, "联系人姓名": contact, "联系电话": [f"139{k:08d}" for k in serial],
        "联系邮箱": [f"c{k:06d}@example.com" for k in serial],
    })


def review(path: Path) -> None:
    """Run dedupe on a copy and count the 疑似重复 groups whose records share no phone, no e-mail and no
    identical full name: in this workbook every one of them is two firms a manager must tell apart."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        command = ["dedupe", str(copy), "--today", "2026-11-24"]
        subprocess.run([sys.executable, "-c", "from crm_sheets.cli import main; main()", *command], check=False)
        sheet = pd.read_excel(copy, sheet_name="疑似重复", engine="calamine", dtype=str).fillna("")
    sheet["电话"] = sheet["联系电话"].str.replace(r"\D", "", regex=True)
    sheet["邮箱"] = sheet["联系邮箱"].str.strip().str.lower()
    sheet["名称"] = sheet["客户名称"].str.replace(r"\s", "", regex=True)

    shared = set()
    for column in ("电话", "邮箱", "名称"):
        filled = sheet[sheet[column] != ""]
        shared |= set(filled.loc[filled.duplicated(["组号", column]), "组号"])
    weak = sheet[~sheet["组号"].isin(shared)]
    print(f"疑似重复: {sheet['组号'].nunique():,} groups ({len(sheet):,} records); "
          f"{weak['组号'].nunique():,} share no phone, e-mail or identical full name")
    if len(weak):
        print(weak["原因"].value_counts().head(5).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--leads", type=int, default=90_000)
    parser.add_argument("--review", action="store_true", help="count what 疑似重复 lists on the workbook made before")
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    out = CACHE / f"dense-{args.customers}.xlsx"
    if args.review:
        review(out)
        return
    scale = args.customers / 100_000
    demo = make_demo(dt.date(2026, 11, 24), n_customers=args.customers, n_followups=int(1_048_575 * scale),
                     n_orders=int(200_000 * scale), n_tickets=int(20_000 * scale))
    customers = demo.frames[schema.CUSTOMERS.name]
    dense = dense_customers(len(customers))
    customers[dense.columns] = dense.to_numpy()
    customers["所属行业"] = "建筑工程"
    write_workbook(out, data=demo.frames)
    leads = dense_customers(args.leads, seed=18, serials=len(customers)).assign(
        所属行业="建筑工程", 客户来源="展会推荐", 负责人=customers["负责人"].iloc[0])
    leads.to_csv(out.with_name(f"dense-leads-{args.leads}.csv"), index=False, encoding="gbk")
    print(f"{out}: {len(customers):,} customers ({customers['客户名称'].nunique():,} distinct names), "
          f"{len(demo.frames[schema.FOLLOWUPS.name]):,} follow-ups; {args.leads:,} leads")


if __name__ == "__main__":
    main()
