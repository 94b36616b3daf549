"""Confidence intervals for a share k of n (statsmodels' ``proportion_confint``).

A percentile bootstrap of a share collapses to a single point when every answer falls on one side
(0 % or 100 %), which is common with 5 respondents; Wilson's score interval and the exact
Clopper-Pearson interval do not.

>>> lo, hi = share_interval(5, 5)
>>> round(lo, 3), hi
(0.566, 1.0)
>>> tuple(round(x, 3) for x in share_interval(5, 5, method="beta"))
(0.478, 1.0)
"""

from __future__ import annotations

#: interval method -> description (the keys are statsmodels' ``method`` names).
METHODS = {"wilson": "Wilson score interval", "beta": "Clopper-Pearson exact interval"}


def share_interval(k: int, n: int, *, level: float = 0.95, method: str = "wilson") -> tuple[float, float]:
    """The ``level`` interval of the share ``k / n`` (as fractions 0..1); NaN for n = 0."""
    from statsmodels.stats.proportion import proportion_confint

    if method not in METHODS:
        raise ValueError(f"unknown interval method '{method}' (one of {', '.join(METHODS)})")
    if n == 0:
        return float("nan"), float("nan")
    lo, hi = proportion_confint(int(k), int(n), alpha=1 - level, method=method)
    return float(max(0.0, lo)), float(min(1.0, hi))
