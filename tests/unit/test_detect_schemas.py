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

from detect_cases import EXAMPLES, _system  # noqa: F401

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

def test_unknown_kind_and_version():
    with pytest.raises(InputError, match="unknown descriptor kind 'model'"):
        schemas.validator("model", "1.2")
    with pytest.raises(InputError, match="unknown descriptor version '1.3'"):
        schemas.source_id("trained_model", "1.3")


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
