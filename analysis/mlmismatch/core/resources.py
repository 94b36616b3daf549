"""The data the project owns, shipped inside the package and read with :mod:`importlib.resources`.

Four resource packages, mapped from the repository's folders by ``pyproject.toml``:

=================================== ============================ ==========================================
package                             folder in the repository     what
=================================== ============================ ==========================================
``mlmismatch.data``                 ``data/``                    sources registry, rules, mapping, practices,
                                                                 teaching data, aggregates
``mlmismatch.descriptors.derived``  ``descriptors/derived/``      the derived descriptor schemas
``mlmismatch.replication.published`` ``paper/published/``         the claims transcribed from the paper
``mlmismatch.examples``             ``descriptors/examples/``    three example systems' descriptors
=================================== ============================ ==========================================

The same code reads them from a checkout (editable install) and from an installed wheel.
Installed packages are unpacked on disk, so every resource is a real file: :func:`path` returns a
:class:`pathlib.Path`.

>>> path("data", "sources.toml").name
'sources.toml'
"""

from __future__ import annotations

from importlib import resources as _resources
from pathlib import Path

#: Resource roots: short name -> package.
PACKAGES = {
    "data": "mlmismatch.data",
    "derived": "mlmismatch.descriptors.derived",
    "published": "mlmismatch.replication.published",
    "examples": "mlmismatch.examples",
}

#: The folder ``reproduce`` writes to outside a checkout (relative to the working directory).
DEFAULT_OUTPUT = "mlmismatch-output"


def root(name: str) -> Path:
    """The folder of a resource package (``data``, ``derived``, ``published`` or ``examples``)."""
    traversable = _resources.files(PACKAGES[name])
    return Path(str(traversable))


def path(name: str, *parts: str) -> Path:
    """A file inside a resource package, e.g. ``path("data", "rules", "rules.yaml")``."""
    return root(name).joinpath(*parts)


def read_text(name: str, *parts: str) -> str:
    return path(name, *parts).read_text(encoding="utf-8")


def checkout_root(start: str | Path | None = None) -> Path | None:
    """The mlmismatch source checkout that contains the working directory (``start``), or None.

    Used only to choose default output folders: inside a checkout ``reproduce`` writes
    ``paper/generated/``; elsewhere it writes ``./mlmismatch-output/`` (never into site-packages).
    """
    here = Path(start) if start is not None else Path.cwd()
    for folder in (here, *here.parents):
        project = folder / "pyproject.toml"
        if project.is_file() and (folder / "paper" / "published").is_dir():
            try:
                text = project.read_text(encoding="utf-8")
            except OSError:
                return None
            if 'name = "mlmismatch"' in text:
                return folder
            return None
    return None


def default_output(start: str | Path | None = None) -> Path:
    """Where ``reproduce`` writes by default: ``paper/generated`` in a checkout, else ``./mlmismatch-output``."""
    root_ = checkout_root(start)
    if root_ is not None:
        return root_ / "paper" / "generated"
    return (Path(start) if start is not None else Path.cwd()) / DEFAULT_OUTPUT
