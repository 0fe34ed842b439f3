"""Max pooling straight from the input (the fast backend's) against torch and against the
default made of unfold, window_max and fold (the simple backend's)."""

from __future__ import annotations

import numpy as np
import pytest

import visualgrad.engine as vg
from visualgrad.engine.nn import functional as F

torch = pytest.importorskip("torch")


def _pool(x: np.ndarray, grad: np.ndarray, backend: str, dtype: str, kernel, stride):
    a = vg.tensor(x, requires_grad=True, backend=backend, dtype=dtype)
    out = F.max_pool2d(a, kernel, stride)
    (out * vg.tensor(grad, backend=backend, dtype=dtype)).sum().backward()
    return out.to_numpy(), a.grad.to_numpy()


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "shape, kernel, stride",
    [
        ((128, 8, 16, 16), 2, 2),  # enough windows for the planes to go to numba's threads
        ((3, 2, 7, 9), 3, 1),  # overlapping windows: their gradients add up
        ((2, 3, 6, 7), (2, 3), (2, 1)),
        ((1, 1, 5, 5), 5, 5),  # one window over the whole plane
    ],
)
def test_direct_pooling_is_torchs_and_the_defaults(shape, kernel, stride, dtype):
    rng = np.random.default_rng(7)
    x = rng.integers(0, 4, size=shape).astype(np.float64)  # small integers: many ties
    x[0, 0, 0, 0] = np.nan  # a NaN wins its windows
    t = torch.tensor(x, requires_grad=True, dtype=getattr(torch, dtype))
    expected = torch.nn.functional.max_pool2d(t, kernel, stride)
    grad = rng.normal(size=tuple(expected.shape))
    (expected * torch.tensor(grad, dtype=t.dtype)).sum().backward()
    tolerance = 1e-12 if dtype == "float64" else 1e-5
    for backend in ("fast", "simple"):
        out, grad_x = _pool(x, grad, backend, dtype, kernel, stride)
        np.testing.assert_array_equal(out, expected.detach().numpy())
        np.testing.assert_allclose(grad_x, t.grad.numpy(), rtol=tolerance, atol=tolerance)
