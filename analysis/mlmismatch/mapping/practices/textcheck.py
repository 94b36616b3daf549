"""A mechanical third check of the ratings: TF-IDF similarity between practices and subcategories.

Documents: per practice, its title and statement (our own words, ``practices.csv``); per
subcategory, its name and codebook definition plus the descriptions and "information not
communicated" of the coded mismatches of that subcategory (in memory only: outputs carry ids and
scores, never the mismatch texts). Vectorizer: scikit-learn ``TfidfVectorizer`` (word uni- and
bigrams, English stop words, sublinear tf) fitted on both sets; score = cosine similarity.

For each practice the 34 subcategories are ranked by score. The check lists

- *doubts*: accepted links whose subcategory ranks below ``k_doubt`` for the practice (the text
  gives little support: read the rationale again);
- *suggestions*: cells both raters left at 0 whose subcategory ranks first (``k_suggest``) for the
  practice and scores at least the upper quartile of the accepted links' scores (the text points at
  a link the ratings missed: rate it again).

:func:`separation` says how well the scores separate accepted from other cells (ROC AUC, average
precision against the accepted share). Word overlap is weak evidence: a doubt or a suggestion is a
prompt to reread, never a correction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.core.labels import subcategory_label

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mlmismatch.mapping.practices.corpus import PracticeCorpus

SCORE_COLUMNS = ["practice_id", "source_id", "category_code", "subcategory", "score", "rank", "accepted",
                 "rater_a", "rater_b"]


def subcategory_documents(codebook: "pd.DataFrame", mismatches: "pd.DataFrame | None" = None,
                          instances: "pd.DataFrame | None" = None) -> list[str]:
    """One text per codebook row: name, definition and (when given) its coded mismatches' texts."""
    texts: dict[str, str] = {}
    if mismatches is not None:
        for mid, d, info in zip(mismatches["mismatch_id"], mismatches["description"].fillna(""),
                                mismatches["info_not_communicated"].fillna("")):
            texts[str(mid)] = f"{d} {info}"
    by_sub: dict[tuple[str, str], list[str]] = {}
    if instances is not None:
        for mid, code, s in zip(instances["mismatch_id"], instances["category_code"], instances["subcategory"]):
            by_sub.setdefault((str(code), str(s).strip()), []).append(str(mid))
    docs = []
    has_desc = "description" in codebook.columns
    for i, (code, cat, s) in enumerate(zip(codebook["category_code"], codebook["category"], codebook["subcategory"])):
        s = str(s).strip()
        desc = str(codebook["description"].iloc[i]) if has_desc else ""
        mids = dict.fromkeys(by_sub.get((str(code), s), []))
        docs.append(" ".join([str(cat), s, desc, *(texts.get(m, "") for m in mids)]))
    return docs


def similarity(corpus: "PracticeCorpus", mismatches: "pd.DataFrame | None" = None,
               instances: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """Long table (``SCORE_COLUMNS``): every cell's score and the subcategory's rank for its practice."""
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    docs_p = [f"{t}. {s}" for t, s in zip(corpus.practices["title"], corpus.practices["statement"])]
    docs_s = subcategory_documents(corpus.codebook, mismatches, instances)
    vec = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), sublinear_tf=True)
    vec.fit(docs_p + docs_s)
    sim = cosine_similarity(vec.transform(docs_p), vec.transform(docs_s))
    # rank 1 = most similar; ties broken by codebook order (stable sort)
    order = np.argsort(-sim, axis=1, kind="stable")
    ranks = np.empty_like(order)
    rows_idx = np.arange(sim.shape[0])[:, None]
    ranks[rows_idx, order] = np.arange(1, sim.shape[1] + 1)
    cells = corpus.cells
    return pd.DataFrame({
        "practice_id": cells["practice_id"], "source_id": cells["source_id"],
        "category_code": cells["category_code"], "subcategory": cells["subcategory"],
        "score": sim.reshape(-1), "rank": ranks.reshape(-1), "accepted": cells["accepted"].to_numpy(),
        "rater_a": cells["rater_a"].to_numpy(), "rater_b": cells["rater_b"].to_numpy()}, columns=SCORE_COLUMNS)


def doubts(scores: "pd.DataFrame", k_doubt: int = 10) -> "pd.DataFrame":
    """Accepted links ranked below ``k_doubt`` for their practice, weakest first."""
    d = scores[scores["accepted"] & (scores["rank"] > k_doubt)]
    return d.sort_values(["score", "practice_id"], kind="stable").reset_index(drop=True)


def suggestions(scores: "pd.DataFrame", k_suggest: int = 1, threshold: float | None = None,
                quantile: float = 0.75) -> "pd.DataFrame":
    """Cells neither rater linked, ranked within ``k_suggest`` for their practice, scoring at least
    ``threshold`` (default: the ``quantile`` of the accepted links' scores), strongest first."""
    import numpy as np

    if threshold is None:
        acc = scores.loc[scores["accepted"], "score"]
        threshold = float(np.quantile(acc, quantile)) if len(acc) else float("inf")
    s = scores[(scores["rater_a"] == 0) & (scores["rater_b"] == 0) & (scores["rank"] <= k_suggest)
               & (scores["score"] >= threshold)]
    return s.sort_values(["score", "practice_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def separation(scores: "pd.DataFrame") -> "pd.DataFrame":
    """How well the scores separate the accepted cells from the others, overall and per source:
    ROC AUC (0.5 = no better than chance), average precision beside the accepted share (its chance
    level), mean rank of the accepted links."""
    import pandas as pd
    from sklearn.metrics import average_precision_score, roc_auc_score

    rows = []
    for sid, g in [("all", scores), *((s, scores[scores["source_id"] == s]) for s in dict.fromkeys(scores["source_id"]))]:
        y = g["accepted"].astype(int)
        two = y.nunique() == 2
        rows.append({"source_id": sid, "n_cells": len(g), "n_accepted": int(y.sum()),
                     "accepted_share": float(y.mean()) if len(g) else float("nan"),
                     "roc_auc": float(roc_auc_score(y, g["score"])) if two else float("nan"),
                     "average_precision": float(average_precision_score(y, g["score"])) if two else float("nan"),
                     "mean_rank_accepted": float(g.loc[g["accepted"], "rank"].mean()) if y.sum() else float("nan")})
    return pd.DataFrame(rows)


def labelled(df: "pd.DataFrame") -> "pd.DataFrame":
    """``df`` with a ``(XX) Subcategory`` label column in place of category_code + subcategory."""
    out = df.copy()
    out.insert(list(out.columns).index("category_code"), "subcategory_label",
               [subcategory_label(c, s) for c, s in zip(out["category_code"], out["subcategory"])])
    return out.drop(columns=["category_code", "subcategory"])
