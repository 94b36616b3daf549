"""Agreement coefficients on count matrices and paired binary codes (vectorised, batch dimensions first).

Used by :mod:`mlmismatch.extend.agreement` (coding rounds) and :mod:`mlmismatch.mapping.practices`
(the two ratings of the practice matrix). Tests check each against a reference library
(scikit-learn's ``cohen_kappa_score``, statsmodels' ``fleiss_kappa``, ``krippendorff.alpha``) or,
for the prevalence-robust coefficients, against the general formulas written another way.

- :func:`krippendorff_alpha_nominal`, :func:`fleiss_kappa_counts`: count matrices ``(..., units, values)``;
- :func:`cohen_kappa_pairs`, :func:`gwet_ac1_pairs`, :func:`pabak_pairs`,
  :func:`percent_agreement_pairs`: two raters' binary (0/1) codes ``(..., units)``.

In a sparse binary matrix (most cells 0) Cohen's kappa and Krippendorff's alpha are low even when
the raters agree on almost every cell, because chance agreement on the frequent 0 is high (the
"kappa paradox"). Gwet's AC1 and the prevalence- and bias-adjusted kappa (PABAK = 2 p_o - 1 for
two categories) do not depend on prevalence that way; report them beside kappa, not instead.

A worked example (two raters, 10 units; they agree on 8, rater a says 1 three times, rater b twice):

>>> a = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
>>> b = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]
>>> float(percent_agreement_pairs(a, b))
0.8
>>> round(float(cohen_kappa_pairs(a, b)), 4)   # p_e = .3*.3 + .7*.7 = .58; (.8 - .58) / .42
0.5238
>>> round(float(pabak_pairs(a, b)), 4)         # 2 * .8 - 1
0.6
>>> round(float(gwet_ac1_pairs(a, b)), 4)      # pi = .3; p_e = 2 * .3 * .7 = .42; (.8 - .42) / .58
0.6552
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np


def krippendorff_alpha_nominal(counts: "np.ndarray") -> "np.ndarray":
    """Krippendorff's alpha (nominal) from a count matrix ``(..., units, values)``.

    ``counts[u, c]`` is how many coders gave unit ``u`` value ``c``; units with fewer than two values
    are not pairable and are ignored. NaN when only one value occurs (alpha undefined).
    """
    import numpy as np

    n_uc = np.asarray(counts, dtype=float)
    m_u = n_uc.sum(axis=-1)
    pairable = m_u >= 2
    n_uc = np.where(pairable[..., None], n_uc, 0.0)
    m_u = np.where(pairable, m_u, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        within = np.where(pairable, (m_u ** 2 - (n_uc ** 2).sum(axis=-1)) / np.where(pairable, m_u - 1, 1), 0.0)
        d_o = within.sum(axis=-1)
        n_c = n_uc.sum(axis=-2)
        n = n_c.sum(axis=-1)
        d_e = n ** 2 - (n_c ** 2).sum(axis=-1)
        alpha = 1.0 - (n - 1) * d_o / d_e
    return np.where(d_e > 0, alpha, np.nan)


def fleiss_kappa_counts(counts: "np.ndarray") -> "np.ndarray":
    """Fleiss' kappa from a count matrix ``(..., units, values)`` with the same number of raters per unit."""
    import numpy as np

    n_uc = np.asarray(counts, dtype=float)
    m = n_uc.sum(axis=-1)
    n_units = n_uc.shape[-2]
    with np.errstate(divide="ignore", invalid="ignore"):
        p_u = ((n_uc ** 2).sum(axis=-1) - m) / (m * (m - 1))
        p_bar = p_u.mean(axis=-1)
        p_c = n_uc.sum(axis=-2) / (m.sum(axis=-1)[..., None] if n_units else 1)
        p_e = (p_c ** 2).sum(axis=-1)
        kappa = (p_bar - p_e) / (1 - p_e)
    return np.where(np.isclose(p_e, 1.0), np.nan, kappa)


def percent_agreement_pairs(a, b) -> "np.ndarray":
    """Share of units on which two raters' binary codes ``(..., units)`` agree."""
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return (a == b).mean(axis=-1)


