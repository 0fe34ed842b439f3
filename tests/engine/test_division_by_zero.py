"""Dividing by zero gives numpy's inf and nan on every backend, never a ZeroDivisionError.

The same holds where a backward divides: the slopes of sqrt and log at 0 are inf.
"""

from __future__ import annotations

import numpy as np
from numba.extending import is_jitted

from visualgrad import engine as vg
from visualgrad.engine.backends import fast

INF, NAN = np.inf, np.nan


def test_a_number_over_a_tensor_holding_zeros_gives_signed_inf(backend):
    x = vg.tensor([0.0, -0.0, 2.0], requires_grad=True, backend=backend)
    y = 1.0 / x
    y.sum().backward()
    np.testing.assert_array_equal(y.to_numpy(), [INF, -INF, 0.5])
    np.testing.assert_array_equal(x.grad.to_numpy(), [-INF, -INF, -0.25])  # -1 / x^2


def test_a_tensor_over_zero_gives_inf_or_nan(backend):
    x = vg.tensor([0.0, -3.0, 2.0], backend=backend)
    np.testing.assert_array_equal((x / 0.0).to_numpy(), [NAN, -INF, INF])


def test_a_tensor_over_a_tensor_of_zeros_matches_numpy(backend):
    a, b = np.array([1.0, 0.0, -1.0, 6.0]), np.array([0.0, 0.0, 0.0, 3.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = a / b  # [inf, nan, -inf, 2]
    got = vg.tensor(a, backend=backend) / vg.tensor(b, backend=backend)
    np.testing.assert_array_equal(got.to_numpy(), expected)
    np.testing.assert_array_equal(expected, [INF, NAN, -INF, 2.0])


def test_sqrt_has_an_infinite_slope_at_zero(backend):
    x = vg.tensor([0.0, 4.0], requires_grad=True, backend=backend)
    y = x.sqrt()
    y.sum().backward()
    np.testing.assert_array_equal(y.to_numpy(), [0.0, 2.0])
    np.testing.assert_array_equal(x.grad.to_numpy(), [INF, 0.25])  # 1 / (2 sqrt x)


def test_log_is_minus_inf_at_zero_with_an_infinite_slope(backend):
    x = vg.tensor([0.0, 4.0], requires_grad=True, backend=backend)
    y = x.log()
    y.sum().backward()
    np.testing.assert_array_equal(y.to_numpy(), [-INF, np.log(4.0)])
    np.testing.assert_array_equal(x.grad.to_numpy(), [INF, 0.25])  # 1 / x


def test_every_fast_kernel_is_compiled_with_numpys_error_model():
    kernels = {name: f for name, f in vars(fast).items() if is_jitted(f)}
    assert len(kernels) > 20
    python_model = sorted(
        name for name, f in kernels.items() if f.targetoptions.get("error_model") != "numpy"
    )
    assert python_model == []
