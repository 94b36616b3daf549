"""Survey statistics against small cases computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from mlmismatch.study import survey
from mlmismatch.analyses import survey_stats as ss
from mlmismatch.core.numbers import largest_remainder, round_half_up

LEVELS = list(survey.LEVELS)


def make(answers: dict[str, dict[str, list[int]]], roles: list[str] | None = None):
    """``{item: {role: [scores 1-4]}}`` -> (responses, items) tables like the loader's."""
    rows, items = [], []
    roles = roles or list(dict.fromkeys(r for per in answers.values() for r in per))
    counters: dict[str, int] = {}
    for k, (item, per_role) in enumerate(answers.items()):
        items.append({"item": item, "category_code": "TM", "category": "Trained Model", "subcategory": f"Sub {item}",
                      "label": f"Sub {item}", "paper_label": f"TM: Sub {item}", "order": k + 1})
        for role, scores in per_role.items():
            for i, s in enumerate(scores):
                rid = f"{role[:2]}{i}"
                counters[rid] = 1
                rows.append({"respondent": rid, "role": role, "item": item, "category_code": "TM",
                             "category": "Trained Model", "subcategory": f"Sub {item}",
                             "answer": LEVELS[s - 1] if s else None, "score": s or None})
    df = pd.DataFrame(rows)
    df["answer"] = pd.Categorical(df["answer"], dtype=survey.answer_dtype())
    df["score"] = df["score"].astype("Int64")
    df["role"] = pd.Categorical(df["role"], categories=roles, ordered=True)
    return df, pd.DataFrame(items)


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------
def test_cliffs_delta_by_hand():
    # x=[2,3,4] vs y=[1,2]: pairs > : 2>1, 3>1, 3>2, 4>1, 4>2 = 5; < : none; ties: 2=2 -> (5-0)/6
    assert ss.cliffs_delta([2, 3, 4], [1, 2]) == pytest.approx(5 / 6)
    assert ss.cliffs_delta([1, 2], [2, 3, 4]) == pytest.approx(-5 / 6)
    assert ss.cliffs_delta([1, 2, 3], [2, 2]) == pytest.approx(0.0)
    assert ss.cliffs_delta([3, 4], [1, 2]) == 1.0
    assert ss.cliffs_magnitude(0.1) == "negligible" and ss.cliffs_magnitude(-0.2) == "small"
    assert ss.cliffs_magnitude(0.4) == "medium" and ss.cliffs_magnitude(-0.5) == "large"


def test_epsilon_squared_and_holm_by_hand():
    assert ss.epsilon_squared(4.0, 11) == pytest.approx(0.4)
    # sorted 0.01, 0.03, 0.04 -> 0.03, 0.06, 0.04 -> monotone 0.03, 0.06, 0.06
    assert ss.holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    out = ss.holm([0.02, float("nan"), 0.04])
    assert out[0] == pytest.approx(0.04) and math.isnan(out[1]) and out[2] == pytest.approx(0.04)


def test_largest_remainder_percent():
    assert largest_remainder([20, 8, 3]) == [64, 26, 10]
    assert largest_remainder([2, 7, 7, 15]) == [6, 23, 23, 48]
    assert largest_remainder([1, 1, 1]) == [34, 33, 33]
    assert largest_remainder([0, 0]) == [0, 0]


def test_round_half_up_like_the_paper():
    assert round_half_up(87.5) == 88 and round_half_up(62.5) == 63 and round_half_up(68.75) == 69
    assert ss.slug("Operations + Other") == "operations_other"


# --------------------------------------------------------------------------------------------
# Table II, distribution, demographics
# --------------------------------------------------------------------------------------------
def test_important_by_role_counts():
    responses, items = make({
        "Q1": {"A": [4, 3, 2, 1, 4], "B": [2, 2, 3]},
        "Q2": {"A": [1, 1, 1, 1, 2], "B": [4, 4, None]},
    })
    t = ss.important_by_role(responses, items).set_index(["item", "role"])
    assert t.loc[("Q1", "A"), ["n_important", "n_respondents"]].tolist() == [3, 5]
    assert t.loc[("Q1", "A"), "pct"] == 60.0
    assert t.loc[("Q1", "B"), ["n_important", "n_respondents", "pct"]].tolist() == [1, 3, pytest.approx(33.33)]
    assert t.loc[("Q2", "A"), "n_important"] == 0
    assert t.loc[("Q2", "B"), ["n_important", "n_respondents", "pct"]].tolist() == [2, 2, 100.0]  # blank not counted
    assert list(ss.important_by_role(responses, items)[ss.TABLE2_COLUMNS].columns) == ss.TABLE2_COLUMNS


