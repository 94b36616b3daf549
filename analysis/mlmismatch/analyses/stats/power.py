"""What a two-group rank test can detect with the group sizes at hand.

For the Mann-Whitney test, Noether (1987, JASA 82:645) gives the sample size needed to detect
P(X > Y) = p at level alpha (two-sided) with power 1 - beta; solved for p with the sizes fixed,
it gives the smallest detectable effect, here expressed as Cliff's delta = 2p - 1:

    delta_min = 2 (z_{1 - alpha/2} + z_{1 - beta}) / sqrt(12 c (1 - c) N),  N = n_a + n_b, c = n_a / N

A value of 1 or more means no effect can be detected with that power. The smallest p-value the
exact test can reach at all (complete separation, no ties) is 2 / C(N, n_a).

>>> round(min_detectable_delta(5, 16), 2)
0.83
>>> round(min_detectable_delta(16, 10), 2)
0.65
>>> smallest_p(5, 16) < 0.001
True
"""

from __future__ import annotations

import math


def min_detectable_delta(n_a: int, n_b: int, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest |Cliff's delta| a two-sided Mann-Whitney test detects with ``power`` at ``alpha``
    (Noether's approximation; may exceed 1: then nothing is detectable)."""
    from scipy.stats import norm

    n = n_a + n_b
    if n_a < 1 or n_b < 1:
        return float("nan")
    c = n_a / n
    z = norm.ppf(1 - alpha / 2) + norm.ppf(power)
    return float(2 * z / math.sqrt(12 * c * (1 - c) * n))


def smallest_p(n_a: int, n_b: int) -> float:
    """The smallest two-sided p-value an exact Mann-Whitney test can give for these sizes (no ties)."""
    if n_a < 1 or n_b < 1:
        return float("nan")
    return min(1.0, 2 / math.comb(n_a + n_b, n_a))
