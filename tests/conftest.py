"""Shared fixtures: the repository root, one CLI runner, the study's data and a tiny schema set.

Integration tests need the study's data: ``MLMISMATCH_DATA_DIR`` (CI points it at ../shared) or
the user cache. Under ``CI=true`` missing data is a failure, never a skip. Unit tests build their
own inputs; those that need descriptor schemas use :func:`tiny_schemas`, a data directory with
small schemas the tests write themselves, instead of the downloaded SEI schemas.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


def _hypothesis_outside_the_checkout() -> None:
    """Hypothesis keeps its files (example database, caches) in ``./.hypothesis`` by default; the tests
    write only to temporary folders, so it gets one of its own (the property tests also pass
    ``database=None``)."""
    import atexit
    import shutil
    import tempfile

    from hypothesis.configuration import set_hypothesis_home_dir

    home = tempfile.mkdtemp(prefix="mlmismatch-hypothesis-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    set_hypothesis_home_dir(home)


_hypothesis_outside_the_checkout()

REPO = Path(__file__).resolve().parents[1]
# Helpers shared by unit and integration tests (builders, the TEC oracle, doctest runner).
sys.path.insert(0, str(REPO / "tests" / "support"))

from need import need  # noqa: E402


def _real(source_id: str) -> Path:
    from mlmismatch.core.errors import InputError
    from mlmismatch.sources import Store

    try:
        return Store(download=False).resolve(source_id).path
    except InputError as exc:
        need("the study's data", str(exc))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def coding_path() -> Path:
    return _real("coding")


@pytest.fixture(scope="session")
def survey_path() -> Path:
    return _real("survey")


@pytest.fixture(scope="session")
def paper_path() -> Path:
    """The paper's PDF (the pinned ``paper`` source); under ``CI=true`` its absence is a failure."""
    return _real("paper")


@pytest.fixture(scope="session")
def real_store(coding_path):
    """A store over the real data (shared by a test session: parsed workbooks and schemas are memoized)."""
    from mlmismatch.sources import Store

    return Store(download=False)


@pytest.fixture(scope="session")
def coding_data(coding_path):
    from mlmismatch.study import coding

    return coding.load_coding(path=coding_path)


@pytest.fixture(scope="session")
def survey_data(survey_path):
    from mlmismatch.study import survey

    return survey.load_survey(path=survey_path)


@pytest.fixture(scope="session")
def sei_schemas_dir() -> Path:
    """Folder holding the published SEI schemas (1.0/, 1.1/, 1.2/)."""
    return _real("sei-1.2-trained_model").parents[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run ``mlmismatch ARGS`` in-process: ``cli("check", "DIR")`` -> :class:`CliResult` (exit code, stdout, stderr).

    ``--quiet`` is added unless ``quiet=False``; ``env`` sets environment variables for the run.
    """
    from mlmismatch.cli.main import main

    def run(*args: str, quiet: bool = True, env: dict | None = None) -> CliResult:
        for key, value in (env or {}).items():
            if value is None:
                monkeypatch.delenv(key, raising=False)
            else:
                monkeypatch.setenv(key, value)
        capsys.readouterr()
        code = 0
        try:
            main((["--quiet"] if quiet else []) + [str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


# --------------------------------------------------------------------------------------------
# A tiny descriptor-schema data directory (unit tests never need the downloaded SEI schemas)
# --------------------------------------------------------------------------------------------

TINY_TRAINED_MODEL = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Trained Model",
    "type": "object",
    "required": ["version", "model_name"],
    "properties": {
        "version": {"type": "string"},
        "model_name": {"type": "string"},
        "trained_on": {"type": "string", "format": "date"},
        "model_outputs": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "type": {"type": "string", "enum": ["", "Integer", "Float", "String", "Other"]},
        }}},
    },
}


def _tiny_schema(kind: str) -> dict:
    from mlmismatch.descriptors.schemas import TITLES

    if kind == "trained_model":
        return TINY_TRAINED_MODEL
    return {"$schema": "http://json-schema.org/draft-07/schema#", "title": TITLES[kind], "type": "object",
            "required": ["version"], "properties": {"version": {"type": "string"}, "name": {"type": "string"}}}


@pytest.fixture
def tiny_schemas(tmp_path):
    """A data directory with small schemas for every kind and version, laid out like ../shared.

    Returns a :class:`mlmismatch.sources.Store` over it (the files differ from the pinned ones, so
    the store notes a notice per file; tests that count notices use their own store).
    """
    import json

    from mlmismatch.descriptors.schemas import KINDS, VERSIONS
    from mlmismatch.sources import Store

    for version in VERSIONS:
        folder = tmp_path / "sei-descriptors" / version
        folder.mkdir(parents=True)
        for kind in KINDS:
            (folder / f"{kind}_schema.json").write_text(json.dumps(_tiny_schema(kind)), encoding="utf-8")
    return Store(data_dir=tmp_path, download=False)


@pytest.fixture
def browser(tmp_path):
    """A headless Chromium (Selenium, the system's chromium-driver); closed after the test."""
    import browser as browser_support

    driver = browser_support.start(tmp_path / "chromium-profile")
    try:
        yield driver
    finally:
        driver.quit()