def test_table2_layouts_round_half_up_and_state_n():
    responses, items = make({"Q1": {"A": [4] * 5 + [1] * 3, "B": [3, 3, 3, 3, 1]}})  # 5/8 = 62.5 %
    t2 = ss.important_by_role(responses, items)
    wide = ss.table2_paper_layout(t2)
    assert wide.iloc[0].tolist() == ["TM: Sub Q1", 5, 63, 4, 80]
    md = ss.table2_markdown(t2)
    assert "A (n=8)" in md and "B (n=5)" in md and "| TM: Sub Q1 | 5 | 63 | 4 | 80 |" in md
    assert "Caveat: small group 'A' (n=8 < 10)" in md
    tex = ss.table2_latex(t2)
    assert r"\multicolumn{2}{c}{(n=5)}" in tex and r"TM: Sub Q1 & 5 & 63 & 4 & 80 \\" in tex and r"VI+I & \%" in tex


def test_distribution_counts_and_means():
    responses, items = make({"Q1": {"A": [1, 2, 3, 4, 4], "B": [4]}})
    d = ss.distribution(responses, items).iloc[0]
    assert [d[lvl] for lvl in LEVELS] == [1, 1, 1, 3]
    assert d["n"] == 6 and d["n_important"] == 4 and d["pct_important"] == pytest.approx(66.67)
    assert d["mean_score"] == pytest.approx(18 / 6) and d["median_score"] == 3.5
    by = ss.distribution(responses, items, by_role=True).set_index("role")
    assert by.loc["B", "Very Important"] == 1 and by.loc["B", "n"] == 1 and "small" in by.loc["B", "caveat"]


def test_demographics_counts_and_shares():
    respondents = pd.DataFrame({
        "affiliation_group": pd.Categorical(["Industry", "Industry", "Government", "Industry"],
                                            categories=["Industry", "Government", "Academia/Research Lab"]),
        "affiliation": ["Industry"] * 4, "primary_role": ["Data Scientist"] * 4,
        "role": pd.Categorical(["DS", "DS", "SE", "DS"], categories=["DS", "SE"]),
        "years_total": ["1-3"] * 4, "years_ml": ["1-3", "4-7", "4-7", "4-7"],
    })
    d = ss.demographics(respondents)
    aff = d[d.variable == "affiliation"].set_index("value")
    assert aff["n"].tolist() == [3, 1, 0] and aff.loc["Industry", "pct"] == 75.0
    assert aff["pct_int"].tolist() == [75, 25, 0]
    assert (d["n_total"] == 4).all()
    ml = d[d.variable == "years_ml"].set_index("value")["n"]
    assert ml.to_dict() == {"1-3": 1, "4-7": 3}


# --------------------------------------------------------------------------------------------
# Bootstrap intervals
# --------------------------------------------------------------------------------------------
def test_bootstrap_share_ci():
    rng = np.random.default_rng(1)
    assert ss.bootstrap_share_ci(np.ones(5), rng=rng) == (1.0, 1.0)
    assert all(math.isnan(v) for v in ss.bootstrap_share_ci(np.array([]), rng=rng))
    x = np.array([1, 1, 1, 0, 0, 1, 0, 1, 1, 1], dtype=float)
    lo, hi = ss.bootstrap_share_ci(x, rng=np.random.default_rng(7), n_boot=4000)
    assert lo < 0.7 < hi and 0.3 <= lo and hi <= 1.0
    # bootstrap of a 0/1 mean ~ Binomial(n, p)/n: its 2.5 % quantile is 0.4 for n=10, p=0.7
    assert lo == pytest.approx(0.4, abs=0.1) and hi == pytest.approx(1.0, abs=0.1)


def test_important_share_ci_is_deterministic_and_flags_small_n():
    responses, items = make({"Q1": {"A": [4, 3, 2, 1, 4, 4, 3, 2, 4, 4, 1], "B": [4, 4, 4]}})
    a = ss.important_share_ci(responses, items, n_boot=500, seed=3)
    b = ss.important_share_ci(responses, items, n_boot=500, seed=3)
    pd.testing.assert_frame_equal(a, b)
    t = a.set_index("role")
    assert list(t.index) == ["A", "B", "All"]
    assert t.loc["A", "n_respondents"] == 11 and t.loc["A", "caveat"] == ""
    assert t.loc["A", "ci_low"] <= t.loc["A", "pct"] <= t.loc["A", "ci_high"]
    # 3 of 3: Wilson's interval does not collapse to a point as a percentile bootstrap would
    assert t.loc["B", ["pct", "ci_low", "ci_high"]].tolist() == [100.0, 43.85, 100.0]
    assert "n=3 < 10" in t.loc["B", "caveat"] and t.loc["B", "ci_method"].startswith("Wilson")
    assert t.loc["All", "n_respondents"] == 14


