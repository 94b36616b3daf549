"""The example systems and hand-made documents checked against the published SEI schemas.

Moved from the unit tests, which build tiny schemas instead (tests/unit/test_detect_tiny.py).
"""

from __future__ import annotations

import json

import pytest
from detect_cases import EXAMPLES, _copy_system, EXPECTED, IMPORTANCE, INSTANCES, MAPPING, _docs, _fraud, keyed, run_cli

from mlmismatch import detection as detect
from mlmismatch.core.errors import InputError

pytestmark = pytest.mark.integration


@pytest.fixture
def schemas(sei_schemas_dir):
    """The published schemas are reachable (the CLI finds them the same way: data dir or cache)."""
    return sei_schemas_dir


@pytest.mark.parametrize("system", sorted(EXPECTED))
def test_example_findings(system, schemas):
    report = detect.check(EXAMPLES / system)
    assert keyed(report.findings) == sorted(EXPECTED[system])
    assert report.exit_code() == (0 if not EXPECTED[system] else 1)


@pytest.mark.parametrize("system", sorted(EXPECTED))
def test_example_formats(system, schemas, capsys):
    expected = sorted(EXPECTED[system])
    code, out, _ = run_cli(["check", str(EXAMPLES / system), "--format", "json", "--no-rank-data"], capsys)
    assert code == (1 if expected else 0)
    data = json.loads(out)
    got = sorted((f["kind"], f["rule_id"], f["descriptors"][0], tuple(f["paths"])) for f in data["findings"])
    assert got == expected
    for f in data["findings"]:  # the JSON contract
        assert set(f) >= {"kind", "rule_id", "sei_rule", "descriptors", "paths", "message", "subcategories"}
        assert f["kind"] in ("invalid", "missing", "rule", "drift")
        if f["kind"] == "rule":
            assert f["subcategories"]
    sei = {f["rule_id"]: f["sei_rule"] for f in data["findings"] if f["kind"] == "rule"}
    assert all(v is None or isinstance(v, str) for v in sei.values())

    code, out, _ = run_cli(["check", str(EXAMPLES / system), "--format", "sarif", "--no-rank-data",
                            "--sarif-root", str(EXAMPLES.parents[1])], capsys)
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == sorted(e[1] for e in expected)
    rule_ids = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    for r in results:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith(f"descriptors/examples/{system}/")  # relative to the cwd
        assert loc["artifactLocation"]["uriBaseId"] == "SRCROOT"
        assert loc["region"]["startLine"] >= 1 and loc["region"]["startColumn"] >= 1

    for fmt in ("markdown", "html", "terminal"):
        code, out, _ = run_cli(["check", str(EXAMPLES / system), "--format", fmt, "--no-rank-data", "--top", "0"], capsys)
        assert code == (1 if expected else 0)
        for kind, rid, *_ in expected:
            if kind == "rule":
                assert rid in out
        if not expected:
            assert "No findings" in out


def test_output_file(schemas, tmp_path, capsys):
    target = tmp_path / "report.md"
    code, out, _ = run_cli(["check", str(EXAMPLES / "traffic-signs"), "-f", "markdown", "-o", str(target),
                            "--no-rank-data"], capsys)
    assert code == 1 and out == ""
    assert "R06" in target.read_text()


def test_fail_on_and_no_gaps(schemas, capsys):
    code, _, _ = run_cli(["check", str(EXAMPLES / "customer-churn"), "--fail-on", "drift", "--no-rank-data"], capsys)
    assert code == 0
    report = detect.check(EXAMPLES / "traffic-signs", gaps=False)
    assert {f.kind for f in report.findings} == {"rule"}


def test_check_with_observed_labels_adds_drift(schemas, capsys):
    d = EXAMPLES / "credit-card-fraud"
    code, out, _ = run_cli(["check", str(d), "-f", "json", "--no-rank-data", "--observed", str(d / "observed_labels.csv")],
                           capsys)
    data = json.loads(out)
    assert code == 1
    assert [f["kind"] for f in data["findings"]] == ["drift"]
    assert "fraud" in data["findings"][0]["message"]


