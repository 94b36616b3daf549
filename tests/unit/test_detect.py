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

from detect_cases import EXAMPLES, EXPECTED, REPO, keyed, run_cli  # noqa: F401

# -------------------------------------------------------------------------------------------
# Example systems: exactly the expected findings, in every format
# -------------------------------------------------------------------------------------------

def test_examples_cover_every_rule():
    from mlmismatch.detection.rules import load_rules

    fired = {rid for rows in EXPECTED.values() for kind, rid, *_ in rows if kind == "rule"}
    assert fired == {r.id for r in load_rules()}
    assert EXPECTED["credit-card-fraud"] == []  # one consistent system


# -------------------------------------------------------------------------------------------
# Validation
# -------------------------------------------------------------------------------------------

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
    # aliases count as often as they are used (every later step would expand them): refused after at
    # most MAX_NODES values, without expanding the 10^8 values (issue 14; it was accepted before)
    with pytest.raises(InputError, match="more than 1,000 values"):
        detect.load_system(d)


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

def test_gap_mapping_absent_file(tmp_path):
    assert detect.load_mapping(tmp_path / "none.csv") is None
