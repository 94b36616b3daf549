"""Inter-coder agreement on a coding round: Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

Each coder gives each mismatch a *set* of up to three category/subcategory pairs. Agreement is
measured per code as present/absent (a binary nominal variable per mismatch and coder):

- per code: one row per category (``level='category'``) or per subcategory (``level='subcategory'``);
- overall: the same statistics pooled over every (mismatch, code) unit of the level.

Statistics (point estimates from the reference libraries):

- Cohen's kappa (``sklearn.metrics.cohen_kappa_score``), only when exactly two coders coded;
- Fleiss' kappa (``statsmodels.stats.inter_rater.fleiss_kappa``), on the mismatches every coder coded;
- Krippendorff's alpha, nominal (``krippendorff.alpha``), on every mismatch with two or more coders
  (missing codings allowed).

Each comes with a percentile bootstrap interval: mismatches are resampled with replacement (all codes
of a mismatch together), the statistics recomputed by the vectorised formulas below (tested equal to
the libraries), with a fixed seed. A mismatch coded by a single coder is missing: excluded, counted,
and reported in :attr:`AgreementResult.notes`.

The pure functions :func:`krippendorff_alpha_nominal`, :func:`fleiss_kappa_counts` and
:func:`cohen_kappa_pairs` (from :mod:`mlmismatch.analyses.stats.agreement`) work on count matrices
and take leading batch dimensions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# the vectorised statistics are shared with the practice matrix's ratings; re-exported here under their old names
from mlmismatch.analyses.stats.agreement import cohen_kappa_pairs, fleiss_kappa_counts, krippendorff_alpha_nominal
from mlmismatch.core.labels import subcategory_label

__all__ = ["cohen_kappa_pairs", "fleiss_kappa_counts", "krippendorff_alpha_nominal", "presence", "library_estimates",
           "agreement", "disagreements", "AgreementResult", "Presence", "STATISTICS", "SUMMARY_COLUMNS"]

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd


STATISTICS = ("cohen_kappa", "fleiss_kappa", "krippendorff_alpha")
SUMMARY_COLUMNS = ["level", "scope", "category", "code", "statistic", "estimate", "ci_low", "ci_high",
                   "n_mismatches", "n_coders", "n_present", "note"]


# --------------------------------------------------------------------------------------------
# From a round to presence arrays
# --------------------------------------------------------------------------------------------

@dataclass
class Presence:
    """``values[u, k, j]``: 1 if coder ``k`` gave mismatch ``u`` code ``j``, 0 if not, NaN if ``k`` did not code ``u``."""

    mismatch_ids: list[str]
    coders: list[str]
    codes: list[str]  # labels: 'Trained Model' or '(TM) Versioning'
    code_categories: list[str]
    values: "np.ndarray"
    single_coder: list[str]  # mismatches coded by one coder only (excluded)


def presence(codings: "pd.DataFrame", codebook: "pd.DataFrame", level: str = "category") -> Presence:
    """Build the presence array of a round's ``codings`` at ``level`` (``category`` or ``subcategory``)."""
    import numpy as np

    from mlmismatch.extend.codes import categories_of

    if level not in ("category", "subcategory"):
        raise ValueError(f"level must be 'category' or 'subcategory', not {level!r}")
    cats = categories_of(codebook)
    if level == "category":
        codes = list(cats.values())
        code_cats = codes
        key = codings["category"].astype(str)
    else:
        codes = [subcategory_label(c, s) for c, s in zip(codebook["category_code"], codebook["subcategory"])]
        code_cats = [str(c) for c in codebook["category"]]
        key = [subcategory_label(c, s) for c, s in zip(codings["category_code"], codings["subcategory"])]
    coders = sorted(codings["coder"].unique())
    by_mismatch = codings.groupby("mismatch_id")["coder"].nunique()
    single = sorted(by_mismatch.index[by_mismatch < 2])
    units = [m for m in _natural(by_mismatch.index) if by_mismatch[m] >= 2]
    import pandas as pd

    # one index per row (vectorized): unit, coder, code
    u = pd.Index(units).get_indexer(codings["mismatch_id"])
    k = pd.Index(coders).get_indexer(codings["coder"])
    keys = pd.Index(list(key))
    j = pd.Index(codes).get_indexer(keys)
    ok = u >= 0
    if (j[ok] < 0).any():
        raise KeyError(keys[ok & (j < 0)][0])  # a code that is not in the codebook (checked when reading)
    values = np.full((len(units), len(coders), len(codes)), np.nan)
    values[u[ok], k[ok], :] = 0.0
    values[u[ok], k[ok], j[ok]] = 1.0
    return Presence(units, coders, codes, code_cats, values, single)


