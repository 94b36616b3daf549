"""Agreement of the two ratings of the practice matrix, per source and overall.

A unit is one (practice, subcategory) cell; each rater gave it 0 or 1. Statistics (all from
:mod:`mlmismatch.analyses.stats.agreement`, the same functions the coding rounds use):
percent agreement, Cohen's kappa, Krippendorff's alpha (nominal, two raters, no missing cells),
and the prevalence-robust Gwet's AC1 and PABAK. The matrix is sparse (most cells 0), so kappa and
alpha are pulled down by the high chance agreement on 0 even when the raters agree on almost every
cell; AC1 and PABAK are not, and read beside kappa they show how much of the disagreement is about
the rare 1s. Intervals: percentile bootstrap resampling *practices* (all 34 cells of a practice
together), seeded, vectorised in batches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlmismatch.analyses.stats import agreement as st

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from mlmismatch.mapping.practices.corpus import PracticeCorpus

STATISTICS = ("percent_agreement", "cohen_kappa", "krippendorff_alpha", "gwet_ac1", "pabak")
LABELS = {"percent_agreement": "percent agreement", "cohen_kappa": "Cohen's kappa",
          "krippendorff_alpha": "Krippendorff's alpha", "gwet_ac1": "Gwet's AC1", "pabak": "PABAK"}
COLUMNS = ["scope", "source_id", "statistic", "estimate", "ci_low", "ci_high", "n_practices", "n_cells",
           "n_links_a", "n_links_b", "n_both", "n_disagreements", "note"]


def krippendorff_alpha_pairs(a, b) -> "np.ndarray":
    """Krippendorff's alpha (nominal) of two raters' binary codes ``(..., units)`` with no missing
    values: the count matrix built from the pairs, then :func:`~mlmismatch.analyses.stats.agreement.krippendorff_alpha_nominal`."""
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ones = a + b
    return st.krippendorff_alpha_nominal(np.stack([2 - ones, ones], axis=-1))


def statistics(a, b) -> dict[str, "np.ndarray"]:
    """Every statistic of :data:`STATISTICS` for codes ``(..., units)``."""
    return {"percent_agreement": st.percent_agreement_pairs(a, b), "cohen_kappa": st.cohen_kappa_pairs(a, b),
            "krippendorff_alpha": krippendorff_alpha_pairs(a, b), "gwet_ac1": st.gwet_ac1_pairs(a, b),
            "pabak": st.pabak_pairs(a, b)}


def bootstrap(a: "np.ndarray", b: "np.ndarray", *, n_boot: int = 2000, seed: int = 0,
              batch: int = 100) -> dict[str, "np.ndarray"]:
    """Replicates of every statistic, resampling practices (rows of ``a``, ``b``: practices x cells).

    Each statistic depends only on the resample's 2 x 2 table, which is the per-practice tables weighted
    by how often each practice was drawn: one product of the draw counts with the tables per batch
    (the same draws, in the same batches, as resampling the codes; a test compares the two).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    n = a.shape[0]
    tables = st.binary_table(a, b)  # practices x 4
    out = {s: np.empty(n_boot) for s in STATISTICS}
    for start in range(0, n_boot, batch):
        k = min(batch, n_boot - start)
        idx = rng.integers(0, n, size=(k, n))
        weights = np.bincount((idx + n * np.arange(k)[:, None]).ravel(), minlength=k * n).reshape(k, n)
        for s, v in st.binary_table_statistics(weights @ tables).items():
            out[s][start:start + k] = v
    return out


def _arrays(cells: "pd.DataFrame", n_sub: int) -> tuple["np.ndarray", "np.ndarray"]:
    """Practices x subcategories arrays of the two raters (``cells`` in practice-then-codebook order)."""
    a = cells["rater_a"].to_numpy(dtype=float).reshape(-1, n_sub)
    b = cells["rater_b"].to_numpy(dtype=float).reshape(-1, n_sub)
    return a, b


