"""Bad input: numbers in options and in data.

`--boot -5`, `--permutations -1`, `--rows -5`, `--n inf`, an interview id `1e400` or `abc`,
percentages that overflow to infinity: each is one line naming the option or the cell and the
range expected, exit 2; never a traceback, a hang or a wrong verdict.
"""

from __future__ import annotations

import json

import pytest
from hostile import TWO_CODERS, env, good_round, one_line_error, round_csv  # noqa: F401 (fixtures)


OPTION_CASES = [
    (["code", "agreement", "{round}", "--boot", "-5"], "--boot -5 is out of range; expected a whole number from 1 to 100,000"),
    (["code", "agreement", "{round}", "--boot", "0"], "--boot 0 is out of range"),
    (["code", "agreement", "{round}", "--boot", "1000000000"], "--boot 1000000000 is out of range"),
    (["code", "agreement", "{round}", "--seed", "-1"], "--seed -1 is out of range; expected a whole number from 0 to 4,294,967,295"),
    (["code", "merge", "{round}", "--coder", "ann", "--permutations", "-1"], "--permutations -1 is out of range"),
    (["code", "merge", "{round}", "--coder", "ann", "--permutations", "0"], "--permutations 0 is out of range"),
    (["code", "template", "{tmp}/t.xlsx", "--rows", "-5"], "--rows -5 is out of range; expected a whole number from 1 to 999"),
    (["code", "template", "{tmp}/t.xlsx", "--rows", "0"], "--rows 0 is out of range"),
    (["code", "template", "{tmp}/t.xlsx", "--interviews", "0"], "--interviews 0 is out of range"),
    (["code", "template", "{tmp}/t.xlsx", "--first-interview", "0"], "--first-interview 0 is out of range"),
    (["code", "template", "{tmp}/t.xlsx", "--first-interview", "999", "--interviews", "2"],
     "--interviews 2 is out of range; expected a whole number from 1 to 1"),
    (["suggest", "a text", "--top", "0"], "--top 0 is out of range; expected a whole number from 1 to 50"),
    (["suggest", "a text", "--top", "-3"], "--top -3 is out of range"),
]


@pytest.mark.parametrize("args,expected", OPTION_CASES, ids=[" ".join(a[-2:]) for a, _ in OPTION_CASES])
def test_bad_number_options(args, expected, env, good_round, tmp_path, cli):
    args = [a.format(round=good_round, tmp=tmp_path) for a in args]
    line = one_line_error(cli(*args, env=env))
    assert line == f"error: {expected}" or line.startswith(f"error: {expected}"), line
    assert not (tmp_path / "t.xlsx").exists()


def test_non_numbers_are_usage_errors(env, good_round, cli):
    """`--boot abc` is caught by the command-line parser: exit 2, no traceback."""
    res = cli("code", "agreement", str(good_round), "--boot", "abc", env=env)
    assert res.code == 2 and "Traceback" not in res.err and "Invalid value for '--boot'" in res.err


# --------------------------------------------------------------------------------------------
# drift --n and percentages
# --------------------------------------------------------------------------------------------

TD = {"version": "1.2", "distribution": [{"label": "a", "percentage": 40}, {"label": "b", "percentage": 60}]}


def _drift_files(tmp_path, production=None):
    td = tmp_path / "training_data.json"
    td.write_text(json.dumps(TD))
    pd_doc = tmp_path / "production_data.json"
    pd_doc.write_text(json.dumps(production or {"version": "1.2", "distribution": [
        {"label": "a", "percentage": 50}, {"label": "b", "percentage": 50}]}))
    return td, pd_doc


@pytest.mark.parametrize("n", ["inf", "-inf", "nan", "-5", "0", "1e300"])
def test_drift_n_must_be_a_usable_number(n, tmp_path, cli):
    td, pd_doc = _drift_files(tmp_path)
    line = one_line_error(cli("drift", str(td), "--production", str(pd_doc), "--n", n))
    assert "--n" in line and "is not a usable number; expected a finite number > 0 and at most 1e+15" in line


def test_drift_percentages_overflowing_to_infinity(tmp_path, cli):
    td, pd_doc = _drift_files(tmp_path, {"version": "1.2", "distribution": [
        {"label": "a", "percentage": 1e308}, {"label": "b", "percentage": 50}]})
    line = one_line_error(cli("drift", str(td), "--production", str(pd_doc), "--n", "1e6"))
    assert line == ("error: production_data.json, at $.distribution: the percentage of 'a' times --n overflows to "
                    "infinity; expected percentages between 0 and 100")


def test_drift_with_a_good_n_still_works(tmp_path, cli):
    td, pd_doc = _drift_files(tmp_path)
    res = cli("drift", str(td), "--production", str(pd_doc), "--n", "200", "--format", "json")
    assert res.code in (0, 1) and json.loads(res.out)["n"] == 200


def test_check_top_negative(tmp_path, cli):
    line = one_line_error(cli("check", str(tmp_path), "--top", "-5"))
    assert line == "error: --top -5 is out of range; expected a whole number from 0 to 1,000,000"


# --------------------------------------------------------------------------------------------
# Numbers in data: interview ids
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["1e400", "abc", "inf", "nan", "2.5", "0", "1000", "-3", "9" * 400])
def test_round_csv_interview_number(value, tmp_path, env, cli):
    rows = [(mid, coder, value, cat, sub) for mid, coder, cat, sub in TWO_CODERS]
    path = round_csv(tmp_path / "iv.csv", rows, header=("mismatch_id", "coder", "interview", "category", "subcategory"))
    line = one_line_error(cli("code", "agreement", str(path), env=env))
    assert line.startswith("error: iv.csv, row 2, column 'interview': ")
    assert line.endswith("expected an interview number, a whole number from 1 to 999")


def test_round_csv_interview_number_that_is_fine(tmp_path, env, cli):
    rows = [(mid, coder, "21.0", cat, sub) for mid, coder, cat, sub in TWO_CODERS]
    path = round_csv(tmp_path / "iv.csv", rows, header=("mismatch_id", "coder", "interview", "category", "subcategory"))
    res = cli("code", "agreement", str(path), "--boot", "10", env=env)
    assert res.code == 0, res.err


@pytest.mark.parametrize("value", ["1e400", "abc"])
def test_mismatch_list_interview_number(value, tmp_path, env, cli):
    path = round_csv(tmp_path / "new.csv", [("M21-01", value)], header=("mismatch_id", "interview"))
    line = one_line_error(cli("code", "template", str(tmp_path / "t.xlsx"), "--mismatches", str(path), env=env))
    assert line.startswith("error: new.csv, row 2, column 'interview': ") and "from 1 to 999" in line


def test_parse_int_rules():
    from mlmismatch.core.errors import Location
    from mlmismatch.core.inputs import as_int, parse_int

    assert [as_int(v) for v in ("7", " 07 ", 7.0, "7.0", "1e2")] == [7, 7, 7, 7, 100]
    assert [as_int(v) for v in ("1e400", "inf", "nan", "2.5", "abc", True, None, "", "1" * 40)] == [None] * 9
    with pytest.raises(Exception, match="not a whole number"):
        parse_int("1e400", Location(file="f.csv", row=2), "a number")
    with pytest.raises(Exception, match="1000 is out of range"):
        parse_int("1000", Location(file="f.csv", row=2), "a number", 1, 999)
