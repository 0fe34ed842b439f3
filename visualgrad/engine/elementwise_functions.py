"""Elementwise Functions built from the backend's map and zip ops: GELU and a tensor power.

GELU is ``x * Phi(x)`` with the normal distribution's exact CDF, as torch's default (not
its tanh approximation). No backend has an ``erf`` op, so Phi is computed from the
complementary error function by the Chebyshev fit of Numerical Recipes (3rd ed., 6.2.2,
``Erf::erfccheb``), rewritten as a polynomial that kernels evaluate by Horner's rule:
relative error under 2e-14 wherever erfc does not underflow.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import chebyshev

from .autodiff import Context, EngineFunction
from .indexing_functions import where
from .tensor import Tensor
from .tensor_functions import _needed, map_, sum_to, zip_

# erfc(z) = t exp(-z^2 + sum_j c_j T_j(2t - 1)) with t = 2 / (2 + z), for z >= 0.
_ERFC_CHEBYSHEV = (
    -1.3026537197817094,
    6.4196979235649026e-1,
    1.9476473204185836e-2,
    -9.561514786808631e-3,
    -9.46595344482036e-4,
    3.66839497852761e-4,
    4.2523324806907e-5,
    -2.0278578112534e-5,
    -1.624290004647e-6,
    1.303655835580e-6,
    1.5626441722e-8,
    -8.5238095915e-8,
    6.529054439e-9,
    5.059343495e-9,
    -9.91364156e-10,
    -2.27365122e-10,
    9.6467911e-11,
    2.394038e-12,
    -6.886027e-12,
    8.94487e-13,
    3.13092e-13,
    -1.12708e-13,
    3.81e-16,
    7.106e-15,
)
_ERFC_POLYNOMIAL = chebyshev.cheb2poly(
    np.array(_ERFC_CHEBYSHEV) * np.r_[0.5, np.ones(len(_ERFC_CHEBYSHEV) - 1)]
).tolist()


def _erfc_of_abs(z: Tensor) -> Tensor:
    """erfc(|z|), elementwise, in kernels; 0 once it underflows, NaN at NaN."""
    z = map_("abs", z)
    t = map_("inv", zip_("add", z, z._constant(2.0), "erfc"))
    t = zip_("mul", t, z._constant(2.0), "erfc", out=t)
    x = zip_("add", zip_("mul", t, z._constant(2.0), "erfc"), z._constant(-1.0), "erfc")
    acc = zip_("mul", x, z._constant(_ERFC_POLYNOMIAL[-1]), "erfc")
    for c in reversed(_ERFC_POLYNOMIAL[1:-1]):
        acc = zip_("add", acc, z._constant(c), "erfc", out=acc)
        acc = zip_("mul", acc, x, "erfc", out=acc)
    acc = zip_("add", acc, z._constant(_ERFC_POLYNOMIAL[0]), "erfc", out=acc)
    acc = zip_("add", acc, map_("neg", zip_("mul", z, z, "erfc")), "erfc", out=acc)
    return zip_("mul", t, map_("exp", acc), "erfc")


def normal_cdf(x: Tensor) -> Tensor:
    """Phi(x) = erfc(-x / sqrt 2) / 2, accurate in both tails; no history."""
    half = zip_(
        "mul",
        _erfc_of_abs(zip_("mul", x, x._constant(math.sqrt(0.5)), "gelu")),
        x._constant(0.5),
        "gelu",
    )
    # x > 0: 1 - half; else half. Both finite, so a 0/1 mask may multiply them.
    upper = zip_("gt", x, x._constant(0.0), "gelu")
    flip = zip_(
        "add", map_("neg", zip_("mul", half, x._constant(2.0), "gelu")), x._constant(1.0), "gelu"
    )
    return zip_("add", half, zip_("mul", upper, flip, "gelu"), "gelu")


class GELU(EngineFunction):
    """``x Phi(x)``; its derivative is ``Phi(x) + x phi(x)``, phi the normal density."""

    @staticmethod
    def forward(ctx: Context, x: Tensor) -> Tensor:
        cdf = normal_cdf(x)
        ctx.save_for_backward(x, cdf)
        return zip_("mul", x, cdf, "gelu")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        x, cdf = ctx.saved_values
        square = zip_("mul", x, x, "gelu backward")
        density = map_("exp", zip_("mul", square, x._constant(-0.5), "gelu backward"))
        density = zip_(
            "mul", density, x._constant(1.0 / math.sqrt(2.0 * math.pi)), "gelu", out=density
        )
        local = zip_("add", cdf, zip_("mul", x, density, "gelu backward"), "gelu backward")
        return (zip_("mul", grad, local, "gelu backward", out=local),)


class TensorPow(EngineFunction):
    """``a ** b`` for a tensor exponent, broadcast: d/da = b a^(b-1), d/db = a^b log a.

    As torch's: d/da is 0 where b is 0, and d/db is 0 where a is 0 and b >= 0 (not the
    NaN of 0 * log 0).
    """

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        out = zip_("pow", a, b, "pow")
        ctx.save_for_backward(a, b, Tensor(out._data, out.backend))
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b, out = ctx.saved_values
        return _needed(
            ctx,
            lambda: sum_to(_base_grad(a, b, grad), a.shape),
            lambda: sum_to(_exponent_grad(a, b, out, grad), b.shape),
        )


def _masked(values: Tensor, zero_where: Tensor) -> Tensor:
    """``values`` with exact zeros where ``zero_where`` is 1 (the values there may be NaN)."""
    return where(zero_where.to_numpy() == 0, values, values._constant(0.0))


def _base_grad(a: Tensor, b: Tensor, grad: Tensor) -> Tensor:
    power = zip_("pow", a, zip_("add", b, b._constant(-1.0), "pow backward"), "pow backward")
    local = zip_("mul", b, power, "pow backward")
    local = _masked(local, zip_("eq", b, b._constant(0.0), "pow backward"))
    return zip_("mul", grad, local, "pow backward")


def _exponent_grad(a: Tensor, b: Tensor, out: Tensor, grad: Tensor) -> Tensor:
    local = zip_("mul", out, map_("log", a), "pow backward")
    zero_base = zip_("eq", a, a._constant(0.0), "pow backward")
    nonnegative = zip_(
        "add", map_("neg", zip_("lt", b, b._constant(0.0), "pow")), b._constant(1.0), "pow backward"
    )
    local = _masked(local, zip_("mul", zero_base, nonnegative, "pow backward"))
    return zip_("mul", grad, local, "pow backward")