def agreement_table(corpus: "PracticeCorpus", *, n_boot: int = 2000, seed: int = 0,
                    confidence: float = 0.95) -> "pd.DataFrame":
    """Per admitted source (``scope='source'``) and overall (``scope='overall'``): every statistic with
    its bootstrap interval and the counts (``COLUMNS``). An interval is left out (NaN, with a note)
    when half or more of the resamples leave the statistic undefined (a source with no link)."""
    import numpy as np
    import pandas as pd

    n_sub = len(corpus.codebook)
    lo_q, hi_q = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
    scopes = [("overall", "", corpus.cells)]
    scopes += [("source", sid, corpus.cells[corpus.cells["source_id"] == sid]) for sid in corpus.admitted_sources]
    rows = []
    for scope, sid, cells in scopes:
        if cells.empty:
            continue
        a, b = _arrays(cells, n_sub)
        est = statistics(a.reshape(-1), b.reshape(-1))
        reps = bootstrap(a, b, n_boot=n_boot, seed=seed)
        counts = {"n_practices": a.shape[0], "n_cells": a.size, "n_links_a": int(a.sum()), "n_links_b": int(b.sum()),
                  "n_both": int(((a == 1) & (b == 1)).sum()), "n_disagreements": int((a != b).sum())}
        for s in STATISTICS:
            e = float(est[s])
            r = reps[s][~np.isnan(reps[s])]
            ok = not np.isnan(e) and len(r) > n_boot / 2
            note = ""
            if np.isnan(e):
                note = "undefined: a single value throughout (no link by either rater)"
            elif not ok:
                note = f"interval left out: {n_boot - len(r)} of {n_boot} resamples undefined"
            rows.append({"scope": scope, "source_id": sid, "statistic": s, "estimate": e,
                         "ci_low": float(np.percentile(r, lo_q)) if ok else float("nan"),
                         "ci_high": float(np.percentile(r, hi_q)) if ok else float("nan"), **counts, "note": note})
    return pd.DataFrame(rows, columns=COLUMNS)


def wide(table: "pd.DataFrame", digits: int = 3) -> "pd.DataFrame":
    """One row per scope with ``estimate (low, high)`` cells (for the Markdown and LaTeX tables; no square
    brackets, which Markdown tools may read as links)."""
    import numpy as np
    import pandas as pd

    rows = []
    for (scope, sid), g in table.groupby(["scope", "source_id"], sort=False):
        first = g.iloc[0]
        row = {"scope": "all practices" if scope == "overall" else sid, "practices": int(first["n_practices"]),
               "cells": int(first["n_cells"]), "links a": int(first["n_links_a"]), "links b": int(first["n_links_b"]),
               "both": int(first["n_both"]), "disagree": int(first["n_disagreements"])}
        for rec in g.itertuples():
            if np.isnan(rec.estimate):
                cell = "undefined"
            elif np.isnan(rec.ci_low):
                cell = f"{rec.estimate:.{digits}f}"
            else:
                cell = f"{rec.estimate:.{digits}f} ({rec.ci_low:.{digits}f}, {rec.ci_high:.{digits}f})"
            row[LABELS[rec.statistic]] = cell
        rows.append(row)
    return pd.DataFrame(rows)


def relation_agreement(corpus: "PracticeCorpus") -> "pd.DataFrame":
    """On the cells both raters linked: how often they named the same relation, per relation pair."""
    import pandas as pd

    r = corpus.ratings
    a = r[(r["rater"] == "rater_a") & (r["link"] == 1)].set_index(["practice_id", "category_code", "subcategory"])
    b = r[(r["rater"] == "rater_b") & (r["link"] == 1)].set_index(["practice_id", "category_code", "subcategory"])
    both = a[["relation"]].rename(columns={"relation": "relation_a"}).join(
        b[["relation"]].rename(columns={"relation": "relation_b"}), how="inner")
    if both.empty:
        return pd.DataFrame(columns=["relation_a", "relation_b", "n_cells", "same"])
    g = both.groupby(["relation_a", "relation_b"]).size().rename("n_cells").reset_index()
    g["same"] = g["relation_a"] == g["relation_b"]
    return g


def adjudication_summary(corpus: "PracticeCorpus") -> "pd.DataFrame":
    """Per admitted source and in all: disagreements, how many were decided 1 (accepted) or 0, split by
    which rater had linked (``a_only``: rater_a gave 1, rater_b 0)."""
    import pandas as pd

    adj = corpus.adjudication.merge(corpus.practices[["practice_id", "source_id"]], on="practice_id", how="left")
    rows = []
    for sid, g in [*((s, adj[adj["source_id"] == s]) for s in corpus.admitted_sources), ("all", adj)]:
        a_only = g[g["rater_a"] == 1]
        b_only = g[g["rater_b"] == 1]
        rows.append({"source_id": sid, "n_disagreements": len(g), "n_accepted": int((g["decision"] == 1).sum()),
                     "n_rejected": int((g["decision"] == 0).sum()), "a_only": len(a_only),
                     "a_only_accepted": int((a_only["decision"] == 1).sum()), "b_only": len(b_only),
                     "b_only_accepted": int((b_only["decision"] == 1).sum())})
    return pd.DataFrame(rows)
