"""Fixtures of the integration tests: the notebooks, executed once per session (see tests/support/notebooks.py),
and SEI's TEC detection code as a test oracle (tests/support/tec_oracle.py; never copied into the project)."""

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


@pytest.fixture(scope="session")
def tec():
    """TEC's detection module, loaded from ``MLMISMATCH_TEC_DIR`` or ``$MLMISMATCH_DATA_DIR/tec`` (under
    ``CI=true`` its absence fails the test, elsewhere it skips)."""
    import tec_oracle

    from need import need

    oracle = tec_oracle.load()
    if oracle is None:
        need("the TEC oracle", f"set {tec_oracle.ENV} or MLMISMATCH_DATA_DIR to a folder with tec/api/")
    return oracle
