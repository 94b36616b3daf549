"""Schemas (load, compile, attributes), derived schemas, migration round trips and skeletons."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from mlmismatch import detection as detect
from mlmismatch.descriptors import migrate
from mlmismatch.descriptors import schemas
from mlmismatch.sources import Store
from mlmismatch.core.errors import InputError

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "descriptors" / "examples"

SMALL = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "properties": {
        "version": {"const": "derived-0.1"},
        "name": {"type": "string", "description": "Name\n  of it"},
        "when": {"type": "string", "format": "date"},
        "kind": {"type": "string", "enum": ["A", "B"]},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "x": {"type": "integer"}, "y": {"type": "string"}}, "required": ["x"]}},
        "res": {"type": "object", "properties": {"cpu": {"type": "integer"}}, "required": ["cpu"]},
    },
    "required": ["version", "name", "items", "ghost"],
}


def test_schema_attributes_of_a_dict():
    df = schemas.schema_attributes(SMALL, "trained_model")
    assert list(df.columns) == schemas.ATTRIBUTE_COLUMNS
    rows = {r.path: r for r in df.itertuples()}
    assert set(rows) == {"version", "name", "when", "kind", "items", "items[].x", "items[].y", "res", "res.cpu", "ghost"}
    assert rows["version"].version == "derived-0.1" and rows["version"].enum == "derived-0.1"
    assert rows["kind"].enum == "A|B"
    assert rows["items"].type == "array[object]"
    assert rows["items[].x"].required and not rows["items[].y"].required
    assert not rows["res.cpu"].required  # parent 'res' is optional
    assert rows["ghost"].type == "undefined" and rows["ghost"].required
    assert rows["name"].description == "Name of it"


def test_read_schema_file_errors(tmp_path):
    bad = tmp_path / "x_schema.json"
    bad.write_text('{"type": "object",\n "properties": {]}')
    with pytest.raises(InputError, match=r"x_schema.json, line 2, column 17: not valid JSON"):
        schemas.read_schema_file(bad)
    bad.write_text(json.dumps({"type": "object", "properties": {"a": {"type": "strin"}}}))
    with pytest.raises(InputError, match=r"x_schema.json, at \$.properties.a.type: not a valid JSON Schema"):
        schemas.read_schema_file(bad)
    with pytest.raises(InputError, match="schema file not found"):
        schemas.read_schema_file(tmp_path / "none.json")


def test_compile_schema_checks_formats():
    v = schemas.compile_schema(SMALL)
    doc = {"version": "derived-0.1", "name": "n", "items": [], "ghost": 1, "when": "2021-02-30"}
    errors = [(schemas.json_path(e.absolute_path), e.validator) for e in schemas.iter_errors(v, doc)]
    assert errors == [("$.when", "format")]


def test_derived_documents(tmp_path):
    ddir = tmp_path / "derived"
    ddir.mkdir()
    (ddir / "trained_model_schema.json").write_text(json.dumps(SMALL))
    store = Store()
    v1 = schemas.derived_validator("trained_model", ddir, store=store)
    assert v1 is schemas.derived_validator("trained_model", ddir, store=store)  # compiled once per store
    assert v1 is not schemas.derived_validator("trained_model", ddir, store=Store())  # no module-level cache
    assert schemas.schema_version(schemas.load_derived("trained_model", ddir)) == "derived-0.1"
    sys_dir = tmp_path / "sys"
    sys_dir.mkdir()
    (sys_dir / "trained_model.json").write_text(json.dumps(
        {"version": "derived-0.1", "name": "", "items": [{"y": "a"}], "ghost": 0, "res": {"cpu": 1}}))
    report = detect.check(sys_dir, derived_dir=ddir)
    keyed = sorted((f.kind, f.paths[0]) for f in report.findings if f.descriptors == ["trained_model"])
    assert keyed == [("invalid", "$.items[0].x"), ("missing", "$.items[0].x"), ("missing", "$.kind"),
                     ("missing", "$.name"), ("missing", "$.when")]
    assert report.documents[0].derived
    (sys_dir / "trained_model.json").write_text(json.dumps({"version": "derived-9"}))
    with pytest.raises(InputError, match="unknown descriptor version 'derived-9'.*derived-0.1"):
        detect.check(sys_dir, derived_dir=ddir)


def test_skeleton_of_a_derived_schema():
    doc = migrate.skeleton("trained_model", schema=SMALL)
    assert schemas.iter_errors(schemas.compile_schema(SMALL), doc) == []
    assert doc["when"] == migrate.PLACEHOLDER_DATE and doc["kind"] == "A"


# ---------------------------------------------------------------- published schemas (real files)

@pytest.fixture
def published(sei_schemas_dir):
    return sei_schemas_dir


def test_published_attributes(published):
    df = schemas.attributes()
    assert list(df.columns) == schemas.ATTRIBUTE_COLUMNS
    assert set(df.version) == {"1.0", "1.1", "1.2"} and set(df.descriptor) == set(schemas.KINDS)
    tm12 = df[(df.descriptor == "trained_model") & (df.version == "1.2")].set_index("path")
    assert tm12.loc["error_handling", "type"] == "undefined" and tm12.loc["error_handling", "required"]
    assert "model_components[].learning_algorithm" in tm12.index
    assert "Convolutional Neural Network (CNN)" in tm12.loc["model_components[].learning_algorithm.algorithm", "enum"].split("|") \
        if "model_components[].learning_algorithm.algorithm" in tm12.index else True
    sc10 = df[(df.descriptor == "system_context") & (df.version == "1.0")]
    assert "business_goals[].id" in set(sc10.path) and "goals[].id" not in set(sc10.path)


def test_validators_are_cached_per_kind_and_version(published):
    store = Store()
    v = schemas.validator("trained_model", "1.1", store=store)
    assert v is schemas.validator("trained_model", "1.1", store=store)
    assert v is not schemas.validator("trained_model", "1.2", store=store)  # same $id, different schema
    assert schemas.load_schema("trained_model", "1.1") is not schemas.load_schema("trained_model", "1.1")


def test_unknown_kind_and_version():
    with pytest.raises(InputError, match="unknown descriptor kind 'model'"):
        schemas.validator("model", "1.2")
    with pytest.raises(InputError, match="unknown descriptor version '1.3'"):
        schemas.source_id("trained_model", "1.3")


@pytest.mark.parametrize("version", schemas.VERSIONS)
@pytest.mark.parametrize("kind", schemas.KINDS)
def test_skeletons_are_valid(published, kind, version):
    doc = migrate.skeleton(kind, version)
    assert schemas.validate(doc, kind, version) == []
    assert doc["version"] == version


def _system(name):
    out = {}
    for p in sorted((EXAMPLES / name).iterdir()):
        kind = detect.kind_from_filename(p)
        if kind:
            out[kind] = detect.read_document(p)
    return out


@pytest.mark.parametrize("kind", schemas.KINDS)
def test_migration_round_trips(published, kind):
    doc12 = _system("credit-card-fraud")[kind]
    old = {"1.2": doc12, "1.1": migrate.migrate(kind, doc12, "1.1"), "1.0": migrate.migrate(kind, doc12, "1.0")}
    for version, doc in old.items():
        assert doc["version"] == version
        assert schemas.validate(doc, kind, version) == []
    # upgrading loses nothing: old -> newer -> old is the identity, and every step validates
    for a, b in [("1.0", "1.1"), ("1.0", "1.2"), ("1.1", "1.2")]:
        up = migrate.migrate(kind, old[a], b)
        assert schemas.validate(up, kind, b) == []
        assert migrate.migrate(kind, up, a) == old[a]
    # 1.2 -> 1.1 -> 1.2: identical except the 1.2 item specifications, which 1.1 cannot hold
    back = migrate.migrate(kind, old["1.1"], "1.2")
    if kind in ("data_pipeline", "trained_model"):
        key = "input_spec" if kind == "data_pipeline" else "output_spec"
        strip = ("item_specification", "error_handling")
        assert [{k: v for k, v in it.items() if k not in strip} for it in back[key]] == \
            [{k: v for k, v in it.items() if k not in strip} for it in doc12[key]]
    else:
        assert back == doc12
    assert doc12 == _system("credit-card-fraud")[kind]  # inputs untouched


def test_upgrade_notes_and_item_types(published):
    tm = migrate.skeleton("trained_model", "1.0")
    tm["output_spec"][0].update(item_type="double", expected_values="0 to 1")
    tm["business_metrics"][0]["business_goal_mapping"] = "G1"
    up, notes = migrate.migrate_with_notes("trained_model", tm, "1.2")
    assert up["output_spec"][0]["item_type"] == "Float"
    assert up["output_spec"][0]["item_specification"]["other_value"] == "0 to 1"
    assert up["business_metrics"][0]["goal_mapping"] == "G1"  # kept as is (TEC drops the first character)
    assert any("operator" in n for n in notes) and any("'double' became 'Float'" in n for n in notes)
    assert schemas.validate(up, "trained_model", "1.2") == []


def test_migrate_and_new_commands(published, tmp_path, capsys):
    from mlmismatch.cli.main import main

    src = tmp_path / "system_context.json"
    src.write_text(json.dumps(migrate.skeleton("system_context", "1.0")))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["-q", "descriptors", "migrate", str(src), "--output-dir", str(out)])
    assert exc.value.code == 0
    assert json.loads((out / "system_context.json").read_text())["version"] == "1.2"
    with pytest.raises(SystemExit) as exc:
        main(["-q", "descriptors", "new", "production_data", "--format", "yaml"])
    assert exc.value.code == 0
    import yaml

    doc = yaml.safe_load(capsys.readouterr().out)
    assert doc["version"] == "1.2" and schemas.validate(doc, "production_data", "1.2") == []
    with pytest.raises(SystemExit) as exc:
        main(["-q", "descriptors", "new", "model"])
    assert exc.value.code == 2


def _full_errors(kind, version, doc):
    v = schemas.validator(kind, version)
    return sorted((tuple(e.absolute_path), e.validator, e.message) for e in v.iter_errors(doc))


@pytest.mark.parametrize("system", ["credit-card-fraud", "traffic-signs", "customer-churn"])
def test_fast_validation_lists_the_same_errors_as_jsonschema(published, system):
    for kind, doc in _system(system).items():
        version = doc["version"]
        broken = copy.deepcopy(doc)
        broken["version"] = version
        broken.pop(next(k for k in broken if k != "version"))  # a required attribute
        broken["documentation"] = [{"description": 3, "location": "not a uri"}]
        for d in (doc, broken):
            fast = schemas.error_lister(kind, version).errors(d)
            assert sorted((tuple(p), k, m) for p, k, m in fast) == _full_errors(kind, version, d)


@pytest.mark.parametrize("system", ["credit-card-fraud", "traffic-signs", "customer-churn"])
def test_migration_never_changes_its_input(system):
    for kind, doc in _system(system).items():
        before = copy.deepcopy(doc)
        for to in schemas.VERSIONS:
            out = migrate.migrate(kind, doc, to)
            assert doc == before
            for target in schemas.VERSIONS:
                migrate.migrate(kind, out, target)
            assert doc == before
