"""Rounding as the paper's figures and tables print numbers.

Examples
--------
>>> round_half_up(62.5), round_half_up(87.5), round(62.5)
(63.0, 88.0, 62)
>>> largest_remainder([20, 8, 3])
[64, 26, 10]
>>> [float(x) for x in largest_remainder([1, 1, 1], decimals=1)]
[33.4, 33.3, 33.3]
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Sequence


def round_half_up(x: float | None, digits: int = 0) -> float:
    """Round halves up (87.5 -> 88, 62.5 -> 63), as the paper's tables do, not to even."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return float("nan")
    q = 10 ** digits
    return math.floor(x * q + 0.5) / q


def largest_remainder(counts: Sequence[int], decimals: int = 0) -> list:
    """Percentages of ``counts`` rounded so that they add up to exactly 100 (Hamilton's method).

    With ``decimals=0`` the shares are ints (20, 8, 3 of 31 -> 64, 26, 10, where plain rounding
    gives 65, 26, 10); with more decimals they are exact :class:`~fractions.Fraction` values. Ties
    in the remainders go to the earlier part.
    """
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    q = 10 ** decimals
    # integer arithmetic: share i is scaled[i] / total, its floor scaled[i] // total and its remainder
    # (scaled[i] % total) / total, so remainders compare as integers (no Fraction per share)
    scaled = [100 * q * int(c) for c in counts]
    floors = [v // total for v in scaled]
    left = 100 * q - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-(scaled[i] % total), i))
    for i in order[:left]:
        floors[i] += 1
    if decimals == 0:
        return floors
    return [Fraction(v, q) for v in floors]
