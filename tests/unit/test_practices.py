"""The practice matrix (issue 13) on a synthetic corpus: loading and checking (bad input -> one-line
errors), the accepted matrix, agreement recomputed two ways, text check, chain, gaps, figure."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import (PRACTICE_CODEBOOK, PRACTICE_LINKS, PRACTICE_ROWS, PRACTICE_SOURCES, build_practice_corpus,
                      practice_codebook, rating_rows)

from mlmismatch.analyses.stats import agreement as st
from mlmismatch.core.errors import InputError
from mlmismatch.mapping.practices import agreement as ag
from mlmismatch.mapping.practices import corpus as pc
from mlmismatch.mapping.practices import gaps, incidence, load_corpus, textcheck

MISMATCH_IDS = ["M01-01", "M02-03"]


def load(directory: Path) -> pc.PracticeCorpus:
    return load_corpus(directory, codebook=practice_codebook(), mismatch_ids=MISMATCH_IDS)


@pytest.fixture
def corpus(tmp_path) -> pc.PracticeCorpus:
    return load(build_practice_corpus(tmp_path / "practices"))


# ------------------------------------------------------------------------------------------ the accepted matrix

def test_tidy_tables(corpus):
    assert list(corpus.practices["practice_id"]) == [p[0] for p in PRACTICE_ROWS]
    assert corpus.admitted_sources == ["alpha", "beta"]  # gamma is listed, excluded
    n = len(PRACTICE_ROWS) * len(PRACTICE_CODEBOOK)
    assert len(corpus.cells) == n and len(corpus.ratings) == 2 * n
    assert set(corpus.ratings["rater"]) == {"rater_a", "rater_b"}
    assert corpus.ratings["link"].dtype.kind == "i"
    assert list(corpus.adjudication["decision"]) == [0, 1]


def test_accepted_is_both_raters_or_adjudicated_one(corpus):
    acc = corpus.accepted.set_index(["practice_id", "category_code", "subcategory"])
    a, b = PRACTICE_LINKS["rater_a"], PRACTICE_LINKS["rater_b"]
    both = {(p, *k) for p in a for k in a[p] if k in b.get(p, {})}
    assert {k for k in acc.index if acc.loc[k, "basis"] == "both raters"} == both
    # the two disagreements: ALP-02 x (TM) Versioning rejected (decision 0), BET-D1 x (TM) Versioning accepted
    assert ("ALP-02", "TM", "Versioning") not in acc.index
    rec = acc.loc[("BET-D1", "TM", "Versioning")]
    assert rec["basis"] == "adjudicated" and rec["relation"] == "informs" and rec["rater_b"] == 0
    assert rec["adjudication_reason"] == "Rule 2 of the link codebook." and rec["rationale_b"] == ""
    # evidence travels with the link: locator, both rationales, the union of the cited mismatch ids
    rec = acc.loc[("BET-M1", "OE", "Runtime Metrics and Data")]
    assert rec["locator"] == "Monitor 1" and rec["mismatch_ids"] == "M02-03" and rec["relation"] == "detects"
    assert rec["rationale_a"] and rec["rationale_b"]
    assert (corpus.accepted["locator"] != "").all()
    m = incidence(corpus)
    assert m.shape == (len(PRACTICE_ROWS), len(PRACTICE_CODEBOOK))
    assert int(m.to_numpy().sum()) == len(corpus.accepted)
    assert m.loc["BET-D1", "(TM) Versioning"] == 1 and m.loc["ALP-02", "(TM) Versioning"] == 0
    assert incidence(corpus, "rater_b").loc["ALP-02", "(TM) Versioning"] == 1


def test_different_relations_are_both_kept(tmp_path):
    links = {r: {p: dict(v) for p, v in d.items()} for r, d in PRACTICE_LINKS.items()}
    links["rater_b"]["ALP-01"][("TM", "Versioning")] = ("informs", "")
    c = load(build_practice_corpus(tmp_path / "p", links=links))
    rec = c.accepted.set_index(["practice_id", "category_code", "subcategory"]).loc[("ALP-01", "TM", "Versioning")]
    assert rec["relation"] == "informs/prevents" and (rec["relation_a"], rec["relation_b"]) == ("prevents", "informs")
    rel = ag.relation_agreement(c)
    assert int(rel.loc[~rel["same"], "n_cells"].sum()) == 1
    # relation_adjudication.csv decides it, with its reason
    decided = [["ALP-01", "TM", "Versioning", "prevents", "informs", "prevents", "R7: the tie-break."]]
    c = load(build_practice_corpus(tmp_path / "q", links=links, relation_adjudication=decided))
    rec = c.accepted.set_index(["practice_id", "category_code", "subcategory"]).loc[("ALP-01", "TM", "Versioning")]
    assert rec["relation"] == "prevents" and rec["adjudication_reason"] == "R7: the tie-break."
    assert rec["basis"] == "both raters"
    assert "practice_relation_adjudication" in pc.package_tables(c)
    for rows, message in (
            ([], r"^relation_adjudication.csv: 1 relation difference\(s\) not adjudicated, the first ALP-01 x \(TM\) Versioning"),
            ([*decided, ["ALP-02", "TM", "API/Specifications", "informs", "informs", "informs", "x"]],
             r"relation_adjudication.csv, row 3, column A \(practice_id\): both raters named 'informs'"),
            ([["ALP-01", "TM", "Versioning", "detects", "informs", "prevents", "x"]],
             r"row 2, column D \(relation_a\): relation_a is 'detects' but the rating has 'prevents'"),
            ([["ALP-01", "TD", "Versioning", "prevents", "informs", "prevents", "x"]],
             r"row 2, column C \(subcategory\): cell ALP-01 x \(TD\) Versioning is not linked by both raters"),
            ([["ALP-01", "TM", "Versioning", "prevents", "informs", "causes", "x"]], r"column F \(relation\)"),
            ([["ALP-01", "TM", "Versioning", "prevents", "informs", "prevents", ""]], r"column G \(reason\)")):
        d = build_practice_corpus(tmp_path / f"r{len(message)}", links=links, relation_adjudication=rows)
        with pytest.raises(InputError) as exc:
            load(d)
        assert pd.Series([str(exc.value)]).str.contains(message, regex=True).iloc[0], str(exc.value)


# ------------------------------------------------------------------------------------------ bad input

def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def _rewrite(file: str, change):
    """A mutation of the synthetic corpus: ``change(rows)`` on the CSV's rows (header first), written back."""
    def mutate(d: Path) -> None:
        rows = _rows(d / file)
        change(rows)
        with (d / file).open("w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)
    return mutate


def _edit(file: str, row: int, column: str, value: str):
    return _rewrite(file, lambda rows: rows[row - 1].__setitem__(rows[0].index(column), value))


def _drop(file: str, row: int):
    return _rewrite(file, lambda rows: rows.__delitem__(row - 1))


def _dup(file: str, row: int):
    return _rewrite(file, lambda rows: rows.insert(row, rows[row - 1]))


RA = "ratings/rater_a.csv"
BAD = [
    ("repeated practice id", _edit("practices.csv", 3, "practice_id", "ALP-01"),
     r"^practices.csv, row 3, column A \(practice_id\): repeated practice id 'ALP-01' \(first on row 2\)"),
    ("malformed practice id", _edit("practices.csv", 2, "practice_id", "alp_1"),
     r"practices.csv, row 2, column A \(practice_id\): malformed practice id 'alp_1'"),
    ("empty locator", _edit("practices.csv", 4, "locator", ""),
     r"practices.csv, row 4, column C \(locator\): practice BET-M1 has no locator; expected where in the source"),
    ("unknown source", _edit("practices.csv", 2, "source_id", "delta"),
     r"practices.csv, row 2, column B \(source_id\): unknown source 'delta'; expected a source_id of sources.csv"),
    ("excluded source", _edit("practices.csv", 2, "source_id", "gamma"),
     r"practices.csv, row 2, column B \(source_id\): source 'gamma' is not admitted"),
    ("extension flag", _edit("practices.csv", 2, "extension", "maybe"), r"row 2, column F \(extension\)"),
    ("stated count", _edit("sources.csv", 2, "n_practices", "3"),
     r"sources.csv, row 2, column H \(n_practices\): source 'alpha' states 3 practices, practices.csv has 2"),
    ("repeated source", _edit("sources.csv", 3, "source_id", "alpha"), r"sources.csv, row 3, column A \(source_id\)"),
    ("excluded without reason", _edit("sources.csv", 4, "reason", ""), r"sources.csv, row 4, column J \(reason\)"),
    ("verified", _edit("sources.csv", 2, "verified_offline", "maybe"), r"expected yes, partial or no"),
    ("unknown practice in a rating", _edit(RA, 2, "practice_id", "ALP-99"),
     r"^ratings/rater_a.csv, row 2, column A \(practice_id\): unknown practice id 'ALP-99'"),
    ("unknown subcategory", _edit(RA, 3, "subcategory", "Nothing"),
     r"ratings/rater_a.csv, row 3, column C \(subcategory\): unknown subcategory '\(TM\) Nothing'"),
    ("doubled cell", _dup(RA, 3),
     r"ratings/rater_a.csv, row 4, column C \(subcategory\): cell ALP-01 x \(TM\) API/Specifications rated twice "
     r"\(first on row 3\)"),
    ("missing cell", _drop(RA, 3),
     r"^ratings/rater_a.csv: cell ALP-01 x \(TM\) API/Specifications not rated \(15 of 16 cells rated\); expected "
     r"every practice rated against every codebook subcategory"),
    ("link not 0/1", _edit(RA, 4, "link", "yes"), r"ratings/rater_a.csv, row 4, column D \(link\): link is 'yes'; expected 0 or 1"),
    ("link 1 without relation", _edit(RA, 2, "relation", ""),
     r"ratings/rater_a.csv, row 2, column E \(relation\): link 1 with relation ''"),
    ("link 1 with unknown relation", _edit(RA, 2, "relation", "causes"), r"column E \(relation\): link 1 with relation 'causes'"),
    ("link 1 without rationale", _edit(RA, 2, "rationale", ""), r"row 2, column F \(rationale\): link 1 without a rationale"),
    ("link 0 with relation", _edit(RA, 3, "relation", "informs"),
     r"ratings/rater_a.csv, row 3, column E \(relation\): link 0 with a relation"),
    ("link 0 with rationale", _edit(RA, 3, "rationale", "Because."), r"row 3, column F \(rationale\): link 0 with a rationale"),
    ("unknown mismatch id", _edit(RA, 2, "mismatch_ids", "M99-99"),
     r"row 2, column G \(mismatch_ids\): unknown mismatch id 'M99-99'"),
    ("adjudication of an agreed cell", _edit("adjudication.csv", 2, "subcategory", "API/Specifications"),
     r"^adjudication.csv, row 2, column A \(practice_id\): cell ALP-02 x \(TM\) API/Specifications is adjudicated but "
     r"both raters gave 1; expected only cells where rater_a and rater_b disagree"),
    ("adjudication missing a disagreement", _drop("adjudication.csv", 3),
     r"^adjudication.csv: 1 disagreement\(s\) not adjudicated, the first BET-D1 x \(TM\) Versioning"),
    ("adjudication copies the ratings wrongly", _edit("adjudication.csv", 2, "rater_a", "1"),
     r"adjudication.csv, row 2, column D \(rater_a\): rater_a is '1' but ratings/rater_a.csv has 0"),
    ("adjudication decision", _edit("adjudication.csv", 2, "decision", "2"), r"column F \(decision\): decision is '2'"),
    ("adjudication without reason", _edit("adjudication.csv", 2, "reason", ""), r"column H \(reason\): no reason"),
    ("adjudication relation for a rejection", _edit("adjudication.csv", 2, "relation", "informs"),
     r"column G \(relation\): decision 0 with relation 'informs'"),
    ("doubled adjudication", _dup("adjudication.csv", 2), r"adjudication.csv, row 3, .*adjudicated twice"),
]


@pytest.mark.parametrize("name,mutate,message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_naming_file_row_column(tmp_path, name, mutate, message):
    d = build_practice_corpus(tmp_path / "p", mutate=mutate)
    with pytest.raises(InputError) as exc:
        load(d)
    msg = str(exc.value)
    assert "\n" not in msg
    assert pd.Series([msg]).str.contains(message, regex=True).iloc[0], msg


def test_missing_file_and_column(tmp_path):
    d = build_practice_corpus(tmp_path / "p")
    (d / "adjudication.csv").unlink()
    with pytest.raises(InputError, match=r"^adjudication.csv: file not found"):
        load(d)
    d = build_practice_corpus(tmp_path / "q")
    text = (d / "practices.csv").read_text().replace("locator", "where", 1)
    (d / "practices.csv").write_text(text)
    with pytest.raises(InputError, match=r"practices.csv, row 1: missing column 'locator'"):
        load(d)


def test_every_practice_is_rated_against_every_subcategory(tmp_path):
    """A rater who left a practice out entirely is caught, naming the first missing cell."""
    rows = [r for r in rating_rows(PRACTICE_LINKS["rater_b"]) if r[0] != "BET-D1"]
    d = build_practice_corpus(tmp_path / "p", ratings={"rater_b": rows}, adjudication=[])
    with pytest.raises(InputError, match=r"ratings/rater_b.csv: cell BET-D1 x \(TM\) Versioning not rated \(12 of 16"):
        load(d)


# ------------------------------------------------------------------------------------------ agreement

def _pooled(corpus, sid=None):
    cells = corpus.cells if sid is None else corpus.cells[corpus.cells["source_id"] == sid]
    return cells["rater_a"].to_numpy(), cells["rater_b"].to_numpy()


def _ac1_independent(a, b) -> float:
    """Gwet's AC1 from the 2x2 contingency table with the q-category formula (Gwet 2008, eq. 4)."""
    q = 2
    table = np.zeros((q, q))
    for x, y in zip(a, b):
        table[int(x), int(y)] += 1
    n = table.sum()
    p_a = np.trace(table) / n
    pi = (table.sum(axis=1) + table.sum(axis=0)) / (2 * n)
    p_e = (pi * (1 - pi)).sum() / (q - 1)
    return (p_a - p_e) / (1 - p_e)


def test_agreement_is_recomputed_against_reference_implementations(corpus):
    import krippendorff
    from sklearn.metrics import cohen_kappa_score, confusion_matrix

    table = ag.agreement_table(corpus, n_boot=200, seed=3)
    for sid in (None, "alpha", "beta"):
        a, b = _pooled(corpus, sid)
        got = table[(table["scope"] == ("overall" if sid is None else "source")) &
                    (table["source_id"] == (sid or ""))].set_index("statistic")["estimate"]
        assert got["cohen_kappa"] == pytest.approx(cohen_kappa_score(a, b))
        assert got["krippendorff_alpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=np.vstack([a, b]).astype(float), level_of_measurement="nominal"))
        assert got["gwet_ac1"] == pytest.approx(_ac1_independent(a, b))
        cm = confusion_matrix(a, b, labels=[0, 1])
        assert got["percent_agreement"] == pytest.approx(np.trace(cm) / cm.sum())
        assert got["pabak"] == pytest.approx(2 * np.trace(cm) / cm.sum() - 1)
    overall = table[table["scope"] == "overall"].iloc[0]
    a, b = _pooled(corpus)
    assert overall["n_cells"] == len(a) and overall["n_disagreements"] == int((a != b).sum())
    assert overall["n_links_a"] == int(a.sum()) and overall["n_both"] == int(((a == 1) & (b == 1)).sum())


def test_bootstrap_resamples_practices_and_is_seeded(corpus):
    t1 = ag.agreement_table(corpus, n_boot=300, seed=7)
    t2 = ag.agreement_table(corpus, n_boot=300, seed=7)
    pd.testing.assert_frame_equal(t1, t2)
    ok = t1.dropna(subset=["ci_low"])
    assert len(ok) and ((ok["ci_low"] <= ok["estimate"] + 1e-12) & (ok["estimate"] <= ok["ci_high"] + 1e-12)).all()
    # a resample of whole practices: with 4 practices x 4 cells, the percent agreement takes multiples of 1/16
    a = corpus.cells["rater_a"].to_numpy(float).reshape(4, 4)
    b = corpus.cells["rater_b"].to_numpy(float).reshape(4, 4)
    reps = ag.bootstrap(a, b, n_boot=50, seed=1)["percent_agreement"]
    assert np.allclose(reps * 16, np.round(reps * 16))
    # the disagreeing practices are ALP-02 and BET-D1 (one cell each): a resample has 0..4 of them
    assert set(np.round(16 * (1 - reps)).astype(int)) <= {0, 1, 2, 3, 4}


def test_prevalence_robust_statistics_on_a_sparse_matrix():
    """The kappa paradox: 98 % agreement on a sparse matrix, kappa low, AC1 and PABAK high."""
    a = np.zeros(100)
    b = np.zeros(100)
    a[0] = b[1] = 1  # each rater links one different cell
    assert float(st.percent_agreement_pairs(a, b)) == pytest.approx(0.98)
    assert float(st.cohen_kappa_pairs(a, b)) < 0  # chance agreement on 0 is 0.9801
    assert float(st.pabak_pairs(a, b)) == pytest.approx(0.96)
    assert float(st.gwet_ac1_pairs(a, b)) == pytest.approx(_ac1_independent(a, b))
    assert float(st.gwet_ac1_pairs(a, b)) > 0.95
    same = np.zeros(10)
    assert np.isnan(st.cohen_kappa_pairs(same, same)) and float(st.gwet_ac1_pairs(same, same)) == 1.0


def test_batched_statistics_equal_one_by_one():
    rng = np.random.default_rng(0)
    a = (rng.random((5, 60)) < 0.2).astype(float)
    b = np.where(rng.random((5, 60)) < 0.85, a, 1 - a)
    got = ag.statistics(a, b)
    for i in range(5):
        one = ag.statistics(a[i], b[i])
        for s in ag.STATISTICS:
            assert got[s][i] == pytest.approx(float(one[s]))


def test_wide_table_and_adjudication_summary(corpus):
    table = ag.agreement_table(corpus, n_boot=100)
    w = ag.wide(table)
    assert list(w["scope"]) == ["all practices", "alpha", "beta"]
    assert w.loc[0, "disagree"] == 2 and " (" in w.loc[0, "Cohen's kappa"]
    s = ag.adjudication_summary(corpus).set_index("source_id")
    assert s.loc["all", "n_disagreements"] == 2 and s.loc["all", "n_accepted"] == 1
    assert s.loc["alpha", "b_only"] == 1 and s.loc["alpha", "b_only_accepted"] == 0
    assert s.loc["beta", "a_only_accepted"] == 1


# ------------------------------------------------------------------------------------------ text check

def test_text_check_scores_doubts_and_suggestions(corpus):
    scores = textcheck.similarity(corpus)
    assert len(scores) == len(corpus.cells)
    assert set(scores.groupby("practice_id")["rank"].apply(lambda r: tuple(sorted(r)))) == {(1, 2, 3, 4)}
    top = scores[scores["rank"] == 1].set_index("practice_id")["subcategory"]
    assert top["BET-M1"] == "Runtime Metrics and Data"  # the statement shares 'runtime metrics'
    d = textcheck.doubts(scores, k_doubt=1)
    assert set(d["practice_id"] + "|" + d["subcategory"]) == set(
        scores[scores["accepted"] & (scores["rank"] > 1)]["practice_id"] + "|"
        + scores[scores["accepted"] & (scores["rank"] > 1)]["subcategory"])
    s = textcheck.suggestions(scores, k_suggest=4, threshold=0.0)
    assert ((s["rater_a"] == 0) & (s["rater_b"] == 0)).all() and not s["accepted"].any()
    assert len(s) == int(((scores["rater_a"] == 0) & (scores["rater_b"] == 0)).sum())
    sep = textcheck.separation(scores).set_index("source_id")
    assert 0.0 <= sep.loc["all", "roc_auc"] <= 1.0
    assert sep.loc["all", "accepted_share"] == pytest.approx(len(corpus.accepted) / len(corpus.cells))


def test_text_check_uses_mismatch_texts_but_writes_only_ids(corpus):
    mismatches = pd.DataFrame({"mismatch_id": ["M01-01"], "description": ["zebra crossing"],
                               "info_not_communicated": ["zebra version"]})
    instances = pd.DataFrame({"mismatch_id": ["M01-01"], "category_code": ["TD"], "subcategory": ["Versioning"]})
    with_text = textcheck.similarity(corpus, mismatches, instances)
    without = textcheck.similarity(corpus)
    assert not np.allclose(with_text["score"], without["score"])  # the texts are used ...
    for df in (with_text, textcheck.labelled(with_text)):
        assert not df.astype(str).apply(lambda c: c.str.contains("zebra")).any().any()  # ... never written


# ------------------------------------------------------------------------------------------ chain and gaps

INSTANCES = pd.DataFrame([("TM", "Trained Model", "Versioning", 5), ("TM", "Trained Model", "API/Specifications", 3),
                          ("TD", "Training Data", "Versioning", 2), ("OE", "Operational Environment",
                                                                      "Runtime Metrics and Data", 10)],
                         columns=["category_code", "category", "subcategory", "n_instances"])
IMPORTANCE = pd.DataFrame([("Trained Model", "Versioning", "Data Science", 80.0),
                           ("Trained Model", "API/Specifications", "Data Science", 60.0),
                           ("Training Data", "Versioning", "Data Science", 40.0),
                           ("Operational Environment", "Runtime Metrics and Data", "Data Science", 20.0)],
                          columns=["category", "subcategory", "role", "pct"])


def test_chain_to_descriptor_attributes(corpus):
    attrs = pd.DataFrame([("TM", "Versioning", "trained_model", "model_version", "published"),
                          ("TD", "Versioning", "training_data", "dataset_version", "published"),
                          ("TD", "Versioning", "training_data", "data_lineage", "proposed"),
                          ("OE", "Runtime Metrics and Data", "", "", "none")],
                         columns=["category_code", "subcategory", "descriptor", "path", "status"])
    ch = gaps.chain(corpus, attrs)
    assert list(ch.columns) == gaps.CHAIN_COLUMNS
    bet = ch[ch["practice_id"] == "BET-D1"]
    assert set(zip(bet["descriptor"], bet["path"])) == {("trained_model", "model_version"),
                                                        ("training_data", "dataset_version"),
                                                        ("training_data", "data_lineage")}
    api = ch[ch["subcategory"] == "API/Specifications"]
    assert list(api["status"]) == ["none"] and list(api["descriptor"]) == [""]  # no attribute row: kept, marked
    ap = gaps.attribute_practices(ch).set_index(["descriptor", "path"])
    assert ap.loc[("trained_model", "model_version"), "practice_ids"] == "ALP-01;BET-D1"
    assert ap.loc[("trained_model", "model_version"), "n_sources"] == 2
    by = gaps.practices_by_subcategory(corpus)
    assert by[("Trained Model", "Versioning")] == ["ALP-01", "BET-D1"]


def test_derived_descriptors_carry_practice_ids(corpus):
    from mlmismatch.mapping import derive

    mapping = pd.DataFrame([{"category_code": "TM", "category": "Trained Model", "subcategory": "Versioning",
                             "descriptor": "trained_model", "path": "model_version", "path_1_0": "",
                             "status": "published", "proposed_type": "", "rule_id": "", "evidence": "M01-01",
                             "rationale": "Identifies the model."}])
    attributes = pd.DataFrame([("trained_model", v, "model_version", "string", True, "", "") for v in ("1.0", "1.1", "1.2")],
                              columns=["descriptor", "version", "path", "type", "required", "enum", "description"])
    inst = pd.DataFrame({"mismatch_id": ["M01-01"], "category": ["Trained Model"], "subcategory": ["Versioning"]})
    published = {"trained_model": {"properties": {"model_version": {"type": "string"}}}}
    out = derive.derive(mapping, inst, attributes, published, practices=gaps.practices_by_subcategory(corpus))
    trace = out["trained_model"]["properties"]["model_version"][derive.TRACE]
    assert trace["subcategories"][0]["practices"] == ["ALP-01", "BET-D1"]
    plain = derive.derive(mapping, inst, attributes, published)
    assert "practices" not in plain["trained_model"]["properties"]["model_version"][derive.TRACE]["subcategories"][0]


def test_gaps_both_directions_weighted(tmp_path):
    rows = [*PRACTICE_ROWS, ["ALP-03", "alpha", "item 3", "Hold a retrospective", "Meet after each release.",
                             "false", ""]]
    sources = [list(s) for s in PRACTICE_SOURCES]
    sources[0][7] = "3"
    links = {r: {p: v for p, v in d.items() if p != "BET-M1"} for r, d in PRACTICE_LINKS.items()}
    c = load(build_practice_corpus(tmp_path / "p", sources=sources, practices=rows, links=links))
    sub = gaps.subcategory_gaps(c, INSTANCES, IMPORTANCE)
    un = gaps.unaddressed_subcategories(sub)
    assert list(un["subcategory"]) == ["Runtime Metrics and Data"] and un["n_instances"].iloc[0] == 10
    assert un["pct_important_Data Science"].iloc[0] == 20.0
    none = gaps.practices_without_link(c)
    assert list(none["practice_id"]) == ["BET-M1", "ALP-03"]
    assert (none[["links_rater_a", "links_rater_b"]] == 0).all().all()
    s = gaps.gap_summary(sub).iloc[0]
    assert s["n_addressed"] == 3 and s["n_unaddressed"] == 1
    assert s["pct_instances_addressed"] == pytest.approx(100 * 10 / 20)
    assert s["pct_importance_addressed_Data Science"] == pytest.approx(100 * 180 / 200)
    assert s["unaddressed"] == "(OE) Runtime Metrics and Data"


def test_sensitivity_per_source_and_leave_one_out(corpus):
    sens = gaps.sensitivity(corpus, INSTANCES, IMPORTANCE).set_index(["selection", "source_id"])
    assert sens.loc[("all", ""), "n_addressed"] == 4
    # alpha alone: (TM) Versioning, (TM) API/Specifications; beta alone: (TM) Versioning (adjudicated), (TD), (OE)
    assert sens.loc[("only", "alpha"), "unaddressed"] == "(TD) Versioning; (OE) Runtime Metrics and Data"
    assert sens.loc[("only", "beta"), "n_addressed"] == 3
    assert sens.loc[("without", "alpha"), "unaddressed"] == "(TM) API/Specifications"
    assert sens.loc[("without", "alpha"), "n_only_this_source"] == 1
    assert sens.loc[("without", "beta"), "n_only_this_source"] == 2
    assert sens.loc[("only", "alpha"), "n_practices"] == 2


# ------------------------------------------------------------------------------------------ figures and package

def test_matrix_figure_is_cheap(corpus):
    from mlmismatch.mapping import practice_figures as pf

    fig = pf.fig_practice_matrix(corpus, max_columns=2)
    axes = fig.axes
    assert len(axes) == 2  # cut between the two sources
    for ax in axes:
        scatters = [c for c in ax.collections if c.__class__.__name__ == "PathCollection"]
        assert len(scatters) == 1  # one collection of marks per panel
        # one text per row, per column and per source in the panel; no tick machinery
        assert len(ax.texts) == len(PRACTICE_CODEBOOK) + 2 + 1
        assert not ax.get_yticklabels() and not ax.get_xticklabels()
    n_marks = sum(len(c.get_offsets()) for ax in axes for c in ax.collections if c.__class__.__name__ == "PathCollection")
    assert n_marks == len(corpus.accepted)
    fig2 = pf.fig_source_matrix(corpus)
    marks = [c for c in fig2.axes[0].collections if len(c.get_offsets())]
    assert len(marks) == 1 and len(marks[0].get_offsets()) == corpus.accepted.groupby(
        ["source_id", "category_code", "subcategory"]).ngroups


def test_package_tables(corpus):
    t = pc.package_tables(corpus)
    assert set(t) == set(pc.PACKAGE_RESOURCES) - {"practice_relation_adjudication"}  # that file is optional
    assert len(t["practice_ratings_a"]) == len(t["practice_ratings_b"]) == len(corpus.cells)
    assert "row" not in t["practices"].columns and "rater" not in t["practice_ratings_a"].columns
    assert len(t["practice_matrix"]) == len(corpus.accepted)


def test_report_statement_reads_its_numbers_from_the_tables(corpus):
    from mlmismatch.pipeline.steps import practices as step

    table = ag.agreement_table(corpus, n_boot=100)
    adj = ag.adjudication_summary(corpus)
    summary = gaps.gap_summary(gaps.subcategory_gaps(corpus, INSTANCES, IMPORTANCE))
    text = step._statement(corpus, table, adj, summary)
    kappa = table[(table["scope"] == "overall") & (table["statistic"] == "cohen_kappa")].iloc[0]
    assert f"Cohen's kappa {kappa['estimate']:.2f} (95% interval {kappa['ci_low']:.2f} to {kappa['ci_high']:.2f})" in text
    assert "3 sources considered, 2 admitted (excluded: gamma)" in text
    assert "1 accepted, 1 rejected" in text and f"has {len(corpus.accepted)} links" in text
    assert "[" not in text
    by = step.by_source(corpus).set_index("source_id")
    assert by.loc["all", "links"] == len(corpus.accepted) and by.loc["beta", "adjudicated"] == 1
    assert by.loc["alpha", "TM"] == 2 and by.loc["all", "practices"] == 4


def test_gap_statement_reads_its_numbers_from_the_tables(corpus):
    from mlmismatch.core.labels import subcategory_label
    from mlmismatch.pipeline.steps import practices as step

    sub = gaps.subcategory_gaps(corpus, INSTANCES, IMPORTANCE)
    un = gaps.unaddressed_subcategories(sub)
    un.insert(0, "subcategory_label", [subcategory_label(c, s) for c, s in zip(un["category_code"], un["subcategory"])])
    sens = gaps.sensitivity(corpus, INSTANCES, IMPORTANCE)
    scores = textcheck.similarity(corpus)
    sep = textcheck.separation(scores)
    text = step._gap_statement(gaps.gap_summary(sub), un, gaps.practices_without_link(corpus), sens, sep, 3, 2)
    assert "addresses 0 of 4 subcategories" in text and "0 practices address no subcategory" in text
    assert "leaving out alpha loses 1, beta loses 2 addressed" in text
    assert f"ROC AUC {sep.iloc[0]['roc_auc']:.2f}" in text and "doubts 3 accepted links and suggests 2" in text
    assert "Data Science 100.0%" in text


def test_statistics_from_the_2x2_table_equal_those_from_the_codes():
    rng = np.random.default_rng(3)
    a = (rng.random((40, 90)) < 0.1).astype(float)
    b = np.where(rng.random((40, 90)) < 0.9, a, 1 - a)
    a[0] = b[0] = 0  # one value throughout: kappa and alpha undefined
    from_codes = ag.statistics(a, b)
    from_table = st.binary_table_statistics(st.binary_table(a, b))
    for s in ag.STATISTICS:
        np.testing.assert_allclose(from_table[s], from_codes[s], rtol=1e-12, atol=1e-12, equal_nan=True)


def test_bootstrap_of_tables_equals_resampling_the_codes_with_the_same_draws():
    rng = np.random.default_rng(5)
    a = (rng.random((30, 34)) < 0.05).astype(float)
    b = np.where(rng.random((30, 34)) < 0.95, a, 1 - a)
    got = ag.bootstrap(a, b, n_boot=250, seed=11, batch=100)
    draws = np.random.default_rng(11)
    expected = {s: [] for s in ag.STATISTICS}
    for start in range(0, 250, 100):
        k = min(100, 250 - start)
        idx = draws.integers(0, 30, size=(k, 30))
        for s, v in ag.statistics(a[idx].reshape(k, -1), b[idx].reshape(k, -1)).items():
            expected[s].extend(v)
    for s in ag.STATISTICS:
        np.testing.assert_allclose(got[s], expected[s], rtol=1e-12, atol=1e-12, equal_nan=True)
