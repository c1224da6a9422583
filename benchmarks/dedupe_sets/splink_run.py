"""Splink 5 (DuckDB) deduplication of a customer CSV, as a yardstick for `crm-sheets dedupe`.

    python -c "from splink_run import ensure_splink; print(ensure_splink())"    # from benchmarks/dedupe_sets/, any Python
    benchmarks/dedupe_sets/.cache/splink-venv/bin/python benchmarks/dedupe_sets/splink_run.py FILE [--threshold 0.5]

Prints one JSON line, {"clusters": [[客户编号, ...], ...], "peak_mb": mb}, with
the clusters of two or more records (run.py times the whole process, imports included, as it times
ours).  The ``entity`` column is never read.

Model (splink's documented dedupe workflow; only the threshold was chosen with labels): names NFKC-normalised,
without spaces, lower case; phones digits only in national form; e-mails trimmed, lower case.
Comparisons: name by exact / Jaro-Winkler 0.9 / 0.7, phone and e-mail exact.  Prediction blocks on
name, phone, e-mail and the first four characters of the name.  λ from deterministic rules, u from
random sampling (1e6 pairs, fixed seed), m by EM blocked on phone, then on name.  Pairs at match
probability >= 0.5 are joined: of 0.5 / 0.9 / 0.99 it gave splink its best F1 on dedupe-eval-1-170000.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# splink and pyarrow are imported where used: run.py imports ensure_splink from the project's venv.
if TYPE_CHECKING:
    import pyarrow as pa

SPLINK = "5.0.0"
VENV = Path(__file__).parent / ".cache" / "splink-venv"
COLUMNS = {"客户编号": "unique_id", "客户名称": "name", "联系电话": "phone", "联系邮箱": "email"}


def ensure_splink(venv_dir: Path = VENV) -> Path:
    """Python of a virtualenv holding splink, made on first use so splink never meets the project's packages."""
    python = venv_dir / "bin" / "python"
    if not list(venv_dir.glob(f"lib/python*/site-packages/splink-{SPLINK}.dist-info")):
        subprocess.run([sys.executable, "-m", "venv", str(venv_dir)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"splink=={SPLINK}"], check=True)
    return python


def cleaned(path: Path) -> pa.Table:
    # pyarrow rather than pandas: splink 5 brings pyarrow, not pandas, and pyarrow has NFKC built in.
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    table = csv.read_csv(path, convert_options=csv.ConvertOptions(
        include_columns=list(COLUMNS), column_types=dict.fromkeys(COLUMNS, pa.string())))
    table = table.rename_columns([COLUMNS[c] for c in table.column_names])
    name = pc.utf8_lower(pc.replace_substring_regex(pc.utf8_normalize(table["name"], "NFKC"), r"\s+", ""))
    phone = pc.replace_substring_regex(table["phone"], r"\D", "")
    # +86 / 0086 before a landline drops its trunk 0: strip the country code, give the 0 back.
    phone = pc.replace_substring_regex(pc.replace_substring_regex(phone, "^(00)?86", ""), "^([2-9])", r"0\1")
    email = pc.utf8_lower(pc.utf8_trim_whitespace(table["email"]))
    # Two blanks would count as agreeing; a null is "no information" to splink.
    columns = {"name": name, "phone": phone, "email": email}
    return pa.table({"unique_id": table["unique_id"]}
                    | {key: pc.if_else(pc.equal(col, ""), None, col) for key, col in columns.items()})


def clusters(path: Path, threshold: float) -> list[list[str]]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    db_api = DuckDBAPI()
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[cl.JaroWinklerAtThresholds("name", [0.9, 0.7]), cl.ExactMatch("phone"), cl.ExactMatch("email")],
        blocking_rules_to_generate_predictions=[
            block_on("name"), block_on("phone"), block_on("email"), block_on("substr(name, 1, 4)")],
        retain_matching_columns=False,  # only ids and probabilities are read back
    )
    linker = Linker(db_api.register(cleaned(path)), settings, log_level="WARNING")
    # λ from the docs' recipe: pairs no one doubts, scaled up by a guessed recall of those rules.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name", "phone"), block_on("name", "email")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name"))
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    found = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold)
    groups = found.as_duckdbpyrelation().query(
        "c", "select list(unique_id) from c group by cluster_id having count(*) > 1").fetchall()
    return [ids for (ids,) in groups]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", type=Path)
    parser.add_argument("--threshold", type=float, default=0.5, help="match probability to join two records")
    args = parser.parse_args()
    groups = clusters(args.csv, args.threshold)
    # VmHWM is this process's own peak (ru_maxrss would carry a parent's across exec).
    with open("/proc/self/status", encoding="utf-8") as status:
        peak_mb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"clusters": groups, "peak_mb": round(peak_mb, 1)},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
