"""The cuda backend's scalar device functions: the map and zip ops by code, and strides.

The branches guard their domains (log of 0, 1/0, exp overflow) so the simulator, which
runs them as Python, gives the IEEE results the GPU gives.
"""

from __future__ import annotations

import math

from numba import cuda

EXP_MAX = 709.782712893384  # above this exp(x) overflows a float64


# The branches follow the codes of operators.MAP_OPS and ZIP_OPS.
@cuda.jit(device=True)
def apply_map(code, x):
    if code == 0:
        return -x
    if code == 1:
        return x + 0.0
    if code == 2:
        return math.copysign(math.inf, x) if x == 0.0 else 1.0 / x
    if code == 3:
        return math.inf if x > EXP_MAX else math.exp(x)
    if code == 4:
        return _log(x)
    if code == 5:
        return 0.0 if x < 0.0 else x
    if code == 6:
        return 0.5 * (math.tanh(0.5 * x) + 1.0)
    if code == 7:
        return math.tanh(x)
    if code == 8:
        return math.sqrt(x) if x >= 0.0 else math.nan
    if code == 9:
        return abs(x)
    if code == 10:
        return (1.0 if x > 0.0 else 0.0) - (1.0 if x < 0.0 else 0.0)
    if code == 11:
        return _log1p(x)
    if code == 12:
        return math.inf if x > EXP_MAX else math.expm1(x)
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@cuda.jit(device=True)
def apply_zip(code, x, y):
    if code == 0:
        return x + y
    if code == 1:
        return x * y
    if code == 2:
        return x**y
    if code == 3:
        return 1.0 if x < y else 0.0
    if code == 4:
        return 1.0 if x > y else 0.0
    if code == 5:
        return 1.0 if x == y else 0.0
    if code == 6:
        return x if (x != x or x > y) else y
    if code == 7:
        return (1.0 if x > 0.0 else 0.0) * y
    if code == 8:
        return _divide(y, x)
    if code == 9:
        return ((1.0 if x > 0.0 else 0.0) - (1.0 if x < 0.0 else 0.0)) * y
    if code == 10:
        return -y * x * x
    if code == 11:
        return y * x * (1.0 - x)
    if code == 12:
        return y * (1.0 - x * x)
    if code == 13:
        return _divide(0.5 * y, x)
    if code == 14:
        return -(y * max(_log(x), -100.0) + (1.0 - y) * max(_log(1.0 - x), -100.0))
    if code == 15:
        return (x - y) / max(x * (1.0 - x), 1e-12)
    if code == 16:
        return max(x, 0.0) - x * y + math.log1p(math.exp(-abs(x)))
    if code == 17:
        return 0.5 * (math.tanh(0.5 * x) + 1.0) - y
    if code == 18:
        return _divide(y, 1.0 + x)
    if code == 19:
        return y * (x + 1.0)
    return y * 0.5 * (math.tanh(0.5 * x) + 1.0)


@cuda.jit(device=True)
def _log1p(x):
    """log(1 + x) with IEEE's answers at -1 and below (the simulator would raise instead)."""
    if x > -1.0:
        return math.log1p(x)
    return -math.inf if x == -1.0 else math.nan


@cuda.jit(device=True)
def _log(x):
    """log with IEEE's answers at 0 and below (the simulator would raise instead)."""
    if x > 0.0:
        return math.log(x)
    return -math.inf if x == 0.0 else math.nan


@cuda.jit(device=True)
def _divide(x, y):
    """x / y with IEEE's answers where y is 0 (the simulator would raise instead)."""
    if y != 0.0:
        return x / y
    if x == 0.0 or x != x:
        return math.nan
    return math.copysign(math.inf, x) * math.copysign(1.0, y)


@cuda.jit(device=True)
def positions(i, shape, strides_a, strides_b):
    """Positions of the i-th element of ``shape`` under two sets of strides."""
    pa, pb, rest = 0, 0, i
    for d in range(shape.size - 1, -1, -1):
        k = rest % shape[d]
        rest //= shape[d]
        pa += k * strides_a[d]
        pb += k * strides_b[d]
    return pa, pb
