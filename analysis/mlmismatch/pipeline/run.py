"""``mlmismatch reproduce``: regenerate every table, figure and report from the pinned data.

A run is the list of :class:`~mlmismatch.pipeline.context.Step` objects of
:mod:`mlmismatch.pipeline.steps`. Each step declares its inputs (sources, packaged data, the steps it
needs) and its outputs, so a run

1. selects the steps asked for and every step they need (:func:`select`);
2. computes each step's cache key (:mod:`mlmismatch.pipeline.cache`) and restores the outputs of
   the steps whose key is in the cache, without importing pandas;
3. runs the others, in dependency order, in a :class:`concurrent.futures.ProcessPoolExecutor` (forked
   workers on Linux, so the loaded workbooks and imports are shared; sequential elsewhere or with
   ``MLMISMATCH_SEQUENTIAL=1``), each writing into a staging folder; the outputs are the same bytes
   either way;
4. moves the staged files into the output folder (one ``os.replace`` per file), merges
   ``manifest.json`` (toolkit version, the inputs' SHA-256, every output's SHA-256; entries of steps
   not run this time are kept) and writes the run stamp.

An interrupted or failed run removes its staging folder and leaves the previous outputs as they were.
"""

from __future__ import annotations

import contextvars
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Callable

from mlmismatch.core.version import version
from mlmismatch.pipeline import cache as cachemod
from mlmismatch.pipeline.context import Context, Step

__all__ = ["Context", "Step", "steps", "select", "run", "reproduce", "write_manifest", "step_names", "describe_steps"]

STAGING_PREFIX = ".mlmismatch-staging-"
#: Modules every step's code includes besides its own module's imports: the Context it writes through (the
#: runner and the cache do not shape a step's bytes; a change of the cache's layout bumps ``CACHE_FORMAT``).
RUNNER_MODULES = ("mlmismatch.pipeline.context",)


def steps() -> list[Step]:
    """All steps in order (a dependency always comes before the steps that need it)."""
    from mlmismatch.pipeline.steps import categories, extend, mapping, practices, report, survey

    return [*categories.STEPS, *survey.STEPS, *mapping.STEPS, *practices.STEPS, *extend.STEPS, *report.STEPS]


def step_names() -> list[str]:
    return [s.name for s in steps()]


