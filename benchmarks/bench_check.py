"""Benchmark ``mlmismatch check``: one system as a cold process, and 1,000 and 10,000 systems in memory,
each beside SEI's TEC detection and plain jsonschema validation measured in the same run.

Usage: ``.venv/bin/python benchmarks/bench_check.py [--sets 1000 10000] [--repeat 3] [--cold 10]`` (needs
the published SEI schemas: MLMISMATCH_DATA_DIR or the user cache; TEC from ``MLMISMATCH_TEC_DIR`` or
``$MLMISMATCH_DATA_DIR/tec``, skipped with a message when there is none; never copied here).

* **Cold process** (``--cold`` runs after one warm-up, medians of wall clock and peak RSS from
  ``wait4``; bytecode cached in a temporary ``PYTHONPYCACHEPREFIX``, as an installed package has it):
  ``mlmismatch check credit-card-fraud`` (terminal output); TEC's ``all_document_mismatches`` on the same
  system in a fresh interpreter (import, read the 8 JSON files, detect); plain jsonschema (import,
  read the 8 files and their schemas, ``Draft7Validator`` with format checking, list errors).
* **In memory**, on N sets (variants of the three example systems in ``descriptors/examples``, values
  perturbed per set, about half with planted mismatches; for N above the number of distinct sets
  the distinct sets are cycled), validators compiled once beforehand:
  the full check (validation + information gaps with the packaged mapping and ranking + rules),
  the rules alone, TEC's ``all_document_mismatches`` and plain jsonschema ``iter_errors`` of the
  8 documents, per set.

Prints Markdown tables of medians over ``--repeat`` runs (CPU time of this process; wall clock too).
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import os
import platform
import subprocess
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "analysis"))

from mlmismatch import detection as detect  # noqa: E402
from mlmismatch.mapping.predicates import load_rules  # noqa: E402
from mlmismatch.sources import Store  # noqa: E402

sys.path.insert(0, str(REPO / "tests" / "support"))
import tec_oracle  # noqa: E402
from mlmismatch.descriptors import schemas  # noqa: E402

EXAMPLES = REPO / "descriptors" / "examples"


def base_systems() -> list[dict]:
    out = []
    for d in sorted(p for p in EXAMPLES.iterdir() if p.is_dir()):
        out.append({k.kind: k.data for k in detect.load_system(d)})
    return out


def variant(system: dict, i: int) -> dict:
    s = copy.deepcopy(system)
    tm = s.get("trained_model")
    if tm:
        tm["model_version"] = f"{tm.get('model_version', '')}+{i}"
        res = tm.get("computing_resource_reqs") or {}
        res["cpu"] = 1 + i % 6
        if i % 7 == 0:
            tm["ml_frameworks"] = list(tm.get("ml_frameworks", [])) + [f"framework-{i}"]
    td = s.get("training_data")
    if td and td.get("distribution"):
        td["distribution"][0]["percentage"] = td["distribution"][0]["percentage"] + (i % 3 == 0)
    sc = s.get("system_context")
    if sc and i % 5 == 0:
        sc.setdefault("goals", []).append({"id": f"G{i}", "goal": "extra goal", "metric": "m", "baseline": "b"})
    return s


def make_sets(n: int) -> list[list[detect.Document]]:
    bases = base_systems()
    sets = []
    for i in range(n):
        system = variant(bases[i % len(bases)], i)
        sets.append([detect.make_document(k, v, f"{k}.json") for k, v in system.items()])
    return sets


def write_sets(sets, root: Path) -> list[Path]:
    dirs = []
    for i, docs in enumerate(sets):
        d = root / f"set{i:04d}"
        d.mkdir()
        for doc in docs:
            (d / f"{doc.kind}.json").write_text(json.dumps(doc.data))
        dirs.append(d)
    return dirs


WALL: dict[str, float] = {}


def each(items, fn) -> None:
    """Run ``fn`` on every item, keeping no result alive (as a run on one system would not)."""
    for item in items:
        fn(item)


def timed(fn, repeat: int, name: str = "") -> float:
    """Median CPU time of this process (robust to other processes sharing the 2 cores); the median
    wall-clock time is kept in WALL[name]."""
    cpu, wall = [], []
    for _ in range(repeat):
        t0, w0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - t0)
        wall.append(time.perf_counter() - w0)
    WALL[name] = statistics.median(wall)
    return statistics.median(cpu)


COLD_CHECK = ["-m", "mlmismatch", "check", str(EXAMPLES / "credit-card-fraud")]
COLD_TEC = r"""
import json, sys
from pathlib import Path
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[2])
from helpers.mismatch_detection import all_document_mismatches
d = Path(sys.argv[1])
project = {p.stem: json.loads(p.read_text()) for p in d.glob("*.json")}
all_document_mismatches(project)
"""
COLD_JSONSCHEMA = r"""
import json, sys
from pathlib import Path
from jsonschema import Draft7Validator
d, schemas = Path(sys.argv[1]), Path(sys.argv[2])
for p in sorted(d.glob("*.json")):
    doc = json.loads(p.read_text())
    schema = json.loads((schemas / doc["version"] / f"{p.stem}_schema.json").read_text())
    list(Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(doc))
