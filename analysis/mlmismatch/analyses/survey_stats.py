"""Analyses of the validation survey: pure functions, tables in, tables out.

Reproduce the paper (Fig. 4 demographics, Fig. 5 answer distribution, Table II Important-or-Very-
Important per role) and go beyond it: do the roles rate an item differently (Kruskal-Wallis with
epsilon-squared, pairwise Mann-Whitney with Cliff's delta, Holm across items, each pair with the
smallest effect it could detect), how uncertain is each share (Wilson score interval), do the roles
rank the 34 items alike (Spearman and Kendall, bootstrapped over respondents), do they order the
items differently at all (permutation test of the role x item interaction), and do interviews and
survey agree (coded-instance frequency against rated importance per subcategory).

The statistical families live in :mod:`mlmismatch.analyses.stats` (intervals, correlation,
permutation, power); this module applies them to the survey's tables.

Inputs are the tables of :func:`mlmismatch.survey.load_survey` (``respondents``, ``items``,
``responses``) and, for the comparison with the interviews, the ``instances`` table of
:func:`mlmismatch.coding.load_coding` (only its ``category`` and ``subcategory`` columns are used).
Every table states the number of respondents behind each figure; rows resting on a group smaller
than :data:`SMALL_N` carry a ``caveat``.
"""

from __future__ import annotations

import math
import re
from itertools import combinations
from typing import TYPE_CHECKING, Sequence

from mlmismatch.core.numbers import largest_remainder, round_half_up
from mlmismatch.core.text import latex_escape
from mlmismatch.study.survey import IMPORTANT_LEVELS, LEVELS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

#: Groups smaller than this get a visible caveat.
SMALL_N = 10
#: Seed of every bootstrap (results are reproducible bit for bit).
SEED = 20210517
N_BOOT = 2000
CI_LEVEL = 0.95
ALPHA = 0.05

#: The contract columns of ``tables/table2_important_by_role.csv``.
TABLE2_COLUMNS = ["category", "subcategory", "role", "n_important", "n_respondents", "pct"]
ITEM_KEYS = ["item", "category_code", "category", "subcategory", "paper_label"]


def slug(text: str) -> str:
    """'Operations + Other' -> 'operations_other' (column-name friendly)."""
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_")


def small_n_caveat(n: int, what: str = "group") -> str:
    if n < SMALL_N:
        return f"small {what} (n={n} < {SMALL_N}): one respondent moves the share by {100 / max(n, 1):.0f} points"
    return ""


def _roles(responses: "pd.DataFrame") -> list[str]:
    role = responses["role"]
    if hasattr(role, "cat"):
        return [str(c) for c in role.cat.categories]
    return list(dict.fromkeys(role.astype(str)))


def _item_meta(items: "pd.DataFrame") -> "pd.DataFrame":
    return items[ITEM_KEYS].reset_index(drop=True)


def _answered(responses: "pd.DataFrame") -> "pd.DataFrame":
    return responses[responses["score"].notna()]


# --------------------------------------------------------------------------------------------
# Fig. 4: demographics
# --------------------------------------------------------------------------------------------
DEMOGRAPHIC_VARIABLES = {
    "affiliation": ("affiliation_group", "Affiliation (paper's groups, Fig. 4a)"),
    "affiliation_selected": ("affiliation", "Affiliation (as selected)"),
    "primary_role": ("primary_role", "Primary role (as selected)"),
    "role": ("role", "Primary role group (Fig. 4b, Table II)"),
    "years_total": ("years_total", "Total years of experience (Fig. 4c)"),
    "years_ml": ("years_ml", "Years of ML experience (Fig. 4d)"),
}


def demographics(respondents: "pd.DataFrame") -> "pd.DataFrame":
    """Counts and shares per answer: ``variable, value, n, pct, pct_int, n_total`` (categories with
    0 kept); ``pct_int`` is the integer percentage summing to 100 per variable, as in Fig. 4."""
    import pandas as pd

    rows = []
    total = len(respondents)
    for variable, (column, _title) in DEMOGRAPHIC_VARIABLES.items():
        counts = respondents[column].value_counts(sort=False, dropna=False)
        ints = largest_remainder([int(n) for n in counts])
        for (value, n), pint in zip(counts.items(), ints):
            rows.append({"variable": variable, "value": "(no answer)" if pd.isna(value) else str(value), "n": int(n),
                         "pct": round(100 * n / total, 2) if total else float("nan"), "pct_int": pint, "n_total": total})
    return pd.DataFrame(rows, columns=["variable", "value", "n", "pct", "pct_int", "n_total"])


