"""Benchmark `mlmismatch reproduce` end to end and `mlmismatch --help`, each from a cold process.

The data must already be local (MLMISMATCH_DATA_DIR or the cache). Targets (issue 4): reproduce
under 5 s wall, --help under 0.3 s, on the 2-core machine. Prints the median of N runs.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).with_name("mlmismatch")


def timed(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "5"))
    out = Path(tempfile.mkdtemp(prefix="mlmismatch-bench-"))
    try:
        help_t = timed([str(BIN), "--help"], runs * 2)
        repro_t = timed([str(BIN), "-q", "reproduce", "--out", str(out)], runs)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print("| command | median (s) | min (s) | max (s) | runs | target |")
    print("|---|---|---|---|---|---|")
    for name, t, target in (("mlmismatch --help", help_t, "< 0.3 s"), ("mlmismatch reproduce", repro_t, "< 5 s")):
        print(f"| `{name}` | {statistics.median(t):.2f} | {min(t):.2f} | {max(t):.2f} | {len(t)} | {target} |")
    print(f"\n{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