"""


def cold(argv: list[str], runs: int, env: dict | None = None) -> tuple[float, float]:
    """Median wall clock (s) and median peak RSS (MiB) of a fresh ``python argv`` process (after one
    untimed run that fills the bytecode cache of ``env``)."""
    walls, peaks = [], []
    subprocess.run([sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t0)
        peaks.append(usage.ru_maxrss / 1024)  # KiB on Linux
        proc.returncode = os.waitstatus_to_exitcode(status)
    return statistics.median(walls), statistics.median(peaks)


def plain_jsonschema(sets):
    """One compiled jsonschema validator per (kind, version), as a plain validating tool would keep."""
    from jsonschema import Draft7Validator

    validators = {}
    for s in sets:
        for d in s:
            key = (d.kind, d.version)
            if key not in validators:
                validators[key] = Draft7Validator(schemas.schema_readonly(d.kind, d.version),
                                                  format_checker=Draft7Validator.FORMAT_CHECKER)

    def run(s):
        for d in s:
            list(validators[(d.kind, d.version)].iter_errors(d.data))
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--distinct", type=int, default=1000, help="distinct sets generated (cycled beyond)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold", type=int, default=10, help="cold-process runs (0: skip)")
    args = ap.parse_args()

    tec = tec_oracle.load()
    print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores; "
          f"medians (CPU time of this process, wall clock beside)\n")
    if args.cold:
        env_ok = os.environ.get("MLMISMATCH_DATA_DIR")
        # as an installed package runs: with bytecode (kept in a temporary folder, never in the
        # repository or TEC's folder), whatever PYTHONDONTWRITEBYTECODE says in this shell
        pycache = tempfile.mkdtemp(prefix="bench-pycache-")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = pycache
        rows = [("`mlmismatch check` one system (credit-card-fraud), cold process", *cold(COLD_CHECK, args.cold, env))]
        system = EXAMPLES / "credit-card-fraud"
        if tec is not None:
            rows.append(("TEC `all_document_mismatches`, same system, cold process",
                         *cold(["-c", COLD_TEC.replace("sys.dont_write_bytecode = True\n", ""), str(system),
                                str(tec.root / "api")], args.cold, env)))
        if env_ok:
            rows.append(("plain jsonschema validation of its 8 documents, cold process",
                         *cold(["-c", COLD_JSONSCHEMA, str(system), str(Path(env_ok) / "sei-descriptors")], args.cold,
                               env)))
        import shutil

        shutil.rmtree(pycache, ignore_errors=True)
        print(f"| Cold process ({args.cold} runs) | Wall clock (s) | Peak RSS (MiB) |")
        print("|---|---:|---:|")
        for name, wall, peak in rows:
            print(f"| {name} | {wall:.3f} | {peak:.0f} |")
        print()

    distinct = make_sets(min(args.distinct, max(args.sets)))
    for k in schemas.KINDS:  # compile every validator once, outside the timings
        for v in schemas.VERSIONS:
            schemas.validator(k, v)
    rule_list = load_rules()
    store = Store()  # one store: schemas read and validators compiled once
    for s in distinct[:3]:  # warm caches (one set of each example system)
        detect.check_documents(s, rules=rule_list, store=store)
    validate_plain = plain_jsonschema(distinct)
    projects_distinct = ([tec_oracle.project_json({d.kind: d.migrated for d in s}) for s in distinct]
                         if tec is not None else None)
    # The parsed sets stay alive for the whole benchmark; a real run holds one system. Freeze them out
    # of the garbage collector's scans so that its cost reflects the checking, not the pile.
    gc.collect()
    gc.freeze()

    per_set: dict[tuple[str, int], float] = {}
    print("| In memory | Sets | CPU time (s) | Per set (ms) | Wall clock (s) |")
    print("|---|---:|---:|---:|---:|")
    for n in args.sets:
        sets = [distinct[i % len(distinct)] for i in range(n)]
        steps = [("mlmismatch check (validation + gaps with mapping and ranking + rules)",
                  lambda: each(sets, lambda s: detect.check_documents(s, rules=rule_list, store=store))),
                 ("mlmismatch rules only", lambda: each(sets, lambda s: detect.rule_findings(s, rule_list))),
                 ("plain jsonschema iter_errors (8 documents)", lambda: each(sets, validate_plain))]
        if projects_distinct is not None:
            projects = [projects_distinct[i % len(distinct)] for i in range(n)]
            steps.append(("TEC all_document_mismatches (rules)", lambda: each(projects, tec.all_document_mismatches)))
        for name, fn in steps:
            t = timed(fn, args.repeat, f"{name}/{n}")
            per_set[(name, n)] = 1000 * t / n
            print(f"| {name} | {n:,} | {t:.3f} | {1000 * t / n:.3f} | {WALL[f'{name}/{n}']:.3f} |")
    print()
    ours, theirs = "mlmismatch rules only", "TEC all_document_mismatches (rules)"
    full = "mlmismatch check (validation + gaps with mapping and ranking + rules)"
    for n in args.sets:
        if (theirs, n) in per_set:
            print(f"- {n:,} sets: rules / TEC rules = {per_set[(ours, n)] / per_set[(theirs, n)]:.2f}x; "
                  f"full check {per_set[(full, n)]:.3f} ms per set")
    if len(args.sets) > 1:
        a, b = min(args.sets), max(args.sets)
        print(f"- linearity: per-set time of the full check at {b:,} / at {a:,} = "
              f"{per_set[(full, b)] / per_set[(full, a)]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