# --------------------------------------------------------------------------------------------
# Fig. 5: distribution of answers per item
# --------------------------------------------------------------------------------------------
def distribution(responses: "pd.DataFrame", items: "pd.DataFrame", by_role: bool = False) -> "pd.DataFrame":
    """Answers per item (and role): one count column per level, ``n``, Important-or-Very-Important
    count and share, mean and median score. Items in survey order."""

    keys = ["item"] + (["role"] if by_role else [])
    answered = _answered(responses)
    counts = (answered.groupby(keys, observed=False)["answer"].value_counts().unstack("answer")
              .reindex(columns=list(LEVELS), fill_value=0).fillna(0).astype(int).reset_index())
    stats = answered.assign(score=answered["score"].astype(float)).groupby(keys, observed=False)["score"].agg(
        ["count", "mean", "median"]).reset_index().rename(columns={"count": "n", "mean": "mean_score", "median": "median_score"})
    out = _item_meta(items).merge(counts, on="item", how="left").merge(stats, on=keys, how="left")
    out["n"] = out["n"].fillna(0).astype(int)
    out["n_important"] = out[list(IMPORTANT_LEVELS)].sum(axis=1).astype(int)
    out["pct_important"] = (100 * out["n_important"] / out["n"].where(out["n"] > 0)).round(2)
    out["mean_score"] = out["mean_score"].round(3)
    if by_role:
        out["caveat"] = [small_n_caveat(int(n)) for n in out["n"]]
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Table II: Important or Very Important per role
# --------------------------------------------------------------------------------------------
def important_by_role(responses: "pd.DataFrame", items: "pd.DataFrame") -> "pd.DataFrame":
    """Table II, long: per item and role the respondents answering Important or Very Important.

    Columns: ``item, category_code, category, subcategory, paper_label, role, n_important,
    n_respondents, pct`` (pct in percent, 2 decimals); :data:`TABLE2_COLUMNS` is the contract subset.
    ``n_respondents`` counts the group's respondents who answered the item.

    Examples
    --------
    >>> from mlmismatch.study.survey import load_survey
    >>> s = load_survey()
    >>> t2 = important_by_role(s.responses, s.items)
    >>> t2[t2.subcategory == "Data Dictionary"][["role", "n_important", "n_respondents", "pct"]]
                        role  n_important  n_respondents    pct
    39          Data Science           16             16  100.0
    40  Software Engineering           10             10  100.0
    41    Operations + Other            4              5   80.0
    """
    import pandas as pd

    roles = _roles(responses)
    answered = _answered(responses).assign(important=lambda d: d["answer"].isin(IMPORTANT_LEVELS))
    agg = answered.groupby(["item", "role"], observed=False)["important"].agg(["sum", "count"]).reset_index()
    agg = agg.rename(columns={"sum": "n_important", "count": "n_respondents"})
    agg["role"] = agg["role"].astype(str)
    grid = pd.DataFrame([(i, r) for i in items["item"] for r in roles], columns=["item", "role"])
    out = _item_meta(items).merge(grid, on="item").merge(agg, on=["item", "role"], how="left")
    out[["n_important", "n_respondents"]] = out[["n_important", "n_respondents"]].fillna(0).astype(int)
    out["pct"] = (100 * out["n_important"] / out["n_respondents"].where(out["n_respondents"] > 0)).round(2)
    out["category"] = out["category"].astype(str)
    return out


def table2_paper_layout(table2: "pd.DataFrame") -> "pd.DataFrame":
    """Table II as in the paper: one row per item (paper label), per role ``VI+I`` and ``%`` (integer)."""
    import pandas as pd

    roles = list(dict.fromkeys(table2["role"]))
    rows = []
    for label, grp in table2.groupby("paper_label", sort=False):
        row = {"subcategory": label}
        first: dict = {}  # role -> (n_important, pct) of the group's first row with that role
        for r, n_important, pct in zip(grp["role"], grp["n_important"], grp["pct"]):
            first.setdefault(r, (n_important, pct))
        for role in roles:
            n_important, pct = first[role]
            row[f"{role} VI+I"] = int(n_important)
            row[f"{role} %"] = int(round_half_up(pct)) if not pd.isna(pct) else None
        rows.append(row)
    return pd.DataFrame(rows)


