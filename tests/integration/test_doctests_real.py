"""Docstring examples that read the study's data (the workbooks and the SEI schemas)."""

from __future__ import annotations

import pytest
from doctests import DATA_MODULES, run_doctests

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("name", sorted(DATA_MODULES))
def test_doctests_on_the_real_data(name, coding_path, survey_path, sei_schemas_dir):
    result = run_doctests(name)
    assert result.failed == 0 and result.attempted > 0
