"""The fast backend's row kernels: their own exp, and softmax's special values, against numpy."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad.engine.backends import fast_rows


def _exp(x: np.ndarray, shift: float = 0.0) -> np.ndarray:
    out = np.empty_like(x)
    fast_rows.exp_shifted(x, shift, out, np.empty(x.size, np.int64))
    return out


def test_exp_is_within_one_ulp_of_numpys_down_to_the_smallest_normal():
    x = np.concatenate([np.linspace(-708.0, 0.0, 100_001), -np.geomspace(1e-300, 700, 2001)])
    expected = np.exp(x)
    ulps = np.abs(_exp(x) - expected) / np.spacing(expected)
    assert ulps.max() <= 1.0


def test_exp_of_special_values_is_numpys():
    x = np.array([0.0, -0.0, -np.inf, np.nan, -710.0, -1e300])
    np.testing.assert_array_equal(_exp(x), [1.0, 1.0, 0.0, np.nan, 0.0, 0.0])


def test_exp_subtracts_the_shift_first():
    np.testing.assert_allclose(_exp(np.array([3.0, 1.0, -2.0]), 3.0), np.exp([0.0, -2.0, -5.0]))


def _numpy_softmax(x: np.ndarray, log: bool) -> np.ndarray:
    with np.errstate(all="ignore"):
        shifted = x - x.max(axis=1, keepdims=True)
        if log:
            return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        e = np.exp(shifted)
        return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_rows_match_numpy_on_special_rows(log, dtype):
    rng = np.random.default_rng(0)
    x = rng.normal(0, 30, size=(7, 37))
    x[1, 3] = np.nan  # a NaN spreads over its row
    x[2, :5] = -np.inf  # masked entries get probability 0
    x[3, :] = -np.inf  # a row with nothing left is NaN, as in torch
    x[4, 0] = np.inf
    x[5, :] = 1000.0  # large but equal: uniform
    x = x.astype(dtype)
    out = np.empty_like(x)
    fast_rows.softmax_rows(x, out, log)
    tolerance = 1e-13 if dtype == "float64" else 2e-6
    expected = _numpy_softmax(x.astype(np.float64), log)
    np.testing.assert_allclose(out, expected, rtol=tolerance, atol=tolerance, equal_nan=True)


@pytest.mark.parametrize("log", [False, True])
def test_softmax_back_rows_are_the_closed_forms(log):
    rng = np.random.default_rng(1)
    y = _numpy_softmax(rng.normal(size=(5, 300)), log)
    g = rng.normal(size=y.shape)
    out = np.empty_like(y)
    fast_rows.softmax_back_rows(y, g, out, log)
    if log:
        expected = g - np.exp(y) * g.sum(axis=1, keepdims=True)
    else:
        expected = y * (g - (g * y).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-14)


def test_cross_entropy_back_rows_are_p_minus_onehot():
    rng = np.random.default_rng(2)
    logp = _numpy_softmax(rng.normal(size=(6, 50)), True)
    g, target = rng.normal(size=6), rng.integers(0, 50, size=6).astype(np.float64)
    out = np.empty_like(logp)
    fast_rows.cross_entropy_back_rows(g, target, logp, out)
    expected = np.exp(logp) * g[:, None]
    expected[np.arange(6), target.astype(int)] -= g
    np.testing.assert_allclose(out, expected, rtol=1e-13, atol=1e-15)


def test_float32_exp_is_within_two_ulp_of_numpys_down_to_the_smallest_normal():
    x = np.concatenate([np.linspace(-87.0, 0.0, 100_001), -np.geomspace(1e-30, 87, 2001)])
    x = x.astype(np.float32)
    out = np.empty_like(x)
    fast_rows.exp_row(x, np.float32(0.0), out, np.empty(x.size, np.int64))
    assert out.dtype == np.float32
    expected = np.exp(x.astype(np.float64))
    ulps = np.abs(out - expected) / np.spacing(expected.astype(np.float32)).astype(np.float64)
    assert ulps.max() <= 2.0


def test_float32_exp_of_special_values_is_numpys():
    x = np.array([0.0, -0.0, -np.inf, np.nan, -90.0, -1e30], np.float32)
    out = np.empty_like(x)
    fast_rows.exp_row(x, np.float32(0.0), out, np.empty(x.size, np.int64))
    np.testing.assert_array_equal(out, [1.0, 1.0, 0.0, np.nan, 0.0, 0.0])


@pytest.mark.parametrize("log", [False, True])
def test_float32_rows_stay_float32_and_match_float64(log):
    rng = np.random.default_rng(4)
    x = rng.normal(0, 5, size=(9, 333)).astype(np.float32)
    y = np.empty_like(x)
    fast_rows.softmax_rows(x, y, log)
    np.testing.assert_allclose(y, _numpy_softmax(x.astype(np.float64), log), rtol=3e-6, atol=3e-6)
    g = rng.normal(size=x.shape).astype(np.float32)
    out = np.empty_like(x)
    fast_rows.softmax_back_rows(y, g, out, log)
    y64, g64 = y.astype(np.float64), g.astype(np.float64)
    if log:
        expected = g64 - np.exp(y64) * g64.sum(axis=1, keepdims=True)
    else:
        expected = y64 * (g64 - (g64 * y64).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
