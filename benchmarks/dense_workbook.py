"""A customer list far denser than the demo: one trade, five cities, short brands, common contact names.

    python benchmarks/dense_workbook.py [--customers 100000] [--out FILE.xlsx]

100,000 customers whose names are a city + a 3-character brand drawn from a pool of 40 characters + one
trade word + a legal form, contact names from 400 combinations (20 surnames x 20 given names), and phones
and e-mails unique to each record: no two records are the same customer, yet many names are one character
apart and many contacts share a name.  This is an ordinary list for a one-industry business (issue 17), and
the case where blocking on shared words must not grow quadratically.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from crm_sheets import schema
from crm_sheets.templates import write_workbook

CACHE = Path(__file__).parent / ".cache"
POOL = list("瑞丰恒达华信金科鼎盛宏图新元天润博远汇通嘉禾永泰中联东方立邦世德安明辉星辰海航启正")
CITIES = ["北京", "上海", "广州", "深圳", "杭州"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞",
         "平", "刚"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司"]
TEAM = ["张伟", "李娜", "王强", "陈静", "刘洋", "赵敏"]


def dense_customers(n: int, seed: int = 17) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pool = np.asarray(POOL, dtype=object)
    brand = pool[rng.integers(0, len(pool), n)] + pool[rng.integers(0, len(pool), n)] + pool[rng.integers(0, len(pool), n)]
    city = np.asarray(CITIES, dtype=object)[rng.integers(0, len(CITIES), n)]
    name = city + brand + "建材" + np.asarray(FORMS, dtype=object)[rng.integers(0, len(FORMS), n)]
    contact = (np.asarray(SURNAMES, dtype=object)[rng.integers(0, len(SURNAMES), n)]
               + np.asarray(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), n)])
    serial = rng.permutation(n)
    phone = pd.Series(serial).map(lambda k: f"139{k:08d}").to_numpy(dtype=object)
    email = pd.Series(serial).map(lambda k: f"c{k:06d}@example.com").to_numpy(dtype=object)
    created = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    day = pd.Series(created).dt.strftime("%Y%m%d")
    ids = "CRM" + day + (pd.Series(created).groupby(day).cumcount() + 1).map("{:05d}".format)
    return pd.DataFrame({
        "客户编号": ids, "客户名称": name, "所属行业": "建筑工程", "联系人姓名": contact, "联系电话": phone,
        "联系邮箱": email, "客户来源": "展会推荐", "负责人": np.asarray(TEAM, dtype=object)[rng.integers(0, 6, n)],
        "创建时间": created,
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or CACHE / f"dense-{args.customers}.xlsx"
    out.parent.mkdir(parents=True, exist_ok=True)
    customers = dense_customers(args.customers)
    team = pd.DataFrame([(name, f"user{k}@example.com", "经理" if k == 0 else "销售", "" if k == 0 else TEAM[0])
                         for k, name in enumerate(TEAM)], columns=schema.TEAM.headers)
    write_workbook(out, data={schema.CUSTOMERS.name: customers, schema.TEAM.name: team})
    print(f"{out}: {len(customers):,} customers, {customers['客户名称'].nunique():,} distinct names, "
          f"{dt.datetime.now():%H:%M:%S}")


if __name__ == "__main__":
    main()
