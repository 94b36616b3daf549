"""The code-suggestion classifier on synthetic mismatches built here: training, suggestions, grouped CV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlmismatch.extend import suggest

WORDS = {
    ("TM", "Trained Model", "Versioning"): "model version file release tag which build",
    ("OE", "Operational Environment", "Computing Resources"): "gpu cpu memory hardware device edge",
    ("OD", "Operational Data", "Data Rates"): "stream rate messages per second feed throughput",
    ("TP", "Task and Purpose", "Success Criteria"): "customer acceptance criteria recall precision goal",
}


def _codebook() -> pd.DataFrame:
    return pd.DataFrame([{"category_code": c, "category": n, "subcategory": s, "description": s} for c, n, s in WORDS])


def _data(n_interviews: int = 8, per: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    keys = list(WORDS)
    keys = [keys[0]] + keys  # Trained Model twice as frequent: the majority class of every fold
    mism, inst = [], []
    for i in range(1, n_interviews + 1):
        for j in range(1, per + 1):
            k = keys[(i + j) % len(keys)]
            words = rng.choice(WORDS[k].split(), 4).tolist() + rng.choice(["the", "team", "system", "nobody", "said"], 3).tolist()
            mid = f"M{i:02d}-{j:02d}"
            mism.append({"mismatch_id": mid, "interview": i, "description": " ".join(words), "info_not_communicated": ""})
            inst.append({"mismatch_id": mid, "interview": i, "position": 1, "category_code": k[0], "category": k[1],
                         "subcategory": k[2]})
    return pd.DataFrame(mism), pd.DataFrame(inst)


def test_grouped_folds_keep_interviews_together_and_depend_on_seed():
    groups = np.repeat(np.arange(20), 7)
    a = suggest.grouped_folds(groups, 5, seed=0)
    for g in range(20):
        assert len(set(a[groups == g])) == 1
    assert sorted(set(a)) == [0, 1, 2, 3, 4]
    assert np.array_equal(a, suggest.grouped_folds(groups, 5, seed=0))
    assert not np.array_equal(a, suggest.grouped_folds(groups, 5, seed=1))
    with pytest.raises(ValueError):
        suggest.grouped_folds([1, 1, 2], 5)


def test_predicted_sets_always_has_the_top_code():
    proba = np.array([[0.2, 0.3, 0.1], [0.6, 0.7, 0.1]])
    assert suggest.predicted_sets(proba).tolist() == [[0, 1, 0], [1, 1, 0]]


def test_train_and_suggest():
    mism, inst = _data()
    model = suggest.train(mism, inst, _codebook(), seed=0)
    table = model.suggest("the gpu on the edge device had too little memory", top=2)
    cats = table[table.level == "category"]
    assert list(cats["rank"]) == [1, 2]
    assert cats.iloc[0]["code"] == "Operational Environment"
    assert cats["probability"].is_monotonic_decreasing
    subs = table[table.level == "subcategory"]
    assert subs.iloc[0]["code"] == "(OE) Computing Resources" and subs.iloc[0]["category_code"] == "OE"
    assert "not codes" in suggest.NOTICE


def test_evaluate_is_grouped_reproducible_and_beats_the_baseline():
    mism, inst = _data()
    ev = suggest.evaluate(mism, inst, _codebook(), n_splits=4, seed=0)
    again = suggest.evaluate(mism, inst, _codebook(), n_splits=4, seed=0)
    pd.testing.assert_frame_equal(ev.summary, again.summary)
    pd.testing.assert_frame_equal(ev.per_code, again.per_code)
    # each interview in exactly one fold
    listed = [int(x) for s in ev.folds["interviews"] for x in s.split(", ")]
    assert sorted(listed) == list(range(1, 9))
    assert ev.folds["n_mismatches"].sum() == len(mism)
    s = ev.summary.set_index(["level", "model"])
    assert s.loc[("category", "classifier"), "macro_f1"] > 0.9
    # the majority baseline predicts one code for everything: F1 > 0 for that code only
    base = ev.per_code[(ev.per_code.model == "majority baseline") & (ev.per_code.level == "category")]
    assert (base["f1"] > 0).sum() == 1
    assert s.loc[("category", "majority baseline"), "macro_f1"] < 0.2


def test_cached_model_trains_once_per_data_and_seed(tmp_path, monkeypatch):
    from types import SimpleNamespace

    mism, inst = _data()
    data = SimpleNamespace(mismatches=mism, instances=inst, codebook=_codebook())
    first, trained = suggest.cached_model(data, seed=0, cache_dir=tmp_path)
    assert trained and len(list(tmp_path.glob("suggest-*.pickle"))) == 1

    def no_training(*args, **kwargs):
        raise AssertionError("the model was trained again")

    monkeypatch.setattr(suggest, "_fit_level", no_training)
    second, trained = suggest.cached_model(data, seed=0, cache_dir=tmp_path)
    assert not trained
    text = "the gpu on the edge device had too little memory"
    pd.testing.assert_frame_equal(first.suggest(text), second.suggest(text))
    monkeypatch.undo()
    # other data or another seed: another key, trained again
    changed = SimpleNamespace(mismatches=mism.assign(description=mism["description"] + " extra"), instances=inst,
                              codebook=_codebook())
    assert suggest.cached_model(changed, seed=0, cache_dir=tmp_path)[1]
    assert suggest.cached_model(data, seed=1, cache_dir=tmp_path)[1]
    assert len(list(tmp_path.glob("suggest-*.pickle"))) == 3
    assert not list(tmp_path.glob(".tmp-*"))
