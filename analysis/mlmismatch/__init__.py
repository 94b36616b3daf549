"""mlmismatch: replicate and extend the ML-mismatch study (Lewis, Bellomo, Ozkaya; WAIN 2021).

The stable public API is the names in :data:`__all__`: loaders that return tidy pandas tables,
pure analyses from tables to tables, the descriptor check, and ``reproduce``. Everything else is
reachable through the subpackages, whose layout tells the study's story::

    core -> sources -> study -> analyses -> replication -> descriptors -> mapping
         -> detection -> extend -> pipeline -> cli

Heavy libraries are imported only when a name is first used, so ``import mlmismatch`` and
``mlmismatch --help`` stay fast.

Examples
--------
>>> import mlmismatch
>>> data = mlmismatch.load_coding()
>>> mlmismatch.category_counts(data.instances).head(2)
                  category category_code  n_instances  share_pct
0            Trained Model            TM           84  36.206897
1  Operational Environment            OE           38  16.379310
>>> from mlmismatch.core.resources import path
>>> mlmismatch.check(path("examples", "traffic-signs")).exit_code()
1
"""

from __future__ import annotations

from importlib import import_module
from typing import Any


#: name -> module that defines it (imported on first use).
_API = {
    # where the data is
    "Store": "mlmismatch.sources",
    # the study's data as tidy tables
    "load_coding": "mlmismatch.study.coding",
    "load_codebook": "mlmismatch.study.coding",
    "load_survey": "mlmismatch.study.survey",
    # analyses: tables in, tables out
    "category_counts": "mlmismatch.analyses.categories",
    "subcategory_counts": "mlmismatch.analyses.categories",
    "mismatches_per_interview": "mlmismatch.analyses.categories",
    "pairs_per_mismatch": "mlmismatch.analyses.categories",
    "cooccurrence": "mlmismatch.analyses.categories",
    "demographics": "mlmismatch.analyses.survey_stats",
    "distribution": "mlmismatch.analyses.survey_stats",
    "important_by_role": "mlmismatch.analyses.survey_stats",
    "role_differences": "mlmismatch.analyses.survey_stats",
    # the replication
    "load_claims": "mlmismatch.replication.claims",
    "reproduce_claims": "mlmismatch.replication.replicate",
    # detection
    "check": "mlmismatch.detection.steps",
    "Report": "mlmismatch.detection.findings",
    "Finding": "mlmismatch.core.findings",
    # everything
    "reproduce": "mlmismatch.pipeline.run",
    # errors
    "InputError": "mlmismatch.core.errors",
    "Location": "mlmismatch.core.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from mlmismatch.core.version import version

        return version()
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'mlmismatch' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
