"""The toolkit's version, single-sourced from the installed package's metadata (``pyproject.toml``)."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("mlmismatch")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
    __version__ = "0+unknown"
