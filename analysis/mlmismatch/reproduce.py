"""``mlmismatch reproduce``: regenerate every table, figure and report from the pinned data.

A run is a list of :class:`Step` objects executed in order against one :class:`Context`. The
context loads each workbook once, records every file written (with its SHA-256) and the inputs'
provenance, so that the replication report and ``manifest.json`` can state where each artifact came
from. Topic modules contribute steps; :data:`STEPS` lists them in order.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from . import __version__, writers
from .sources import PROJECT_ROOT

DEFAULT_OUT = PROJECT_ROOT / "paper" / "generated"


@dataclass
class Context:
    out: Path = DEFAULT_OUT
    data_dir: Path | None = None
    data_home: Path | None = None
    strict: bool = False
    written: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    results: dict[str, object] = field(default_factory=dict)  # shared results between steps
    #: Save figures and run :meth:`spawn` jobs in forked child processes (set by :func:`run`; steps called
    #: directly stay sequential, so ``written`` is complete when ``save_figure`` returns).
    parallel: bool = False
    _figures: list = field(default_factory=list, init=False, repr=False)  # (pid, rel_stem, paths) being saved
    _locks: list = field(default_factory=list, init=False, repr=False)  # lock files: one per figure worker
    _n_figures: int = field(default=0, init=False, repr=False)
    _jobs: dict = field(default_factory=dict, init=False, repr=False)  # key -> (pid, result file)

    def resolve_kwargs(self) -> dict:
        return {"data_dir_": self.data_dir, "data_home": self.data_home, "strict": self.strict}

    @cached_property
    def coding(self):
        from . import coding

        return coding.load_coding(**self.resolve_kwargs())

    @cached_property
    def survey(self):
        from . import survey

        return survey.load_survey(**self.resolve_kwargs())

    # --- writers that record what was written -------------------------------------------------
    def _record(self, path: Path) -> Path:
        rel = path.resolve().relative_to(self.out.resolve()).as_posix()
        self.written[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        return path

    def write_csv(self, rel: str, df, **kwargs) -> Path:
        return self._record(writers.write_csv(self.out / rel, df, **kwargs))

    def write_text(self, rel: str, text: str) -> Path:
        return self._record(writers.write_text(self.out / rel, text))

    def write_bytes(self, rel: str, data: bytes) -> Path:
        return self._record(writers.write_bytes(self.out / rel, data))

    def save_figure(self, fig, rel_stem: str) -> list[Path]:
        """Save ``fig`` as PDF and PNG (see :meth:`figure`, which also builds it in the child)."""
        if not (self.parallel and hasattr(os, "fork")):
            return [self._record(p) for p in writers.save_figure(fig, self.out / rel_stem)]
        import matplotlib.pyplot as plt

        paths = self._figure_in_child(lambda: fig, rel_stem)
        plt.close(fig)
        return paths

    def figure(self, build: Callable[[], object], rel_stem: str) -> list[Path]:
        """Build a figure with ``build()`` and save it as PDF and PNG.

        With ``parallel`` (set by :func:`run`), a forked child builds, renders and writes it while the
        run goes on: the same code on the same data in the same process state, so the same bytes. At
        most :data:`MAX_FIGURE_WORKERS` children render at once (the others wait on a lock). The
        files are recorded by :meth:`wait_figures`, which :func:`run` calls before the report step.
        Without ``parallel`` this is ``save_figure(build(), rel_stem)``.
        """
        if not (self.parallel and hasattr(os, "fork")):
            return self.save_figure(build(), rel_stem)
        return self._figure_in_child(build, rel_stem)

    def _figure_in_child(self, build: Callable[[], object], rel_stem: str) -> list[Path]:
        import fcntl

        if not self._locks:
            _warm_up_figures()  # before the first fork, so that the children share it
            for _ in range(MAX_FIGURE_WORKERS):
                fd, lock = tempfile.mkstemp(prefix="mlmismatch-figure-", suffix=".lock")
                os.close(fd)
                self._locks.append(lock)
        lock = self._locks[self._n_figures % len(self._locks)]
        self._n_figures += 1
        stem = self.out / rel_stem
        paths = [stem.with_suffix(f".{fmt}") for fmt in FIGURE_FORMATS]

        def child() -> None:
            with open(lock, "rb") as fh:
                fcntl.flock(fh, fcntl.LOCK_EX)  # released when the child exits
                writers.save_figure(build(), stem, formats=FIGURE_FORMATS)

        self._figures.append((_fork(child), rel_stem, paths))
        return paths

    def _reap_figure(self, entry) -> None:
        pid, rel_stem, paths = entry
        if _wait(pid) != 0:
            raise RuntimeError(f"saving figure {rel_stem} failed (see the traceback above)")
        for p in paths:
            self._record(p)

    def wait_figures(self) -> None:
        """Wait for every figure being saved in a child process and record its files; raise if one failed."""
        error: RuntimeError | None = None
        while self._figures:
            try:
                self._reap_figure(self._figures.pop(0))
            except RuntimeError as exc:
                error = error or exc
        for lock in self._locks:
            if os.path.exists(lock):
                os.unlink(lock)
        self._locks.clear()
        if error is not None:
            raise error

    # --- work in a forked child process -----------------------------------------------------
    def spawn(self, key: str, fn: Callable[[], object]) -> None:
        """Start computing ``fn()`` in a forked child (with ``parallel``; else nothing happens and
        :meth:`join` computes it). Only for pure computations: the child writes no output file."""
        if not (self.parallel and hasattr(os, "fork")) or key in self._jobs:
            return
        fd, tmp = tempfile.mkstemp(prefix="mlmismatch-job-", suffix=".pickle")
        os.close(fd)

        def job() -> None:
            with open(tmp, "wb") as fh:
                pickle.dump(fn(), fh, protocol=pickle.HIGHEST_PROTOCOL)

        self._jobs[key] = (_fork(job), tmp)

    def join(self, key: str, fn: Callable[[], object]) -> object:
        """The result of the job ``key`` started by :meth:`spawn`, or ``fn()`` computed here."""
        job = self._jobs.pop(key, None)
        if job is None:
            return fn()
        pid, tmp = job
        try:
            if _wait(pid) != 0:
                raise RuntimeError(f"background job {key} failed (see the traceback above)")
            with open(tmp, "rb") as fh:
                return pickle.load(fh)
        finally:
            os.unlink(tmp)

    def cancel_jobs(self) -> None:
        for key in list(self._jobs):
            pid, tmp = self._jobs.pop(key)
            _wait(pid)
            if os.path.exists(tmp):
                os.unlink(tmp)

    def header(self, comment: str = "#") -> str:
        """A provenance line for text artifacts: toolkit version and input SHA-256s."""
        return f"{comment} generated by mlmismatch {__version__}; inputs: {inputs_summary()}"


#: Figure children rendering at once (others wait on a lock); MLMISMATCH_FIGURE_WORKERS overrides it.
MAX_FIGURE_WORKERS = int(os.environ.get("MLMISMATCH_FIGURE_WORKERS", "0")) or max(1, os.cpu_count() or 1)
FIGURE_FORMATS = ("pdf", "png")


def _warm_up_figures() -> None:
    """Import the plotting stack and render a throw-away figure once in this process, so that the forked
    children share the imports and first-use set-up (fonts, image plugins) instead of each repeating them."""
    import io

    import matplotlib.pyplot as plt

    from .style import paper_style

    with paper_style():
        fig, ax = plt.subplots(figsize=(1, 1))
        ax.set_title("warm-up", fontweight="bold")
        ax.text(0.5, 0.5, "0%", fontsize=6)
        fig.tight_layout()
    for fmt in FIGURE_FORMATS:
        fig.savefig(io.BytesIO(), format=fmt, dpi=72, bbox_inches="tight")
    plt.close(fig)


def _fork(fn: Callable[[], object]) -> int:
    """Run ``fn`` in a forked child that exits with 0 on success, 1 on an exception (traceback on stderr)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        gc.disable()  # short-lived: a collection would only copy the parent's pages (copy-on-write)
        status = 1
        try:
            fn()
            status = 0
        except BaseException:  # noqa: BLE001 - reported by the exit status; the child must reach os._exit
            traceback.print_exc()
        finally:
            os._exit(status)
    return pid


