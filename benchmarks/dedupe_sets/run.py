"""Duplicate detection on the six labelled sets, against splink 5: pairwise precision, recall, F1, seconds, peak MB.

    python benchmarks/dedupe_sets/run.py [--records 170000] [--csv FILE ...] [--no-splink] [--results FILE]

Makes each set on first use (cached in benchmarks/dedupe_sets/.cache/), runs the real command on it in a child
process (`crm-sheets dedupe FILE --json`), then splink 5 (DuckDB, EM-trained on name, phone and e-mail;
splink_run.py, in its own virtualenv made on first use) on the same file.  Both times run from process start
(imports included); peak memory is each process's own high-water mark.  The last column is splink's seconds over
ours.  Prints the table and writes it into results.md below its marker line; the sets, and the scores each scored
once with the rules frozen, are described above that line.  Goal (issue 17): held-out precision >= 0.995 and
F1 >= 0.99; >= 2x faster than splink; <= 1 GB.

    python benchmarks/dedupe_sets/run.py --policy [--records 60000] [--seed 37]

scores only the set dedupe_policy.py makes from docs/dedupe-policy.md (issue 37), with the "sure" list beside the
groups: pairwise precision of the sure groups alone, precision, recall and F1 of everything listed (sure and
review), review groups per 100 customer records, seconds and peak MB.  It prints its table and writes nothing; the
frozen figures are entered in results.md by hand.  Goal (issue 37): sure P >= 0.999; listed R >= 0.95 and
P >= 0.97; <= 3 review groups per 100 customers.
"""

from __future__ import annotations

import argparse
import datetime as dt
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
from dedupe_policy import write_policy_set
from dedupe_third import make_third_set
from splink_run import ensure_splink

SETS = {"in-sample": (make_eval_set, 1), "studied-1": (make_holdout_set, 7), "studied-2": (make_fresh_set, 11),
        "studied-3": (make_third_set, 23), "held-out": (make_fourth_set, 31), "held-out-2": (make_fifth_set, 41)}
PREFIX = {"in-sample": "dedupe-eval", "studied-1": "dedupe-holdout", "studied-2": "dedupe-fresh",
          "studied-3": "dedupe-third", "held-out": "dedupe-fourth", "held-out-2": "dedupe-fifth"}
RESULTS = Path(__file__).with_name("results.md")
MARKER = "<!-- run.py writes everything below this line. -->"
HEADER = ["set", "records", "pairs", "who", "P", "R", "F1", "s", "MB", "splink s / ours s"]
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


def line(cells: list[str]) -> str:
    """One row of the printed table."""
    name, records, pairs_, who, precision, recall, f1, seconds, mb, ratio = cells
    return (f"{name:<11} {records:>8} {pairs_:>7}  {who:<7} {precision:>6} {recall:>6} {f1:>6} {seconds:>6} {mb:>6}"
            f"  {ratio:>17}").rstrip()


def write_results(path: Path, rows: list[list[str]], records: int) -> None:
    """Replace what follows MARKER in the results file with this run's table; what precedes it is kept as written."""
    kept = path.read_text(encoding="utf-8").partition(MARKER)[0] if path.exists() else ""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, encoding="utf-8",
                            cwd=Path(__file__).parent, check=False).stdout.strip() or "unknown"
    table = ["| " + " | ".join(HEADER) + " |", "|---|--:|--:|---|" + "--:|" * 6]
    table += ["| " + " | ".join(cells) + " |" for cells in rows]
    section = (f"{MARKER}\n\nLast run: {dt.datetime.now():%Y-%m-%d %H:%M}, commit {commit}, --records {records:,}, "
               f"Python {sys.version.split()[0]}.\n\n" + "\n".join(table) + "\n")
    # Written beside and renamed over, so a run stopped mid-write leaves the previous results whole.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(kept + section, encoding="utf-8")
    partial.replace(path)


POLICY_HEADER = ["set", "records", "pairs", "sure P", "sure R", "P", "R", "F1", "review /100", "s", "MB"]


def policy(records: int, seed: int) -> None:
    """The held-out set of issue 37, scored with the sure groups apart."""
    path = CACHE / f"dedupe-policy-{seed}-{records}.csv"
    if not path.exists():
        write_policy_set(records, seed, CACHE)
    labels = pd.read_csv(path, encoding="utf-8-sig", dtype={"客户编号": str}, usecols=["客户编号", "entity"])
    result = run([sys.executable, "-c", OURS, "dedupe", str(path), "--json"])
    clusters, sure = result["clusters"], result["sure"]
    listed = score(labels, clusters)
    confident = score(labels, [c for c, s in zip(clusters, sure, strict=True) if s])
    review = len(clusters) - sum(sure)
    cells = [f"dedupe_policy seed {seed}", f"{len(labels):,}", f"{listed['true_pairs']:,}",
             f"{confident['precision']:.4f}", f"{confident['recall']:.4f}", f"{listed['precision']:.4f}",
             f"{listed['recall']:.4f}", f"{listed['f1']:.4f}", f"{100 * review / len(labels):.2f}",
             f"{result['seconds']:.1f}", f"{result['peak_mb']:.0f}"]
    print("| " + " | ".join(POLICY_HEADER) + " |")
    print("| " + " | ".join(cells) + " |")
    print(f"sure groups {sum(sure):,} ({confident['found_pairs']:,} pairs), review groups {review:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=170_000)
    parser.add_argument("--csv", type=Path, nargs="*", default=[], help="more labelled CSVs (an entity column)")
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--results", type=Path, default=RESULTS, help="the file to write this run's table into")
    parser.add_argument("--policy", action="store_true", help="score only the issue-37 set (dedupe_policy.py)")
    parser.add_argument("--seed", type=int, default=37, help="the --policy set's seed")
    args = parser.parse_args()
    if args.policy:
        policy(args.records, args.seed)
        return
    files = {name: labelled_set(name, args.records) for name in SETS} | {path.name: path for path in args.csv}
    splink = None if args.no_splink else ensure_splink()
    print(line(HEADER))
    rows = []
    for name, path in files.items():
        labels = pd.read_csv(path, encoding="utf-8-sig", dtype={"客户编号": str}, usecols=["客户编号", "entity"])
        runs = {"ours": run([sys.executable, "-c", OURS, "dedupe", str(path), "--json"])}
        if splink:
            runs["splink"] = run([str(splink), str(Path(__file__).with_name("splink_run.py")), str(path)])
        for who, result in runs.items():
            found = score(labels, result["clusters"])
            ratio = f"{runs['splink']['seconds'] / runs['ours']['seconds']:.2f}" if splink and who == "ours" else ""
            rows.append([name, f"{len(labels):,}", f"{found['true_pairs']:,}", who, f"{found['precision']:.4f}",
                         f"{found['recall']:.4f}", f"{found['f1']:.4f}", f"{result['seconds']:.1f}",
                         f"{result['peak_mb']:.0f}", ratio])
            print(line(rows[-1]), flush=True)
    write_results(args.results, rows, args.records)


if __name__ == "__main__":
    main()
