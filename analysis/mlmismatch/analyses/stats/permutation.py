"""Permutation tests over respondents.

:func:`interaction_test` asks whether groups of respondents order the items differently: each
respondent's ratings are centred on that respondent's own mean (so that a group that rates
everything higher does not count as ordering it differently), and the statistic is the
group x item interaction sum of squares, sum_g n_g sum_i (mean_gi - mean_i)^2. The group labels are
permuted among respondents (group sizes kept); p = (1 + #{T* >= T}) / (1 + B).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def _statistics(x: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """The interaction sum of squares for each row of ``codes`` (permutations x respondents, group codes)."""
    onehot = (codes[..., None] == np.arange(n_groups)).astype(float)  # perms x respondents x groups
    sizes = onehot.sum(axis=-2)  # perms x groups
    sums = np.einsum("png,ni->pgi", onehot, x)  # perms x groups x items
    grand = x.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        between = np.where(sizes > 0, (sums ** 2).sum(axis=-1) / np.where(sizes > 0, sizes, 1), 0).sum(axis=-1)
    return between - float((grand ** 2).sum()) / len(x)


def interaction_statistic(scores: np.ndarray, groups: np.ndarray, *, centre: bool = True) -> float:
    """Group x item interaction sum of squares of a respondents x items matrix (no missing values):
    sum_g n_g sum_i (mean_gi - mean_i)^2, on ratings centred per respondent when ``centre``."""
    x = scores - scores.mean(axis=1, keepdims=True) if centre else scores
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    return float(_statistics(x, codes[None, :], int(codes.max()) + 1)[0])


def interaction_test(scores: np.ndarray, groups: Sequence, *, n_perm: int = 4999, seed: int = 0,
                     centre: bool = True) -> tuple[float, float]:
    """(statistic, permutation p-value) of :func:`interaction_statistic`, the group labels permuted
    ``n_perm`` times among the respondents (vectorized)."""
    x = scores - scores.mean(axis=1, keepdims=True) if centre else np.asarray(scores, dtype=float)
    _, codes = np.unique(np.asarray(groups), return_inverse=True)
    k = int(codes.max()) + 1
    observed = float(_statistics(x, codes[None, :], k)[0])
    rng = np.random.default_rng(seed)
    perms = np.stack([rng.permutation(codes) for _ in range(n_perm)])
    exceed = int((_statistics(x, perms, k) >= observed - 1e-9).sum())
    return observed, (1 + exceed) / (1 + n_perm)
