"""The practice matrix on the packaged corpus and the study's codebook (issue 13): integrity (ids,
locators, every practice rated against all 34 subcategories by both raters, adjudication complete),
the accepted matrix and the agreement recomputed from the raw CSVs, the generated tables, the chain
into the derived descriptors."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data" / "practices"


def _csv(rel: str) -> list[dict]:
    with open(DATA / rel, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def corpus(coding_data):
    from mlmismatch.mapping.practices import load_default

    return load_default(coding_data)


def test_corpus_integrity(corpus, coding_data):
    practices = _csv("practices.csv")
    sources = {r["source_id"]: r for r in _csv("sources.csv")}
    ids = [r["practice_id"] for r in practices]
    assert len(ids) == len(set(ids)) == len(corpus.practices)
    assert all(re.match(r"^[A-Z][A-Z0-9]*-[A-Za-z0-9.]+$", i) for i in ids)
    assert all(r["locator"].strip() for r in practices)  # every practice (hence every link) has a locator
    assert all(sources[r["source_id"]]["admitted"] == "yes" for r in practices)
    for sid in ("seml", "amershi2019", "mltestscore", "rulesofml", "sculley2015", "datasheets", "modelcards",
                "datastatements", "factsheets"):
        assert sources[sid]["admitted"] == "yes", sid
    n = {sid: sum(r["source_id"] == sid for r in practices) for sid in sources}
    assert n["mltestscore"] == 28 and n["rulesofml"] == 43
    assert any(r["extension"] == "true" for r in practices if r["source_id"] == "seml")
    assert all(r["extension"] == "false" for r in practices if r["source_id"] != "seml")
    for sid, r in sources.items():
        assert r["verified_offline"] in ("yes", "partial", "no")
        if r["admitted"] == "yes" and r["n_practices"]:
            assert int(r["n_practices"]) == n[sid], sid


def test_every_practice_rated_against_all_34_subcategories_twice(coding_data):
    keys = {(str(c), str(s).strip()) for c, s in zip(coding_data.codebook["category_code"],
                                                     coding_data.codebook["subcategory"])}
    assert len(keys) == 34
    ids = [r["practice_id"] for r in _csv("practices.csv")]
    for rater in ("rater_a", "rater_b"):
        rows = _csv(f"ratings/{rater}.csv")
        cells = [(r["practice_id"], r["category_code"], r["subcategory"]) for r in rows]
        assert len(cells) == len(set(cells)) == 34 * len(ids), rater
        assert {(p, c, s) for p in ids for c, s in keys} == set(cells), rater
        for r in rows:
            assert r["link"] in ("0", "1")
            assert (r["link"] == "1") == bool(r["relation"]) == bool(r["rationale"].strip())
    notes = sorted(p.name for p in (DATA / "ratings").glob("RATERS*.md"))  # RATERS.md or one part per rater
    assert notes == ["RATERS.md"] or {"RATERS_rater_a.md", "RATERS_rater_b.md"} <= set(notes), notes


def test_adjudication_is_exactly_the_disagreements(corpus):
    a = {(r["practice_id"], r["category_code"], r["subcategory"]): r["link"] for r in _csv("ratings/rater_a.csv")}
    b = {(r["practice_id"], r["category_code"], r["subcategory"]): r["link"] for r in _csv("ratings/rater_b.csv")}
    adj = {(r["practice_id"], r["category_code"], r["subcategory"]): r for r in _csv("adjudication.csv")}
    assert set(adj) == {k for k in a if a[k] != b[k]}
    assert all(r["reason"].strip() for r in adj.values())
    # the accepted matrix, recomputed here from the raw files: both raters 1 or adjudicated 1
    accepted = {k for k in a if (a[k] == b[k] == "1") or (k in adj and adj[k]["decision"] == "1")}
    got = set(zip(corpus.accepted["practice_id"], corpus.accepted["category_code"], corpus.accepted["subcategory"]))
    assert got == accepted
    assert (corpus.accepted["locator"].str.strip() != "").all()
    assert (corpus.accepted["relation"] != "").all()


def test_agreement_recomputed_from_the_raw_ratings(corpus):
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    from mlmismatch.mapping.practices import agreement as ag

    a = {(r["practice_id"], r["category_code"], r["subcategory"]): int(r["link"]) for r in _csv("ratings/rater_a.csv")}
    b = {(r["practice_id"], r["category_code"], r["subcategory"]): int(r["link"]) for r in _csv("ratings/rater_b.csv")}
    keys = sorted(a)
    x = np.array([a[k] for k in keys])
    y = np.array([b[k] for k in keys])
    table = ag.agreement_table(corpus, n_boot=200)
    overall = table[table["scope"] == "overall"].set_index("statistic")
    assert overall.loc["cohen_kappa", "estimate"] == pytest.approx(cohen_kappa_score(x, y))
    assert overall.loc["krippendorff_alpha", "estimate"] == pytest.approx(
        krippendorff.alpha(reliability_data=np.vstack([x, y]).astype(float), level_of_measurement="nominal"))
    p_o = float((x == y).mean())
    pi = (x.mean() + y.mean()) / 2
    assert overall.loc["pabak", "estimate"] == pytest.approx(2 * p_o - 1)
    assert overall.loc["gwet_ac1", "estimate"] == pytest.approx((p_o - 2 * pi * (1 - pi)) / (1 - 2 * pi * (1 - pi)))
    assert int(overall.loc["cohen_kappa", "n_disagreements"]) == int((x != y).sum())
    src = dict(zip(corpus.practices["practice_id"], corpus.practices["source_id"]))
    for sid in corpus.admitted_sources:
        sel = [i for i, k in enumerate(keys) if src[k[0]] == sid]
        row = table[(table["source_id"] == sid) & (table["statistic"] == "percent_agreement")].iloc[0]
        assert row["estimate"] == pytest.approx(float((x[sel] == y[sel]).mean())), sid


def test_generated_agreement_table_is_the_code_s(corpus):
    """paper/generated holds what the code computes (same seed and resamples), not typed numbers."""
    from mlmismatch.mapping.practices import agreement as ag
    from mlmismatch.pipeline.steps import practices as step

    path = REPO / "paper" / "generated" / "tables" / "practice_agreement.csv"
    assert path.is_file(), "run mlmismatch reproduce"
    committed = pd.read_csv(path, keep_default_na=False, na_values=[""])
    fresh = ag.agreement_table(corpus, n_boot=step.N_BOOT, seed=step.SEED).round(4)
    assert len(committed) == len(fresh)
    np.testing.assert_allclose(committed["estimate"].to_numpy(float), fresh["estimate"].to_numpy(float), atol=1e-4)
    np.testing.assert_allclose(committed["ci_low"].to_numpy(float), fresh["ci_low"].to_numpy(float), atol=1e-4)


def test_derived_descriptors_carry_the_accepted_practices(corpus):
    from mlmismatch.core.labels import subcategory_label
    from mlmismatch.mapping.practices import gaps

    by = {subcategory_label(c, s): ids for (cat, s), ids in gaps.practices_by_subcategory(corpus).items()
          for c in corpus.codebook.loc[(corpus.codebook["category"] == cat) & (corpus.codebook["subcategory"] == s),
                                       "category_code"]}
    seen = 0
    for path in sorted((REPO / "descriptors" / "derived").glob("*_schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        stack = list(schema["properties"].values())
        while stack:
            spec = stack.pop()
            for sub in spec.get("x-mlmismatch-trace", {}).get("subcategories", []):
                assert sub["practices"] == by.get(sub["subcategory"], []), (path.name, sub["subcategory"])
                seen += 1
            inner = spec.get("items") if spec.get("type") == "array" else spec
            stack.extend(((inner or {}).get("properties") or {}).values())
    assert seen > 100


def test_text_check_outputs_ids_only(corpus, coding_data):
    from mlmismatch.mapping.practices import textcheck

    scores = textcheck.similarity(corpus, coding_data.mismatches, coding_data.instances)
    assert len(scores) == len(corpus.cells)
    texts = [t for t in coding_data.mismatches["description"].dropna().astype(str) if len(t) > 30]
    body = scores.to_csv(index=False)
    assert not any(t[:30] in body for t in texts)
    sep = textcheck.separation(scores).set_index("source_id")
    assert 0.0 <= sep.loc["all", "roc_auc"] <= 1.0


def test_old_practice_files_are_gone():
    assert not (REPO / "data" / "mapping" / "practices.csv").exists()
    assert not (REPO / "data" / "mapping" / "practice_subcategory.csv").exists()


def test_report_states_protocol_and_agreement(corpus):
    from mlmismatch.mapping.practices import agreement as ag
    from mlmismatch.pipeline.steps import practices as step

    report = (REPO / "paper" / "generated" / "replication_report.md").read_text(encoding="utf-8")
    assert "The practice-to-mismatch matrix: protocol and agreement" in report
    table = ag.agreement_table(corpus, n_boot=step.N_BOOT, seed=step.SEED)
    k = table[(table["scope"] == "overall") & (table["statistic"] == "cohen_kappa")].iloc[0]
    assert f"Cohen's kappa {k['estimate']:.2f} (95% interval {k['ci_low']:.2f} to {k['ci_high']:.2f})" in report
    assert f"{len(corpus.practices)} practices" in report


def test_export_has_the_matrix_and_both_ratings(cli, tmp_path, coding_path, corpus):
    r = cli("export", str(tmp_path / "pkg"))
    assert r.code == 0, r.out + r.err
    package = json.loads((tmp_path / "pkg" / "datapackage.json").read_text(encoding="utf-8"))
    by_name = {res["name"]: res for res in package["resources"]}
    for name in ("practices", "practice_sources", "practice_ratings_a", "practice_ratings_b", "practice_adjudication",
                 "practice_matrix"):
        assert name in by_name and by_name[name]["description"], name
    ratings_a = pd.read_csv(tmp_path / "pkg" / "practice_ratings_a.csv")
    assert len(ratings_a) == 34 * len(corpus.practices)
    assert len(pd.read_csv(tmp_path / "pkg" / "practice_matrix.csv")) == len(corpus.accepted)
    from frictionless import Package

    pkg = Package(str(tmp_path / "pkg" / "datapackage.json"))
    for name in ("practices", "practice_ratings_a", "practice_ratings_b", "practice_adjudication", "practice_matrix"):
        report = pkg.get_resource(name).validate()
        assert report.valid, (name, [e.message for t in report.tasks for e in t.errors][:3])
    # the whole package, the study's tables included (the survey's optional answers are empty cells)
    from frictionless import validate

    whole = validate(str(tmp_path / "pkg" / "datapackage.json"))
    assert whole.valid, [(t.name, e.message) for t in whole.tasks for e in t.errors][:5]
