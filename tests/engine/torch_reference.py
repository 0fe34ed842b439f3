"""Running the same function in visualgrad and in torch, and comparing values and gradients."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest

from visualgrad import engine as vg


def assert_matches_torch(
    ours: Callable[..., vg.Tensor],
    theirs: Callable[..., object],
    arrays: Sequence[np.ndarray],
    backend: str,
    rtol: float = 1e-12,
    atol: float = 1e-14,
) -> None:
    """``ours`` and ``theirs`` give the same values, and the same gradients of a random
    weighted sum of their outputs with respect to every input."""
    torch = pytest.importorskip("torch")
    inputs = [vg.tensor(a, requires_grad=True, backend=backend) for a in arrays]
    references = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out, expected = ours(*inputs), theirs(*references)
    np.testing.assert_allclose(out.to_numpy(), expected.detach().numpy(), rtol=rtol, atol=atol)
    weights = np.random.default_rng(3).uniform(0.5, 1.5, size=out.shape)
    (out * vg.tensor(weights, backend=backend)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for i, (mine, reference) in enumerate(zip(inputs, references)):
        want = np.zeros(mine.shape) if reference.grad is None else reference.grad.numpy()
        got = np.zeros(mine.shape) if mine.grad is None else mine.grad.to_numpy()
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"input {i}")
