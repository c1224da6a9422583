"""Duplicate detection on labelled sets, against splink 5: pairwise precision, recall, F1, seconds, peak memory.

    python benchmarks/bench_dedupe.py [--records 170000] [--csv FILE ...] [--no-splink]

Six generated sets of ~170,000 customer records, each with an ``entity`` label:

- in-sample: dedupe_eval.py, written alongside the matcher (its lists are names.py's);
- studied-1: dedupe_holdout.py (seed 7), written from a description of real CRM data by someone who had not
  seen the matcher; scored once with the rules frozen (P 0.9901, R 0.6088 at commit 62aadd9), then its misses
  were studied and the rules widened, so its figures are no longer held out;
- studied-2: dedupe_fresh.py (seed 11), a second generator written the same way; scored frozen at 53b2cf8
  (P 0.5348, R 0.8610: shops named after common owners chained across cities), then studied too;
- studied-3: dedupe_third.py (seed 23), a third generator written the same way; scored with the rules frozen
  at 160944e (P 0.9088, R 0.8128, F1 0.8581), then studied too;
- held-out: dedupe_fourth.py (seed 31), a fourth generator written the same way, scored with the rules frozen
  at 54daea2: P 0.9706, R 0.7988, F1 0.8764 (splink 5: P 0.7419, R 0.5024).  A rule change that looks at its
  misses makes it a studied set too;
- held-out-2: dedupe_fifth.py (seed 41), a fifth generator written the same way (each repeat asserted to share
  a phone, an e-mail, a full contact name or the identical registered name with its partner), scored once with
  the same frozen rules: P 0.9668, R 0.8544, F1 0.9071 (splink 5: P 0.8610, R 0.5478, F1 0.6696).

For each set the real command runs in a child process (`crm-sheets dedupe FILE --json`), then splink 5 (DuckDB,
EM-trained on name, phone and e-mail; benchmarks/splink_run.py, in its own virtualenv made on first use) on the
same file.  Both times run from process start (imports included); peak memory is each process's own high-water
mark.  The last column is splink's seconds over ours.  Goal (issue 17): held-out precision >= 0.995 and
F1 >= 0.99; >= 2x faster than splink; <= 1 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from dedupe_eval import CACHE, make_eval_set
from dedupe_fifth import make_fifth_set
from dedupe_fourth import make_fourth_set
from dedupe_fresh import make_fresh_set
from dedupe_holdout import make_holdout_set
from dedupe_third import make_third_set
from splink_run import ensure_splink

SETS = {"in-sample": (make_eval_set, 1), "studied-1": (make_holdout_set, 7), "studied-2": (make_fresh_set, 11),
        "studied-3": (make_third_set, 23), "held-out": (make_fourth_set, 31), "held-out-2": (make_fifth_set, 41)}
PREFIX = {"in-sample": "dedupe-eval", "studied-1": "dedupe-holdout", "studied-2": "dedupe-fresh",
          "studied-3": "dedupe-third", "held-out": "dedupe-fourth", "held-out-2": "dedupe-fifth"}
# Our command with its own peak memory (VmHWM) on stderr when it exits.
OURS = r"""
import atexit, json, sys, time
from crm_sheets.cli import main

def report():
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"peak_mb": peak}), file=sys.stderr)

atexit.register(report)
main()
"""


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


def run(command: list[str]) -> dict:
    """Clusters, seconds from start to exit and peak MB of one child; both children print their peak as the last
    JSON line of stderr (ours) or in their stdout object (splink)."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, encoding="utf-8", check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if "peak_mb" not in result:
        result |= json.loads(done.stderr.strip().splitlines()[-1])
    return result | {"seconds": seconds}


def labelled_set(name: str, records: int) -> Path:
    make, seed = SETS[name]
    path = CACHE / f"{PREFIX[name]}-{seed}-{records}.csv"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        make(records, seed).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=170_000)
    parser.add_argument("--csv", type=Path, nargs="*", default=[], help="more labelled CSVs (an entity column)")
    parser.add_argument("--no-splink", action="store_true")
    args = parser.parse_args()
    files = {name: labelled_set(name, args.records) for name in SETS} | {path.name: path for path in args.csv}
    splink = None if args.no_splink else ensure_splink()
    print(f"{'set':<11} {'records':>8} {'pairs':>7}  {'who':<7} {'P':>6} {'R':>6} {'F1':>6} {'s':>6} {'MB':>6}"
          f"  {'splink s / ours s':>17}")
    for name, path in files.items():
        labels = pd.read_csv(path, encoding="utf-8-sig", dtype={"客户编号": str}, usecols=["客户编号", "entity"])
        runs = {"ours": run([sys.executable, "-c", OURS, "dedupe", str(path), "--json"])}
        if splink:
            runs["splink"] = run([str(splink), str(Path(__file__).with_name("splink_run.py")), str(path)])
        for who, result in runs.items():
            found = score(labels, result["clusters"])
            ratio = f"{runs['splink']['seconds'] / runs['ours']['seconds']:>17.2f}" if splink and who == "ours" else ""
            print(f"{name:<11} {len(labels):>8,} {found['true_pairs']:>7,}  {who:<7} {found['precision']:>6.4f} "
                  f"{found['recall']:>6.4f} {found['f1']:>6.4f} {result['seconds']:>6.1f} {result['peak_mb']:>6.0f}"
                  f"  {ratio}", flush=True)


if __name__ == "__main__":
    main()
