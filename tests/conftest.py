"""Shared fixtures.

Integration tests need the study's data: ``MLMISMATCH_DATA_DIR`` (CI points it at ../shared) or
the user cache. Under ``CI=true`` missing data is a failure, never a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]


def _real(source_id: str) -> Path:
    from mlmismatch import sources
    from mlmismatch.errors import InputError

    try:
        return sources.resolve(source_id, download=False).path
    except InputError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and the study's data is missing: {exc}")
        pytest.skip(f"study data not available: {exc}")


@pytest.fixture(scope="session")
def coding_path() -> Path:
    return _real("coding")


@pytest.fixture(scope="session")
def survey_path() -> Path:
    return _real("survey")


@pytest.fixture(scope="session")
def coding_data(coding_path):
    from mlmismatch import coding

    return coding.load_coding(path=coding_path)


@pytest.fixture(scope="session")
def survey_data(survey_path):
    from mlmismatch import survey

    return survey.load_survey(path=survey_path)


@pytest.fixture(scope="session")
def sei_schemas_dir() -> Path:
    """Folder holding the published SEI schemas (1.0/, 1.1/, 1.2/)."""
    return _real("sei-1.2-trained_model").parents[1]


@pytest.fixture
def repo_root() -> Path:
    return REPO