def _natural(ids) -> list[str]:
    import re

    return sorted(ids, key=lambda s: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(s))])


# --------------------------------------------------------------------------------------------
# Library point estimates
# --------------------------------------------------------------------------------------------

def _counts(values: "np.ndarray") -> "np.ndarray":
    """(units, coders[, codes]) 0/1/NaN -> counts (..., units, 2) of absent/present; codes first."""
    import numpy as np

    present = np.nansum(values == 1, axis=1)
    coded = np.sum(~np.isnan(values), axis=1)
    out = np.stack([coded - present, present], axis=-1)  # (units, codes, 2)
    return np.moveaxis(out, 1, 0) if out.ndim == 3 else out


def library_estimates(values: "np.ndarray") -> dict[str, float]:
    """Point estimates of one binary variable ``values[u, k]`` (0/1/NaN) with the reference libraries."""
    import warnings

    import krippendorff
    import numpy as np
    from sklearn.metrics import cohen_kappa_score
    from statsmodels.stats.inter_rater import fleiss_kappa

    out = {s: float("nan") for s in STATISTICS}
    observed = values[~np.isnan(values)]
    if observed.size == 0 or np.all(observed == observed[0]):
        return out  # one value only: every statistic is undefined
    complete = values[~np.isnan(values).any(axis=1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if values.shape[1] == 2 and len(complete):
            c = complete.astype(int)
            if len(set(c[:, 0]) | set(c[:, 1])) > 1:
                out["cohen_kappa"] = float(cohen_kappa_score(c[:, 0], c[:, 1]))
        if len(complete):
            table = _counts(complete)
            if (table.sum(axis=0) > 0).sum() > 1:
                out["fleiss_kappa"] = float(fleiss_kappa(table, method="fleiss"))
        out["krippendorff_alpha"] = float(krippendorff.alpha(reliability_data=values.T, level_of_measurement="nominal",
                                                             value_domain=[0.0, 1.0]))
    return out


# --------------------------------------------------------------------------------------------
# The agreement analysis
# --------------------------------------------------------------------------------------------

@dataclass
class AgreementResult:
    summary: "pd.DataFrame"
    disagreements: "pd.DataFrame"
    coders: list[str]
    n_mismatches: int  # with two or more coders
    n_complete: int  # coded by every coder
    single_coder: list[str]
    notes: list[str] = field(default_factory=list)


def _bootstrap(values: "np.ndarray", n_boot: int, seed: int, batch: int = 200) -> "np.ndarray":
    """Replicates ``(n_boot, 3, n_codes + 1)``: statistic x (each code, pooled) over resampled mismatches.

    Resample ``b`` draws ``rng.integers(0, n_units, n_units)`` (the draws of the former loop, one
    resample after the other); it is expressed as a weight per mismatch (how often it was drawn), and
    every statistic is a sum over mismatches, so all replicates are matrix products of the weights with
    per-mismatch terms (``batch`` resamples at a time, to bound memory). The per-mismatch terms are the
    ones the loop summed; with two coders (and for alpha with up to three) they are integers or halves,
    so the sums are exact and the replicates equal the loop's bit for bit (tested). With more coders,
    Fleiss' terms are fractions such as 1/3 and the sums agree with the loop's to rounding (1e-12).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    n_units, n_coders, n_codes = values.shape
    out = np.full((n_boot, 3, n_codes + 1), np.nan)
    if n_units == 0 or n_boot == 0:
        return out
    complete = ~np.isnan(values[:, :, 0]).any(axis=1)
    counts_all = _counts(values)  # (codes, units, 2)
    # Krippendorff: per unit, the within-unit disagreement and the pairable value counts
    n_uc = counts_all.astype(float)
    m_u = n_uc.sum(axis=-1)
    pairable = m_u >= 2
    n_uc = np.where(pairable[..., None], n_uc, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        within = np.where(pairable, (m_u ** 2 - (n_uc ** 2).sum(axis=-1)) / np.where(pairable, m_u - 1, 1), 0.0)
    # Fleiss and Cohen: complete units only (others get weight 0; their terms set to 0, not NaN)
    m = n_coders
    comp_f = complete.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_u = np.where(complete, ((counts_all.astype(float) ** 2).sum(axis=-1) - m) / (m * (m - 1)), 0.0)  # (codes, units)
    cnt_c = np.where(complete[None, :, None], counts_all, 0).astype(float)
    # every per-unit term in one matrix (units x columns): one product with the weights gives every sum
    blocks = {"within": within.T, "n_uc": n_uc.transpose(1, 0, 2).reshape(n_units, n_codes * 2),
              "complete": comp_f[:, None], "p_u": p_u.T, "cnt_c": cnt_c.transpose(1, 0, 2).reshape(n_units, n_codes * 2)}
    if n_coders == 2:
        v = np.nan_to_num(values, nan=0.0)
        a, c = v[:, 0, :], v[:, 1, :]  # (units, codes)
        blocks["agree"] = np.where(complete[:, None], (a == c).astype(float), 0.0)
        blocks["a"] = np.where(complete[:, None], a, 0.0)
        blocks["c"] = np.where(complete[:, None], c, 0.0)
    cols, at = {}, 0
    for name, block in blocks.items():
        cols[name] = slice(at, at + block.shape[1])
        at += block.shape[1]
    terms = np.ascontiguousarray(np.concatenate(list(blocks.values()), axis=1))
    for start in range(0, n_boot, batch):
        nb = min(batch, n_boot - start)
        idx = rng.integers(0, n_units, (nb, n_units))  # the same stream as nb calls of size n_units
        flat = (idx + (np.arange(nb) * n_units)[:, None]).reshape(-1)
        w = np.bincount(flat, minlength=nb * n_units).reshape(nb, n_units).astype(float)  # times drawn
        sums = w @ terms  # (nb, columns): exact sums of integer (or dyadic) terms
        sl = slice(start, start + nb)
        with np.errstate(divide="ignore", invalid="ignore"):
            # --- Krippendorff's alpha: d_o = sum of within, n_c = sum of value counts
            d_o = sums[:, cols["within"]]  # (nb, codes)
            n_c = sums[:, cols["n_uc"]].reshape(nb, n_codes, 2)
            for dd, nc, target in ((d_o, n_c, (sl, 2, slice(0, n_codes))),
                                   (d_o.sum(axis=1, keepdims=True), n_c.sum(axis=1, keepdims=True), (sl, 2, slice(n_codes, n_codes + 1)))):
                n = nc.sum(axis=-1)
                d_e = n ** 2 - (nc ** 2).sum(axis=-1)
                alpha = 1.0 - (n - 1) * dd / d_e
                out[target] = np.where(d_e > 0, alpha, np.nan)
            # --- Fleiss' kappa on the complete units of each resample (incomplete units' terms are 0)
            n_comp = sums[:, cols["complete"]][:, 0]  # (nb,)
            has = n_comp > 0
            sum_pu = sums[:, cols["p_u"]]
            nc_f = sums[:, cols["cnt_c"]].reshape(nb, n_codes, 2)
            for sp, nc, units, target in ((sum_pu, nc_f, n_comp[:, None], slice(0, n_codes)),
                                          (sum_pu.sum(axis=1, keepdims=True), nc_f.sum(axis=1, keepdims=True),
                                           (n_comp * n_codes)[:, None], slice(n_codes, n_codes + 1))):
                p_bar = sp / units
                p_c = nc / (units * m)[..., None]
                p_e = (p_c ** 2).sum(axis=-1)
                kappa = (p_bar - p_e) / (1 - p_e)
                out[sl, 1, target] = np.where(has[:, None], np.where(np.isclose(p_e, 1.0), np.nan, kappa), np.nan)
            # --- Cohen's kappa (two coders) on the same units
            if n_coders == 2:
                ag, sa, sc = sums[:, cols["agree"]], sums[:, cols["a"]], sums[:, cols["c"]]
                for ag_, sa_, sc_, units, target in ((ag, sa, sc, n_comp[:, None], slice(0, n_codes)),
                                                     (ag.sum(axis=1, keepdims=True), sa.sum(axis=1, keepdims=True),
                                                      sc.sum(axis=1, keepdims=True), (n_comp * n_codes)[:, None],
                                                      slice(n_codes, n_codes + 1))):
                    p_o, pa, pb = ag_ / units, sa_ / units, sc_ / units
                    p_e = pa * pb + (1 - pa) * (1 - pb)
                    kappa = (p_o - p_e) / (1 - p_e)
                    out[sl, 0, target] = np.where(has[:, None], np.where(np.isclose(p_e, 1.0), np.nan, kappa), np.nan)
    return out


def agreement(codings: "pd.DataFrame", codebook: "pd.DataFrame", levels: tuple[str, ...] = ("category", "subcategory"),
              n_boot: int = 1000, seed: int = 0, confidence: float = 0.95) -> AgreementResult:
    """Agreement of a round's coders, overall and per code, with bootstrap intervals.

    ``summary`` has ``level, scope ('overall' or 'code'), category, code, statistic, estimate,
    ci_low, ci_high, n_mismatches, n_coders, n_present, note``.
    """
    import numpy as np
    import pandas as pd

    coders = sorted(codings["coder"].unique())
    if len(coders) < 2:
        from mlmismatch.core.errors import InputError, Location

        raise InputError(f"only one coder ({', '.join(coders) or 'none'}) in the round",
                         Location(file=", ".join(sorted(set(codings["file"]))) or None),
                         expected="two or more coders: a 'coder' column (CSV), a 'Coder' column (workbook), "
                                  "or one file per coder")
    rows: list[dict] = []
    notes: list[str] = []
    lo_q, hi_q = 100 * (1 - confidence) / 2, 100 * (1 + confidence) / 2
    pres = None
    for level in levels:
        pres = presence(codings, codebook, level)
        v = pres.values
        n_units, n_coders, n_codes = v.shape
        if n_units == 0:
            break
        complete = ~np.isnan(v[:, :, 0]).any(axis=1)
        reps = _bootstrap(v, n_boot, seed)
        for j in range(n_codes + 1):
            if j < n_codes:
                col = v[:, :, j]
                scope, cat, code = "code", pres.code_categories[j], pres.codes[j]
            else:
                col = np.moveaxis(v, 2, 0).reshape(-1, n_coders)
                scope, cat, code = "overall", "", "all codes (pooled)"
            est = library_estimates(col)
            n_present = int(np.nansum(col))
            for s, stat in enumerate(STATISTICS):
                note = ""
                if stat == "cohen_kappa" and n_coders != 2:
                    note = f"Cohen's kappa needs exactly two coders ({n_coders} coded)"
                elif np.isnan(est[stat]):
                    note = "never coded by anyone" if n_present == 0 else "undefined: a single value throughout"
                r = reps[:, s, j]
                r = r[~np.isnan(r)]
                ok = len(r) >= 0.5 * n_boot and not np.isnan(est[stat])
                if not np.isnan(est[stat]) and not ok:
                    note = f"bootstrap interval omitted: {n_boot - len(r)} of {n_boot} resamples undefined"
                rows.append({
                    "level": level, "scope": scope, "category": cat, "code": code, "statistic": stat,
                    "estimate": est[stat],
                    "ci_low": float(np.percentile(r, lo_q)) if ok else float("nan"),
                    "ci_high": float(np.percentile(r, hi_q)) if ok else float("nan"),
                    "n_mismatches": int(n_units if stat == "krippendorff_alpha" else complete.sum()),
                    "n_coders": n_coders, "n_present": n_present, "note": note,
                })
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    single = pres.single_coder if pres is not None else []
    n_units = len(pres.mismatch_ids) if pres is not None else 0
    n_complete = int((~np.isnan(pres.values[:, :, 0]).any(axis=1)).sum()) if pres is not None and n_units else 0
    if single:
        first = codings.drop_duplicates("mismatch_id").set_index("mismatch_id")
        where = [f"{m} ({_where(first.loc[m])}, coder {first.loc[m, 'coder']})" for m in single[:10]]
        notes.append(f"{len(single)} mismatch(es) coded by a single coder are treated as missing and left out: "
                     + "; ".join(where) + (" ..." if len(single) > 10 else ""))
    if n_complete < n_units:
        notes.append(f"{n_units - n_complete} mismatch(es) not coded by all {len(coders)} coders: Krippendorff's alpha "
                     f"uses them, Cohen's and Fleiss' kappa use the {n_complete} coded by all")
    if n_units == 0:
        notes.append("no mismatch was coded by two or more coders: no agreement can be computed")
    return AgreementResult(summary=summary, disagreements=disagreements(codings), coders=coders,
                           n_mismatches=n_units, n_complete=n_complete, single_coder=single, notes=notes)


def _where(rec) -> str:
    from mlmismatch.core.errors import Location

    sheet = rec.get("sheet") or None
    column = rec.get("column") or None
    if column is not None and not sheet:  # CSV: the column is a header name
        return str(Location(file=rec.get("file") or None, row=int(rec["row"]), header=str(column)))
    return str(Location(file=rec.get("file") or None, sheet=sheet, row=int(rec["row"]), column=column))


def disagreements(codings: "pd.DataFrame") -> "pd.DataFrame":
    """One row per mismatch whose coders' code sets differ, ready for adjudication.

    Columns: ``mismatch_id, n_coders, agreed`` (codes every coder gave), ``disputed`` (the others,
    each with who gave it), ``categories_agree`` (the category sets are equal), one column per
    coder with that coder's codes, and an empty ``decision`` column for the adjudicator.
    """
    import pandas as pd

    coders = sorted(codings["coder"].unique())
    sets: dict[str, dict[str, list[str]]] = {}
    cats: dict[str, dict[str, set]] = {}
    for mid, who, code, sub, cat in zip(codings["mismatch_id"], codings["coder"], codings["category_code"],
                                        codings["subcategory"], codings["category"].astype(str)):
        sets.setdefault(mid, {}).setdefault(who, []).append(subcategory_label(code, sub))
        cats.setdefault(mid, {}).setdefault(who, set()).add(cat)
    rows = []
    for mid in _natural(sets):
        by = sets[mid]
        if len(by) < 2:
            continue
        as_sets = {k: set(v) for k, v in by.items()}
        common = set.intersection(*as_sets.values())
        union = set.union(*as_sets.values())
        if common == union:
            continue
        disputed = sorted(union - common)
        row = {
            "mismatch_id": mid, "n_coders": len(by),
            "agreed": "; ".join(sorted(common)),
            "disputed": "; ".join(f"{c} [{', '.join(k for k in sorted(by) if c in as_sets[k])}]" for c in disputed),
            "categories_agree": len({frozenset(s) for s in cats[mid].values()}) == 1,
        }
        for k in coders:
            row[k] = "; ".join(by.get(k, [])) if k in by else "(not coded)"
        row["decision"] = ""
        rows.append(row)
    return pd.DataFrame(rows, columns=["mismatch_id", "n_coders", "agreed", "disputed", "categories_agree", *coders, "decision"])
