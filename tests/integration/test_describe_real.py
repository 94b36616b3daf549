"""``describe`` against the published 1.2 schemas: every kind validates, and a system described from
its artefacts leaves ``check`` only what a person must fill."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mlmismatch import check
from mlmismatch.describe import describe, describe_model
from mlmismatch.descriptors import schemas

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def iris():
    from sklearn.datasets import load_iris

    bunch = load_iris(as_frame=True)
    X = bunch.data
    df = X.assign(species=bunch.target_names[bunch.target])
    return X, df


@pytest.fixture(scope="module")
def model(iris):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, df = iris
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500, C=0.5)).fit(X, df["species"])


def _valid(doc, kind, store):
    assert schemas.validate(doc, kind, "1.2", store=store) == []


def test_every_kind_validates(iris, model, real_store, sei_schemas_dir):
    X, df = iris
    for kind in ("training_data", "production_data", "raw_data"):
        _valid(describe(kind, df, label="species", store=real_store).document, kind, real_store)
    for kind in ("development_environment", "production_environment"):
        _valid(describe(kind, store=real_store).document, kind, real_store)
    doc = describe("trained_model", model, X=X, store=real_store).document
    _valid(doc, "trained_model", real_store)
    assert doc["model_components"][0]["learning_algorithm"]["algorithm"] == "Logistic Regression"
    assert {"parameter_name": "C", "parameter_value": "0.5"} in doc["model_components"][0]["hyper_parameters"]
    assert doc["ml_frameworks"] == ["scikit-learn"] and doc["output_spec"][0]["item_type"] == "String"
    assert "petal width (cm): float" in doc["decisions_assumptions"][0]
    assert any(d.startswith("scikit-learn==") for d in doc["system_dependencies"])
    assert doc["model_name"] == "" and doc["model_output_interpretation"] == ""  # a person says what it means


def test_other_estimators(iris, real_store, sei_schemas_dir):
    from sklearn.ensemble import RandomForestClassifier, VotingClassifier
    from sklearn.linear_model import Ridge
    from sklearn.naive_bayes import GaussianNB

    X, df = iris
    reg = describe_model(Ridge(alpha=2.0).fit(X, np.arange(len(X))), store=real_store)
    _valid(reg, "trained_model", real_store)
    assert reg["output_spec"][0]["item_type"] == "Float" and reg["model_components"][0]["learning_algorithm"]["algorithm"] == "Linear Regression"
    vote = VotingClassifier([("rf", RandomForestClassifier(n_estimators=5, random_state=0)), ("nb", GaussianNB())])
    doc = describe_model(vote.fit(X, df["species"]), store=real_store)
    _valid(doc, "trained_model", real_store)
    assert doc["ensemble"] is True and [c["learning_algorithm"]["algorithm"] for c in doc["model_components"]] == \
        ["Random Forest", "Naive Bayes Classifier"]


def test_onnx_graph(tmp_path, real_store, sei_schemas_dir):
    import onnx  # the `onnx` extra; a dev dependency, so CI has it
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Identity", ["features"], ["score"])], "g",
                              [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["batch", 4])],
                              [helper.make_tensor_value_info("score", TensorProto.FLOAT, ["batch", 4])])
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, producer_name="test-producer"), str(path))
    doc = describe("trained_model", path, store=real_store).document
    _valid(doc, "trained_model", real_store)
    assert doc["output_spec"][0]["item_name"] == "score" and doc["output_spec"][0]["item_type"] == "Float"
    assert doc["decisions_assumptions"] == ["expects ONNX inputs: features tensor[batch, 4]"]
    assert "test-producer" in doc["model_components"][0]["learning_algorithm"]["other_algorithm"]


def _describe_system(folder, iris, model, store, production=None):
    X, df = iris
    production = df.sample(60, random_state=0) if production is None else production
    for kind, source in (("training_data", df), ("production_data", production), ("trained_model", model),
                         ("development_environment", None), ("production_environment", None)):
        describe(kind, source, into=folder, label="species" if kind.endswith("_data") else None,
                 X=X if kind == "trained_model" else None, store=store)


#: Rules that fail on a described system only because a field a person must fill is empty:
#: R04 (the model's output is not mapped to a downstream input: component_mapping),
#: R21 and R22 (training fields not mapped to production fields: mapping_production_data).
PERSON_RULES = {"R04", "R21", "R22"}


def test_a_described_system_leaves_only_what_a_person_must_fill(tmp_path, iris, model, real_store, sei_schemas_dir):
    _describe_system(tmp_path, iris, model, real_store)
    report = check(tmp_path, store=real_store)
    kinds = {str(f.kind) for f in report.findings}
    assert "invalid" not in kinds
    assert {f.code for f in report.findings if f.kind == "rule"} <= PERSON_RULES
    # what only a person knows is reported as a gap: names, descriptions, missing-value handling, ...
    gaps = {p for f in report.findings if f.kind == "missing" for p in f.paths}
    assert "$.dataset_name" in gaps and "$.model_output_interpretation" in gaps
    assert not any(p.endswith((".field_type", ".expected_values", "ml_frameworks", "computing_resources.cpu"))
                   for p in gaps)
    # the person maps the training fields to the production fields: R21 and R22 are gone
    doc = json.loads((tmp_path / "training_data.json").read_text())
    for f in doc["schema"]:
        f["mapping_production_data"] = f["field_name"]
    for d in doc["distribution"]:
        d["mapping_production_data"] = d["label"]
    (tmp_path / "training_data.json").write_text(json.dumps(doc))
    after = check(tmp_path, store=real_store)
    assert {f.code for f in after.findings if f.kind == "rule"} & {"R21", "R22"} == set()


def test_changed_production_data_is_found_by_drift_and_check(tmp_path, iris, model, real_store, cli, sei_schemas_dir):
    X, df = iris
    shifted = pd.concat([df[df.species == "setosa"]] * 3 + [df[df.species != "setosa"].head(20)])
    _describe_system(tmp_path, iris, model, real_store, production=shifted)
    res = cli("drift", tmp_path / "training_data.json", "--production", tmp_path / "production_data.json",
              "--format", "json")
    assert res.code == 1, res.err
    assert json.loads(res.out)["drift"] is True  # no --n: the descriptor records its rows
    doc = json.loads((tmp_path / "training_data.json").read_text())
    for d in doc["distribution"]:
        d["mapping_production_data"] = d["label"]
    (tmp_path / "training_data.json").write_text(json.dumps(doc))
    assert "R24" in check(tmp_path, store=real_store).rule_ids("rule")  # the label shares differ


def test_describing_into_a_person_written_document(tmp_path, iris, cli, sei_schemas_dir):
    X, df = iris
    data = tmp_path / "train.csv"
    df.to_csv(data, index=False)
    system = tmp_path / "system"
    system.mkdir()
    (system / "training_data.json").write_text(json.dumps({
        "version": "1.2", "dataset_identifier": "iris-2024", "dataset_name": "Iris", "dataset_version": "v3",
        "dataset_description": "", "raw_data_identifier": "", "schema": [
            {"field_name": "species", "label_field": True, "field_description": "the species", "field_type": "string",
             "expected_values": "setosa, versicolor", "missing_values": "none", "mapping_production_data": "label"}],
        "statistics": [], "distribution": [], "preparation_process": [], "preparation_code": "https://example.invalid/",
        "documentation": []}))
    res = cli("describe", "training_data", data, "--label", "species", "--into", system)
    assert res.code == 1, res.err  # what the person wrote disagrees with the data
    doc = json.loads((system / "training_data.json").read_text())
    assert doc["dataset_version"] == "v3" and doc["schema"][0]["expected_values"] == "setosa, versicolor"
    assert doc["distribution"] and doc["statistics"]  # filled where empty
    assert "disagrees" in res.out and "dataset_version" in res.out and "petal width (cm)" in res.out
