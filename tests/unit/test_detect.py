"""``mlmismatch check``: loading safely, the three steps, every output format and exit code.

Tests that validate documents need the published SEI schemas (the ``sei_schemas_dir`` fixture:
MLMISMATCH_DATA_DIR or the user cache; CI fails without them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mlmismatch import detection as detect
from mlmismatch.detection import documents
from mlmismatch.core.errors import InputError

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "descriptors" / "examples"

# Exactly what each example system produces: (kind, rule_id, first descriptor, paths).
EXPECTED = {
    "credit-card-fraud": [],
    "traffic-signs": [
        ("missing", "gap:attribute", "production_environment", ("$.deployment_mechanism",)),
        ("missing", "gap:attribute", "production_environment", ("$.deployment_platform",)),
        ("missing", "gap:attribute", "system_context", ("$.goals[0].baseline", "$.goals[1].baseline")),
        ("missing", "gap:attribute", "system_context", ("$.goals[1].metric",)),
        ("rule", "R02", "trained_model", ("$.model_components[0].programming_languages[1]",)),
        ("rule", "R06", "trained_model", ("$.final_output_spec[0].item_type", "$.downstream_components[0].input_spec[0].item_type")),
        ("rule", "R07", "trained_model", ("$.final_output_spec[1].component_mapping.component",
                                          "$.final_output_spec[1].component_mapping.data_item")),
        ("rule", "R08", "development_environment", ("$.downstream_components[0].input_spec[1].item_name",)),
        ("rule", "R12", "trained_model", ("$.computing_resource_reqs.gpu", "$.computing_resources.gpu")),
        ("rule", "R13", "trained_model", ("$.computing_resource_reqs.memory", "$.computing_resources.memory")),
        ("rule", "R14", "trained_model", ("$.ml_frameworks[1]",)),
        ("rule", "R18", "trained_model", ("$.inference_time.time", "$.required_inference_time.time")),
        ("rule", "R28", "trained_model", ("$.data_pipeline_identifier", "$.pipeline_identifier")),
        ("rule", "R29", "trained_model", ("$.training_data_identifier", "$.dataset_identifier")),
        ("rule", "R30", "training_data", ("$.raw_data_identifier", "$.dataset_identifier")),
        ("rule", "R31", "trained_model", ("$.final_output_spec[2].component_mapping",)),
    ],
    "customer-churn": [
        ("invalid", "schema:format", "trained_model", ("$.documentation[0].location",)),
        ("invalid", "schema:format", "trained_model", ("$.training_date",)),
        ("invalid", "schema:required", "trained_model", ("$.data_buffering_reqs",)),
        ("missing", "gap:attribute", "trained_model", ("$.data_buffering_reqs",)),
        ("missing", "gap:attribute", "trained_model", ("$.model_output_interpretation",)),
        ("missing", "gap:attribute", "training_data", ("$.schema[2].mapping_production_data",)),
        ("rule", "R01", "system_context", ("$.goals[2].id",)),
        ("rule", "R03", "trained_model", ("$.output_spec[0].item_type", "$.downstream_components[0].input_spec[0].item_type")),
        ("rule", "R04", "trained_model", ("$.output_spec[1].component_mapping.component",
                                          "$.output_spec[1].component_mapping.data_item")),
        ("rule", "R05", "development_environment", ("$.downstream_components[0].input_spec[1].item_name",)),
        ("rule", "R09", "data_pipeline", ("$.input_spec[0].item_type", "$.upstream_components[0].output_spec[0].item_type")),
        ("rule", "R10", "data_pipeline", ("$.input_spec[1].component_mapping.component",
                                          "$.input_spec[1].component_mapping.data_item")),
        ("rule", "R11", "development_environment", ("$.upstream_components[0].output_spec[1].item_name",)),
        ("rule", "R15", "trained_model", ("$.business_metrics[0].metric",)),
        ("rule", "R16", "trained_model", ("$.algorithm_metrics[0].metric",)),
        ("rule", "R17", "trained_model", ("$.log_data[0].log",)),
        ("rule", "R19", "trained_model", ("$.user_system_feedback[0].short_name",)),
        ("rule", "R20", "training_data", ("$.schema[0].field_type", "$.schema[0].field_type")),
        ("rule", "R21", "training_data", ("$.schema[2].mapping_production_data",)),
        ("rule", "R22", "production_data", ("$.schema[2].field_name",)),
        ("rule", "R23", "training_data", ("$.statistics[1].value", "$.statistics[1].value")),
        ("rule", "R24", "training_data", ("$.distribution[0].percentage", "$.distribution[0].percentage")),
        ("rule", "R24", "training_data", ("$.distribution[1].percentage", "$.distribution[1].percentage")),
        ("rule", "R25", "trained_model", ("$.output_spec[2].component_mapping",)),
        ("rule", "R26", "data_pipeline", ("$.input_spec[2].component_mapping",)),
        ("rule", "R27", "training_data", ("$.schema[3].mapping_production_data",)),
    ],
}


@pytest.fixture
def schemas(sei_schemas_dir):
    """The published schemas are reachable (the CLI finds them the same way: data dir or cache)."""
    return sei_schemas_dir


def keyed(findings):
    return sorted((f.kind, f.rule_id, f.descriptors[0], tuple(f.paths)) for f in findings)


def run_cli(args, capsys):
    from mlmismatch.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["--quiet", *args])
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


# -------------------------------------------------------------------------------------------
# Example systems: exactly the expected findings, in every format
# -------------------------------------------------------------------------------------------

def test_examples_cover_every_rule():
    from mlmismatch.detection.rules import load_rules

    fired = {rid for rows in EXPECTED.values() for kind, rid, *_ in rows if kind == "rule"}
    assert fired == {r.id for r in load_rules()}
    assert EXPECTED["credit-card-fraud"] == []  # one consistent system


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

    code, out, _ = run_cli(["check", str(EXAMPLES / system), "--format", "sarif", "--no-rank-data"], capsys)
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == sorted(e[1] for e in expected)
    rule_ids = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    for r in results:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith(str(EXAMPLES / system))

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


# -------------------------------------------------------------------------------------------
# Validation
# -------------------------------------------------------------------------------------------

def _copy_system(tmp_path, system="credit-card-fraud"):
    out = tmp_path / "sys"
    out.mkdir()
    for p in (EXAMPLES / system).glob("*.json"):
        (out / p.name).write_text(p.read_text())
    return out


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


# -------------------------------------------------------------------------------------------
# Bad input: one line, exit 2, nothing else checked
# -------------------------------------------------------------------------------------------

def _one(tmp_path, name, text):
    d = tmp_path / "d"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text)
    return d


@pytest.mark.parametrize("name,text,pattern", [
    ("trained_model.json", '{"version": "1.2",\n  "model_name": }', r"trained_model.json, line 2, column 17: malformed JSON"),
    ("trained_model.yaml", "version: '1.2'\nmodel_name: [unclosed\n", r"trained_model.yaml, line 3, column 1: malformed YAML"),
    ("trained_model.yaml", "version: '1.2'\nx: !!python/object/apply:os.system ['true']\n", r"malformed YAML"),
    ("model.json", '{"version": "1.2"}', r"unknown descriptor kind 'model'"),
    ("trained_model.json", '{"version": "2.0"}', r"unknown descriptor version '2.0'"),
    ("trained_model.json", '{"model_name": "x"}', r"no 'version'"),
    ("trained_model.json", '[1, 2]', r"must be an object"),
    ("trained_model.yaml", "version: '1.2'\n---\nversion: '1.2'\n", r"2 YAML documents"),
])
def test_bad_documents(tmp_path, name, text, pattern):
    d = _one(tmp_path, name, text)
    with pytest.raises(InputError, match=pattern) as exc:
        detect.load_system(d)
    assert "\n" not in str(exc.value)


def test_bad_input_exit_code_2(tmp_path, capsys):
    d = _one(tmp_path, "trained_model.json", "{")
    code, out, err = run_cli(["check", str(d)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "malformed JSON" in err


def test_two_documents_of_one_kind(tmp_path):
    d = _one(tmp_path, "trained_model.json", '{"version": "1.2"}')
    (d / "fraud.trained_model.yaml").write_text("version: '1.2'\n")
    with pytest.raises(InputError, match="two documents of kind trained_model"):
        detect.load_system(d)


def test_empty_and_missing_directory(tmp_path):
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "README.md").write_text("not a descriptor")
    with pytest.raises(InputError, match="no descriptor documents"):
        detect.load_system(tmp_path / "e")
    with pytest.raises(InputError, match="no such directory"):
        detect.load_system(tmp_path / "nope")


def test_huge_and_deep_documents(tmp_path, monkeypatch):
    deep = "[" * (detect.MAX_DEPTH + 5) + "]" * (detect.MAX_DEPTH + 5)
    d = _one(tmp_path, "trained_model.json", '{"version": "1.2", "x": ' + deep + "}")
    with pytest.raises(InputError, match=f"nested deeper than {detect.MAX_DEPTH}"):
        detect.load_system(d)
    monkeypatch.setattr(documents, "MAX_FILE_BYTES", 100)
    d2 = tmp_path / "big"
    d2.mkdir()
    (d2 / "raw_data.json").write_text('{"version": "1.2", "pad": "' + "x" * 200 + '"}')
    with pytest.raises(InputError, match="at most 100 bytes"):
        detect.load_system(d2)


def test_yaml_alias_bomb_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_NODES", 1000)
    lines = ["version: '1.2'", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    d = _one(tmp_path, "raw_data.yaml", "\n".join(lines) + "\n")
    docs = detect.load_system(d)  # aliases are shared, counted once, never expanded
    assert docs[0].kind == "raw_data"


def test_symlink_out_of_directory(tmp_path):
    outside = tmp_path / "secret.json"
    outside.write_text('{"version": "1.2"}')
    d = tmp_path / "d"
    d.mkdir()
    (d / "trained_model.json").symlink_to(outside)
    with pytest.raises(InputError, match="symbolic link leads out of the directory"):
        detect.load_system(d)


def test_yaml_dates_stay_strings(tmp_path):
    d = _one(tmp_path, "trained_model.yaml", "version: '1.2'\ntraining_date: 2021-03-01\n")
    assert detect.load_system(d)[0].data["training_date"] == "2021-03-01"


def test_kind_from_filename():
    assert detect.kind_from_filename(Path("trained-model.json")) == "trained_model"
    assert detect.kind_from_filename(Path("fraud.production_data.yml")) == "production_data"
    assert detect.kind_from_filename(Path("notes.json")) is None


# -------------------------------------------------------------------------------------------
# Information gaps: subcategories and ranking (small mapping, instances, importance built here)
# -------------------------------------------------------------------------------------------

MAPPING = pd.DataFrame([
    ("Trained Model", "Model Output Interpretation", "trained_model", "model_output_interpretation"),
    ("Trained Model", "Versioning", "trained_model", "model_version"),
    ("Operational Environment", "Runtime Metrics and Data", "production_environment", "model_logs[].log"),
    ("Raw Data", "Metadata", "raw_data", "metadata.collection_date"),
], columns=["category", "subcategory", "descriptor", "path"])
INSTANCES = pd.DataFrame([("Trained Model", "Versioning", f"M{i}") for i in range(5)]
                         + [("Trained Model", "Model Output Interpretation", "M9")],
                         columns=["category", "subcategory", "mismatch_id"])
IMPORTANCE = pd.DataFrame([
    ("TM", "Versioning", "Data Science", 1, 10), ("TM", "Versioning", "Software Engineering", 9, 10),
    ("TM", "Model Output Interpretation", "Data Science", 9, 10),
    ("TM", "Model Output Interpretation", "Software Engineering", 2, 10),
], columns=["category", "subcategory", "role", "n_important", "n_respondents"])


def _docs(system: dict) -> list[detect.Document]:
    return [detect.make_document(k, v, f"{k}.json") for k, v in system.items()]


def _fraud() -> dict:
    return {p.stem: json.loads(p.read_text()) for p in (EXAMPLES / "credit-card-fraud").glob("*.json")}


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


def test_gap_mapping_absent_file(tmp_path):
    assert detect.load_mapping(tmp_path / "none.csv") is None
