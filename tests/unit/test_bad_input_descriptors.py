"""Bad descriptor input for ``mlmismatch check`` (the issue-15 follow-up): YAML alias bombs, duplicate
keys (with their line), huge or non-finite numbers, FIFOs and directories where a descriptor or the
``--observed`` file is expected, bad ``--rules`` and ``--mapping`` files. Each is one line, exit 2,
never a hang or a traceback (a deadline turns a hang into a failure). Small schemas of the test's own
(the ``tiny_schemas`` fixture), no study data."""

from __future__ import annotations

import json

import pytest
from hostile import SPECIAL_WORDS, SPECIALS, deadline, make_special, one_line_error


@pytest.fixture
def system(tmp_path):
    d = tmp_path / "system"
    d.mkdir()
    (d / "trained_model.json").write_text(json.dumps(
        {"version": "1.2", "model_name": "m", "model_outputs": [{"name": "p", "type": "Float"}]}))
    return d


@pytest.fixture
def env(tiny_schemas):
    return {"MLMISMATCH_DATA_DIR": str(tiny_schemas.data_dir)}


def _check(cli, env, *args):
    with deadline(20):
        return cli("check", *map(str, args), "--no-rank-data", env=env)


def test_a_yaml_alias_bomb_is_refused_without_expanding_it(system, env, cli):
    lines = ["version: '1.2'", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]  # 10^9 values
    (system / "trained_model.json").unlink()
    (system / "trained_model.yaml").write_text("\n".join(lines + ["model_name: *a8"]) + "\n")
    line = one_line_error(_check(cli, env, system))
    assert line.startswith("error: trained_model.yaml: document has more than 200,000 values (YAML aliases")


def test_a_yaml_alias_used_a_few_times_is_fine(system, env, cli):
    (system / "trained_model.json").unlink()
    (system / "trained_model.yaml").write_text(
        "version: '1.2'\nmodel_name: &n m\nmodel_outputs:\n- {name: *n, type: Float}\n- {name: *n, type: Float}\n")
    assert _check(cli, env, system).code in (0, 1)


@pytest.mark.parametrize("suffix,text,where", [
    (".json", '{"version": "1.2",\n  "model_name": "a",\n  "model_name": "b"}', "line 3, column 3"),
    (".json", '{"version": "1.2", "model_name": "m",\n "model_outputs": [{"name": "p",\n   "name": "q"}]}',
     "line 3, column 4, at $.model_outputs[0]"),
    (".yaml", "version: '1.2'\nmodel_name: a\nmodel_name: b\n", "line 3, column 1"),
    (".yaml", "version: '1.2'\nmodel_outputs:\n- name: p\n  name: q\n", "line 4, column 3"),
])
def test_duplicate_keys_are_reported_with_their_line(system, env, cli, suffix, text, where):
    (system / "trained_model.json").unlink()
    (system / f"trained_model{suffix}").write_text(text)
    line = one_line_error(_check(cli, env, system))
    assert "duplicate key" in line and where in line, line


@pytest.mark.parametrize("value", ["1" * 5000, "9" * 25, "-" + "9" * 20, "1e999", "NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_huge_and_non_finite_numbers(system, env, cli, value, suffix):
    if suffix == ".yaml":
        value = {"NaN": ".nan", "Infinity": ".inf", "-Infinity": "-.inf", "1e999": "1.0e+999"}.get(value, value)
        text = f"version: '1.2'\nmodel_name: m\nsize: {value}\n"
    else:
        text = '{"version": "1.2", "model_name": "m", "size": %s}' % value
    (system / "trained_model.json").unlink()
    (system / f"trained_model{suffix}").write_text(text)
    line = one_line_error(_check(cli, env, system))
    assert "trained_model" in line
    assert ("digits" in line or "out of range" in line or "not finite" in line or "not a JSON number" in line), line


def test_a_large_but_ordinary_integer_is_fine(system, env, cli):
    doc = json.loads((system / "trained_model.json").read_text())
    doc["size"] = 2**62
    (system / "trained_model.json").write_text(json.dumps(doc))
    assert _check(cli, env, system).code in (0, 1)


@pytest.mark.parametrize("special", SPECIALS)
def test_a_special_file_as_a_descriptor(system, env, cli, special):
    make_special(system / "production_data.json", special)
    line = one_line_error(_check(cli, env, system))
    assert "production_data.json" in line
    assert "not a regular file" in line or "symbolic link" in line or SPECIAL_WORDS[special] in line, line


@pytest.mark.parametrize("special", SPECIALS)
def test_a_special_file_as_observed_labels(system, env, cli, special, tmp_path):
    (system / "training_data.json").write_text(json.dumps(
        {"version": "1.2", "distribution": [{"label": "a", "percentage": 50}, {"label": "b", "percentage": 50}]}))
    target = make_special(tmp_path / "observed.csv", special)
    line = one_line_error(_check(cli, env, system, "--observed", target))
    assert "observed.csv" in line and SPECIAL_WORDS[special] in line, line


@pytest.mark.parametrize("special", SPECIALS)
@pytest.mark.parametrize("option,name", [("--rules", "rules.yaml"), ("--mapping", "mapping.csv")])
def test_a_special_file_as_rules_or_mapping(system, env, cli, special, option, name, tmp_path):
    target = make_special(tmp_path / name, special)
    line = one_line_error(_check(cli, env, system, option, target))
    assert name in line and SPECIAL_WORDS[special] in line, line


@pytest.mark.parametrize("option,name,content,expected", [
    ("--rules", "rules.yaml", b"\xff\xfe rules", "not UTF-8"),
    ("--rules", "rules.yaml", b"rules: [\n  - id: R01\n   bad", "not valid YAML"),
    ("--rules", "rules.yaml", b"- just a list\n", "expected a top-level 'rules' list"),
    ("--rules", "rules.yaml", b"[" * 5000, "nesting depth"),
    ("--mapping", "mapping.csv", b"\xff\xfe,a\n", "not UTF-8"),
    ("--mapping", "mapping.csv", b"category,subcategory\nx,y\n", "mapping without columns"),
    ("--mapping", "mapping.csv", b'category,subcategory,descriptor,path\n"x,y\n', "mapping.csv"),
])
def test_bad_rules_and_mapping_files(system, env, cli, tmp_path, option, name, content, expected):
    (tmp_path / name).write_bytes(content)
    line = one_line_error(_check(cli, env, system, option, tmp_path / name))
    assert expected in line and name in line, line


@pytest.mark.parametrize("option", ["--rules", "--mapping"])
def test_missing_rules_or_mapping_file(system, env, cli, tmp_path, option):
    line = one_line_error(_check(cli, env, system, option, tmp_path / "nope.file"))
    assert "nope.file" in line and "not found" in line, line


@pytest.mark.parametrize("text", [
    "version: '1.2'\nmodel_name: !!binary aGVsbG8=\n",
    "version: '1.2'\nmodel_name: m\n1: one\n",
    "version: '1.2'\nmodel_name: !!set {a, b}\n",
])
def test_yaml_values_json_has_not_are_schema_errors_not_crashes(system, env, cli, text):
    """YAML can build bytes, sets and integer keys; they are not JSON: a validation finding, never a crash."""
    (system / "trained_model.json").unlink()
    (system / "trained_model.yaml").write_text(text)
    res = _check(cli, env, system)
    assert res.code in (1, 2), res.err
    assert "Traceback" not in res.err and "unexpected" not in res.err, res.err
