"""Fixtures of the integration tests: the notebooks, executed once per session (see tests/support/notebooks.py)."""

from __future__ import annotations

import pytest

import notebooks as nbsupport

#: Variables a notebook's checks read besides the ones its exercise cells define.
EXTRA_ANSWERS = {"05_extend_the_taxonomy": ["my_codes"]}


@pytest.fixture(scope="session")
def executed_notebooks(coding_path, tmp_path_factory) -> dict[str, nbsupport.Executed]:
    """Every notebook of notebooks/, executed with the inline backend (two at a time), by stem."""
    answers = {p.stem: nbsupport.exercise_names(p) + EXTRA_ANSWERS.get(p.stem, []) for p in nbsupport.NOTEBOOKS}
    return nbsupport.execute_all(nbsupport.NOTEBOOKS, tmp_path_factory.mktemp("notebooks"), answers)