def _normal(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def select(only: list[str] | None = None) -> list[Step]:
    """The steps named in ``only`` (all when empty) and every step they need, in run order.

    Names are written with hyphens (``text-evidence``); an underscore is read as a hyphen. An unknown
    name raises :class:`~mlmismatch.core.errors.InputError` listing the step names (exit 2 on the command line).
    """
    every = steps()
    by_name = {s.name: s for s in every}
    if not only:
        return every
    wanted = [_normal(n) for n in only]
    unknown = [n for n, w in zip(only, wanted) if w not in by_name]
    if unknown:
        from mlmismatch.core.errors import InputError

        raise InputError(f"unknown step{'s' if len(unknown) > 1 else ''} {', '.join(repr(u) for u in unknown)}",
                         expected="one or more of " + ", ".join(by_name))
    chosen: set[str] = set()
    todo = list(wanted)
    while todo:
        name = todo.pop()
        if name not in chosen:
            chosen.add(name)
            todo.extend(by_name[name].needs)
    return [s for s in every if s.name in chosen]


def describe_steps() -> str:
    """The steps with their inputs and outputs, as plain text (``mlmismatch reproduce --list``)."""
    lines = []
    for s in steps():
        lines.append(f"{s.name}: {s.description}")
        if s.sources:
            lines.append(f"    sources: {', '.join(s.sources)}")
        if s.data:
            lines.append(f"    data:    {', '.join(s.data)}")
        if s.needs:
            lines.append(f"    needs:   {', '.join(s.needs)}")
        if s.result:
            lines.append(f"    result:  {s.result} (for the steps that need it)")
        lines.append(f"    outputs: {', '.join(s.outputs) if s.outputs else '(none)'}")
    return "\n".join(lines) + "\n"


# --- keys ----------------------------------------------------------------------------------

def _expand_sources(step: Step, registry: dict) -> list[str]:
    out = []
    for sid in step.sources:
        if sid.endswith("*"):
            out.extend(sorted(k for k in registry if k.startswith(sid[:-1])))
        else:
            out.append(sid)
    return out


class _Plan:
    """What a run needs: each selected step's sources, data digests, code files and key."""

    def __init__(self, ctx: Context, selected: list[Step]):
        store = ctx.store
        registry = store.registry()
        self.sources = {s.name: _expand_sources(s, registry) for s in selected}
        from mlmismatch.core.errors import MlmismatchError

        self.missing: dict[str, str] = {}
        for sid in sorted({sid for ids in self.sources.values() for sid in ids}):
            try:
                store.resolve(sid)  # hashes the file; the manifest's inputs
            except MlmismatchError as exc:  # the steps that need it fail or degrade as they do without a cache
                self.missing[sid] = f"missing: {exc}"
        memo: dict = {}
        self.code: dict[str, dict[str, Path]] = {}
        data_digests: dict[str, str] = {}
        self.data_files: set[Path] = set()
        for s in selected:
            for spec in s.data:
                if spec not in data_digests:
                    data_digests[spec] = cachemod.data_digest(spec)
                    self.data_files.update(cachemod.data_files(spec))
            self.code[s.name] = cachemod.closure([s.module, *RUNNER_MODULES], memo)
        file_sha: dict[Path, str] = {}
        self.keys: dict[str, str] = {}
        py = f"{sys.version_info.major}.{sys.version_info.minor}"
        self.libraries: set[str] = {lib for s in selected for lib in s.libraries}
        versions = cachemod.library_versions(sorted(self.libraries))  # looked up once, not once per step
        for s in selected:
            for p in self.code[s.name].values():
                if p not in file_sha:
                    file_sha[p] = cachemod.sha256_file(p)
            material = {
                "step": s.name, "toolkit": version(), "python": py,
                "sources": {sid: store.resolved[sid].sha256 if sid in store.resolved else self.missing[sid]
                            for sid in self.sources[s.name]},
                "data": {spec: data_digests[spec] for spec in s.data},
                "code": {m: file_sha[p] for m, p in self.code[s.name].items()},
                "libraries": {lib: versions[lib] for lib in sorted(set(s.libraries))},
                "needs": {n: self.keys[n] for n in s.needs},
                "outputs": list(s.outputs), "result": s.result,
            }
            self.keys[s.name] = cachemod.sha256_json(material)

    def stamp_files(self, ctx: Context) -> set[Path]:
        files = {p for code in self.code.values() for p in code.values()} | self.data_files
        files |= {r.path for r in ctx.store.resolved.values()}
        return {Path(p).resolve() for p in files}


# --- workers -------------------------------------------------------------------------------

#: The Context a forked worker runs steps against (set by the pool's initializer, in the worker only).
_WORKER_CTX: contextvars.ContextVar[Context] = contextvars.ContextVar("mlmismatch_worker_context")


def _init_worker(ctx: Context, parent: int) -> None:  # pragma: no cover - runs in the worker
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the command line's handler: SIGTERM ends a worker at once
    _die_with_parent(parent)
    _WORKER_CTX.set(ctx)


def _die_with_parent(parent: int) -> None:  # pragma: no cover - runs in the worker
    """On Linux, have the kernel send this worker SIGTERM when the parent dies, even of SIGKILL
    (``prctl(PR_SET_PDEATHSIG)``), so that no worker outlives a killed run; elsewhere the pool's own
    shutdown is all there is."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _run_in_worker(name: str, written: dict[str, str], results: dict[str, object]) -> tuple:  # pragma: no cover
    ctx = _WORKER_CTX.get()
    ctx.written = dict(written)
    ctx.results.update(results)
    return _run_step(ctx, {s.name: s for s in steps()}[name])


def _run_step(ctx: Context, step: Step) -> tuple[dict[str, str], object, list[str]]:
    """Run ``step``; return the files it wrote (path -> SHA-256), its result and the store's notices."""
    before = dict(ctx.written)
    ctx.step = step
    try:
        step.run(ctx)
    finally:
        ctx.step = None
    new = {rel: sha for rel, sha in ctx.written.items() if before.get(rel) != sha or rel not in before}
    undeclared = sorted(set(new) - set(step.outputs))
    if undeclared:
        raise RuntimeError(f"step {step.name} wrote files it does not declare: {', '.join(undeclared)}")
    return new, (ctx.results.get(step.result) if step.result else None), list(ctx.store.notices)


def _warm_up(ctx: Context, to_run: list[Step]) -> None:
    """Load, in this process and before the workers are forked, what they would each load again: the
    workbooks and the heavy libraries (and matplotlib's first-use set-up, with a throw-away figure)."""
    needs = {sid for s in to_run for sid in s.sources}
    if "coding" in needs:
        ctx.coding  # noqa: B018 - cached_property
    if "survey" in needs:
        from mlmismatch.core.errors import MlmismatchError

        try:
            ctx.survey  # noqa: B018
        except MlmismatchError:
            pass  # the steps that need it report it
    if any("matplotlib" in s.libraries for s in to_run):
        import io

        import matplotlib.pyplot as plt

        from mlmismatch.core.style import paper_style

        with paper_style():
            fig, ax = plt.subplots(figsize=(1, 1))
            ax.set_title("warm-up", fontweight="bold")
            ax.text(0.5, 0.5, "0%", fontsize=6)
            fig.tight_layout()
        for fmt in ("pdf", "png"):
            fig.savefig(io.BytesIO(), format=fmt, dpi=72, bbox_inches="tight")
        plt.close(fig)
    if any("scikit-learn" in s.libraries for s in to_run):
        import importlib

        for name in ("sklearn.feature_extraction.text", "sklearn.linear_model", "sklearn.metrics",
                     "sklearn.model_selection", "sklearn.preprocessing"):
            importlib.import_module(name)


def _workers(n_jobs: int) -> int:
    if not sys.platform.startswith("linux"):  # fork is safe with these libraries only on Linux
        return 1
    if os.environ.get("MLMISMATCH_SEQUENTIAL", "") not in ("", "0"):
        return 1
    env = os.environ.get("MLMISMATCH_WORKERS", "")
    n = int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)
    return max(1, min(n, n_jobs))


