"""Benchmark ``mlmismatch describe`` on a 1,000,000-row, 50-column CSV (target: under 10 s, under 1 GiB).

The CSV (45 float columns, 4 text columns of a few categories, one label column) is generated in a
temporary folder. Each run is a cold process: ``mlmismatch describe training_data big.csv --label
label``, validated against the published 1.2 schema (the data directory or the cache must hold the
SEI schemas). Reports the median wall time and the peak resident memory of the child, and, measured
in the same run, the time to read the same file with ``pandas.read_csv`` (the usual reference).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).with_name("mlmismatch")


def make_csv(path: Path, rows: int, seed: int = 0) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    chunk = 100_000
    writer = None
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        cols = {f"x{i}": rng.normal(i, 1 + i / 10, n).round(4) for i in range(45)}
        for j in range(4):
            cols[f"c{j}"] = rng.choice([f"cat{k}" for k in range(5 + j)], n)
        cols["label"] = rng.choice(["fraud", "ok"], n, p=[0.1, 0.9])
        table = pa.table(cols)
        if writer is None:
            writer = pacsv.CSVWriter(str(path), table.schema)
        writer.write_table(table)
    writer.close()


def run_child(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mlmismatch-bench-describe-"))
    try:
        csv = folder / "big.csv"
        make_csv(csv, args.rows)
        size = csv.stat().st_size / 1e6
        describe = [str(BIN), "-q", "describe", "training_data", str(csv), "--label", "label", "-o",
                    str(folder / "training_data.json")]
        pandas = [sys.executable, "-c", f"import pandas; pandas.read_csv({str(csv)!r})"]
        runs = [run_child(describe) for _ in range(args.repeat)]
        ref = [run_child(pandas) for _ in range(args.repeat)]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    walls, peaks = [w for w, _ in runs], [p for _, p in runs]
    ref_wall = statistics.median(w for w, _ in ref)
    print(f"{args.rows:,} rows x 50 columns, {size:.0f} MB CSV; median of {args.repeat} cold runs; "
          f"{os.cpu_count()} CPUs\n")
    print("| what | wall (s) | peak memory (MiB) |")
    print("|---|---:|---:|")
    print(f"| `mlmismatch describe training_data` (read, profile, validate, write) | {statistics.median(walls):.2f} | "
          f"{max(peaks):.0f} |")
    print(f"| `pandas.read_csv` of the same file (reference, same run) | {ref_wall:.2f} | "
          f"{max(p for _, p in ref):.0f} |")
    print(f"\nRatio describe / read_csv: {statistics.median(walls) / ref_wall:.2f}; "
          f"targets: under 10 s: {'yes' if statistics.median(walls) < 10 else 'NO'}, "
          f"under 1024 MiB: {'yes' if max(peaks) < 1024 else 'NO'}")


if __name__ == "__main__":
    main()