def _group_sizes(table2: "pd.DataFrame") -> dict[str, int]:
    return {r: int(g["n_respondents"].max()) for r, g in table2.groupby("role", sort=False)}


def table2_markdown(table2: "pd.DataFrame") -> str:
    """Table II in the paper's layout as a Markdown table, with n per group and a small-n caveat."""
    wide = table2_paper_layout(table2)
    sizes = _group_sizes(table2)
    roles = list(sizes)
    head = "| Subcategory | " + " | ".join(f"{r} (n={sizes[r]}) VI+I | %" for r in roles) + " |"
    sep = "|---|" + "---:|---:|" * len(roles)
    lines = ["Table II: Mismatch subcategories rated Very Important or Important (VI+I) per role", "", head, sep]
    for row in wide.itertuples(index=False):
        cells = list(row)
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines += ["", *_caveat_lines(sizes)]
    return "\n".join(lines) + "\n"


def _caveat_lines(sizes: dict[str, int]) -> list[str]:
    out = []
    for role, n in sizes.items():
        c = small_n_caveat(n, f"group '{role}'")
        if c:
            out.append(f"Caveat: {c}.")
    return out


def table2_latex(table2: "pd.DataFrame") -> str:
    """Table II in the paper's layout as a LaTeX ``tabular`` (booktabs), n per group, caveat as a note."""
    wide = table2_paper_layout(table2)
    sizes = _group_sizes(table2)
    roles = list(sizes)
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\caption{Mismatch Categories Rated Very Important or Important (VI+I) per Role}",
        r"\label{tab:important-by-role}",
        r"\begin{tabular}{l" + "rr" * len(roles) + "}",
        r"\toprule",
        " & " + " & ".join(rf"\multicolumn{{2}}{{c}}{{{latex_escape(r)}}}" for r in roles) + r" \\",
        " & " + " & ".join(rf"\multicolumn{{2}}{{c}}{{(n={sizes[r]})}}" for r in roles) + r" \\",
        " & " + " & ".join(r"VI+I & \%" for _ in roles) + r" \\",
        r"\midrule",
    ]
    for row in wide.itertuples(index=False):
        lines.append(" & ".join(latex_escape(c) for c in row) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    notes = _caveat_lines(sizes)
    if notes:
        lines.append(r"\par\smallskip\footnotesize " + latex_escape(" ".join(notes)))
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# Intervals for the Important-or-Very-Important shares
# --------------------------------------------------------------------------------------------
#: Interval for the survey shares: Wilson's score interval (statsmodels); see stats.intervals.
SHARE_CI_METHOD = "wilson"


def bootstrap_share_ci(values: "np.ndarray", *, n_boot: int = N_BOOT, level: float = CI_LEVEL,
                       rng: "np.random.Generator") -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of 0/1 ``values`` (resampling with replacement)."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    n = len(values)
    if n == 0:
        return float("nan"), float("nan")
    idx = rng.integers(0, n, size=(n_boot, n))
    means = values[idx].mean(axis=1)
    lo, hi = np.percentile(means, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(lo), float(hi)


def important_share_ci(responses: "pd.DataFrame", items: "pd.DataFrame", *, level: float = CI_LEVEL,
                       method: str = SHARE_CI_METHOD, include_all: bool = True, **_ignored) -> "pd.DataFrame":
    """Per item and role (and ``All`` respondents): share answering Important or Very Important with
    its Wilson score interval (``method="beta"``: Clopper-Pearson). Unlike a percentile bootstrap,
    the interval does not collapse to a point at 0 % or 100 % (5 of 5 gives 56.6-100 %). Shares and
    bounds in percent; ``ci_method`` names the interval."""
    import pandas as pd

    from mlmismatch.analyses.stats.intervals import METHODS, share_interval

    roles = _roles(responses)
    answered = _answered(responses)
    groups = roles + (["All"] if include_all else [])
    important = answered["answer"].isin(IMPORTANT_LEVELS).to_numpy()
    item_of = answered["item"].to_numpy()
    role_of = answered["role"].astype(str).to_numpy()
    rows = []
    for item in items["item"]:
        in_item = item_of == item
        for role in groups:
            x = important[in_item if role == "All" else in_item & (role_of == role)]
            n, k = len(x), int(x.sum())
            lo, hi = share_interval(k, n, level=level, method=method)
            rows.append({"item": item, "role": role, "n_respondents": n, "n_important": k,
                         "pct": round(100 * k / n, 2) if n else float("nan"),
                         "ci_low": round(100 * lo, 2), "ci_high": round(100 * hi, 2),
                         "ci_method": f"{METHODS[method]}, {100 * level:g} %", "caveat": small_n_caveat(n)})
    out = _item_meta(items).merge(pd.DataFrame(rows), on="item")
    out["category"] = out["category"].astype(str)
    return out


# --------------------------------------------------------------------------------------------
# Do the roles rate an item differently?
# --------------------------------------------------------------------------------------------
def cliffs_delta(x: Sequence[float], y: Sequence[float]) -> float:
    """Cliff's delta P(X > Y) - P(X < Y), from the Mann-Whitney U of ``x``: 2U/(n_x n_y) - 1."""
    import numpy as np
    from scipy.stats import mannwhitneyu

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) == 0 or len(y) == 0:
        return float("nan")
    u = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic").statistic
    return float(2 * u / (len(x) * len(y)) - 1)


def cliffs_magnitude(delta: float) -> str:
    """Romano et al. (2006) thresholds: negligible < .147 <= small < .33 <= medium < .474 <= large."""
    if delta is None or math.isnan(delta):
        return ""
    d = abs(delta)
    return "negligible" if d < 0.147 else "small" if d < 0.33 else "medium" if d < 0.474 else "large"


def epsilon_squared(h: float, n: int) -> float:
    """Kruskal-Wallis effect size epsilon^2 = H / ((n^2 - 1) / (n + 1)) = H / (n - 1)."""
    return float(h / (n - 1)) if n > 1 else float("nan")


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm-adjusted p values; NaN stays NaN and is not counted.

    The same arithmetic as statsmodels' ``multipletests(p, method="holm")[1]`` (sorted p times
    n, n-1, ..., 1, running maximum, capped at 1), without importing statsmodels (about a second).
    """
    import numpy as np

    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        valid = p[ok]
        order = np.argsort(valid)
        adjusted = np.maximum.accumulate(np.take(valid, order) * np.arange(len(valid), 0, -1))
        adjusted[adjusted > 1] = 1
        restored = np.empty_like(adjusted)
        restored[order] = adjusted
        out[ok] = restored
    return [float(v) for v in out]


def _scores_by_item_role(answered: "pd.DataFrame", roles: list[str]) -> dict[tuple[str, str], "np.ndarray"]:
    """(item, role) -> the scores of that role's answers to the item, in row order (one pass over the table)."""
    import numpy as np

    items = answered["item"].to_numpy()
    role = answered["role"].astype(str).to_numpy()
    score = answered["score"].to_numpy(dtype=float)
    rows: dict[tuple[str, str], list[int]] = {}
    for k, key in enumerate(zip(items, role)):
        rows.setdefault(key, []).append(k)
    return {key: score[np.asarray(idx, dtype=np.intp)] for key, idx in rows.items()}


