"""The lean check path: ``mlmismatch check`` imports neither pandas nor the study workbooks' readers,
nor jsonschema for valid documents; the fast format checks agree with jsonschema's; the compiled
yes/no check (jsonschema-rs) accepts exactly the documents jsonschema finds no error in."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from lean_check import run_check

from mlmismatch.descriptors import schemas

def test_check_imports_no_pandas(tmp_path, tiny_schemas):
    """The tiny schemas differ from the pinned ones, so they are checked against the metaschema
    (jsonschema is imported for that); with the pinned schemas nothing of HEAVY is imported
    (tests/integration/test_sarif.py::test_check_of_a_valid_system_imports_nothing_heavy)."""
    system = tmp_path / "system"
    system.mkdir()
    (system / "trained_model.json").write_text(json.dumps(
        {"version": "1.2", "model_name": "m", "model_outputs": [{"name": "p", "type": "Float"}]}))
    got = run_check(system, tmp_path / "report.json", {"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)})
    assert got["code"] == 1  # information gaps (the other descriptors are absent)
    assert got["loaded"] == ["jsonschema"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert {f["kind"] for f in report["findings"]} == {"missing"}
    # an invalid document imports jsonschema (to list every error), still not pandas
    (system / "trained_model.json").write_text(json.dumps({"version": "1.2", "trained_on": "2021-02-30"}))
    got = run_check(system, tmp_path / "report.json", {"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)})
    assert got["loaded"] == ["jsonschema"]
    report = json.loads((tmp_path / "report.json").read_text())
    assert {(f["rule_id"], f["paths"][0]) for f in report["findings"] if f["kind"] == "invalid"} == {
        ("schema:format", "$.trained_on"), ("schema:required", "$.model_name")}


URI_CHARS = st.sampled_from(list("abcAZ09:/?#[]@!$&'()*+,;=-._~% ") + ["%20", "%zz", "é", "http://", "https://"])


@settings(max_examples=400, deadline=None, database=None, derandomize=True)
@given(st.lists(URI_CHARS, max_size=12).map("".join))
def test_uri_format_agrees_with_jsonschema(text):
    from jsonschema import Draft7Validator

    assert schemas._is_uri(text) == Draft7Validator.FORMAT_CHECKER.conforms(text, "uri")


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.one_of(st.dates().map(str), st.text(alphabet="0123456789-", max_size=11), st.integers()))
def test_date_format_agrees_with_jsonschema(value):
    from jsonschema import Draft7Validator

    assert schemas._is_date(value) == Draft7Validator.FORMAT_CHECKER.conforms(value, "date")


SCHEMA = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string"}, "when": {"type": "string", "format": "date"},
    "where": {"type": "string", "format": "uri"},
    "items": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0},
                                                                         "kind": {"enum": ["a", "b"]}}}}}}
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(
    ["", "x", "2021-02-30", "2021-02-03", "https://example.org/a", "not a uri", "a", "b"]))
DOCS = st.fixed_dictionaries({}, optional={
    "name": VALUES, "when": VALUES, "where": VALUES,
    "items": st.lists(st.fixed_dictionaries({}, optional={"n": VALUES, "kind": VALUES}), max_size=3)})


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(DOCS)
def test_the_fast_check_accepts_exactly_what_jsonschema_accepts(doc):
    lister = schemas.ErrorLister(SCHEMA)
    assert lister.ok is not None  # jsonschema-rs (or fastjsonschema) is installed
    full = list(schemas.compile_schema(SCHEMA).iter_errors(doc))
    assert lister.ok(doc) == (not full)
    assert len(lister.errors(doc)) == len(full)