def test_every_validation_error_is_listed(schemas, tmp_path):
    d = _copy_system(tmp_path)
    tm = json.loads((d / "trained_model.json").read_text())
    tm["training_date"] = "yesterday"
    tm["ensemble"] = "no"
    tm["inference_time"]["unit"] = "Days"
    del tm["model_name"]
    (d / "trained_model.json").write_text(json.dumps(tm))
    report = detect.check(d, gaps=False)
    invalid = {(f.rule_id, f.paths[0]) for f in report.findings if f.kind == "invalid"}
    assert invalid == {("schema:format", "$.training_date"), ("schema:type", "$.ensemble"),
                       ("schema:enum", "$.inference_time.unit"), ("schema:required", "$.model_name")}
    assert all(f.files == ["trained_model.json"] for f in report.findings if f.kind == "invalid")


def test_older_versions_validate_against_their_own_schema(schemas, tmp_path):
    d = _copy_system(tmp_path)
    pe = json.loads((d / "production_environment.json").read_text())
    pe["version"] = "1.0"  # 1.0 has no deployment_* attributes but allows extra ones
    (d / "production_environment.json").write_text(json.dumps(pe))
    report = detect.check(d)
    assert report.findings == []


def test_gaps_with_subcategories_and_ranking(schemas):
    s = _fraud()
    s["trained_model"]["model_output_interpretation"] = " "
    s["trained_model"]["model_version"] = ""
    s["production_environment"]["model_logs"].append({"log": "", "implementation": "x"})
    del s["raw_data"]
    gaps = detect.information_gaps(_docs(s), MAPPING)
    by_path = {f.paths[0]: f for f in gaps}
    assert by_path["$.model_output_interpretation"].subcategories == ["(TM) Model Output Interpretation"]
    assert by_path["$.model_logs[1].log"].subcategories == ["(OE) Runtime Metrics and Data"]
    absent = by_path["$"]
    assert absent.descriptors == ["raw_data"] and absent.subcategories == ["(RD) Metadata"]

    ranked = detect.rank_gaps(gaps, detect.weights_from_study(INSTANCES, IMPORTANCE))
    assert ranked[0].paths == ["$.model_version"]  # seen 5 times in the study
    assert ranked[0].frequency == 5
    ds = detect.rank_gaps(gaps, detect.weights_from_study(INSTANCES, IMPORTANCE), role="data science")
    assert ds[0].paths == ["$.model_output_interpretation"]  # what data scientists miss most
    assert ds[0].importance == 90.0
    se = detect.rank_gaps(gaps, detect.weights_from_study(INSTANCES, IMPORTANCE), role="Software Engineering")
    assert se[0].paths == ["$.model_version"]
    with pytest.raises(InputError, match="unknown role 'Managers'"):
        detect.rank_gaps(gaps, detect.weights_from_study(INSTANCES, IMPORTANCE), role="Managers")


def test_gaps_without_mapping(schemas):
    s = _fraud()
    s["trained_model"]["model_description"] = ""
    gaps = detect.information_gaps(_docs(s), None)
    assert [(g.paths, g.subcategories) for g in gaps] == [(["$.model_description"], [])]


def test_conditional_attributes_are_not_gaps(schemas):
    s = _fraud()  # not an ensemble, no post-processing, no 'Other' algorithm: their companions may be empty
    assert s["trained_model"]["model_composition_details"] == ""
    assert detect.information_gaps(_docs(s), None) == []
    s["trained_model"]["ensemble"] = True
    assert [g.paths for g in detect.information_gaps(_docs(s), None)] == [["$.model_composition_details"]]


@pytest.mark.parametrize("system", sorted(EXPECTED))
def test_terminal_output_fits_80_columns(system, schemas, capsys):
    """Not a terminal: 80 columns; long messages and JSON paths wrap, the gap table narrows."""
    code, out, _ = run_cli(["check", str(EXAMPLES / system), "--top", "0"], capsys)
    assert out.strip()
    assert max(len(line) for line in out.splitlines()) <= 80
    for kind, rid, *_ in EXPECTED[system]:
        if kind == "rule":
            assert rid in out
