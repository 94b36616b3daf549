"""Render the API reference with pdoc (``make docs``): ``python docs/build_api.py OUTPUT_DIR``.

``mlmismatch`` imports its public names lazily (so that ``mlmismatch --help`` stays fast); pdoc
documents what a module's namespace holds, so the names are resolved first.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pdoc

import mlmismatch

#: The layers, in the order of the study's story.
MODULES = ["mlmismatch", "mlmismatch.core", "mlmismatch.sources", "mlmismatch.study", "mlmismatch.analyses",
           "mlmismatch.replication", "mlmismatch.descriptors", "mlmismatch.mapping", "mlmismatch.detection",
           "mlmismatch.extend", "mlmismatch.pipeline", "mlmismatch.cli"]


def main(out: str) -> None:
    for name in mlmismatch.__all__:
        setattr(mlmismatch, name, getattr(mlmismatch, name))
    pdoc.render.configure(docformat="numpy", footer_text=f"mlmismatch {mlmismatch.__version__}", search=True)
    pdoc.pdoc(*MODULES, output_directory=Path(out))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/docs/api")