# --- the run -------------------------------------------------------------------------------

def _clean_stale_staging(out: Path) -> None:
    """Remove staging folders left by runs that were killed (their process is gone)."""
    if not out.is_dir():
        return
    for p in out.iterdir():
        if p.is_dir() and p.name.startswith(STAGING_PREFIX):
            pid = p.name[len(STAGING_PREFIX):].split("-", 1)[0]
            try:
                os.kill(int(pid), 0)
                alive = int(pid) != os.getpid()
            except (ValueError, OSError):
                alive = False
            if not alive:
                shutil.rmtree(p, ignore_errors=True)


def run(ctx: Context, progress: Callable[[str], None] | None = None, only: list[str] | None = None,
        on_done: Callable[[str], None] | None = None, *, force: bool = False, use_cache: bool = True,
        cache_dir: str | Path | None = None) -> Context:
    """Run the steps named in ``only`` (all when empty) and those they need; merge ``manifest.json``.

    ``progress`` is called with a step's name before it runs, ``on_done`` after (or when its outputs are
    restored from the cache). ``force`` runs every selected step even when the cache has its outputs
    (and stores the new ones); ``use_cache=False`` neither reads nor writes the cache. ``cache_dir`` is
    the cache's folder (default: :func:`~mlmismatch.pipeline.cache.cache_root` of the store's
    ``data_home``). ``ctx.results["cache"]`` tells which steps ran and which were restored.
    """
    selected = select(only)
    final = Path(ctx.out)
    root = Path(cache_dir) if cache_dir is not None else cachemod.cache_root(ctx.store.data_home)
    store_cache = cachemod.StepCache(root)
    plan = _Plan(ctx, selected)
    by_name = {s.name: s for s in selected}
    from mlmismatch.core.writers import output_dir, output_error

    output_dir(final)  # a file in the way, a read-only folder: one located line (exit 2)
    _clean_stale_staging(final)
    staging = final / f"{STAGING_PREFIX}{os.getpid()}-{time.monotonic_ns()}"
    try:
        staging.mkdir()
    except OSError as exc:
        raise output_error(exc, final) from None
    ctx.final, ctx.out = final, staging
    hits: dict[str, dict] = {}
    ran: list[str] = []
    try:
        for s in selected:
            meta = store_cache.get(plan.keys[s.name]) if use_cache and not force else None
            if meta is None:
                continue
            hits[s.name] = meta
            if progress:
                progress(s.name)
            for rel, sha in meta["outputs"].items():
                target = final / rel
                if not (target.is_file() and target.stat().st_size == store_cache.file(plan.keys[s.name], rel).stat().st_size
                        and cachemod.sha256_file(target) == sha):
                    dest = staging / rel
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(store_cache.file(plan.keys[s.name], rel), dest)
                ctx.written[rel] = sha
            if on_done:
                on_done(s.name)
        to_run = [s for s in selected if s.name not in hits]
        if to_run:
            _execute(ctx, to_run, by_name, hits, plan, store_cache, use_cache, progress, on_done)
            ran = [s.name for s in to_run]
        # every step succeeded: move the staged files into place, one rename per file
        for p in sorted(staging.rglob("*")):
            if p.is_file():
                target = final / p.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(p, target)
    finally:
        ctx.out, ctx.final = final, None
        shutil.rmtree(staging, ignore_errors=True)
    ctx.results["cache"] = {"ran": ran, "restored": [s.name for s in selected if s.name in hits], "keys": plan.keys}
    manifest = write_manifest(ctx)
    if use_cache:
        outputs = {final / rel for rel in ctx.written}
        ident = cachemod.stamp_id(final, only, ctx.store.local_root(), ctx.store.data_home, ctx.store.strict)
        libraries = plan.libraries | {"mlmismatch"}  # a reinstall with another version changes its dist-info
        cachemod.write_stamp(root, ident, plan.stamp_files(ctx) | outputs | {manifest}, libraries, len(ctx.written))
    return ctx


