"""Running the package's docstring examples as tests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

#: Modules whose examples load the study's workbooks or the published SEI schemas (integration).
DATA_MODULES = {"mlmismatch", "mlmismatch.study.coding", "mlmismatch.study.survey", "mlmismatch.analyses.survey_stats",
                "mlmismatch.detection.steps"}


def all_modules() -> list[str]:
    import mlmismatch

    names = ["mlmismatch"]
    for info in pkgutil.walk_packages(mlmismatch.__path__, "mlmismatch."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return names


def run_doctests(name: str) -> doctest.TestResults:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name):  # each sees a copy of its module's globals
        runner.run(test)
    return runner.summarize(verbose=False)