def _scores_by_role(answered: "pd.DataFrame", item: str, roles: list[str],
                    by: dict[tuple[str, str], "np.ndarray"] | None = None) -> dict[str, "np.ndarray"]:
    import numpy as np

    if by is None:
        by = _scores_by_item_role(answered[answered["item"] == item], roles)
    empty = np.empty(0, dtype=float)
    return {r: by.get((item, r), empty) for r in roles}


def _undecorated(fn):
    """A scipy.stats test without its ``_axis_nan_policy`` wrapper (whose signature handling costs more
    than the test on 1-D float arrays without NaN, the only input here); the same function otherwise."""
    return getattr(fn, "__wrapped__", fn)


def _groups_per_item(responses: "pd.DataFrame", items: "pd.DataFrame", roles: list[str]):
    """Yield ``(item, {role: scores})`` for every item, the answered scores grouped once."""
    answered = _answered(responses)
    by = _scores_by_item_role(answered, roles)
    for item in items["item"]:
        yield item, _scores_by_role(answered, item, roles, by)


def role_differences(responses: "pd.DataFrame", items: "pd.DataFrame", *, alpha: float = ALPHA) -> "pd.DataFrame":
    """Per item, Kruskal-Wallis across the roles on the 1-4 scores, epsilon-squared, Holm across items.

    Columns: item keys, ``n``, ``n_<role>`` and ``mean_<role>`` per role, ``H, df, p, epsilon_sq,
    p_holm, significant, caveat``. An item where every answer is the same has H = 0 and p = 1.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import kruskal

    kruskal = _undecorated(kruskal)
    roles = _roles(responses)
    rows = []
    for item, groups in _groups_per_item(responses, items, roles):
        present = [g for g in groups.values() if len(g)]
        n = sum(len(g) for g in present)
        row = {"item": item, "n": n}
        for r in roles:
            row[f"n_{slug(r)}"] = len(groups[r])
            row[f"mean_{slug(r)}"] = round(float(groups[r].mean()), 3) if len(groups[r]) else float("nan")
        note = ""
        if len(present) < 2:
            h, p, note = float("nan"), float("nan"), "fewer than two groups answered"
        elif len(np.unique(np.concatenate(present))) == 1:
            h, p, note = 0.0, 1.0, "every answer identical"
        else:
            h, p = kruskal(*present)
        row.update({"H": round(float(h), 4), "df": len(present) - 1, "p": float(p),
                    "epsilon_sq": round(epsilon_squared(h, n), 4) if not math.isnan(h) else float("nan")})
        small = [f"{r} n={len(groups[r])}" for r in roles if len(groups[r]) < SMALL_N]
        caveat = f"small group(s): {', '.join(small)}; low power" if small else ""
        row["caveat"] = "; ".join(x for x in (note, caveat) if x)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p"])
    out["significant"] = out["p_holm"] < alpha
    out["p"] = out["p"].round(6)
    out["p_holm"] = out["p_holm"].round(6)
    cols = ["item", "n"] + [c for r in roles for c in (f"n_{slug(r)}", f"mean_{slug(r)}")] + [
        "H", "df", "p", "p_holm", "significant", "epsilon_sq", "caveat"]
    res = _item_meta(items).merge(out[cols], on="item")
    res["category"] = res["category"].astype(str)
    return res


def pairwise_role_differences(responses: "pd.DataFrame", items: "pd.DataFrame", *, alpha: float = ALPHA) -> "pd.DataFrame":
    """Per item and pair of roles, Mann-Whitney U (two-sided, asymptotic with tie correction) and
    Cliff's delta (positive: ``role_a`` rates higher). Holm across the items within each pair.

    Columns: item keys, ``role_a, role_b, n_a, n_b, mean_a, mean_b, U, p, p_holm, significant,
    cliffs_delta, magnitude, min_detectable_delta, min_detectable_delta_holm, smallest_possible_p,
    caveat``: the smallest |delta| the test detects with 80 % power at ``alpha`` and at the strictest
    Holm step (``alpha`` / number of items), Noether's approximation (:mod:`.stats.power`), and the
    smallest p-value the pair's sizes allow at all.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import mannwhitneyu

    from mlmismatch.analyses.stats.power import min_detectable_delta, smallest_p

    mannwhitneyu = _undecorated(mannwhitneyu)
    roles = _roles(responses)
    rows = []
    for item, groups in _groups_per_item(responses, items, roles):
        for a, b in combinations(roles, 2):
            x, y = groups[a], groups[b]
            row = {"item": item, "role_a": a, "role_b": b, "n_a": len(x), "n_b": len(y),
                   "mean_a": round(float(x.mean()), 3) if len(x) else float("nan"),
                   "mean_b": round(float(y.mean()), 3) if len(y) else float("nan")}
            if not len(x) or not len(y):
                u, p, d = float("nan"), float("nan"), float("nan")
            elif len(np.unique(np.concatenate([x, y]))) == 1:
                u, p, d = len(x) * len(y) / 2, 1.0, 0.0
            else:
                res = mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
                u, p = float(res.statistic), float(res.pvalue)
                d = 2 * u / (len(x) * len(y)) - 1
            row.update({"U": u, "p": p, "cliffs_delta": round(d, 4) if not math.isnan(d) else d,
                        "magnitude": cliffs_magnitude(d)})
            m = min(len(x), len(y))
            row["min_detectable_delta"] = round(min_detectable_delta(len(x), len(y), alpha=alpha), 3)
            row["min_detectable_delta_holm"] = round(min_detectable_delta(len(x), len(y), alpha=alpha / len(items)), 3)
            row["smallest_possible_p"] = smallest_p(len(x), len(y))
            row["caveat"] = (f"small group (n={m} < {SMALL_N}): at 80 % power this test detects only |delta| >= "
                             f"{row['min_detectable_delta']:.2f} (>= {row['min_detectable_delta_holm']:.2f} at the "
                             f"strictest Holm step)" if m < SMALL_N else "")
            rows.append(row)
    out = pd.DataFrame(rows)
    out["p_holm"] = np.nan
    for _, idx in out.groupby(["role_a", "role_b"], sort=False).groups.items():
        out.loc[idx, "p_holm"] = holm(out.loc[idx, "p"])
    out["significant"] = out["p_holm"] < alpha
    out["p"] = out["p"].round(6)
    out["p_holm"] = out["p_holm"].round(6)
    cols = ["item", "role_a", "role_b", "n_a", "n_b", "mean_a", "mean_b", "U", "p", "p_holm", "significant",
            "cliffs_delta", "magnitude", "min_detectable_delta", "min_detectable_delta_holm", "smallest_possible_p",
            "caveat"]
    res = _item_meta(items).merge(out[cols], on="item")
    res["category"] = res["category"].astype(str)
    return res


