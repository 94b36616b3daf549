"""Benchmark ``mlmismatch check`` on 1,000 descriptor sets, and SEI's TEC detection on the same sets.

Usage: ``.venv/bin/python benchmarks/bench_check.py [--sets 1000] [--repeat 3]`` (needs the published
SEI schemas: MLMISMATCH_DATA_DIR or the user cache). The sets are variants of the three example
systems in ``descriptors/examples`` (values perturbed per set so that every set differs, about half
of them with planted mismatches). Timed, with validators compiled once beforehand:

* ``check, in memory``: validation + information gaps + rules on already parsed documents;
* ``check, from disk``: the same after reading the JSON/YAML files of each set from a directory;
* ``rules only``: the cross-descriptor rules alone;
* TEC ``all_document_mismatches`` (its rules) and ``project_mismatches_and_missing_fields`` (rules
  + missing fields) on the same (1.2) documents, imported from a temporary read-only copy of
  ``api/helpers/mismatch_detection.py`` imported from ``../shared/tec`` (``MLMISMATCH_TEC_DIR``, or
  ``$MLMISMATCH_DATA_DIR/tec``; skipped with a message when there is none). Never copied here.

Prints a Markdown table of medians over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import platform
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    sets = make_sets(args.sets)
    for k in schemas.KINDS:  # compile every validator once, outside the timings
        for v in schemas.VERSIONS:
            schemas.validator(k, v)
    rule_list = load_rules()
    store = Store()  # one store: schemas read and validators compiled once
    for s in sets[:3]:  # warm caches (one set of each example system)
        detect.check_documents(s, rules=rule_list, store=store)
    # The 1,000 parsed sets stay alive for the whole benchmark; a real run holds one system. Freeze
    # them out of the garbage collector's scans so that its cost reflects the checking, not the pile.
    gc.collect()
    gc.freeze()

    rows = []
    n_findings = sum(len(detect.check_documents(s, rules=rule_list, store=store).findings) for s in sets)
    name = "mlmismatch check, in memory (validation + gaps + rules)"
    t_mem = timed(lambda: each(sets, lambda s: detect.check_documents(s, rules=rule_list, store=store)), args.repeat, name)
    rows.append((name, t_mem))
    name = "mlmismatch rules only"
    rows.append((name, timed(lambda: each(sets, lambda s: detect.rule_findings(s, rule_list)), args.repeat, name)))
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        dirs = write_sets(sets, Path(tmp))
        name = "mlmismatch check, from disk (read + validation + gaps + rules)"
        rows.append((name, timed(lambda: each(dirs, lambda d: detect.check(d, rules=rule_list, store=store)), args.repeat, name)))

    tec = tec_oracle.load()
    if tec is None:
        print(f"(TEC timing skipped: no TEC oracle; set {tec_oracle.ENV} or MLMISMATCH_DATA_DIR)\n")
    else:
        projects = [tec_oracle.project_json({d.kind: d.migrated for d in s}) for s in sets]
        name = "TEC all_document_mismatches (rules)"
        rows.append((name, timed(lambda: each(projects, tec.all_document_mismatches), args.repeat, name)))
        name = "TEC project_mismatches_and_missing_fields (rules + missing fields)"
        rows.append((name, timed(lambda: each(projects, tec.project_mismatches_and_missing_fields),
                                 args.repeat, name)))

    print(f"{args.sets} descriptor sets ({sum(len(s) for s in sets)} documents, {n_findings} findings); "
          f"median of {args.repeat} runs; Python {platform.python_version()}, {platform.machine()}\n")
    print("| Step | CPU time (s) | Per set (ms) | Wall clock (s) |")
    print("|---|---:|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {t:.3f} | {1000 * t / args.sets:.3f} | {WALL.get(name, float('nan')):.3f} |")
    by = dict(rows)
    if "TEC all_document_mismatches (rules)" in by and by["TEC all_document_mismatches (rules)"] > 0:
        print(f"\nRules: mlmismatch / TEC = {by['mlmismatch rules only'] / by['TEC all_document_mismatches (rules)']:.1f}x; "
              f"full check / TEC rules + missing fields = "
              f"{t_mem / by['TEC project_mismatches_and_missing_fields (rules + missing fields)']:.1f}x")
    print(f"\nUnder 2 s of CPU for {args.sets} sets (in memory): {'yes' if t_mem < 2 else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
