"""Profiling a table (a DataFrame, a CSV or a Parquet file) in bounded memory.

A file is read in chunks of :data:`CHUNK_ROWS` rows (pandas' C parser for a CSV, record batches for
a Parquet file), so memory stays bounded whatever its size: per column the profile keeps counts, sums, the minimum
and maximum, and the category counts of text and boolean columns up to :data:`MAX_CATEGORIES`
distinct values (beyond that it records only that there are more). Every statistic is computed over
every row; nothing is sampled.

>>> import pandas as pd
>>> p = profile(pd.DataFrame({"x": [1.0, 2.0, None], "y": ["a", "b", "a"]}))
>>> p.n_rows, p.column("x").field_type, p.column("x").n_missing, p.column("y").categories
(3, 'float', 1, {'a': 2, 'b': 1})
"""

from __future__ import annotations

import hashlib
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from mlmismatch.core.errors import InputError, Location
from mlmismatch.sources import sha256_file

#: Text and boolean columns keep their category counts up to this many distinct values.
MAX_CATEGORIES = 50
#: Rows read at a time (the memory bound of reading, besides the category counts).
CHUNK_ROWS = 100_000
#: Longest text value kept as a category (longer values are counted, not kept).
MAX_CATEGORY_LENGTH = 200
TABULAR_SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass
class Column:
    """What is known of one column after reading every row."""

    name: str
    field_type: str  # integer | float | boolean | string | datetime | other
    n: int = 0  # rows
    n_missing: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    minimum: Any = None
    maximum: Any = None
    categories: dict[str, int] | None = field(default_factory=dict)  # None: more than MAX_CATEGORIES
    count_categories: bool = False  # also for a numeric column (a label column of integers)

    @property
    def numeric(self) -> bool:
        return self.field_type in ("integer", "float")

    @property
    def n_present(self) -> int:
        return self.n - self.n_missing

    @property
    def mean(self) -> float | None:
        return self.total / self.n_present if self.numeric and self.n_present else None

    @property
    def std(self) -> float | None:
        """The sample standard deviation (n - 1), or None with fewer than two values."""
        k = self.n_present
        if not self.numeric or k < 2:
            return None
        var = (self.total_sq - self.total * self.total / k) / (k - 1)
        return math.sqrt(max(var, 0.0))


@dataclass
class Profile:
    """A table's profile: its columns in order, the number of rows, and where it came from."""

    columns: list[Column]
    n_rows: int
    source: str  # file name, or "DataFrame"
    sha256: str  # of the file's bytes, or of the DataFrame's rows
    sha256_of: str  # "file" or "rows"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _field_type(series) -> str:
    """The descriptor's type of a pandas column: integer, float, boolean, string, datetime or other."""
    kind = series.dtype.kind
    if kind == "b":
        return "boolean"
    if kind in "iu":
        return "integer"
    if kind == "f":
        return "float"
    if kind in "mM":
        return "datetime"
    if kind == "O" or str(series.dtype) in ("string", "str") or kind in "SU":
        present = series.dropna()
        if len(present) and all(isinstance(v, bool) for v in present.head(1000)) and \
                present.map(lambda v: isinstance(v, bool)).all():
            return "boolean"
        return "string"
    return "other"


#: When a column's type changes between chunks: the type that holds both.
_WIDER = {frozenset({"integer", "float"}): "float", frozenset({"integer", "boolean"}): "string",
          frozenset({"float", "boolean"}): "string"}


class _Retype(Exception):
    """A later chunk holds text in a column read so far as numbers: read it again as text."""

    def __init__(self, name: str):
        self.name = name


def _update(col: Column, series) -> None:
    """Add one chunk's values of a column to its running profile."""
    import numpy as np

    kind = _field_type(series)
    if kind != col.field_type and not (kind == "string" and series.isna().all()):
        wider = "string" if "string" in (kind, col.field_type) else _WIDER.get(frozenset({kind, col.field_type}), "string")
        if wider == "string" and col.field_type != "string" and col.n:
            raise _Retype(col.name)
        col.field_type = wider
    col.n += len(series)
    missing = series.isna()
    col.n_missing += int(missing.sum())
    present = series[~missing]
    if col.numeric:
        values = present.to_numpy(dtype=np.float64)
        if len(values):
            col.total += float(values.sum())
            col.total_sq += float(np.dot(values, values))
            lo, hi = values.min(), values.max()
            if col.field_type == "integer":
                lo, hi = int(lo), int(hi)
            else:
                lo, hi = float(lo), float(hi)
            col.minimum = lo if col.minimum is None else min(col.minimum, lo)
            col.maximum = hi if col.maximum is None else max(col.maximum, hi)
    if col.field_type in ("string", "boolean") or col.count_categories:
        if col.categories is not None and len(present):
            for value, n in present.value_counts(sort=False).items():
                key = str(value).lower() if isinstance(value, (bool, np.bool_)) else str(value)
                if len(key) > MAX_CATEGORY_LENGTH:
                    col.categories = None
                    break
                col.categories[key] = col.categories.get(key, 0) + int(n)
            if col.categories is not None and len(col.categories) > MAX_CATEGORIES:
                col.categories = None
    elif col.field_type == "datetime" and len(present):
        lo, hi = present.min(), present.max()
        col.minimum = lo if col.minimum is None else min(col.minimum, lo)
        col.maximum = hi if col.maximum is None else max(col.maximum, hi)


