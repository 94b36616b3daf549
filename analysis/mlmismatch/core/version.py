"""The toolkit's version, single-sourced from the installed package's metadata (``pyproject.toml``).

Read on first use: :mod:`importlib.metadata` costs about 25 ms to import, which ``mlmismatch --help``
does not need to pay.

>>> import mlmismatch
>>> version() == mlmismatch.__version__
True
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def version() -> str:
    """The installed mlmismatch version (``0+unknown`` from a tree that was never installed)."""
    from importlib import metadata

    try:
        return metadata.version("mlmismatch")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
