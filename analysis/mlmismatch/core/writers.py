"""Writers at the edge: atomic, deterministic files.

Nothing is ever half-written: every writer writes to a temporary file in the target folder and
renames it into place. Text outputs use ``\\n`` line endings and UTF-8; figures carry fixed
metadata so that two runs give the same bytes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it to ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(target: str | Path, text: str) -> Path:
    """Write text atomically (UTF-8, LF line endings, one trailing newline)."""
    if not text.endswith("\n"):
        text += "\n"
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")
    return Path(target)


def write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def write_csv(target: str | Path, df: "pd.DataFrame", **kwargs) -> Path:
    """Write a table as CSV atomically (no index, LF line endings, floats as written by pandas)."""
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\n")
    return write_text(target, df.to_csv(**kwargs))


# Fixed metadata so figures are byte-identical across runs.
PDF_METADATA = {"Creator": "mlmismatch", "Producer": "mlmismatch", "CreationDate": None, "ModDate": None}
PNG_METADATA = {"Software": "mlmismatch"}


def save_figure(fig: "Figure", stem: str | Path, formats: tuple[str, ...] = ("pdf", "png"), dpi: int = 200) -> list[Path]:
    """Save a matplotlib figure as ``stem.pdf`` and ``stem.png`` deterministically and atomically."""
    import matplotlib.pyplot as plt

    written = []
    stem = Path(stem)
    for fmt in formats:
        target = stem.with_suffix(f".{fmt}")
        meta = PDF_METADATA if fmt == "pdf" else PNG_METADATA if fmt == "png" else None
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=meta, bbox_inches="tight")
        written.append(target)
    plt.close(fig)
    return written
