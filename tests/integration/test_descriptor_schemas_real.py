"""Published SEI schemas: attributes, validators, skeletons, migration round trips, the migrate/new commands."""

from __future__ import annotations

import copy
import json

import pytest
from detect_cases import EXAMPLES, _full_errors, _system  # noqa: F401

from mlmismatch import detection as detect
from mlmismatch.core.errors import InputError
from mlmismatch.descriptors import migrate, schemas
from mlmismatch.sources import Store

pytestmark = pytest.mark.integration


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


@pytest.mark.parametrize("version", schemas.VERSIONS)
@pytest.mark.parametrize("kind", schemas.KINDS)
def test_skeletons_are_valid(published, kind, version):
    doc = migrate.skeleton(kind, version)
    assert schemas.validate(doc, kind, version) == []
    assert doc["version"] == version


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


def test_the_pinned_schemas_are_valid_draft_07(published):
    """`check` trusts the pinned schemas (their SHA-256 is in data/sources.toml): the metaschema
    check is done here, once, instead of at every start."""
    for kind in schemas.KINDS:
        for version in schemas.VERSIONS:
            assert schemas.check_schema(schemas.schema_readonly(kind, version)) is not None


def test_the_fast_check_agrees_with_jsonschema_on_generated_systems(published):
    """The compiled yes/no check (jsonschema-rs) accepts a document exactly when jsonschema finds no
    error, on 400 of the mutated systems of the differential test (some schema-invalid on purpose)."""
    import tec_systems

    from mlmismatch.detection.documents import make_document

    n_invalid = 0
    for system in tec_systems.generate(400, seed=14):
        for kind, doc in system.docs.items():
            d = make_document(kind, doc, f"{kind}.json")
            lister = schemas.error_lister(kind, d.version)
            full = list(schemas.validator(kind, d.version).iter_errors(doc))
            assert lister.ok(doc) == (not full), (system.seed, kind)
            n_invalid += bool(full)
    assert n_invalid > 20
