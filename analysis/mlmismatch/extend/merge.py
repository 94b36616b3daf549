"""The study's data plus a new coding round as one dataset, and what the new round changes.

:func:`merge` returns a :class:`Merged` with

``mismatches``
    ``mismatch_id, round, interview, n_codes`` (no texts);
``instances``
    the study's instances and the round's (one coder's: the adjudicated codes) in the study's shape
    plus ``round`` and ``origin``; ``category`` is an ordered categorical of the study's 7 categories
    followed by the extension's;
``codebook``
    the study's codebook plus the extension (``origin``);
``categories`` / ``subcategories``
    the categorization recomputed on the merged data (:mod:`mlmismatch.categories`);
``by_round``
    instances per category in the study and in the new round, side by side;
``test``
    whether the new round's category distribution differs from the study's
    (:func:`distribution_test`);
``gaps``
    every subcategory with its instances and whether the study's codebook has it; the extension's
    subcategories are ``unmapped``: no descriptor element of the mapping covers them yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlmismatch.core.errors import InputError, Location

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from mlmismatch.extend.rounds import Round

STUDY = "study"


@dataclass
class Merged:
    mismatches: "pd.DataFrame"
    instances: "pd.DataFrame"
    codebook: "pd.DataFrame"
    categories: "pd.DataFrame"
    subcategories: "pd.DataFrame"
    by_round: "pd.DataFrame"
    test: "pd.DataFrame"
    gaps: "pd.DataFrame"
    round_name: str
    coder: str


def merge(study, rnd: "Round", coder: str | None = None, round_name: str = "new", n_perm: int = 9999,
          seed: int = 0) -> Merged:
    """Merge the study (:class:`mlmismatch.coding.CodingData`) with one coder's codes of ``rnd``."""
    import pandas as pd

    from mlmismatch.analyses import categories as cat_mod

    if round_name == STUDY:
        raise InputError("the new round cannot be named 'study'", Location(), expected="another --name")
    new_inst = rnd.instances(coder)
    coder = coder or rnd.coders[0]
    clash = sorted(set(new_inst["mismatch_id"]) & set(study.mismatches["mismatch_id"]))
    if clash:
        row = new_inst[new_inst["mismatch_id"] == clash[0]].iloc[0]
        raise InputError(f"mismatch id '{clash[0]}' is already one of the study's ({len(clash)} such id(s))",
                         Location(file=_files(rnd), sheet=row["sheet"] or None, row=int(row["row"])),
                         expected="new ids, e.g. numbering new interviews from 21 (M21-01)")
    book = rnd.codebook
    order = list(rnd.categories.values())
    dtype = pd.CategoricalDtype(order, ordered=True)
    old = study.instances.copy()
    old["round"] = STUDY
    old["origin"] = "study"
    old["category"] = old["category"].astype(str)
    new = new_inst.copy()
    new["round"] = round_name
    new["category"] = new["category"].astype(str)
    cols = ["mismatch_id", "round", "interview", "position", "category_code", "category", "subcategory", "origin"]
    inst = pd.concat([old[cols], new[cols]], ignore_index=True)
    inst["category"] = inst["category"].astype(dtype)
    inst["interview"] = pd.array(inst["interview"], dtype="Int64")
    mism = inst.groupby(["mismatch_id", "round"], sort=False).agg(interview=("interview", "first"),
                                                                   n_codes=("position", "size")).reset_index()
    cats = cat_mod.category_counts(inst)
    subs = cat_mod.subcategory_counts(inst, book)
    by_round = compare_rounds(inst, round_name)
    test = distribution_test(inst, round_name, n_perm=n_perm, seed=seed)
    gaps = gap_table(inst, book)
    return Merged(mism, inst, book, cats, subs, by_round, test, gaps, round_name, coder)


def _files(rnd) -> str | None:
    return ", ".join(p.name for p in rnd.sources) or None


def compare_rounds(instances: "pd.DataFrame", round_name: str) -> "pd.DataFrame":
    """``category, n_study, share_study_pct, n_<round>, share_<round>_pct, difference_pct_points``."""
    import pandas as pd

    order = list(instances["category"].cat.categories) if hasattr(instances["category"], "cat") else sorted(set(instances["category"]))
    rows = []
    n_s = (instances["round"] == STUDY).sum()
    n_n = (instances["round"] == round_name).sum()
    for c in order:
        a = int(((instances["round"] == STUDY) & (instances["category"] == c)).sum())
        b = int(((instances["round"] == round_name) & (instances["category"] == c)).sum())
        sa = 100.0 * a / n_s if n_s else float("nan")
        sb = 100.0 * b / n_n if n_n else float("nan")
        rows.append({"category": c, "n_study": a, "share_study_pct": sa, f"n_{round_name}": b,
                     f"share_{round_name}_pct": sb, "difference_pct_points": sb - sa})
    return pd.DataFrame(rows)


