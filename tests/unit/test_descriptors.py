"""Derived descriptor schemas: valid JSON Schema, traced, deterministic, stale detection, comparison, bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from mlmismatch.mapping import derive as ds
from mlmismatch.descriptors import schemas
from mlmismatch.core.errors import InputError

from test_mapping import ATTRIBUTES, CODEBOOK, INSTANCES, load, write_mapping

PUBLISHED = {
    "trained_model": {"type": "object", "properties": {
        "version": {"type": "string", "enum": ["1.2"]},
        "model_name": {"type": "string", "description": "Trained model name"},
        "model_version": {"type": "string", "description": "Trained model version"},
        "computing_resource_reqs": {"type": "object", "description": "Computing resources required", "properties": {
            "gpu": {"type": "integer", "description": "GPUs"}, "cpu": {"type": "integer", "description": "CPUs"}},
            "required": ["gpu", "cpu"]}}},
    "production_environment": {"type": "object", "properties": {
        "computing_resources": {"type": "object", "properties": {
            "gpu": {"type": "integer"}, "cpu": {"type": "integer"}}},
        "documentation": {"type": "array", "items": {"type": "object"}}}},
    "training_data": {"type": "object", "properties": {"dataset_version": {"type": "string"}}},
}
TABLE2 = pd.DataFrame([("Trained Model", "Versioning", "Data Science", 9, 10, 90.0),
                       ("Trained Model", "Versioning", "Software Engineering", 4, 5, 80.0)],
                      columns=["category", "subcategory", "role", "n_important", "n_respondents", "pct"])


@pytest.fixture
def derived(tmp_path):
    md = load(write_mapping(tmp_path / "mapping"))
    return ds.derive(md.attributes, INSTANCES, ATTRIBUTES, PUBLISHED, TABLE2)


def test_derived_schemas_are_valid_json_schema(derived):
    assert set(derived) == {"trained_model", "production_environment", "training_data"}
    for kind, schema in derived.items():
        schemas.check_schema(schema)
        assert schema["$id"] == f"urn:mlmismatch:descriptor:{kind}:derived"
        assert schema["properties"]["version"] == {"const": ds.DERIVED_VERSION,
                                                   "description": "Version of the derived descriptor schema"}
        assert schema["required"] == list(schema["properties"])


def test_derived_structure_and_trace(derived):
    tm = derived["trained_model"]["properties"]
    assert list(tm) == ["version", "model_version", "computing_resource_reqs"]  # published order, only mapped
    crr = tm["computing_resource_reqs"]
    assert crr["type"] == "object" and list(crr["properties"]) == ["gpu", "cpu"]  # published child order
    assert crr["properties"]["cpu"]["description"] == "CPUs needed."  # our rationale, not the schema's text
    tr = tm["model_version"][ds.TRACE]
    assert tr["status"] == "published" and tr["published_paths"] == {"1.0": "model_version", "1.1": "model_version",
                                                                      "1.2": "model_version"}
    assert tr["subcategories"] == [{"subcategory": "(TM) Versioning", "n_instances": 2,
                                    "evidence": ["M01-01", "M02-02"],
                                    "important_pct": {"Data Science": 90.0, "Software Engineering": 80.0}}]
    assert crr[ds.TRACE]["rule_ids"] == ["R01"]
    pe = derived["production_environment"]["properties"]
    assert pe["deployed_model_version"]["type"] == "string"
    assert pe["deployed_model_version"][ds.TRACE]["status"] == "proposed"
    assert pe["deployed_model_version"][ds.TRACE]["published_paths"] == {"1.0": None, "1.1": None, "1.2": None}


def test_documents_validate_against_derived(derived):
    v = schemas.compile_schema(derived["trained_model"])
    good = {"version": ds.DERIVED_VERSION, "model_version": "3", "computing_resource_reqs": {"gpu": 1, "cpu": 2}}
    assert not list(v.iter_errors(good))
    bad = {"version": "1.2", "model_version": 3}
    assert len(list(v.iter_errors(bad))) == 3  # wrong version, wrong type, missing resources


def test_deterministic_write_and_stale(tmp_path, derived):
    out = tmp_path / "derived"
    ds.write_derived(derived, out)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    ds.write_derived(derived, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first
    assert ds.stale(derived, out) == []
    changed = json.loads(json.dumps(derived))
    changed["training_data"]["properties"]["dataset_version"]["description"] = "edited"
    assert ds.stale(changed, out) == ["training_data"]
    (out / "raw_data_schema.json").write_text("{}")
    assert ds.stale(derived, out) == ["raw_data_schema.json"]
    assert json.loads(first["trained_model_schema.json"]) == derived["trained_model"]


def test_compare_with_published_versions(derived):
    detail = ds.compare(derived, ATTRIBUTES)
    tm12 = detail[(detail["descriptor"] == "trained_model") & (detail["version"] == "1.2")]
    sides = dict(zip(tm12["path"].where(tm12["path"] != "", tm12["published_path"]), tm12["side"]))
    assert sides["model_version"] == "both"
    assert sides["computing_resource_reqs.cpu"] == "both"
    assert sides["model_name"] == "only published"
    pe = detail[(detail["descriptor"] == "production_environment") & (detail["version"] == "1.0")]
    row = pe[pe["path"] == "deployed_model_version"].iloc[0]
    assert row["side"] == "only derived" and row["meaning"] == ds.MEANING_PROPOSED
    doc = pe[pe["published_path"] == "documentation"].iloc[0]
    assert doc["meaning"] == ds.MEANING_BOOKKEEPING
    summary = ds.comparison_summary(detail, derived)
    s = summary.set_index(["descriptor", "version"])
    assert s.loc[("trained_model", "1.0"), "n_published"] == 6  # 5 + old_field; version left out
    assert s.loc[("trained_model", "1.2"), "n_both"] == 4
    assert s.loc[("trained_model", "1.2"), "n_derived"] == 4
    assert s.loc[("production_environment", "1.2"), "n_proposed"] == 1
    assert set(summary["version"]) == {"1.0", "1.1", "1.2"}
    assert {"All"} <= set(summary["descriptor"])


def test_comparison_table_reads_files(tmp_path, derived):
    out = tmp_path / "d"
    ds.write_derived(derived, out)
    t = ds.comparison_table(directory=out, attributes=ATTRIBUTES)
    assert list(t.columns[:5]) == ["descriptor", "version", "n_published", "n_derived", "n_both"]


def test_bad_derived_schema_file_is_one_line_exit_2(tmp_path, capsys):
    from mlmismatch.cli import main as cli

    d = tmp_path / "derived"
    d.mkdir()
    (d / "trained_model_schema.json").write_text('{"type": "object",\n "properties": {"a": }}')
    with pytest.raises(SystemExit) as exc:
        cli.main(["descriptors", "compare", "--derived-dir", str(d)])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "trained_model_schema.json, line 2" in err and "not valid JSON" in err
    (d / "trained_model_schema.json").write_text('{"type": "objekt"}')
    with pytest.raises(InputError, match=r"trained_model_schema.json, at \$.type: not a valid JSON Schema"):
        schemas.read_schema_file(d / "trained_model_schema.json")
