"""``mlmismatch describe``: profiles of data the tests build, environments, merging, bad input."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from mlmismatch.core.errors import InputError
from mlmismatch.describe import describe, describe_data, describe_environment, tabular
from mlmismatch.describe import environment as env_mod
from mlmismatch.describe.merge import merge


def _frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "amount": rng.normal(50, 10, n).round(2),
        "count": rng.integers(0, 5, n),
        "flag": rng.random(n) < 0.3,
        "city": rng.choice(["Bern", "Graz", "Oslo"], n),
        "label": rng.choice(["fraud", "ok"], n, p=[0.2, 0.8]),
    })


def test_profile_statistics_are_exact():
    df = _frame()
    df.loc[3, "amount"] = np.nan
    p = tabular.profile(df, categorical=("label",))
    amount = p.column("amount")
    assert p.n_rows == 200 and amount.field_type == "float" and amount.n_missing == 1
    assert amount.mean == pytest.approx(df["amount"].mean()) and amount.std == pytest.approx(df["amount"].std())
    assert (amount.minimum, amount.maximum) == (df["amount"].min(), df["amount"].max())
    assert p.column("count").field_type == "integer" and p.column("flag").field_type == "boolean"
    assert p.column("city").categories == df["city"].value_counts().to_dict()
    assert p.column("flag").categories == {"true": int(df.flag.sum()), "false": int((~df.flag).sum())}


def test_csv_and_parquet_give_the_same_profile_as_the_frame(tmp_path):
    df = _frame()
    df.to_csv(tmp_path / "d.csv", index=False)
    df.to_parquet(tmp_path / "d.parquet", index=False)
    base = describe_data(df, "training_data", label="label")
    for name in ("d.csv", "d.parquet"):
        doc = describe_data(tmp_path / name, "training_data", label="label")
        assert doc["schema"] == base["schema"] and doc["distribution"] == base["distribution"]
        stats = {(s["property"], s["field"]): s["value"] for s in doc["statistics"]}
        assert stats == {(s["property"], s["field"]): s["value"] for s in base["statistics"]}
        assert doc["dataset_version"] == "sha256:" + tabular.sha256_file(tmp_path / name)


def test_csv_is_read_in_blocks_and_a_late_text_value_retypes_the_column(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 50)
    lines = ["id,score"] + [f"{i},{i % 7}" for i in range(300)] + ["300,unknown"]
    (tmp_path / "late.csv").write_text("\n".join(lines) + "\n")
    p = tabular.profile(tmp_path / "late.csv")
    assert p.n_rows == 301 and p.column("id").field_type == "integer"
    assert p.column("score").field_type == "string"  # "unknown" after 300 numbers: read again as text
    assert p.column("score").categories["unknown"] == 1


def test_training_data_leaves_what_only_a_person_knows_empty():
    doc = describe_data(_frame(), "training_data", label="label")
    by_name = {f["field_name"]: f for f in doc["schema"]}
    assert by_name["label"]["label_field"] is True and by_name["amount"]["label_field"] is False
    assert set(by_name["city"]["expected_values"].split(", ")) == {"Bern", "Graz", "Oslo"}
    assert by_name["amount"]["expected_values"].count(" to ") == 1
    for f in doc["schema"]:
        assert f["field_description"] == f["missing_values"] == f["mapping_production_data"] == ""
    assert doc["dataset_identifier"] == doc["dataset_name"] == doc["raw_data_identifier"] == ""
    dist = {d["label"]: d["percentage"] for d in doc["distribution"]}
    assert sum(dist.values()) == pytest.approx(100) and set(dist) == {"fraud", "ok"}
    rows = [s for s in doc["statistics"] if s["property"] == "rows"]
    assert rows == [{"property": "rows", "field": "(all fields)", "value": "200"}]


def test_too_many_categories_are_summarized_not_kept():
    df = pd.DataFrame({"id": [f"user{i}" for i in range(500)]})
    doc = describe_data(df, "production_data")
    assert doc["schema"][0]["expected_values"] == ""
    assert {"property": "distinct values", "field": "id", "value": f"more than {tabular.MAX_CATEGORIES}"} in doc["statistics"]


def test_production_data_feeds_drift_without_n():
    from mlmismatch.detection import drift

    train = describe_data(_frame(2000, 1), "training_data", label="label")
    prod = describe_data(_frame(500, 2).assign(label=["fraud"] * 250 + ["ok"] * 250), "production_data", label="label")
    counts = drift.counts_from_descriptor(prod, None)
    assert counts == {"fraud": 250.0, "ok": 250.0}
    result = drift.chi_square_drift(drift.training_distribution(train), counts)
    assert result.drift  # 50 % fraud in production against about 20 % in training


def test_environment_of_this_machine(monkeypatch):
    m = env_mod.Machine(cpu=4, memory_gb=16.0, storage_gb=100.0, gpu=1, system="Linux 6 x86_64", python="3.11.7",
                        frameworks={"PyTorch": "2.13.0", "scikit-learn": "1.8.0"})
    dev = env_mod.development_environment(m)
    assert dev["ml_frameworks"] == ["PyTorch", "scikit-learn"] and dev["programming_languages"] == ["Python"]
    assert dev["computing_resources"] == {"gpu": 1, "cpu": 4, "memory": 16.0, "storage": 100.0}
    assert "PyTorch 2.13.0" in dev["documentation"][0]["description"]
    prod = env_mod.production_environment(m)
    assert prod["deployment_platform"] == "Linux 6 x86_64; Python 3.11.7" and prod["deployment_mechanism"] == ""
    real = describe_environment("development_environment")
    assert real["computing_resources"]["cpu"] >= 1 and "scikit-learn" in real["ml_frameworks"]


def test_frameworks_come_from_metadata_without_importing_them():
    import subprocess
    import sys

    code = ("import sys; from mlmismatch.describe.environment import installed_frameworks; f = installed_frameworks(); "
            "print('scikit-learn' in f, 'sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False"]


def test_merge_fills_empty_fields_and_reports_disagreements():
    person = describe_data(_frame(), "training_data", label="label")
    person["dataset_name"] = "card transactions"
    person["schema"][0]["field_type"] = "integer"          # a person wrote something else
    person["schema"][0]["field_description"] = "amount in EUR"
    person["statistics"] = [{"property": "mean", "field": "amount", "value": "10"}]
    person["distribution"] = []
    described = describe_data(_frame(), "training_data", label="label")
    merged = merge(person, described, file="training_data.json", kind="training_data")
    doc = merged.document
    assert doc["dataset_name"] == "card transactions" and doc["schema"][0]["field_description"] == "amount in EUR"
    assert doc["schema"][0]["field_type"] == "integer"      # never overwritten
    assert doc["distribution"] == described["distribution"]  # filled
    messages = [f.message for f in merged.findings]
    assert any("$.schema[0].field_type: the document says 'integer', the data says 'float'" in m for m in messages)
    assert any("$.statistics[0].value" in m and "'10'" in m for m in messages)
    assert all(f.kind == "describe" for f in merged.findings)


def test_the_cli_validates_against_the_published_schema(tmp_path, cli):
    """Without the SEI schemas (no data directory, an empty cache, no network) describe says what it needs."""
    data = tmp_path / "train.csv"
    _frame().to_csv(data, index=False)
    res = cli("describe", "training_data", data, "--label", "label", "--into", tmp_path / "system",
              env={"MLMISMATCH_DATA_DIR": str(tmp_path / "no-data")})
    assert res.code == 2 and "sei-descriptors/1.2/training_data_schema.json" in res.err
    assert len(res.err.strip().splitlines()) == 1 and not (tmp_path / "system").exists()


@pytest.mark.parametrize("args,message", [
    (["describe", "model", "x.csv"], "cannot describe 'model' from an artefact"),
    (["describe", "training_data", "data.txt"], "unsupported file type '.txt'"),
    (["describe", "training_data", "missing.csv"], "missing.csv: file not found"),
    (["describe", "training_data"], "describing training_data needs the data"),
    (["describe", "trained_model", "m.pkl"], "loading a pickled model runs code from the file"),
    (["describe", "trained_model", "m.bin"], "unsupported model file type '.bin'"),
])
def test_bad_input_is_one_line(tmp_path, cli, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data.txt").write_text("a\n1\n")
    (tmp_path / "m.pkl").write_bytes(b"not a pickle")
    (tmp_path / "m.bin").write_bytes(b"x")
    res = cli(*args)
    assert res.code == 2, res.err
    assert message in res.err and len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.err


def test_label_must_be_a_column_of_categories(tmp_path):
    with pytest.raises(InputError, match="no column 'target'"):
        describe_data(_frame(), "training_data", label="target")
    with pytest.raises(InputError, match="column 'amount' is not a label column"):
        describe_data(_frame(), "training_data", label="amount")


def test_a_fifo_is_refused_before_it_is_opened(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        describe_data(fifo, "training_data")


def test_a_broken_csv_is_one_line(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(InputError, match="bad.csv: not a readable CSV"):
        describe_data(path, "training_data")


def test_unfitted_and_unsupported_models(tiny_schemas):
    from sklearn.linear_model import LogisticRegression

    from mlmismatch.describe import describe_model

    with pytest.raises(InputError, match="the LogisticRegression is not fitted"):
        describe_model(LogisticRegression(), store=tiny_schemas)
    with pytest.raises(InputError, match="unsupported model type builtins.dict"):
        describe_model({"weights": [1, 2]}, store=tiny_schemas)


def test_describe_without_validation_needs_no_schema(tmp_path):
    result = describe("production_data", _frame(), into=tmp_path, label="label", validate=False)
    assert result.path == tmp_path / "production_data.json" and result.exit_code == 0
    again = describe("production_data", _frame(seed=5), into=tmp_path, label="label", validate=False)
    assert again.exit_code == 1 and again.findings  # other data: the statistics a file records disagree


def test_non_utf8_and_empty_csv(tmp_path):
    (tmp_path / "latin.csv").write_bytes("name\nZürich\n".encode("latin-1"))
    with pytest.raises(InputError, match="latin.csv: not UTF-8 text"):
        describe_data(tmp_path / "latin.csv", "training_data")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match="empty.csv: not a readable CSV"):
        describe_data(tmp_path / "empty.csv", "training_data")


def test_integer_then_float_chunks_widen_to_float(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 10)
    (tmp_path / "w.csv").write_text("v\n" + "\n".join(str(i) for i in range(10)) + "\n2.5\n")
    col = tabular.profile(tmp_path / "w.csv").column("v")
    assert col.field_type == "float" and col.n == 11 and col.maximum == 9.0
