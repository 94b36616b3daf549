"""The run-time drift test (chi-square between the training distribution and production data)."""

from __future__ import annotations

import json

import pytest
from scipy import stats

from mlmismatch.detection import drift
from mlmismatch.core.errors import InputError

TD = {"version": "1.2", "distribution": [
    {"label": "fraud", "percentage": 10, "mapping_production_data": "F"},
    {"label": "legit", "percentage": 90, "mapping_production_data": ""},
]}


def test_training_distribution_uses_the_production_names():
    assert drift.training_distribution(TD) == {"F": 10.0, "legit": 90.0}


def test_statistic_matches_scipy():
    r = drift.chi_square_drift({"a": 50, "b": 30, "c": 20}, {"a": 40, "b": 35, "c": 25})
    expected = stats.chisquare([40, 35, 25], [50, 30, 20])
    assert r.statistic == pytest.approx(expected.statistic)
    assert r.p_value == pytest.approx(expected.pvalue)
    assert r.dof == 2 and r.n == 100
    assert not r.drift and r.verdict.startswith("no evidence of drift")


def test_drift_detected_and_movers():
    r = drift.chi_square_drift({"a": 50, "b": 30, "c": 20}, {"a": 200, "b": 300, "c": 500})
    assert r.drift and r.verdict.startswith("drift detected") and r.p_value < 1e-10
    movers = list(r.movers()["category"])
    assert movers[0] == "c"  # 20 % -> 50 %
    row = r.table.set_index("category").loc["c"]
    assert row.training_pct == 20 and row.production_pct == 50 and row.change_pp == 30


def test_unseen_and_empty_categories():
    r = drift.chi_square_drift({"a": 60, "b": 40, "z": 0}, {"a": 55, "b": 40, "new": 5})
    assert r.unseen == ["new"]
    assert r.dropped == ["z"]
    assert "new" in set(r.table.category) and "z" not in set(r.table.category)
    assert r.table.set_index("category").loc["new", "status"] == "unseen"
    assert r.drift  # five observations of a class the model never saw
    assert any("never seen" in n for n in r.notes) and any("fewer than 5" in n for n in r.notes)
    assert r.table["expected"].sum() == pytest.approx(100)


def test_absent_category_is_kept():
    r = drift.chi_square_drift({"a": 50, "b": 50}, {"a": 100})
    assert r.table.set_index("category").loc["b", "status"] == "absent" and r.drift


def test_percentages_not_summing_to_100_are_rescaled():
    r = drift.chi_square_drift({"a": 1, "b": 1}, {"a": 50, "b": 50})
    assert r.statistic == pytest.approx(0) and any("rescaled" in n for n in r.notes)


def test_from_descriptor_and_csv(tmp_path):
    pd_doc = {"distribution": [{"label": "F", "percentage": 14}, {"label": "legit", "percentage": 86}]}
    counts = drift.counts_from_descriptor(pd_doc, 1000)
    assert counts == {"F": pytest.approx(140), "legit": pytest.approx(860)}
    with pytest.raises(InputError, match="--n N"):
        drift.counts_from_descriptor(pd_doc, None)
    csv = tmp_path / "obs.csv"
    csv.write_text("id,label\n1,F\n2,legit\n3,legit\n4, \n")
    assert drift.counts_from_csv(csv, "label") == {"legit": 2.0, "F": 1.0, "__blank__": 1.0}
    with pytest.raises(InputError, match="--column NAME"):
        drift.counts_from_csv(csv)
    with pytest.raises(InputError, match="no column 'lbl'"):
        drift.counts_from_csv(csv, "lbl")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match=r"^empty\.csv: empty file; expected a CSV with a header row"):
        drift.counts_from_csv(empty)


@pytest.mark.parametrize("doc,pattern", [
    ({"distribution": []}, "no label distribution"),
    ({"distribution": [{"label": "a", "percentage": -1}]}, "percentage -1"),
    ({"distribution": [{"label": "", "percentage": 5}]}, "without a label"),
    ({"distribution": [{"label": "a", "percentage": 0}]}, "sums to 0"),
])
def test_bad_training_distribution(doc, pattern):
    with pytest.raises(InputError, match=pattern):
        drift.training_distribution(doc)


def test_bad_comparisons():
    with pytest.raises(InputError, match="no production observations"):
        drift.chi_square_drift({"a": 1, "b": 1}, {})
    with pytest.raises(InputError, match="at least two categories"):
        drift.chi_square_drift({"a": 100}, {"a": 5})
    with pytest.raises(InputError, match="significance level"):
        drift.chi_square_drift({"a": 1, "b": 1}, {"a": 1}, alpha=2)


def test_drift_command(tmp_path, capsys):
    from mlmismatch.cli.main import main

    td = tmp_path / "training_data.json"
    td.write_text(json.dumps(TD))
    pd_doc = tmp_path / "production_data.yaml"
    pd_doc.write_text("version: '1.2'\ndistribution:\n- {label: F, percentage: 10.5}\n- {label: legit, percentage: 89.5}\n")
    with pytest.raises(SystemExit) as exc:
        main(["drift", str(td), "--production", str(pd_doc), "--n", "200", "--format", "json"])
    assert exc.value.code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["drift"] is False and out["dof"] == 1 and set(out) >= {"statistic", "p_value", "movers", "unseen"}
    csv = tmp_path / "obs.csv"
    csv.write_text("label\n" + "F\n" * 40 + "legit\n" * 60)
    with pytest.raises(SystemExit) as exc:
        main(["drift", str(td), "--observed", str(csv)])
    assert exc.value.code == 1
    assert "drift detected" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["drift", str(td), "--production", str(pd_doc)])  # percentages without --n
    assert exc.value.code == 2