# --------------------------------------------------------------------------------------------
# Do the roles rank the 34 items alike?
# --------------------------------------------------------------------------------------------
def score_matrix(responses: "pd.DataFrame", items: "pd.DataFrame", role: str | None = None) -> "np.ndarray":
    """Respondents x items matrix of 1-4 scores (NaN for a blank), items in ``items`` order."""
    sub = responses if role is None else responses[responses["role"].astype(str) == role]
    wide = sub.pivot(index="respondent", columns="item", values="score").reindex(columns=list(items["item"]))
    return wide.astype(float).to_numpy()


def role_rank_agreement(responses: "pd.DataFrame", items: "pd.DataFrame", *, n_boot: int = N_BOOT,
                        seed: int = SEED, level: float = CI_LEVEL) -> "pd.DataFrame":
    """For each pair of roles: do they rank the items alike by mean score?

    Spearman's rho between the two roles' per-item mean scores (1-4) with a percentile bootstrap
    interval that resamples the respondents of each role (scipy's ``bootstrap``, two independent
    samples, fixed seed): the uncertainty comes from who answered, not from which items were asked.
    Kendall's tau-b beside it. Columns ``role_a, role_b, n_a, n_b, n_items, spearman_rho,
    spearman_p, rho_ci_low, rho_ci_high, ci_method, kendall_tau, kendall_p, caveat``. The p-values
    treat the 34 items as independent and are descriptive only. Noise in a small group's means pulls
    rho towards 0, so the resampled rhos sit below the estimate and the interval is wide.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import kendalltau, spearmanr

    from mlmismatch.analyses.stats.correlation import rho_bootstrap_interval

    roles = _roles(responses)
    mats = {r: score_matrix(responses, items, r) for r in roles}
    rows = []
    for k, (a, b) in enumerate(combinations(roles, 2)):
        ma, mb = mats[a], mats[b]
        row = {"role_a": a, "role_b": b, "n_a": ma.shape[0], "n_b": mb.shape[0], "n_items": len(items),
               "ci_method": f"percentile bootstrap, {n_boot} resamples of each role's respondents, seed {seed}"}
        if ma.shape[0] < 2 or mb.shape[0] < 2:
            rows.append(row | {"caveat": "a group has fewer than 2 respondents"})
            continue
        with np.errstate(invalid="ignore"):
            mean_a, mean_b = np.nanmean(ma, axis=0), np.nanmean(mb, axis=0)
        rho, p_rho = spearmanr(mean_a, mean_b)
        tau, p_tau = kendalltau(mean_a, mean_b)
        lo, hi = rho_bootstrap_interval(ma, mb, n_resamples=n_boot, level=level, seed=seed + k)
        m = min(ma.shape[0], mb.shape[0])
        row.update({
            "spearman_rho": round(float(rho), 4), "spearman_p": float(p_rho),
            "rho_ci_low": round(lo, 4), "rho_ci_high": round(hi, 4),
            "kendall_tau": round(float(tau), 4), "kendall_p": float(p_tau),
            "caveat": (f"small group (n={m} < {SMALL_N}): its item means move in steps of {1 / m:.2f} and tie often"
                       if m < SMALL_N else ""),
        })
        rows.append(row)
    cols = ["role_a", "role_b", "n_a", "n_b", "n_items", "spearman_rho", "spearman_p", "rho_ci_low", "rho_ci_high",
            "ci_method", "kendall_tau", "kendall_p", "caveat"]
    return pd.DataFrame(rows).reindex(columns=cols)


def role_item_interaction(responses: "pd.DataFrame", items: "pd.DataFrame", *, n_perm: int = 4999,
                          seed: int = SEED) -> "pd.DataFrame":
    """Do the roles order the items differently? One row: a permutation test of the role x item
    interaction on respondent-centred ratings (:func:`mlmismatch.analyses.stats.permutation.interaction_test`),
    the same without centring (any difference between the roles' item means), and the smallest
    Spearman rho between two roles' item means. Columns ``n_respondents, n_items, groups, statistic,
    p_value, p_value_uncentred, n_permutations, seed, min_rho, caveat``. This is the test behind the
    abstract's "how each role prioritizes the importance of relevant mismatches varies"."""
    import numpy as np
    import pandas as pd

    from mlmismatch.analyses.stats.correlation import item_means_rho
    from mlmismatch.analyses.stats.permutation import interaction_test

    answered = _answered(responses)
    wide = answered.pivot(index="respondent", columns="item", values="score").reindex(columns=list(items["item"]))
    wide = wide.dropna().astype(float)  # respondents who answered every item
    role_of = answered.drop_duplicates("respondent").set_index("respondent")["role"].astype(str)
    groups = role_of.reindex(wide.index).to_numpy()
    scores = wide.to_numpy()
    stat, p = interaction_test(scores, groups, n_perm=n_perm, seed=seed)
    _, p_raw = interaction_test(scores, groups, n_perm=n_perm, seed=seed, centre=False)
    roles = _roles(responses)
    rhos = [item_means_rho(scores[groups == a], scores[groups == b]) for a, b in combinations(roles, 2)]
    sizes = {r: int((groups == r).sum()) for r in roles}
    small = [f"{r} n={n}" for r, n in sizes.items() if n < SMALL_N]
    return pd.DataFrame([{
        "n_respondents": len(scores), "n_items": scores.shape[1],
        "groups": ", ".join(f"{r} {n}" for r, n in sizes.items()), "statistic": round(stat, 4),
        "p_value": round(p, 4), "p_value_uncentred": round(p_raw, 4), "n_permutations": n_perm, "seed": seed,
        "min_rho": round(float(np.nanmin(rhos)), 4),
        "caveat": (f"small group(s) {', '.join(small)}: only large differences in how a group orders the items "
                   "can be told from chance" if small else ""),
    }])


# --------------------------------------------------------------------------------------------
# Do interviews and survey agree?
# --------------------------------------------------------------------------------------------
def instance_counts(instances: "pd.DataFrame", items: "pd.DataFrame") -> "pd.Series":
    """Coded instances per survey item (0 where a subcategory was never coded); index: item."""
    from mlmismatch.study.codebook import CATEGORY_CODES

    cat = instances["category"].astype(str)
    names = {c.lower(): n for c, n in CATEGORY_CODES.items()}
    cat = cat.map(lambda v: names.get(v.lower(), v))  # accept codes or names
    key = list(zip(cat, instances["subcategory"].astype(str)))
    known = {(str(r.category), str(r.subcategory)): r.item for r in items.itertuples(index=False)}
    unknown = sorted({k for k in key if k not in known})
    if unknown:
        from mlmismatch.core.errors import InputError

        raise InputError(f"coded instances name subcategories the survey does not have: {unknown[:3]}",
                         expected="(category, subcategory) pairs of the codebook")
    import pandas as pd

    counts = pd.Series([known[k] for k in key], dtype=object).value_counts()
    return counts.reindex(list(items["item"]), fill_value=0).astype(int)


def _instances_rho_interval(x: "np.ndarray", scores: "np.ndarray", *, n_boot: int, level: float,
                            seed: int) -> tuple[float, float]:
    """Percentile interval of Spearman's rho between fixed ``x`` and the item means of ``scores``
    (respondents x items), the respondents resampled (scipy's ``bootstrap``, vectorized)."""
    import numpy as np
    from scipy.stats import bootstrap

    from mlmismatch.analyses.stats.correlation import _rows_spearman

    def stat(idx, axis=-1):
        with np.errstate(invalid="ignore"):
            means = np.nanmean(scores[idx.astype(int)], axis=-2)
        return _rows_spearman(np.broadcast_to(x, means.shape), means)

    res = bootstrap((np.arange(len(scores)),), stat, n_resamples=n_boot, confidence_level=level, method="percentile",
                    vectorized=True, batch=500, random_state=np.random.default_rng(seed))
    return float(res.confidence_interval[0]), float(res.confidence_interval[1])


def interviews_vs_survey(instances: "pd.DataFrame", responses: "pd.DataFrame", items: "pd.DataFrame", *,
                         n_boot: int = N_BOOT, seed: int = SEED, level: float = CI_LEVEL,
                         top: int = 5) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """Coded-instance frequency (interviews) against rated importance (survey), per subcategory.

    Returns ``(per_subcategory, summary)``. ``per_subcategory``: item keys, ``n_instances``,
    ``mean_score``, ``pct_important``, ``n_respondents``, ``instance_rank`` and ``survey_rank``
    (1 = most frequent / most important, ties averaged), ``rank_gap = instance_rank - survey_rank``
    (positive: rated more important than its interview frequency suggests; negative: frequent in the
    interviews but rated lower), ``disagreement_rank`` (1 = largest ``|rank_gap|``) and ``direction``.
    ``summary`` (one row): Spearman (percentile bootstrap interval over the respondents, the coded
    instances held fixed) and Kendall between ``n_instances`` and ``mean_score``, and the ``top``
    subcategories where they disagree most.
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import kendalltau, spearmanr

    counts = instance_counts(instances, items)
    dist = distribution(responses, items)
    out = dist[ITEM_KEYS + ["n", "mean_score", "pct_important"]].rename(columns={"n": "n_respondents"})
    out.insert(5, "n_instances", counts.reindex(out["item"]).to_numpy())
    out["instance_rank"] = out["n_instances"].rank(ascending=False, method="average")
    out["survey_rank"] = out["mean_score"].rank(ascending=False, method="average")
    out["rank_gap"] = out["instance_rank"] - out["survey_rank"]
    order = out["rank_gap"].abs().rank(ascending=False, method="first").astype(int)
    out["disagreement_rank"] = order
    out["direction"] = np.where(out["rank_gap"] > 0, "survey rates it higher than the interviews' frequency",
                                np.where(out["rank_gap"] < 0, "frequent in the interviews, rated lower", "agree"))
    out["category"] = out["category"].astype(str)

    m = score_matrix(responses, items)
    x = out["n_instances"].to_numpy(dtype=float)
    rho, p_rho = spearmanr(x, out["mean_score"])
    tau, p_tau = kendalltau(x, out["mean_score"])
    lo, hi = _instances_rho_interval(x, m, n_boot=n_boot, level=level, seed=seed + 99)
    worst = out.sort_values("disagreement_rank").head(top)
    summary = pd.DataFrame([{
        "n_subcategories": len(out), "n_instances": int(out["n_instances"].sum()), "n_respondents": int(m.shape[0]),
        "spearman_rho": round(float(rho), 4), "spearman_p": float(p_rho),
        "rho_ci_low": round(lo, 4), "rho_ci_high": round(hi, 4),
        "ci_method": f"percentile bootstrap, {n_boot} resamples of the respondents (instance counts fixed), seed {seed}",
        "kendall_tau": round(float(tau), 4), "kendall_p": float(p_tau),
        "most_disagreeing": "; ".join(f"{r.paper_label} ({'+' if r.rank_gap > 0 else ''}{r.rank_gap:g})"
                                      for r in worst.itertuples()),
    }])
    return out.reset_index(drop=True), summary


# --------------------------------------------------------------------------------------------
# Everything at once (used by reproduce, the CLI and the notebook)
# --------------------------------------------------------------------------------------------
def analyze(respondents: "pd.DataFrame", items: "pd.DataFrame", responses: "pd.DataFrame",
            instances: "pd.DataFrame | None" = None, *, n_boot: int = N_BOOT, seed: int = SEED) -> dict[str, "pd.DataFrame"]:
    """All survey tables by name. ``instances`` (coded interview instances) is optional; without it
    the interviews-vs-survey tables are left out. Free text is never an input."""
    out = {
        "demographics": demographics(respondents),
        "distribution": distribution(responses, items),
        "distribution_by_role": distribution(responses, items, by_role=True),
        "table2": important_by_role(responses, items),
        "important_ci": important_share_ci(responses, items),
        "role_differences": role_differences(responses, items),
        "role_pairwise": pairwise_role_differences(responses, items),
        "role_rank_correlation": role_rank_agreement(responses, items, n_boot=n_boot, seed=seed),
        "role_item_interaction": role_item_interaction(responses, items, seed=seed),
    }
    if instances is not None:
        out["interviews_vs_survey"], out["interviews_vs_survey_summary"] = interviews_vs_survey(
            instances, responses, items, n_boot=n_boot, seed=seed)
    return out
