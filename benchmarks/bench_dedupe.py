"""Duplicate detection on a labelled set: pairwise precision, recall, F1, seconds, peak memory.

    python benchmarks/bench_dedupe.py [--records 170000] [--seed 1] [--csv FILE]

Runs the real command, `crm-sheets dedupe FILE --json`, in a child process on
the evaluation set from dedupe_eval.py (or any CSV with an ``entity`` label
column), and scores its clusters against the labels.  Goal (issue 4):
precision >= 0.99, F1 >= 0.98, <= 10 s and <= 2 GB for ~170,000 records.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from dedupe_eval import CACHE, make_eval_set


def pairs(groups: pd.Series) -> int:
    sizes = groups.value_counts()
    return int((sizes * (sizes - 1) // 2).sum())


def score(labels: pd.DataFrame, clusters: list[list[str]]) -> dict[str, float]:
    truth = labels.set_index("客户编号")["entity"]
    found = pd.Series({i: n for n, ids in enumerate(clusters) for i in ids}, dtype="int64")
    true_pairs = pairs(truth)
    predicted = pairs(found)
    both = pd.DataFrame({"cluster": found, "entity": truth.reindex(found.index)})
    hits = int((both.groupby(["cluster", "entity"]).size().pipe(lambda s: s * (s - 1) // 2)).sum())
    precision = hits / predicted if predicted else 1.0
    recall = hits / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true_pairs": true_pairs, "found_pairs": predicted}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=170_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--csv", type=Path)
    args = parser.parse_args()
    path = args.csv or CACHE / f"dedupe-eval-{args.seed}-{args.records}.csv"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        make_eval_set(args.records, args.seed).to_csv(path, index=False, encoding="utf-8-sig")
    labels = pd.read_csv(path, dtype={"客户编号": str}, usecols=["客户编号", "entity"])
    command = [sys.executable, "-c", "from crm_sheets.cli import main; main()", "dedupe", str(path), "--json"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr)
    result = score(labels, json.loads(done.stdout)["clusters"])
    print(f"{path.name}: {len(labels):,} records, {result['true_pairs']:,} true pairs, {result['found_pairs']:,} found")
    print(f"precision {result['precision']:.4f}  recall {result['recall']:.4f}  F1 {result['f1']:.4f}  "
          f"{seconds:.1f} s  peak {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