# --------------------------------------------------------------------------------------------
# Role differences
# --------------------------------------------------------------------------------------------
def test_kruskal_wallis_by_hand():
    # groups [1,2] and [3,4], no ties: H = 12/(4*5) * (3^2/2 + 7^2/2) - 3*5 = 2.4, df 1
    responses, items = make({"Q1": {"A": [1, 2], "B": [3, 4]}, "Q2": {"A": [4, 4], "B": [4, 4]}})
    kw = ss.role_differences(responses, items).set_index("item")
    assert kw.loc["Q1", "H"] == pytest.approx(2.4)
    assert kw.loc["Q1", "df"] == 1
    from scipy.stats import chi2

    assert kw.loc["Q1", "p"] == pytest.approx(chi2.sf(2.4, 1), abs=1e-6)
    assert kw.loc["Q1", "epsilon_sq"] == pytest.approx(2.4 / 3)
    assert kw.loc["Q1", ["n_a", "n_b", "mean_a", "mean_b"]].tolist() == [2, 2, 1.5, 3.5]
    # identical answers: H = 0, p = 1, and the note says why
    assert kw.loc["Q2", ["H", "p"]].tolist() == [0.0, 1.0] and "identical" in kw.loc["Q2", "caveat"]
    # Holm over the two items: min(1, 2 * p1), and p2 = 1
    assert kw.loc["Q1", "p_holm"] == pytest.approx(min(1, 2 * chi2.sf(2.4, 1)), abs=1e-6)
    assert "small group(s): A n=2, B n=2" in kw.loc["Q1", "caveat"]


def test_pairwise_mann_whitney_by_hand():
    # x=[2,3,4] vs y=[1,2]: U_x = 5.5 (5 wins + 0.5 tie), delta = 2*5.5/6 - 1 = 5/6
    responses, items = make({"Q1": {"X": [2, 3, 4], "Y": [1, 2], "Z": [4, 4, 4]}})
    pw = ss.pairwise_role_differences(responses, items)
    xy = pw[(pw.role_a == "X") & (pw.role_b == "Y")].iloc[0]
    assert xy["U"] == pytest.approx(5.5) and xy["cliffs_delta"] == pytest.approx(0.8333, abs=1e-4)
    assert xy["magnitude"] == "large" and (xy["n_a"], xy["n_b"]) == (3, 2)
    from scipy.stats import mannwhitneyu

    assert xy["p"] == pytest.approx(mannwhitneyu([2, 3, 4], [1, 2], method="asymptotic").pvalue, abs=1e-6)
    assert len(pw) == 3 and set(zip(pw.role_a, pw.role_b)) == {("X", "Y"), ("X", "Z"), ("Y", "Z")}
    assert (pw["caveat"] != "").all()


def test_holm_for_pairs_is_across_items_within_a_pair():
    responses, items = make({f"Q{i}": {"A": [1, 2, 1, 2, 1, 1], "B": [4, 3, 4, 4, 3, 4]} for i in range(3)})
    pw = ss.pairwise_role_differences(responses, items)
    assert pw["p_holm"].tolist() == pytest.approx([min(1, 3 * pw["p"].iloc[0])] * 3, abs=1e-5)


# --------------------------------------------------------------------------------------------
# Rank agreement between roles
# --------------------------------------------------------------------------------------------
def test_rank_agreement_identical_and_reversed():
    same = {f"Q{i}": {"A": [i, i], "B": [i, i], "C": [5 - i, 5 - i]} for i in range(1, 5)}
    responses, items = make(same)
    rc = ss.role_rank_agreement(responses, items, n_boot=300, seed=1).set_index(["role_a", "role_b"])
    assert rc.loc[("A", "B"), "spearman_rho"] == pytest.approx(1.0)
    assert rc.loc[("A", "B"), "kendall_tau"] == pytest.approx(1.0)
    assert rc.loc[("A", "C"), "spearman_rho"] == pytest.approx(-1.0)
    assert rc.loc[("A", "B"), "rho_ci_low"] == pytest.approx(1.0)  # every resample with variation gives 1
    assert rc.loc[("A", "B"), "n_a"] == 2 and "small group" in rc.loc[("A", "B"), "caveat"]


