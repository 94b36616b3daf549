"""Rank agreement between two groups of respondents, with a bootstrap over respondents.

The statistic is Spearman's rho between the two groups' per-item mean ratings. Its uncertainty
comes from which respondents answered, so the respondents are resampled (within each group,
independently, scipy's ``bootstrap`` with two samples), not the items. With 5 respondents the
resampled means are noisy and pull rho towards 0: the interval is wide and sits below the
estimate, which is what the data can say.
"""

from __future__ import annotations

import numpy as np


def item_means_rho(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho between the column means of two respondents x items matrices (NaN ignored)."""
    from scipy.stats import spearmanr

    with np.errstate(invalid="ignore"):
        ma, mb = np.nanmean(a, axis=0), np.nanmean(b, axis=0)
    if np.ptp(ma) == 0 or np.ptp(mb) == 0:
        return float("nan")
    return float(spearmanr(ma, mb).statistic)


def _rows_spearman(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row pair (average ranks for ties; NaN where a row is constant)."""
    from scipy.stats import rankdata

    ra, rb = rankdata(a, axis=-1), rankdata(b, axis=-1)
    ra = ra - ra.mean(axis=-1, keepdims=True)
    rb = rb - rb.mean(axis=-1, keepdims=True)
    den = np.sqrt((ra ** 2).sum(axis=-1) * (rb ** 2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (ra * rb).sum(axis=-1) / np.where(den > 0, den, 1), np.nan)


def rho_bootstrap_interval(a: np.ndarray, b: np.ndarray, *, n_resamples: int = 2000, level: float = 0.95,
                           seed: int = 0, method: str = "percentile") -> tuple[float, float]:
    """Percentile interval of :func:`item_means_rho`, resampling the respondents (rows) of each group
    independently (scipy's ``bootstrap``, vectorized over the resamples)."""
    from scipy.stats import bootstrap

    if len(a) < 2 or len(b) < 2:
        return float("nan"), float("nan")

    def stat(ia, ib, axis=-1):
        with np.errstate(invalid="ignore"):
            ma = np.nanmean(a[ia.astype(int)], axis=-2)
            mb = np.nanmean(b[ib.astype(int)], axis=-2)
        return _rows_spearman(ma, mb)

    res = bootstrap((np.arange(len(a)), np.arange(len(b))), stat, n_resamples=n_resamples, confidence_level=level,
                    method=method, vectorized=True, paired=False, batch=500,
                    random_state=np.random.default_rng(seed))
    lo, hi = res.confidence_interval
    return float(lo), float(hi)
