"""The docstring examples of every module run as doctests (those that read the study's data run in
``tests/integration/test_doctests_real.py``)."""

from __future__ import annotations

import pytest
from doctests import DATA_MODULES, all_modules, run_doctests

import mlmismatch


@pytest.mark.parametrize("name", [n for n in all_modules() if n not in DATA_MODULES])
def test_doctests(name):
    assert run_doctests(name).failed == 0


def test_public_api_has_examples():
    """The curated API documents itself with numpydoc ``Examples`` sections."""
    for name in ("load_coding", "load_survey", "category_counts", "subcategory_counts", "important_by_role",
                 "load_claims", "reproduce"):
        assert "Examples\n    --------" in getattr(mlmismatch, name).__doc__, name


def test_enough_examples_run():
    assert sum(run_doctests(n).attempted for n in all_modules() if n not in DATA_MODULES) >= 25