def _execute(ctx: Context, to_run: list[Step], by_name: dict[str, Step], hits: dict, plan: _Plan,
             store_cache: "cachemod.StepCache", use_cache: bool, progress, on_done) -> None:
    """Run ``to_run`` in dependency order, in worker processes when there are two cores or more."""
    for s in to_run:  # the results of restored steps that a step to run needs, read from the cache
        for dep in s.needs:
            d = by_name[dep]
            if dep in hits and d.result and d.result not in ctx.results:
                ctx.results[d.result] = store_cache.result(plan.keys[dep])
    n = _workers(len(to_run))
    done = set(hits)

    def finish(step: Step, new: dict, result: object, notices: list[str]) -> None:
        ctx.written.update(new)
        if step.result:
            ctx.results[step.result] = result
        for text in notices:
            ctx.store.notice(text)
        if use_cache:
            store_cache.put(plan.keys[step.name], step.name, ctx.out, new, result, has_result=bool(step.result))
        done.add(step.name)
        if on_done:
            on_done(step.name)

    if n == 1:
        for s in to_run:
            if progress:
                progress(s.name)
            finish(s, *_run_step(ctx, s))
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    _warm_up(ctx, to_run)
    pending = list(to_run)
    running: dict = {}
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"),
                             initializer=_init_worker, initargs=(ctx, os.getpid())) as pool:
        try:
            while pending or running:
                ready = [s for s in pending if all(d in done for d in s.needs)]
                for s in sorted(ready, key=lambda s: -s.cost):  # the longest first: a shorter wall time
                    pending.remove(s)
                    if progress:
                        progress(s.name)
                    results = {by_name[d].result: ctx.results[by_name[d].result] for d in s.needs if by_name[d].result}
                    running[pool.submit(_run_in_worker, s.name, dict(ctx.written), results)] = s
                if not running:
                    raise RuntimeError("steps wait for each other: " + ", ".join(s.name for s in pending))
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    s = running.pop(fut)
                    finish(s, *fut.result())
        except BaseException:
            # a failed step, Ctrl-C or SIGTERM: cancel what has not started and stop the steps still
            # running (waiting for them could take seconds), then let the pool join its workers
            workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in workers:
                if proc.is_alive():
                    proc.terminate()
            for proc in workers:  # none may write into the staging folder once the caller removes it
                proc.join(timeout=10)
            raise


