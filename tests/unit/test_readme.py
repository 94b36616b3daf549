"""The README shows what exists: the two commands, and the replication summary in step with claims.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_gives_the_two_commands():
    assert "make reproduce" in README and "make test" in README


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in ci and "MLMISMATCH_DATA_DIR" in ci


def test_replication_summary_matches_committed_claims():
    from mlmismatch.replication.report import md_table, summary_table

    claims = pd.read_csv(REPO / "paper" / "generated" / "claims.csv", dtype=str, keep_default_na=False)
    expected = md_table(summary_table(claims)).strip()
    start = README.index("<!-- replication-summary:start -->") + len("<!-- replication-summary:start -->")
    end = README.index("<!-- replication-summary:end -->")
    assert README[start:end].strip() == expected, "README summary is stale: copy it from paper/generated/replication_report.md"


def test_citation_file_names_the_repository_and_the_study():
    import tomllib

    import yaml

    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert cff["cff-version"] == "1.2.0" and cff["version"] == version
    assert cff["repository-code"].startswith("https://") and cff["license"] == "BSD-3-Clause"
    study = cff["preferred-citation"]
    assert study["type"] == "conference-paper" and study["year"] == 2021
    assert [a["family-names"] for a in study["authors"]] == ["Lewis", "Bellomo", "Ozkaya"]


def test_readme_shows_pip_install_and_the_stable_api():
    import mlmismatch

    assert "pip install ." in README
    for name in mlmismatch.__all__:
        if name != "__version__":
            assert f"`{name}`" in README, name