def distribution_test(instances: "pd.DataFrame", round_name: str, n_perm: int = 9999, seed: int = 0) -> "pd.DataFrame":
    """Does the new round's category distribution differ from the study's?

    Pearson's chi-square on the rounds x categories table of instances (categories coded in
    neither round left out), with its asymptotic p-value and a permutation p-value that respects
    that a mismatch's codes are not independent: the round labels are shuffled over *mismatches*
    (each keeping all its codes), ``n_perm`` times with ``seed``; p = (1 + #{chi2* >= chi2}) / (1 + n_perm).
    Also Cramer's V and the smallest expected count (below 5 the asymptotic p is unreliable).
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import chi2_contingency

    cats = list(instances["category"].cat.categories) if hasattr(instances["category"], "cat") else sorted(set(instances["category"]))
    ids = list(dict.fromkeys(zip(instances["mismatch_id"], instances["round"])))
    idx = {k: i for i, k in enumerate(ids)}
    cidx = {c: j for j, c in enumerate(cats)}
    counts = np.zeros((len(ids), len(cats)))
    for mid, rnd, c in zip(instances["mismatch_id"], instances["round"], instances["category"].astype(str)):
        counts[idx[(mid, rnd)], cidx[c]] += 1
    is_new = np.array([r == round_name for _, r in ids])
    keep = counts.sum(axis=0) > 0
    counts = counts[:, keep]
    kept = [c for c, k in zip(cats, keep) if k]

    def chi2(mask):
        table = np.vstack([counts[~mask].sum(axis=0), counts[mask].sum(axis=0)])
        expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / table.sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.nansum((table - expected) ** 2 / expected)), table, expected

    stat, table, expected = chi2(is_new)
    if not is_new.any() or is_new.all() or len(kept) < 2:
        p_asym, dof = float("nan"), 0
    else:
        _, p_asym, dof, _ = chi2_contingency(table, correction=False)
    rng = np.random.default_rng(seed)
    exceed = 0
    for _ in range(n_perm):
        exceed += chi2(rng.permutation(is_new))[0] >= stat - 1e-12
    n = table.sum()
    v = float(np.sqrt(stat / (n * (min(table.shape) - 1)))) if n and min(table.shape) > 1 else float("nan")
    return pd.DataFrame([{
        "test": "chi-square, rounds x categories (instances)", "chi2": stat, "dof": int(dof),
        "p_asymptotic": float(p_asym), "p_permutation": (1 + exceed) / (1 + n_perm), "n_permutations": n_perm,
        "cramers_v": v, "min_expected": float(expected.min()) if expected.size else float("nan"),
        "n_instances_study": int(table[0].sum()), f"n_instances_{round_name}": int(table[1].sum()),
        "n_mismatches_study": int((~is_new).sum()), f"n_mismatches_{round_name}": int(is_new.sum()),
        "categories": len(kept),
    }])


def gap_table(instances: "pd.DataFrame", codebook: "pd.DataFrame") -> "pd.DataFrame":
    """``category, subcategory, origin, n_instances, mapping_status`` for every subcategory.

    Extension subcategories are ``unmapped``: the study-to-descriptor mapping (``data/mapping``) does
    not cover them, so they are information gaps until a descriptor element is mapped to them.
    """
    import pandas as pd

    counts = instances.groupby([instances["category_code"], instances["subcategory"]]).size()
    rows = []
    for r in codebook.itertuples(index=False):
        origin = getattr(r, "origin", "study")
        rows.append({"category": str(r.category), "subcategory": r.subcategory, "origin": origin,
                     "n_instances": int(counts.get((r.category_code, r.subcategory), 0)),
                     "mapping_status": "unmapped (new subcategory)" if origin == "extension" else "as in the study's mapping"})
    return pd.DataFrame(rows)


UNMAPPED_REASON = "new subcategory (extension codebook): unmapped, no descriptor attribute is mapped to it yet"


def mapping_gaps(merged: Merged, mapping_attributes: "pd.DataFrame", attributes: "pd.DataFrame",
                 versions: tuple[str, ...] = ("1.0", "1.1", "1.2")) -> "pd.DataFrame":
    """The mapping's first gap analysis (:func:`mlmismatch.mapping.gap_uncovered_subcategories`) on the merged data.

    ``mapping_attributes`` is ``mapping.load_default(coding).attributes`` and ``attributes`` the
    published schemas' attribute table (:func:`mlmismatch.schemas.attributes`). The extension's
    subcategories have no mapping row, so every version lists them as uncovered; their ``reason``
    says they are new and unmapped, and ``origin`` tells them from the study's.
    """
    from mlmismatch.mapping import matrix as mp

    gaps = mp.gap_uncovered_subcategories(mapping_attributes, merged.codebook, merged.instances, attributes,
                                          versions=versions)
    ext = set(zip(merged.codebook.loc[merged.codebook.origin == "extension", "category"].astype(str),
                  merged.codebook.loc[merged.codebook.origin == "extension", "subcategory"]))
    is_ext = [(str(c), s) in ext for c, s in zip(gaps["category"], gaps["subcategory"])]
    gaps = gaps.copy()
    gaps.loc[is_ext, "reason"] = UNMAPPED_REASON
    gaps.insert(3, "origin", ["extension" if e else "study" for e in is_ext])
    return gaps.reset_index(drop=True)
