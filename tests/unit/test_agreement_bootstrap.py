"""The vectorized agreement bootstrap gives the replicates of the former per-resample loop, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from mlmismatch.extend import agreement as ag


def _loop_bootstrap(values, n_boot, seed):
    """The former implementation (one resample at a time, fancy-indexed copies), kept as the reference."""
    rng = np.random.default_rng(seed)
    n_units, n_coders, n_codes = values.shape
    complete = ~np.isnan(values[:, :, 0]).any(axis=1)
    out = np.full((n_boot, 3, n_codes + 1), np.nan)
    counts_all = ag._counts(values)
    for b in range(n_boot):
        idx = rng.integers(0, n_units, n_units)
        cnt = counts_all[:, idx, :]
        comp = complete[idx]
        pooled = cnt.reshape(1, -1, 2)
        out[b, 2, :n_codes] = ag.krippendorff_alpha_nominal(cnt)
        out[b, 2, n_codes] = ag.krippendorff_alpha_nominal(pooled)[0]
        if comp.any():
            cc = cnt[:, comp, :]
            out[b, 1, :n_codes] = ag.fleiss_kappa_counts(cc)
            out[b, 1, n_codes] = ag.fleiss_kappa_counts(cc.reshape(1, -1, 2))[0]
            if n_coders == 2:
                v = values[idx][comp]
                a, c = v[:, 0, :].T, v[:, 1, :].T
                out[b, 0, :n_codes] = ag.cohen_kappa_pairs(a, c)
                out[b, 0, n_codes] = ag.cohen_kappa_pairs(a.reshape(-1), c.reshape(-1))
    return out


def _values(n_units, n_coders, n_codes, seed, p_missing=0.1, p_code=0.3):
    rng = np.random.default_rng(seed)
    v = (rng.random((n_units, n_coders, n_codes)) < p_code).astype(float)
    v[:, :, 0] = np.where(rng.random((n_units, n_coders)) < 0.5, v[:, :, 0], v[:, :1, 0])  # some agreement
    missing = rng.random((n_units, n_coders)) < p_missing
    missing[:, 0] = False  # every unit has two or more coders
    missing[:, 1] = False
    v[missing] = np.nan
    v[:, :, -1] = 0.0 * v[:, :, -1]  # a code nobody used (undefined statistics)
    return v


@pytest.mark.parametrize("n_units,n_coders,n_codes,seed", [(40, 2, 7, 0), (141, 2, 34, 1), (13, 2, 3, 2)])
def test_vectorized_bootstrap_equals_the_loop_bit_for_bit(n_units, n_coders, n_codes, seed):
    v = _values(n_units, n_coders, n_codes, seed)
    ref = _loop_bootstrap(v, 300, seed)
    got = ag._bootstrap(v, 300, seed, batch=64)  # batches that do not divide n_boot
    assert got.shape == ref.shape
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    assert np.array_equal(got, ref, equal_nan=True)  # exact, not approximately equal
    assert np.isfinite(got).sum() > got.size // 3  # the comparison covers real values, not only NaNs


@pytest.mark.parametrize("n_coders", [3, 5])
def test_more_coders_agree_to_rounding(n_coders):
    """With three or more coders Fleiss' per-mismatch terms (k / (m (m - 1))) are not dyadic fractions, so
    the summation order shows in the last bits; alpha stays exact with three coders; all agree to 1e-12."""
    v = _values(50, n_coders, 6, n_coders, p_missing=0.2)
    ref = _loop_bootstrap(v, 200, 4)
    got = ag._bootstrap(v, 200, 4)
    assert np.array_equal(np.isnan(got), np.isnan(ref))
    assert np.allclose(got, ref, rtol=1e-12, atol=1e-12, equal_nan=True)
    if n_coders == 3:
        assert np.array_equal(got[:, 2], ref[:, 2], equal_nan=True)


def test_no_units_gives_nan():
    assert np.isnan(ag._bootstrap(np.zeros((0, 2, 3)), 10, 0)).all()