def test_spearman_rows_matches_scipy():
    from scipy.stats import spearmanr

    from mlmismatch.analyses.stats.correlation import _rows_spearman

    rng = np.random.default_rng(0)
    a = rng.integers(1, 5, size=(5, 12)).astype(float)
    b = rng.integers(1, 5, size=(5, 12)).astype(float)
    got = _rows_spearman(a, b)
    for i in range(5):
        assert got[i] == pytest.approx(spearmanr(a[i], b[i])[0])


def test_rank_ci_contains_estimate_on_noisy_data():
    rng = np.random.default_rng(5)
    base = np.linspace(1.5, 3.8, 20)
    answers = {f"Q{i}": {"A": list(np.clip(np.round(base[i] + rng.normal(0, 0.7, 12)), 1, 4).astype(int)),
                         "B": list(np.clip(np.round(base[i] + rng.normal(0, 0.7, 8)), 1, 4).astype(int))}
               for i in range(20)}
    responses, items = make(answers)
    r = ss.role_rank_agreement(responses, items, n_boot=1000, seed=2).iloc[0]
    assert r["rho_ci_low"] <= r["spearman_rho"] <= r["rho_ci_high"]


# --------------------------------------------------------------------------------------------
# Interviews vs survey
# --------------------------------------------------------------------------------------------
def test_interviews_vs_survey_by_hand():
    responses, items = make({"Q1": {"A": [1, 1]}, "Q2": {"A": [2, 2]}, "Q3": {"A": [4, 4]}})
    instances = pd.DataFrame({"category": ["Trained Model"] * 6 + ["TM"],
                              "subcategory": ["Sub Q1"] * 5 + ["Sub Q2"] + ["Sub Q2"]})
    per, summary = ss.interviews_vs_survey(instances, responses, items, n_boot=200, seed=1, top=2)
    per = per.set_index("item")
    assert per["n_instances"].tolist() == [5, 2, 0]  # codes and names both accepted; Q3 never coded
    assert per["instance_rank"].tolist() == [1, 2, 3] and per["survey_rank"].tolist() == [3, 2, 1]
    assert per["rank_gap"].tolist() == [-2, 0, 2]
    assert per.loc["Q1", "direction"].startswith("frequent in the interviews")
    assert per.loc["Q3", "direction"].startswith("survey rates it higher")
    s = summary.iloc[0]
    assert s["spearman_rho"] == pytest.approx(-1.0) and s["kendall_tau"] == pytest.approx(-1.0)
    assert s["n_instances"] == 7 and s["n_respondents"] == 2
    assert s["most_disagreeing"] == "TM: Sub Q1 (-2); TM: Sub Q3 (+2)"


def test_interviews_vs_survey_rejects_unknown_subcategory():
    from mlmismatch.core.errors import InputError

    responses, items = make({"Q1": {"A": [1, 2]}})
    with pytest.raises(InputError, match="subcategories the survey does not have"):
        ss.instance_counts(pd.DataFrame({"category": ["Trained Model"], "subcategory": ["Nope"]}), items)


def test_analyze_bundles_everything(tmp_path):
    from test_survey import load

    data = load(tmp_path)
    out = ss.analyze(data.respondents, data.items, data.responses, n_boot=200)
    assert {"demographics", "distribution", "table2", "important_ci", "role_differences", "role_pairwise",
            "role_rank_correlation"} <= set(out)
    t2 = out["table2"].set_index(["item", "role"])
    # hand count from test_survey.RESPONDENTS: Q7_1 DS V,I,V -> 3/3; SE S,V -> 1/2; Ops+Other I,V -> 2/2
    assert t2.loc[("Q7_1", "Data Science"), ["n_important", "n_respondents"]].tolist() == [3, 3]
    assert t2.loc[("Q7_1", "Software Engineering"), ["n_important", "n_respondents"]].tolist() == [1, 2]
    assert t2.loc[("Q7_1", "Operations + Other"), ["n_important", "n_respondents"]].tolist() == [2, 2]
    # Q19_1 DS N,S,S -> 0/3; SE N,I -> 1/2; Ops+Other V,I -> 2/2
    assert t2.loc[("Q19_1", "Data Science"), "n_important"] == 0
    assert t2.loc[("Q19_1", "Software Engineering"), "n_important"] == 1
    assert t2.loc[("Q19_1", "Operations + Other"), "n_important"] == 2
