"""Agreement statistics: published worked examples, hand-computed cases, the libraries, set-valued codes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlmismatch.extend import agreement as ag

NAN = np.nan

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal example C:
# 4 observers x 12 units, values 1-5, missing values; alpha (nominal) = 0.743.
KRIPPENDORFF_2011 = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
])

# Fleiss (1971) as worked on Wikipedia ("Fleiss' kappa", worked example): 10 subjects, 14 raters,
# 5 categories; P-bar = 0.378, P-bar_e = 0.213, kappa = 0.210.
FLEISS_EXAMPLE = np.array([
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
])


def _value_counts(data: np.ndarray, values) -> np.ndarray:
    return np.stack([(data == v).sum(axis=0) for v in values], axis=1)


def test_krippendorff_2011_worked_example():
    counts = _value_counts(KRIPPENDORFF_2011, [1, 2, 3, 4, 5])
    alpha = float(ag.krippendorff_alpha_nominal(counts))
    assert round(alpha, 3) == 0.743
    # the exact value: 1 - (n-1) D_o / D_e with n = 40 pairable values -> 0.7434...
    assert alpha == pytest.approx(0.743421, abs=1e-6)
    import krippendorff

    assert krippendorff.alpha(reliability_data=KRIPPENDORFF_2011, level_of_measurement="nominal") == pytest.approx(alpha)


def test_fleiss_worked_example():
    kappa = float(ag.fleiss_kappa_counts(FLEISS_EXAMPLE))
    assert round(kappa, 3) == 0.210
    from statsmodels.stats.inter_rater import fleiss_kappa

    assert fleiss_kappa(FLEISS_EXAMPLE) == pytest.approx(kappa)


def test_cohen_hand_computed():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4
    a = np.array([1] * 25 + [0] * 25)
    b = np.array([1] * 20 + [0] * 5 + [1] * 10 + [0] * 15)
    assert float(ag.cohen_kappa_pairs(a, b)) == pytest.approx(0.4)


def test_small_binary_case_by_hand():
    # 2 coders, 4 units: (1,1), (0,0), (1,0), (0,0)
    # Cohen: p_o = 3/4; p_A = 1/2, p_B = 1/4 -> p_e = 1/8 + 3/8 = 1/2 -> kappa = 0.5
    # Fleiss/Scott: p1 = 3/8 -> P_e = 9/64 + 25/64 = 34/64; P-bar = 3/4 -> kappa = (48-34)/(64-34) = 7/15
    # Krippendorff: n = 8, n0 = 5, n1 = 3, D = 2*1*1/1 = 2 -> alpha = 1 - 7*2/(64-25-9) = 1 - 14/30 = 8/15
    values = np.array([[1, 1], [0, 0], [1, 0], [0, 0]], dtype=float)
    est = ag.library_estimates(values)
    assert est["cohen_kappa"] == pytest.approx(0.5)
    assert est["fleiss_kappa"] == pytest.approx(7 / 15)
    assert est["krippendorff_alpha"] == pytest.approx(8 / 15)
    counts = ag._counts(values)
    assert float(ag.krippendorff_alpha_nominal(counts)) == pytest.approx(8 / 15)
    assert float(ag.fleiss_kappa_counts(counts)) == pytest.approx(7 / 15)


def test_vectorised_formulas_equal_the_libraries_on_random_data():
    import krippendorff
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import fleiss_kappa

    rng = np.random.default_rng(7)
    for _ in range(20):
        n, k = rng.integers(8, 40), rng.integers(2, 5)
        truth = rng.integers(0, 2, n)
        data = np.where(rng.random((n, k)) < 0.8, truth[:, None], 1 - truth[:, None]).astype(float)
        counts = ag._counts(data)
        assert float(ag.fleiss_kappa_counts(counts)) == pytest.approx(fleiss_kappa(counts), abs=1e-12)
        with_missing = data.copy()
        with_missing[rng.random((n, k)) < 0.15] = NAN
        cm = ag._counts(with_missing)
        assert float(ag.krippendorff_alpha_nominal(cm)) == pytest.approx(
            krippendorff.alpha(reliability_data=with_missing.T, level_of_measurement="nominal", value_domain=[0.0, 1.0]),
            abs=1e-12)
        assert float(ag.cohen_kappa_pairs(data[:, 0], data[:, 1])) == pytest.approx(
            cohen_kappa_score(data[:, 0], data[:, 1]), abs=1e-12)


def test_undefined_when_a_single_value():
    assert np.isnan(ag.krippendorff_alpha_nominal(np.array([[2, 0], [2, 0]])))
    assert np.isnan(ag.fleiss_kappa_counts(np.array([[2, 0], [2, 0]])))
    est = ag.library_estimates(np.zeros((3, 2)))
    assert all(np.isnan(v) for v in est.values())


# --------------------------------------------------------------------------------------------
# On coding tables
# --------------------------------------------------------------------------------------------

def _codebook() -> pd.DataFrame:
    rows = [("TP", "Task and Purpose", "Task"), ("TP", "Task and Purpose", "Business Goals"),
            ("TM", "Trained Model", "Versioning"), ("TM", "Trained Model", "Evaluation Metrics"),
            ("TD", "Training Data", "Versioning"), ("OE", "Operational Environment", "Computing Resources")]
    return pd.DataFrame([{"category_code": c, "category": n, "subcategory": s, "description": f"{s} of {n}",
                          "origin": "study"} for c, n, s in rows])


def _codings(rows) -> pd.DataFrame:
    out = []
    for mid, coder, code, cat, sub in rows:
        out.append({"mismatch_id": mid, "coder": coder, "position": 1, "category_code": code, "category": cat,
                    "subcategory": sub, "origin": "study", "file": "x.csv", "sheet": "", "row": 2, "column": "subcategory"})
    return pd.DataFrame(out)


TM, TP, TD, OE = ("TM", "Trained Model"), ("TP", "Task and Purpose"), ("TD", "Training Data"), ("OE", "Operational Environment")


def _example_round() -> pd.DataFrame:
    return _codings([
        ("M21-01", "a", *TM, "Versioning"), ("M21-01", "b", *TM, "Versioning"),
        ("M21-02", "a", *TP, "Task"), ("M21-02", "b", *TP, "Business Goals"),
        ("M21-03", "a", *TM, "Evaluation Metrics"), ("M21-03", "a", *OE, "Computing Resources"),
        ("M21-03", "b", *TM, "Evaluation Metrics"),
        ("M21-04", "a", *TD, "Versioning"), ("M21-04", "b", *TM, "Versioning"),
        ("M21-05", "a", *OE, "Computing Resources"),  # single coder: missing
    ])


def test_presence_handles_sets_and_missing():
    p = ag.presence(_example_round(), _codebook(), "category")
    assert p.mismatch_ids == ["M21-01", "M21-02", "M21-03", "M21-04"]
    assert p.single_coder == ["M21-05"]
    assert p.coders == ["a", "b"]
    j = p.codes.index("Operational Environment")
    assert list(p.values[:, 0, j]) == [0, 0, 1, 0] and list(p.values[:, 1, j]) == [0, 0, 0, 0]


def test_agreement_table_by_hand():
    res = ag.agreement(_example_round(), _codebook(), n_boot=200, seed=1)
    s = res.summary.set_index(["level", "code", "statistic"])
    # category level, Trained Model: a = [1,0,1,0], b = [1,0,1,1] -> p_o = 3/4, p_e = 1/2*3/4 + 1/2*1/4 = 1/2 -> 0.5
    assert s.loc[("category", "Trained Model", "cohen_kappa"), "estimate"] == pytest.approx(0.5)
    # Task and Purpose: both [0,1,0,0] -> perfect agreement
    assert s.loc[("category", "Task and Purpose", "krippendorff_alpha"), "estimate"] == pytest.approx(1.0)
    # the subcategory level sees the Task / Business Goals disagreement
    assert s.loc[("subcategory", "(TP) Task", "cohen_kappa"), "estimate"] == pytest.approx(0.0)
    assert res.n_mismatches == 4 and res.single_coder == ["M21-05"]
    assert any("single coder" in n and "M21-05 (x.csv, row 2, column 'subcategory', coder a)" in n for n in res.notes)
    overall = s.loc[("category", "all codes (pooled)", "krippendorff_alpha")]
    assert -1 <= overall["estimate"] <= 1 and overall["ci_low"] <= overall["estimate"] <= overall["ci_high"]
    # a code nobody used is undefined, with a note
    row = s.loc[("subcategory", "(TM) Versioning", "fleiss_kappa")]
    assert not np.isnan(row["estimate"])
    unused = s.loc[("category", "Raw Data", "fleiss_kappa")]
    assert np.isnan(unused["estimate"]) and unused["note"] == "never coded by anyone"


def test_agreement_bootstrap_is_reproducible():
    a = ag.agreement(_example_round(), _codebook(), n_boot=100, seed=3).summary
    b = ag.agreement(_example_round(), _codebook(), n_boot=100, seed=3).summary
    pd.testing.assert_frame_equal(a, b)


def test_disagreement_table_ready_for_adjudication():
    d = ag.disagreements(_example_round())
    assert list(d["mismatch_id"]) == ["M21-02", "M21-03", "M21-04"]
    row = d.set_index("mismatch_id").loc["M21-03"]
    assert row["agreed"] == "(TM) Evaluation Metrics"
    assert row["disputed"] == "(OE) Computing Resources [a]"
    assert not row["categories_agree"]
    assert d.set_index("mismatch_id").loc["M21-02", "categories_agree"]
    assert (d["decision"] == "").all()
    assert {"a", "b"} <= set(d.columns)


def test_agreement_needs_two_coders():
    from mlmismatch.core.errors import InputError

    one = _example_round()
    with pytest.raises(InputError, match="only one coder"):
        ag.agreement(one[one.coder == "a"], _codebook(), n_boot=10)


def test_three_coders_cohen_not_reported():
    rows = _example_round()
    c = rows[rows.coder == "b"].assign(coder="c")
    res = ag.agreement(pd.concat([rows, c]), _codebook(), levels=("category",), n_boot=50)
    ck = res.summary[res.summary.statistic == "cohen_kappa"]
    assert ck["estimate"].isna().all() and ck["note"].str.contains("exactly two coders").all()
    fk = res.summary[(res.summary.statistic == "fleiss_kappa") & (res.summary.scope == "overall")]
    assert fk["estimate"].notna().all()
