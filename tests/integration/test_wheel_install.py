"""The built wheel works outside the checkout: packaged data, no study data where none is needed.

Builds the sdist and, from it, the wheel (``python -m build``), installs the wheel with its
dependencies into a fresh virtual environment in a temporary folder, and runs the installed
``mlmismatch`` from another directory. Needs PyPI (dependencies) and, for the commands that read
the study, the data directory (``MLMISMATCH_DATA_DIR``; CI points it at ../shared).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.wheel]

REPO = Path(__file__).resolve().parents[2]
RESOURCE_FOLDERS = {"data": "mlmismatch/data", "descriptors/derived": "mlmismatch/descriptors/derived",
                    "paper/published": "mlmismatch/replication/published",
                    "descriptors/examples": "mlmismatch/examples"}


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory) -> Path:
    """A fresh virtual environment (outside the checkout) with the wheel and its dependencies."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True, clear=True)
    py = env_dir / "bin" / "python"
    wheel = next(dist.glob("*.whl"))
    proc = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return env_dir


def _files_in_git(folder: str) -> list[str]:
    out = subprocess.run(["git", "-C", str(REPO), "ls-files", folder], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if line and not line.endswith(".py")]


def test_wheel_and_sdist_carry_every_packaged_file(dist):
    wheel = zipfile.ZipFile(next(dist.glob("*.whl"))).namelist()
    sdist = tarfile.open(next(dist.glob("*.tar.gz"))).getnames()
    top = sdist[0].split("/")[0]
    missing = []
    for folder, package in RESOURCE_FOLDERS.items():
        files = _files_in_git(folder)
        assert files, folder
        for f in files:
            rel = f[len(folder) + 1:]
            if rel.endswith("README.md") and "/" in rel and folder == "descriptors/derived":
                continue
            if f"{package}/{rel}" not in wheel:
                missing.append(f"wheel: {package}/{rel}")
            if f"{top}/{f}" not in sdist:
                missing.append(f"sdist: {f}")
    assert missing == []
    assert "mlmismatch/py.typed" in wheel
    assert not any(n.startswith(("tests/", "paper/generated", "notebooks/")) for n in wheel)


class Installed:
    def __init__(self, env_dir: Path, cwd: Path, env: dict):
        self.bin = env_dir / "bin"
        self.cwd = cwd
        self.env = env

    def run(self, *args: str, data_dir: Path | None = None, input_: str | None = None):
        env = dict(self.env)
        if data_dir is not None:
            env["MLMISMATCH_DATA_DIR"] = str(data_dir)
        return subprocess.run([str(self.bin / "mlmismatch"), *map(str, args)], capture_output=True, text=True,
                              cwd=self.cwd, env=env, input=input_, timeout=300)

    def python(self, code: str):
        return subprocess.run([str(self.bin / "python"), "-c", code], capture_output=True, text=True, cwd=self.cwd,
                              env=self.env, check=True).stdout.strip()


@pytest.fixture(scope="module")
def app(installed, tmp_path_factory) -> Installed:
    cwd = tmp_path_factory.mktemp("elsewhere")
    env = {"PATH": f"{installed / 'bin'}:/usr/bin:/bin", "HOME": str(cwd), "MLMISMATCH_CACHE": str(cwd / "cache"),
           "COLUMNS": "200", "MPLBACKEND": "Agg", "LANG": "C.UTF-8"}
    return Installed(installed, cwd, env)


@pytest.fixture(scope="module")
def schemas_only(sei_schemas_dir, tmp_path_factory) -> Path:
    """A data directory with the SEI schemas and no study workbook."""
    d = tmp_path_factory.mktemp("schemas-only")
    shutil.copytree(sei_schemas_dir, d / "sei-descriptors")
    return d


@pytest.fixture(scope="module")
def full_data(coding_path, survey_path, sei_schemas_dir) -> Path:
    return coding_path.parents[1]


def test_runs_from_the_wheel_not_the_checkout(app):
    location = app.python("import mlmismatch, pathlib; print(pathlib.Path(mlmismatch.__file__).parent)")
    assert "site-packages" in location and str(REPO) not in location
    assert app.run("--help").returncode == 0 and app.run("-h").returncode == 0
    assert app.python("import mlmismatch; print(mlmismatch.__version__)") == "0.1.0"


def test_check_an_example_without_study_data(app, schemas_only):
    example = app.python("from mlmismatch.core.resources import path; print(path('examples', 'traffic-signs'))")
    proc = app.run("-q", "check", example, "--format", "json", data_dir=schemas_only)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    rules = sorted({f["rule_id"] for f in report["findings"] if f["kind"] == "rule"})
    assert rules == ["R02", "R06", "R07", "R08", "R12", "R13", "R14", "R18", "R28", "R29", "R30", "R31"]
    gaps = [f for f in report["findings"] if f["kind"] == "missing"]
    assert gaps and all(g["frequency"] for g in gaps)  # ranked by the packaged aggregates
    clean = app.run("-q", "check", example.replace("traffic-signs", "credit-card-fraud"), data_dir=schemas_only)
    assert clean.returncode == 0, clean.stderr


def test_descriptors_new_without_study_data(app, schemas_only):
    proc = app.run("-q", "descriptors", "new", "trained_model", data_dir=schemas_only)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["version"] == "1.2"


def test_study_commands_with_the_data_directory(app, full_data):
    cats = app.run("-q", "categories", "--level", "category", data_dir=full_data)
    assert cats.returncode == 0 and "Trained Model" in cats.stdout and "232 instances" in cats.stdout, cats.stderr
    sug = app.run("-q", "suggest", "The model's output format was not what the UI expected", data_dir=full_data)
    assert sug.returncode == 0 and "(TM)" in sug.stdout, sug.stderr
    claims = app.run("-q", "claims", "--status", "differs", "--csv", data_dir=full_data)
    assert claims.returncode == 0 and claims.stdout.startswith("claim_id,location"), claims.stderr
    mapping = app.run("-q", "mapping", "--section", "rules", data_dir=full_data)
    assert mapping.returncode == 0 and "all checks passed" in mapping.stdout, mapping.stderr


def test_reproduce_outside_a_checkout_writes_to_the_working_directory(app, full_data):
    proc = app.run("-q", "reproduce", "--only", "categories", data_dir=full_data)
    assert proc.returncode == 0, proc.stderr
    assert (app.cwd / "mlmismatch-output" / "tables" / "categories.csv").is_file()
    site = Path(app.python("import mlmismatch, pathlib; print(pathlib.Path(mlmismatch.__file__).parent)"))
    assert not (site / "paper").exists() and not any(site.rglob("categories.csv"))


def test_no_data_gives_one_line_not_a_traceback(app, tmp_path):
    proc = app.run("categories", data_dir=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "missing file replication-package/Mismatch-Open-Coding-Final.xlsx" in proc.stderr