def _wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def inputs_summary() -> str:
    from .sources import provenance

    return ", ".join(f"{p['file'].rsplit('/', 1)[-1]} sha256={p['sha256'][:16]}" for p in provenance()
                     if not p["source"].startswith("sei-")) or "none"


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Context], None]
    description: str = ""
    #: Optional: called (once the first step has run, so the workbooks are loaded) to start work the
    #: step will need in the background, with :meth:`Context.spawn`.
    prepare: Callable[[Context], None] | None = None


def _steps() -> list[Step]:
    """All steps in order. Imported lazily so that ``--help`` does not load pandas."""
    from . import categories, extend_report, mapping_report, report, survey_report

    return [*categories.STEPS, *survey_report.STEPS, *mapping_report.STEPS, *extend_report.STEPS, *report.STEPS]


def run(ctx: Context, progress: Callable[[str], None] | None = None, only: list[str] | None = None,
        on_done: Callable[[str], None] | None = None) -> Context:
    """Run every step (or those named in ``only``) and write ``manifest.json``.

    ``progress`` is called with a step's name before it runs, ``on_done`` after. Figures are built and
    saved, and the code-suggestion evaluation runs, in forked child processes (:attr:`Context.parallel`;
    set ``MLMISMATCH_SEQUENTIAL=1`` to run everything in this process); everything is waited for
    before ``manifest.json`` is written, and the outputs are the same bytes either way.
    """
    steps = [s for s in _steps() if not only or s.name in only]
    parallel = ctx.parallel
    # fork() only where it is safe with the libraries loaded (not macOS: system frameworks; not Windows)
    ctx.parallel = sys.platform.startswith("linux") and os.environ.get("MLMISMATCH_SEQUENTIAL", "") in ("", "0")
    try:
        for i, step in enumerate(steps):
            if progress:
                progress(step.name)
            step.run(ctx)
            if on_done:
                on_done(step.name)
            if i == 0:
                for later in steps[1:]:
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
    from .sources import provenance

    manifest = {
        "generator": f"mlmismatch {__version__}",
        "inputs": provenance(),
        "outputs": dict(sorted(ctx.written.items())),
    }
    return writers.write_text(ctx.out / "manifest.json", json.dumps(manifest, indent=2, sort_keys=False))