def _profile_chunks(chunks: Iterator, source: str, sha: str, sha_of: str, categorical: tuple[str, ...] = ()) -> Profile:
    """Profile an iterator of DataFrame chunks with the same columns."""
    columns: list[Column] | None = None
    n_rows = 0
    for chunk in chunks:
        if columns is None:
            columns = [Column(name=str(c), field_type=_field_type(chunk[c]), count_categories=str(c) in categorical)
                       for c in chunk.columns]
        n_rows += len(chunk)
        for col, name in zip(columns, chunk.columns):
            _update(col, chunk[name])
    return Profile(columns=columns or [], n_rows=n_rows, source=source, sha256=sha, sha256_of=sha_of)


def _regular_file(path: Path) -> None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError("file not found", Location(file=path), expected="a CSV or Parquet file") from None
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", Location(file=path)) from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError("not a regular file", Location(file=path), expected="a CSV or Parquet file")


def profile_csv(path: Path, categorical: tuple[str, ...] = ()) -> Profile:
    """Profile a CSV in bounded memory (pandas' C parser, :data:`CHUNK_ROWS` rows at a time). A column
    whose later values do not fit the type of the first chunks is read again as text."""
    import pandas as pd

    _regular_file(path)
    sha = sha256_file(path)
    as_text: dict[str, type] = {}
    while True:
        try:
            chunks = pd.read_csv(path, chunksize=CHUNK_ROWS, dtype=as_text or None, low_memory=False,
                                 encoding="utf-8", encoding_errors="strict")
            with chunks:
                return _profile_chunks(chunks, path.name, sha, "file", categorical)
        except _Retype as exc:
            as_text[exc.name] = str
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", Location(file=path.name),
                             expected="a UTF-8 CSV file with a header row") from None
        except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
            first = " ".join(str(exc).split())[:200]
            raise InputError(f"not a readable CSV ({first})", Location(file=path.name),
                             expected="a CSV file with a header row") from None


def profile_parquet(path: Path, categorical: tuple[str, ...] = ()) -> Profile:
    """Profile a Parquet file one record batch at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    _regular_file(path)
    sha = sha256_file(path)
    try:
        pf = pq.ParquetFile(path)
        batches = (b.to_pandas() for b in pf.iter_batches(batch_size=CHUNK_ROWS))
        return _profile_chunks(batches, path.name, sha, "file", categorical)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"not a readable Parquet file ({type(exc).__name__})", Location(file=path.name),
                         expected="a Parquet file") from None
    except _Retype as exc:  # pragma: no cover - a Parquet column has one type
        raise InputError(f"column '{exc.name}' changes type", Location(file=path.name)) from None


def profile_frame(df, categorical: tuple[str, ...] = ()) -> Profile:
    """Profile a pandas DataFrame (its SHA-256 is of its rows, through pandas' row hashes)."""
    import pandas as pd

    digest = hashlib.sha256(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    digest.update("\x1f".join(map(str, df.columns)).encode())
    chunks = (df.iloc[i:i + CHUNK_ROWS] for i in range(0, max(len(df), 1), CHUNK_ROWS))
    try:
        return _profile_chunks(chunks, "DataFrame", digest.hexdigest(), "rows", categorical)
    except _Retype as exc:  # pragma: no cover - a DataFrame column has one dtype
        raise InputError(f"column '{exc.name}' changes type", Location(file="DataFrame")) from None


def profile(source, categorical: tuple[str, ...] = ()) -> Profile:
    """Profile a DataFrame or a ``.csv`` / ``.parquet`` file; ``categorical`` names columns whose
    categories are counted whatever their type (a label column of integers)."""
    if hasattr(source, "columns") and hasattr(source, "dtypes"):
        return profile_frame(source, categorical)
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return profile_csv(path, categorical)
    if suffix in (".parquet", ".pq"):
        return profile_parquet(path, categorical)
    raise InputError(f"unsupported file type '{path.suffix}'", Location(file=path.name),
                     expected="a .csv or .parquet file (or a pandas DataFrame from the Python API)")
