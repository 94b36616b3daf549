"""Writers at the edge: atomic, deterministic files.

Nothing is ever half-written: every writer writes to a temporary file in the target folder and
renames it into place. Text outputs use ``\\n`` line endings and UTF-8; figures carry fixed
metadata so that two runs give the same bytes.

An output that cannot be written (a read-only folder or file system, a path that is a directory
where a file is to be written or a file where a folder is needed, a full disk) raises a one-line
:class:`~mlmismatch.core.errors.InputError` naming the path (exit 2), never a traceback.
``write_csv(..., spreadsheet_safe=True)`` neutralizes text that a spreadsheet would run as a
formula (:func:`mlmismatch.core.text.spreadsheet_safe`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from mlmismatch.core.errors import InputError, Location

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure


OUTPUT_EXPECTED = "a writable output path (--out, -o, --output-dir)"

_REASONS = {
    errno.EACCES: "permission denied", errno.EPERM: "permission denied", errno.EROFS: "read-only file system",
    errno.EISDIR: "a directory is in the way", errno.ENOTDIR: "a file is in the way of a folder on the path",
    errno.EEXIST: "a file is in the way of a folder on the path", errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded", errno.ENAMETOOLONG: "the file name is too long",
    errno.ELOOP: "a symbolic link loop on the path",
}


def output_error(exc: OSError, target: str | Path) -> InputError:
    """The one-line error for an output that cannot be written."""
    reason = _REASONS.get(exc.errno or -1, exc.strerror or type(exc).__name__)
    return InputError(f"cannot write here: {reason}", Location(file=str(target)), expected=OUTPUT_EXPECTED)


def output_dir(folder: str | Path) -> Path:
    """Create the output folder ``folder`` (and its parents); a file in the way is a located error."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError("cannot write here: a file is in the way (a folder is needed)", Location(file=str(folder)),
                         expected=OUTPUT_EXPECTED)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, folder) from None
    return folder


@contextlib.contextmanager
def atomic_path(target: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it to ``target`` on success.

    An output path that cannot be written raises :class:`InputError` (see the module docstring).
    """
    target = Path(target)
    if target.is_dir():
        raise InputError("cannot write here: a directory is in the way (a file is needed)", Location(file=str(target)),
                         expected=OUTPUT_EXPECTED)
    output_dir(target.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or target.suffix, dir=target.parent)
    except OSError as exc:
        raise output_error(exc, target) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, target)
        except OSError as exc:
            raise output_error(exc, target) from None
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


def write_csv(target: str | Path, df: "pd.DataFrame", spreadsheet_safe: bool = False, **kwargs) -> Path:
    """Write a table as CSV atomically (no index, LF line endings, floats as written by pandas).

    ``spreadsheet_safe`` neutralizes every text cell and header that a spreadsheet would read as a
    formula (OWASP's CSV-injection guidance: a leading ``'``); numbers are written unchanged.
    """
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\n")
    if spreadsheet_safe:
        df = spreadsheet_safe_table(df)
    return write_text(target, df.to_csv(**kwargs))


def spreadsheet_safe_table(df: "pd.DataFrame") -> "pd.DataFrame":
    """A copy of ``df`` whose text cells and column names are neutralized (numbers untouched)."""
    from mlmismatch.core.text import spreadsheet_safe

    out = df.copy()
    for col in out.columns:
        if out[col].dtype.kind in "iufb":
            continue
        values = out[col].astype(object)
        out[col] = values.map(spreadsheet_safe)
    out.columns = [spreadsheet_safe(c) for c in out.columns]
    return out


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
