"""GitHub-grade SARIF from ``mlmismatch check -f sarif``: valid SARIF 2.1.0 (the OASIS schema, from
``../shared/sarif``), results with regions (line and column of the JSON path in the file, JSON and
YAML), rules with help and a help URI, artifact URIs relative to ``--sarif-root`` and percent-encoded."""

from __future__ import annotations

import json
import shutil

import pytest
from detect_cases import EXAMPLES, run_cli
from sarif_schema import validate_sarif

from mlmismatch import detection as detect
from mlmismatch.detection.render import to_sarif

pytestmark = pytest.mark.integration


@pytest.fixture
def odd_folder(tmp_path, sei_schemas_dir):
    """customer-churn (JSON and YAML, findings of every kind) under folders with a space, '#' and 'é'."""
    root = tmp_path / "repo root"
    target = root / "ml #1" / "churn é"
    shutil.copytree(EXAMPLES / "customer-churn", target)
    return root, target


def test_regions_help_and_encoded_uris(odd_folder, capsys):
    root, target = odd_folder
    code, out, _ = run_cli(["check", str(target), "-f", "sarif", "--no-rank-data", "--sarif-root", str(root)], capsys)
    assert code == 1
    log = validate_sarif(out)
    run = log["runs"][0]
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base.startswith("file:///") and base.endswith("/") and "repo%20root" in base
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    for r in rules.values():
        assert r["help"]["text"] and r["help"]["markdown"] and r["helpUri"].startswith("https://")
    assert "(SEI TEC rule 3A)" in rules["R03"]["help"]["markdown"]
    assert rules["R03"]["helpUri"].endswith("data/rules/README.md#rule-table")
    for res in run["results"]:
        for loc in res["locations"]:
            art = loc["physicalLocation"]["artifactLocation"]
            assert art["uriBaseId"] == "SRCROOT"
            assert art["uri"].startswith("ml%20%231/churn%20%C3%A9/"), art["uri"]
            assert " " not in art["uri"] and "#" not in art["uri"]
            assert loc["physicalLocation"]["region"]["startLine"] >= 1
    # the region is where the path is: R03's output type in trained_model.json (JSON), R09's in data_pipeline.yaml
    by_rule = {res["ruleId"]: res for res in run["results"]}
    for rid, descriptor_file in (("R03", "trained_model.json"), ("R09", "data_pipeline.yaml")):
        loc = by_rule[rid]["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith(descriptor_file)
        line = (target / descriptor_file).read_text().splitlines()[loc["region"]["startLine"] - 1]
        assert "item_type" in line[loc["region"]["startColumn"] - 1:], line


def test_outside_the_root_absolute_file_uris(odd_folder, tmp_path, capsys):
    root, target = odd_folder
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, out, _ = run_cli(["check", str(target), "-f", "sarif", "--no-rank-data", "--sarif-root", str(elsewhere)],
                           capsys)
    log = validate_sarif(out)
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for res in log["runs"][0]["results"]
            for loc in res["locations"]}
    assert uris and all(u.startswith("file:///") and "%23" in u and " " not in u for u in uris)


@pytest.mark.parametrize("system", ["credit-card-fraud", "traffic-signs", "customer-churn"])
def test_every_example_gives_valid_sarif(system, sei_schemas_dir):
    report = detect.check(EXAMPLES / system)
    log = validate_sarif(to_sarif(report, root=EXAMPLES))
    results = log["runs"][0]["results"]
    assert len(results) == len(report.findings)
    assert all("region" in loc["physicalLocation"] for r in results for loc in r["locations"])


def test_a_missing_attribute_points_at_its_parent(sei_schemas_dir, tmp_path):
    target = tmp_path / "sys"
    shutil.copytree(EXAMPLES / "credit-card-fraud", target)
    doc = json.loads((target / "trained_model.json").read_text())
    del doc["inference_time"]["unit"]
    (target / "trained_model.json").write_text(json.dumps(doc, indent=2))
    log = validate_sarif(to_sarif(detect.check(target, gaps=False), root=tmp_path))
    res = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "schema:required")
    line = (target / "trained_model.json").read_text().splitlines()[res["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
    assert '"inference_time"' in line


def test_check_of_a_valid_system_imports_nothing_heavy(sei_schemas_dir, tmp_path):
    """With the pinned schemas (trusted, not re-checked) and valid documents, `check` imports neither
    pandas nor jsonschema (jsonschema-rs says yes), nor the downloader."""
    from lean_check import run_check

    assert run_check(EXAMPLES / "credit-card-fraud", tmp_path / "report.json") == {"code": 0, "loaded": []}
