"""Scaling of the analyses with the size of the coded data: 1x, 10x, 100x the study.

The study's coding (140 mismatches, 232 coded pairs, 20 interviews) is parsed from the workbook once,
then replicated k times with new mismatch ids and interview numbers (the workbook itself is not
replicated: ``load`` is the 1x parse plus building the k-fold tables). Per scale, in a fresh process,
the CPU seconds of each step:

- ``load``: parse the coding workbook, replicate the tables;
- ``categorization``: category and subcategory counts, mismatches per interview, pairs per mismatch,
  co-occurrence (matrix and long table);
- ``claims``: every published claim evaluated against the replicated coding and the survey (no
  hypothesis search: that is the ``claims`` step of ``reproduce``, measured by bench_reproduce.py);
- ``agreement``: two coders (the study's codes, and the same with every 7th coded pair moved to the next
  code of the codebook), Cohen, Fleiss, Krippendorff at both levels with a 1,000-resample bootstrap.

The libraries (pandas, scipy, scikit-learn, statsmodels, krippendorff) are imported before the first
step, and their import time is reported apart. Medians of ``BENCH_RUNS`` (default 3) processes per scale, and the peak resident memory of the largest.
Target (issue 11): the 100x series under 10 s of CPU, every step linear or better.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys

SCALES = (1, 10, 100)


def child(k: int) -> None:
    import time

    c0 = time.process_time()
    import krippendorff  # noqa: F401 - the libraries are imported first: the steps measure work, not imports
    import pandas as pd
    import scipy.stats  # noqa: F401
    import sklearn.metrics  # noqa: F401
    import statsmodels.stats.inter_rater  # noqa: F401

    t = {"imports": time.process_time() - c0}
    c0 = time.process_time()
    from mlmismatch.study.coding import load_coding

    data = load_coding()
    mism, inst = [], []
    n_int = int(pd.to_numeric(data.mismatches["interview"]).max())
    for r in range(k):
        ids = data.mismatches["mismatch_id"].astype(str) + (f"-r{r}" if r else "")
        mism.append(data.mismatches.assign(mismatch_id=ids, interview=pd.to_numeric(data.mismatches["interview"]) + r * n_int))
        iid = data.instances["mismatch_id"].astype(str) + (f"-r{r}" if r else "")
        inst.append(data.instances.assign(mismatch_id=iid, interview=pd.to_numeric(data.instances["interview"]) + r * n_int))
    mismatches = pd.concat(mism, ignore_index=True)
    instances = pd.concat(inst, ignore_index=True)
    if "category" in data.instances and hasattr(data.instances["category"], "cat"):
        instances["category"] = instances["category"].astype(data.instances["category"].dtype)
    import dataclasses

    scaled = dataclasses.replace(data, mismatches=mismatches, instances=instances)
    t["load"] = time.process_time() - c0

    c0 = time.process_time()
    from mlmismatch.analyses import categories as c

    c.category_counts(instances)
    c.subcategory_counts(instances, data.codebook)
    c.mismatches_per_interview(mismatches, instances)
    c.pairs_per_mismatch(mismatches)
    c.cooccurrence(instances)
    c.cooccurrence_long(instances)
    t["categorization"] = time.process_time() - c0

    c0 = time.process_time()
    from mlmismatch.replication import claims as cl
    from mlmismatch.study.survey import load_survey

    tables = cl.load_tables(coding=scaled, load_survey=load_survey)
    cl.evaluate_claims(tables)
    t["claims"] = time.process_time() - c0

    c0 = time.process_time()
    from mlmismatch.extend.agreement import agreement

    cols = ["mismatch_id", "category_code", "category", "subcategory"]
    a = instances[cols].astype(str).assign(coder="a")
    book = data.codebook.reset_index(drop=True)
    b = a.copy()
    moved = (b.index % 7) == 0
    key = {(str(x), str(y)): i for i, (x, y) in enumerate(zip(book["category"], book["subcategory"]))}
    nxt = [(key[(x, y)] + 1) % len(book) for x, y in zip(b.loc[moved, "category"], b.loc[moved, "subcategory"])]
    b.loc[moved, "category_code"] = book["category_code"].astype(str).to_numpy()[nxt]
    b.loc[moved, "category"] = book["category"].astype(str).to_numpy()[nxt]
    b.loc[moved, "subcategory"] = book["subcategory"].astype(str).to_numpy()[nxt]
    b["coder"] = "b"
    codings = pd.concat([a, b], ignore_index=True).drop_duplicates(["mismatch_id", "coder", "category", "subcategory"])
    codings = codings.assign(file="", sheet="", row=0, column="")
    agreement(codings, data.codebook, n_boot=1000, seed=0)
    t["agreement"] = time.process_time() - c0
    t["n_instances"] = len(instances)
    print(json.dumps(t))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(int(sys.argv[2]))
        return
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    steps = ("load", "categorization", "claims", "agreement")
    shown = ("imports",) + steps
    table = {}
    for k in SCALES:
        res = []
        for _ in range(runs):
            out = subprocess.run([sys.executable, __file__, "--child", str(k)], check=True, capture_output=True, text=True)
            res.append(json.loads(out.stdout.strip().splitlines()[-1]))
        table[k] = {s: statistics.median(r[s] for r in res) for s in shown}
        table[k]["n_instances"] = res[0]["n_instances"]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("| scale | coded pairs | " + " | ".join(f"{s} CPU (s)" for s in shown) + " | steps total CPU (s) |")
    print("|---|---|" + "---|" * (len(shown) + 1))
    for k in SCALES:
        row = table[k]
        print(f"| {k}x | {row['n_instances']} | " + " | ".join(f"{row[s]:.2f}" for s in shown)
              + f" | {sum(row[s] for s in steps):.2f} |")
    print("\nratio 100x / 10x per step (10 = linear): "
          + ", ".join(f"{s} {table[100][s] / max(table[10][s], 1e-9):.1f}" for s in steps))
    print(f"peak resident memory of the largest process: {peak:.0f} MiB; {runs} runs per scale; "
          f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
