"""``mlmismatch check`` and ``descriptors new`` on schemas the test writes itself (no SEI download)."""

from __future__ import annotations

import json

from mlmismatch import detection as detect
from mlmismatch.descriptors import migrate, schemas


def _system(tmp_path, **docs):
    d = tmp_path / "system"
    d.mkdir()
    for kind, doc in docs.items():
        (d / f"{kind}.json").write_text(json.dumps(doc))
    return d


def test_every_error_is_listed_with_its_path(tmp_path, tiny_schemas):
    d = _system(tmp_path, trained_model={"version": "1.2", "trained_on": "2021-02-30",
                                         "model_outputs": [{"name": "p", "type": "Complex"}]})
    report = detect.check(d, store=tiny_schemas, gaps=False)
    found = sorted((f.code, f.paths[0]) for f in report.findings if f.kind == "invalid")
    assert found == [("schema:enum", "$.model_outputs[0].type"), ("schema:format", "$.trained_on"),
                     ("schema:required", "$.model_name")]
    assert report.exit_code() == 1 and report.exit_code(["missing"]) == 0


def test_gaps_come_from_the_schema_and_the_mapping(tmp_path, tiny_schemas):
    d = _system(tmp_path, trained_model={"version": "1.2", "model_name": " ",
                                         "model_outputs": [{"name": "p", "type": ""}, {"name": "q", "type": "Float"}]})
    mapping = [{"category": "Trained Model", "subcategory": "Versioning", "descriptor": "trained_model",
                "path": "model_name"}]
    weights = detect.weights_from_study([{"category": "TM", "subcategory": "Versioning", "n_instances": 7}], [])
    report = detect.check(d, store=tiny_schemas, mapping=mapping, weights=weights)
    gaps = {f.paths[0]: f for f in report.findings if f.kind == "missing"}
    assert gaps["$.model_name"].subcategories == ["(TM) Versioning"] and gaps["$.model_name"].frequency == 7
    assert gaps["$.model_outputs[0].type"].message.endswith("is empty in 1 of 2 items.")
    assert {f.descriptors[0] for f in report.findings if f.code == "gap:descriptor"} == set(schemas.KINDS) - {"trained_model"}
    first_gap = next(f for f in report.findings if f.kind == "missing")
    assert first_gap.paths == ["$.model_name"]


def test_check_command_on_a_tiny_data_directory(tmp_path, tiny_schemas, cli):
    d = _system(tmp_path, trained_model={"version": "1.2", "model_name": "m"})
    res = cli("check", d, "--format", "json", "--no-gaps", env={"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)})
    assert res.code == 0, res.err
    assert json.loads(res.out)["counts"] == {"invalid": 0, "rule": 0, "drift": 0, "missing": 0}
    res = cli("check", d, "--fail-on", "nonsense", env={"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)})
    assert res.code == 2 and "unknown finding kind 'nonsense'" in res.err and "Traceback" not in res.err


def test_skeleton_of_a_tiny_schema_validates(tiny_schemas, cli):
    doc = migrate.skeleton("trained_model", "1.2", store=tiny_schemas)
    assert doc["version"] == "1.2" and schemas.validate(doc, "trained_model", "1.2", store=tiny_schemas) == []
    res = cli("descriptors", "new", "trained_model", env={"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)})
    assert res.code == 0 and json.loads(res.out)["version"] == "1.2"


def test_check_files_checks_each_folder_once(tmp_path, tiny_schemas, cli):
    """The pre-commit entry point: folders of the descriptor files given, each once; others ignored."""
    good = _system(tmp_path, trained_model={"version": "1.2", "model_name": "m",
                                            "model_outputs": [{"name": "p", "type": "Float"}]})
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "trained_model.json").write_text(json.dumps({"version": "1.2", "trained_on": "2021-02-30"}))
    (bad / "raw_data.json").write_text(json.dumps({"version": "1.2"}))
    (tmp_path / "package.json").write_text("{}")
    env = {"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)}
    res = cli("check-files", str(good / "trained_model.json"), str(tmp_path / "package.json"), "README.md", env=env)
    assert res.code == 0, res.err  # gaps do not fail by default (--fail-on invalid,rule)
    assert res.out.count("mlmismatch check") == 1 and str(good) in res.out.replace("\n", "")
    res = cli("check-files", str(bad / "trained_model.json"), str(bad / "raw_data.json"), str(good / "trained_model.json"),
              env=env)
    assert res.code == 1
    assert res.out.count("mlmismatch check") == 2 and "schema:format" in res.out
    assert cli("check-files", str(tmp_path / "package.json"), env=env).code == 0  # nothing to check
    assert cli("check-files", str(good / "trained_model.json"), "--fail-on", "missing", env=env).code == 1
    assert cli("check-files", str(good / "trained_model.json"), "--fail-on", "nope", env=env).code == 2
