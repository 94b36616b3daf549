"""``mlmismatch reproduce``: regenerate every table, figure and report from the pinned data.

A run is the list of :class:`~mlmismatch.pipeline.context.Step` objects of
:mod:`mlmismatch.pipeline.steps`, executed in order against one
:class:`~mlmismatch.pipeline.context.Context`; ``manifest.json`` records the toolkit version, the
inputs' SHA-256 and every file written.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Callable

from mlmismatch.core import writers
from mlmismatch.core.version import version
from mlmismatch.pipeline.context import Context, Step, _wait

__all__ = ["Context", "Step", "steps", "run", "reproduce", "write_manifest"]


def steps() -> list[Step]:
    """All steps in order (imported here, not at the top, so that ``--help`` does not load pandas)."""
    from mlmismatch.pipeline.steps import categories, extend, mapping, practices, report, survey

    return [*categories.STEPS, *survey.STEPS, *mapping.STEPS, *practices.STEPS, *extend.STEPS, *report.STEPS]


def run(ctx: Context, progress: Callable[[str], None] | None = None, only: list[str] | None = None,
        on_done: Callable[[str], None] | None = None) -> Context:
    """Run every step (or those named in ``only``) and write ``manifest.json``.

    ``progress`` is called with a step's name before it runs, ``on_done`` after. Figures are built and
    saved, and the code-suggestion evaluation runs, in forked child processes (:attr:`Context.parallel`;
    set ``MLMISMATCH_SEQUENTIAL=1`` to run everything in this process); everything is waited for
    before ``manifest.json`` is written, and the outputs are the same bytes either way.
    """
    selected = [s for s in steps() if not only or s.name in only]
    parallel = ctx.parallel
    # fork() only where it is safe with the libraries loaded (not macOS: system frameworks; not Windows)
    ctx.parallel = sys.platform.startswith("linux") and os.environ.get("MLMISMATCH_SEQUENTIAL", "") in ("", "0")
    try:
        for i, step in enumerate(selected):
            if progress:
                progress(step.name)
            step.run(ctx)
            if on_done:
                on_done(step.name)
            if i == 0:
                for later in selected[1:]:
                    if later.prepare is not None:
                        later.prepare(ctx)
        ctx.wait_figures()
    finally:  # after an error: let the children finish, remove their files, raise the error
        ctx.cancel_jobs()
        for pid, _rel, _paths in ctx._figures:
            _wait(pid)
        ctx._figures.clear()
        for lock in ctx._locks:
            if os.path.exists(lock):
                os.unlink(lock)
        ctx._locks.clear()
        ctx.parallel = parallel
    write_manifest(ctx)
    return ctx


def write_manifest(ctx: Context) -> Path:
    """``manifest.json``: toolkit version, inputs with SHA-256, every file written with SHA-256."""
    manifest = {
        "generator": f"mlmismatch {version()}",
        "inputs": ctx.store.provenance(),
        "outputs": dict(sorted(ctx.written.items())),
    }
    return writers.write_text(ctx.out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=False))


def reproduce(out: str | Path | None = None, *, only: list[str] | None = None, store=None,
              data_dir: str | Path | None = None, data_home: str | Path | None = None,
              strict: bool = False) -> Context:
    """Regenerate every table, figure and report (or the steps named in ``only``) into ``out``.

    Parameters
    ----------
    out
        Output folder. Default: ``paper/generated/`` inside a checkout, else ``./mlmismatch-output/``
        (never site-packages).
    only
        Names of the steps to run (see :func:`steps`).
    store, data_dir, data_home, strict
        Where the data is: a :class:`~mlmismatch.sources.Store`, or the arguments to make one.

    Returns
    -------
    Context
        The run: ``ctx.written`` maps every file written to its SHA-256, ``ctx.results`` holds the
        tables shared between steps (``ctx.results["claims"]``: the claims beside the recomputed values).

    Examples
    --------
    >>> ctx = reproduce("/tmp/mlmismatch-output")        # doctest: +SKIP
    >>> len(ctx.written)                                  # doctest: +SKIP
    83
    """
    from mlmismatch.core.resources import default_output
    from mlmismatch.sources import as_store

    ctx = Context(out=Path(out) if out is not None else default_output(),
                  store=as_store(store, data_dir=data_dir, data_home=data_home, strict=strict))
    return run(ctx, only=only)
