"""Benchmark `mlmismatch reproduce` (cold, warm, after one input changed) and `mlmismatch --help`.

Every command runs in a fresh process. Reported: medians (and min-max) of wall time and of CPU time
(user + system of the process and its workers), as ratios against the import floor
``python -c "import pandas, matplotlib.pyplot, scipy.stats, sklearn"`` measured in the same run, and the
peak resident memory of the largest process.

- cold: an empty cache folder (``MLMISMATCH_CACHE``) and an empty output folder, each run;
- warm, nothing changed: the same output folder and cache again (the run stamp answers);
- warm, one input changed: a copy of the data folder in which one SEI schema gains a trailing newline (a
  new SHA-256, the same content), alternately with and without it, so each run sees a changed input: only
  the steps that read the schemas (mapping, text-evidence, descriptors) and the report that shows the
  descriptor table rerun.

The data must be local: ``MLMISMATCH_DATA_DIR`` (e.g. ../shared beside the checkout). ``BENCH_RUNS`` (default 3) sets
the runs of the slow cases; the fast ones run three times as often.
Targets (issue 11): cold < 6 s wall and CPU < 3x the import floor; warm < 0.3 s; after one change < 3 s;
`--help` < 0.2 s; peak memory < 300 MiB.
"""

from __future__ import annotations

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
FLOOR = [sys.executable, "-c", "import pandas, matplotlib.pyplot, scipy.stats, sklearn"]
CHANGED_SCHEMA = "sei-descriptors/1.2/trained_model_schema.json"


def timed(cmd: list[str], env: dict | None = None, before=None) -> tuple[float, float, int]:
    """(wall s, CPU s of the process and its children, peak RSS of the largest process in KiB)."""
    if before is not None:
        before()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return wall, cpu, r1.ru_maxrss  # ru_maxrss: the largest child so far (not a sum)


def series(cmd, runs, env=None, before=None) -> dict:
    results = [timed(cmd, env, before) for _ in range(runs)]
    walls, cpus = [r[0] for r in results], [r[1] for r in results]
    return {"wall": statistics.median(walls), "wall_min": min(walls), "wall_max": max(walls),
            "cpu": statistics.median(cpus), "runs": runs}


def copy_data(src: Path, dest: Path) -> Path:
    """The workbooks linked, the SEI schemas copied (so one of them can change)."""
    (dest / "replication-package").mkdir(parents=True)
    for p in (src / "replication-package").iterdir():
        if p.is_file():
            os.symlink(p.resolve(), dest / "replication-package" / p.name)
    shutil.copytree(src / "sei-descriptors", dest / "sei-descriptors")
    return dest


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    data = os.environ.get("MLMISMATCH_DATA_DIR")
    if not data:
        sys.exit("set MLMISMATCH_DATA_DIR to a local copy of the data")
    work = Path(tempfile.mkdtemp(prefix="mlmismatch-bench-"))
    base_env = dict(os.environ)
    rows = []
    peak = 0
    try:
        floor = series(FLOOR, runs * 3)
        rows.append(("import floor (`python -c \"import pandas, matplotlib.pyplot, scipy.stats, sklearn\"`)", floor, "-"))
        rows.append(("`mlmismatch --help`", series([str(BIN), "--help"], runs * 3), "< 0.2 s"))

        cold_runs = []
        for i in range(runs):
            env = dict(base_env, MLMISMATCH_CACHE=str(work / f"cold-cache-{i}"))
            cold_runs.append(timed([str(BIN), "-q", "reproduce", "--out", str(work / f"cold-out-{i}")], env))
            peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
            shutil.rmtree(work / f"cold-cache-{i}", ignore_errors=True)
            shutil.rmtree(work / f"cold-out-{i}", ignore_errors=True)
        walls, cpus = [r[0] for r in cold_runs], [r[1] for r in cold_runs]
        cold = {"wall": statistics.median(walls), "wall_min": min(walls), "wall_max": max(walls),
                "cpu": statistics.median(cpus), "runs": runs}
        rows.append(("`reproduce` cold (empty cache, empty output folder)", cold, "< 6 s wall, CPU < 3x floor"))

        # warm: one cold run into a kept folder and cache, then reruns with nothing changed
        env = dict(base_env, MLMISMATCH_CACHE=str(work / "cache"))
        out = str(work / "out")
        timed([str(BIN), "-q", "reproduce", "--out", out], env)
        rows.append(("`reproduce` warm, nothing changed", series([str(BIN), "-q", "reproduce", "--out", out], runs * 3, env),
                     "< 0.3 s"))

        # one input changed: a data copy whose schema alternates between two byte versions
        copy = copy_data(Path(data), work / "data")
        schema = copy / CHANGED_SCHEMA
        original = schema.read_bytes()
        env_c = dict(env, MLMISMATCH_DATA_DIR=str(copy))
        out_c = str(work / "out-changed")
        timed([str(BIN), "-q", "reproduce", "--out", out_c], env_c)  # restored from the cache (same bytes)
        state = {"n": 0}

        def change() -> None:  # a third version each time: never in the cache
            state["n"] += 1
            schema.write_bytes(original + b"\n" * (state["n"] + 1))

        rows.append(("`reproduce` after one input changed (one SEI schema: the steps that read the schemas rerun)",
                     series([str(BIN), "-q", "reproduce", "--out", out_c], runs, env_c, before=change), "< 3 s"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    f = floor["wall"]
    fc = floor["cpu"]
    print("| command | median wall (s) | min-max (s) | median CPU (s) | wall / floor | CPU / floor CPU | runs | target |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r, target in rows:
        print(f"| {name} | {r['wall']:.2f} | {r['wall_min']:.2f}-{r['wall_max']:.2f} | {r['cpu']:.2f} | "
              f"{r['wall'] / f:.2f} | {r['cpu'] / fc:.2f} | {r['runs']} | {target} |")
    print(f"\npeak resident memory of the largest process (cold runs included): {peak / 1024:.0f} MiB (target < 300 MiB)")
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
