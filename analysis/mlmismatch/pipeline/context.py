"""The context every ``reproduce`` step writes through, and the :class:`Step` record.

A :class:`Context` holds the run's :class:`~mlmismatch.sources.Store` (data directory, cache,
strictness and provenance), loads each workbook once, and records every file written (with its
SHA-256) so that the replication report and ``manifest.json`` can state where each artifact came
from. Steps are plain functions ``step(ctx) -> None`` in :mod:`mlmismatch.pipeline.steps`.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from mlmismatch.core import writers
from mlmismatch.core.tables import to_latex, to_markdown
from mlmismatch.core.version import version
from mlmismatch.sources import Store

@dataclass
class Context:
    """One ``reproduce`` run: where it writes (``out``), the data (``store``), what it wrote."""

    out: Path
    store: Store = field(default_factory=Store)
    written: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    results: dict[str, object] = field(default_factory=dict)  # shared results between steps
    #: Save figures and run :meth:`spawn` jobs in forked child processes (set by :func:`run`; steps called
    #: directly stay sequential, so ``written`` is complete when ``save_figure`` returns).
    parallel: bool = False
    _figures: list = field(default_factory=list, init=False, repr=False)  # (pid, rel_stem, paths) being saved
    _locks: list = field(default_factory=list, init=False, repr=False)  # lock files: one per figure worker
    _n_figures: int = field(default=0, init=False, repr=False)
    _jobs: dict = field(default_factory=dict, init=False, repr=False)  # key -> (pid, result file)

    def __post_init__(self) -> None:
        self.out = Path(self.out)

    @cached_property
    def coding(self):
        from mlmismatch.study import coding

        return coding.load_coding(store=self.store)

    @cached_property
    def survey(self):
        from mlmismatch.study import survey

        return survey.load_survey(store=self.store)

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

    def write_table(self, stem: str, df, caption: str | None = None, csv: bool = True) -> None:
        """Write ``stem.csv``, ``stem.md`` and ``stem.tex`` (CSV for data, Markdown, LaTeX with booktabs)."""
        if csv:
            self.write_csv(f"{stem}.csv", df)
        md = (f"{caption}\n\n" if caption else "") + to_markdown(df)
        self.write_text(f"{stem}.md", md)
        label = "tab:" + stem.rsplit("/", 1)[-1].replace("_", "-")
        self.write_text(f"{stem}.tex", to_latex(df, caption=caption, label=label))

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
        return f"{comment} generated by mlmismatch {version()}; inputs: {inputs_summary(self.store)}"


#: Figure children rendering at once (others wait on a lock); MLMISMATCH_FIGURE_WORKERS overrides it.
MAX_FIGURE_WORKERS = int(os.environ.get("MLMISMATCH_FIGURE_WORKERS", "0")) or max(1, os.cpu_count() or 1)
FIGURE_FORMATS = ("pdf", "png")


def _warm_up_figures() -> None:
    """Import the plotting stack and render a throw-away figure once in this process, so that the forked
    children share the imports and first-use set-up (fonts, image plugins) instead of each repeating them."""
    import io

    import matplotlib.pyplot as plt

    from mlmismatch.core.style import paper_style

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


def inputs_summary(store: Store) -> str:
    return ", ".join(f"{p['file'].rsplit('/', 1)[-1]} sha256={p['sha256'][:16]}" for p in store.provenance()
                     if not p["source"].startswith("sei-")) or "none"


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Context], None]
    description: str = ""
    #: Optional: called (once the first step has run, so the workbooks are loaded) to start work the
    #: step will need in the background, with :meth:`Context.spawn`.
    prepare: Callable[[Context], None] | None = None


