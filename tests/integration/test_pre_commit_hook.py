"""Where teams run checks: the pre-commit hook, run for real through ``pre-commit try-repo`` (it
clones this repository, builds a virtual environment and pip-installs the package: needs PyPI or
the local wheel mirror), and the composite GitHub Action's definition."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "descriptors" / "examples"


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.email=test@example.invalid", "-c", "user.name=test", *args], cwd=cwd,
                   check=True, capture_output=True)


def _try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "mlmismatch-check",
                           "--all-files", "--verbose"], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=1800)


def test_the_hook_runs_through_pre_commit_try_repo(tmp_path, sei_schemas_dir):
    from need import need

    try:
        import pre_commit  # noqa: F401 (the dev extra)
    except ImportError:
        need("pre-commit", "pip install 'pre-commit>=3.5' (in the dev extra)")
    if not (REPO / ".git").exists():
        need("a git checkout of the repository", "pre-commit try-repo clones it")
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copytree(EXAMPLES / "credit-card-fraud", repo / "systems" / "fraud")
    (repo / "package.json").write_text("{}\n")  # a JSON file that is no descriptor: ignored
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "a consistent system")
    home = tmp_path / "pre-commit-home"

    clean = _try_repo(repo, home)
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-3000:]
    assert "mlmismatch check" in clean.stdout and "Passed" in clean.stdout

    shutil.copytree(EXAMPLES / "traffic-signs", repo / "systems" / "signs")
    _git(repo, "add", ".")
    failing = _try_repo(repo, home)
    assert failing.returncode == 1, failing.stdout[-3000:] + failing.stderr[-3000:]
    assert "Failed" in failing.stdout
    assert "R06" in failing.stdout and "systems/signs" in failing.stdout
    assert "systems/fraud" in failing.stdout  # both folders checked, each once


def test_the_hook_definition():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "mlmismatch-check" and hook["language"] == "python"
    assert hook["entry"].split()[-1] == "check-files"
    assert "json" in hook["files"] and "ya?ml" in hook["files"]


def test_the_github_action_runs_the_check_and_uploads_sarif(capsys):
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert action["inputs"]["directory"]["required"] is True
    steps = action["runs"]["steps"]
    run = next(s for s in steps if s.get("id") == "check")["run"]
    assert "mlmismatch --quiet check" in run and "--format sarif" in run and "--sarif-root" in run
    upload = next(s for s in steps if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert any("exit ${{ steps.check.outputs.exit-code }}" in s.get("run", "") for s in steps)
    # every option the action passes exists on the command
    from mlmismatch.cli.main import main

    with pytest.raises(SystemExit):
        main(["check", "--help"])
    help_text = capsys.readouterr().out
    for option in ("--format", "--output", "--sarif-root", "--fail-on", "--top"):
        assert option in help_text, option