def write_manifest(ctx: Context) -> Path:
    """``manifest.json``: toolkit version, inputs with SHA-256, every file written with SHA-256.

    An existing manifest is merged: entries for inputs and outputs this run did not touch are kept
    (when the output file still exists), so running a few steps never shrinks it.
    """
    from mlmismatch.core import writers

    path = ctx.out / "manifest.json"
    inputs = {p["source"]: p for p in ctx.store.provenance()}
    outputs = dict(ctx.written)
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    if isinstance(old, dict):
        for p in old.get("inputs", []) or []:
            if isinstance(p, dict) and "source" in p:
                inputs.setdefault(p["source"], p)
        for rel, sha in (old.get("outputs", {}) or {}).items():
            if rel not in outputs and (ctx.out / rel).is_file():
                outputs[rel] = sha
    manifest = {
        "generator": f"mlmismatch {version()}",
        "inputs": [inputs[k] for k in sorted(inputs)],
        "outputs": dict(sorted(outputs.items())),
    }
    return writers.write_text(path, json.dumps(manifest, indent=2, sort_keys=False))


def reproduce(out: str | Path | None = None, *, only: list[str] | None = None, store=None,
              data_dir: str | Path | None = None, data_home: str | Path | None = None,
              strict: bool = False, force: bool = False, use_cache: bool = True,
              cache_dir: str | Path | None = None) -> Context:
    """Regenerate every table, figure and report (or the steps named in ``only``) into ``out``.

    Parameters
    ----------
    out
        Output folder. Default: ``paper/generated/`` inside a checkout, else ``./mlmismatch-output/``
        (never site-packages).
    only
        Names of the steps to run (see :func:`steps`); the steps they need run too.
    store, data_dir, data_home, strict
        Where the data is: a :class:`~mlmismatch.sources.Store`, or the arguments to make one.
    force, use_cache, cache_dir
        Rerun every step although the cache has its outputs; do not use the cache at all; where the
        cache is (see :func:`run`).

    Returns
    -------
    Context
        The run: ``ctx.written`` maps every file written (or restored) to its SHA-256, ``ctx.results``
        holds the results steps share (``ctx.results["replication"].results``: the claims beside the
        recomputed values, when the claims step ran or the report needed them) and
        ``ctx.results["cache"]`` the steps that ran and those restored from the cache.

    Examples
    --------
    >>> ctx = reproduce("/tmp/mlmismatch-output")        # doctest: +SKIP
    >>> len(ctx.written)                                  # doctest: +SKIP
    88
    """
    from mlmismatch.core.resources import default_output
    from mlmismatch.sources import as_store

    ctx = Context(out=Path(out) if out is not None else default_output(),
                  store=as_store(store, data_dir=data_dir, data_home=data_home, strict=strict))
    return run(ctx, only=only, force=force, use_cache=use_cache, cache_dir=cache_dir)
