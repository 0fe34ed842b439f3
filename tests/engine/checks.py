"""Gradient checks by central differences, and tensors built from numpy for tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from visualgrad import engine as vg

from ..conftest import simulated


def make(array: np.ndarray, backend: str, order: Sequence[int] | None = None) -> vg.Tensor:
    """A leaf tensor equal to ``array``; with ``order``, stored permuted so it is strided.

    The storage holds ``array`` transposed by the inverse of ``order``; permuting
    it by ``order`` gives back ``array``'s values through non-contiguous strides.
    """
    if order is None:
        return vg.tensor(array, requires_grad=True, backend=backend)
    inverse = np.argsort(order)
    stored = vg.tensor(np.ascontiguousarray(array.transpose(inverse)), backend=backend)
    return stored.permute(*order).detach().requires_grad_()


def check_gradients(
    fn: Callable[..., vg.Tensor],
    arrays: Sequence[np.ndarray],
    backend: str,
    orders: Sequence[Sequence[int] | None] | None = None,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-6,
) -> None:
    """Assert that backward of ``sum(fn(*inputs) * w)`` matches central differences.

    A random weight ``w`` makes the check cover every element of the output,
    not only their sum. On the CUDA simulator, where every launch is slow, the
    differences are taken at three elements of each input instead of all.
    """
    orders = orders or [None] * len(arrays)
    inputs = [make(a, backend, o) for a, o in zip(arrays, orders)]
    out = fn(*inputs)
    weights = np.random.default_rng(7).uniform(0.5, 1.5, size=out.shape)
    (out * vg.tensor(weights, backend=backend)).sum().backward()

    def value(values: list[np.ndarray]) -> float:
        with vg.no_grad():
            result = fn(*[vg.tensor(v, backend=backend) for v in values]).to_numpy()
        return float((result * weights).sum())

    pick = np.random.default_rng(11)
    for i, (array, tensor) in enumerate(zip(arrays, inputs)):
        assert tensor.grad is not None, f"input {i} got no gradient"
        analytic = tensor.grad.to_numpy()
        points = list(np.ndindex(array.shape))
        if simulated(backend) and len(points) > 3:
            points = [points[k] for k in pick.choice(len(points), 3, replace=False)]
        for index in points:
            up = [a.astype(np.float64).copy() for a in arrays]
            down = [a.astype(np.float64).copy() for a in arrays]
            up[i][index] += eps
            down[i][index] -= eps
            numeric = (value(up) - value(down)) / (2 * eps)
            np.testing.assert_allclose(
                analytic[index],
                numeric,
                rtol=rtol,
                atol=atol,
                err_msg=f"gradient of input {i} at {index}",
            )
