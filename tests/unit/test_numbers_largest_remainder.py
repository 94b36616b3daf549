"""largest_remainder in integer arithmetic gives the shares of the exact-fraction definition."""

from __future__ import annotations

import math
import random
from fractions import Fraction

from mlmismatch.core.numbers import largest_remainder


def _by_fractions(counts, decimals=0):
    total = sum(counts)
    if total == 0:
        return [0] * len(counts)
    q = 10 ** decimals
    exact = [Fraction(100 * q * c, total) for c in counts]
    floors = [math.floor(x) for x in exact]
    for i in sorted(range(len(counts)), key=lambda i: (-(exact[i] - floors[i]), i))[:100 * q - sum(floors)]:
        floors[i] += 1
    return floors if decimals == 0 else [Fraction(v, q) for v in floors]


def test_same_shares_as_exact_fractions():
    rng = random.Random(0)
    for _ in range(5000):
        counts = [rng.randint(0, 60) for _ in range(rng.randint(1, 9))]
        decimals = rng.randint(0, 2)
        got = largest_remainder(counts, decimals)
        assert got == _by_fractions(counts, decimals), (counts, decimals)
        if sum(counts):
            assert sum(got) == 100