def cohen_kappa_pairs(a, b) -> "np.ndarray":
    """Cohen's kappa of two coders' binary (0/1) codes ``(..., units)``; NaN when chance agreement is 1."""
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = (a == b).mean(axis=-1)
        pa, pb = a.mean(axis=-1), b.mean(axis=-1)
        p_e = pa * pb + (1 - pa) * (1 - pb)
        kappa = (p_o - p_e) / (1 - p_e)
    return np.where(np.isclose(p_e, 1.0), np.nan, kappa)


def gwet_ac1_pairs(a, b) -> "np.ndarray":
    """Gwet's AC1 of two raters' binary codes ``(..., units)`` (Gwet 2008, Br J Math Stat Psychol 61:29).

    ``AC1 = (p_o - p_e) / (1 - p_e)`` with ``p_e = 2 pi (1 - pi)`` for two categories, ``pi`` the
    mean of the two raters' shares of 1. Defined whenever ``p_e < 1`` (always, for two categories):
    1 when the raters agree on every unit, even if one value occurs throughout.
    """
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    p_o = (a == b).mean(axis=-1)
    pi = (a.mean(axis=-1) + b.mean(axis=-1)) / 2
    p_e = 2 * pi * (1 - pi)
    return (p_o - p_e) / (1 - p_e)


def pabak_pairs(a, b) -> "np.ndarray":
    """Prevalence- and bias-adjusted kappa of two raters' binary codes (Byrt, Bishop, Carlin 1993):
    ``2 p_o - 1``."""
    return 2 * percent_agreement_pairs(a, b) - 1


def binary_table(a, b) -> "np.ndarray":
    """The 2 x 2 table of two raters' binary codes ``(..., units)`` as counts ``(..., 4)``:
    ``n11`` (both 1), ``n10`` (only the first), ``n01`` (only the second), ``n00`` (both 0)."""
    import numpy as np

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    n11 = (a * b).sum(axis=-1)
    n10 = (a * (1 - b)).sum(axis=-1)
    n01 = ((1 - a) * b).sum(axis=-1)
    return np.stack([n11, n10, n01, a.shape[-1] - n11 - n10 - n01], axis=-1)


def binary_table_statistics(table) -> dict[str, "np.ndarray"]:
    """Percent agreement, Cohen's kappa, Krippendorff's alpha (nominal), Gwet's AC1 and PABAK from 2 x 2
    tables ``(..., 4)`` (:func:`binary_table`): two raters, binary codes, no missing values, where each of
    them depends on the four counts only. The same values as the ``*_pairs`` functions and
    :func:`krippendorff_alpha_nominal` on the codes (a test compares them), at the cost of the table, so a
    bootstrap can resample tables (a weighted sum of per-unit-group tables) instead of codes.

    Alpha with ``n = 2N`` pairable values, ``n1`` of them 1 and ``D`` disagreeing units:
    ``1 - (n - 1) D / (n1 (n - n1))``.

    >>> s = binary_table_statistics(binary_table([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]))
    >>> tuple(round(float(s[k]), 4) for k in ("percent_agreement", "cohen_kappa", "gwet_ac1", "pabak"))
    (0.8, 0.5238, 0.6552, 0.6)
    """
    import numpy as np

    t = np.asarray(table, dtype=float)
    n11, n10, n01, n00 = t[..., 0], t[..., 1], t[..., 2], t[..., 3]
    n = n11 + n10 + n01 + n00
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = (n11 + n00) / n
        pa, pb = (n11 + n10) / n, (n11 + n01) / n
        p_e = pa * pb + (1 - pa) * (1 - pb)
        kappa = np.where(np.isclose(p_e, 1.0), np.nan, (p_o - p_e) / (1 - p_e))
        values = 2 * n
        ones = 2 * n11 + n10 + n01
        d_e = ones * (values - ones)
        alpha = np.where(d_e > 0, 1.0 - (values - 1) * (n10 + n01) / d_e, np.nan)
        pi = (pa + pb) / 2
        ac1_e = 2 * pi * (1 - pi)
        ac1 = (p_o - ac1_e) / (1 - ac1_e)
    return {"percent_agreement": p_o, "cohen_kappa": kappa, "krippendorff_alpha": alpha, "gwet_ac1": ac1,
            "pabak": 2 * p_o - 1}
