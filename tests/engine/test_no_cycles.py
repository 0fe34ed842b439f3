"""A computed tensor is freed as soon as nothing holds it, without the cycle collector.

A Function that saved its own output for backward would make a cycle (output ->
history -> context -> output): its buffers would then wait for a full collection,
and memory grew by ~60 KB a step on a softmax of (512, 1000) until it did.
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine.nn import functional as F

X = np.random.default_rng(0).uniform(0.1, 0.9, size=(4, 3))
OPS = {
    "softmax": lambda x: F.softmax(x, 1),
    "softmax_dim0": lambda x: F.softmax(x, 0),
    "log_softmax": lambda x: F.log_softmax(x, 1),
    "cross_entropy": lambda x: F.cross_entropy(x, [0, 1, 2, 0], reduction="none"),
    "nll_loss": lambda x: F.nll_loss(x, [0, 1, 2, 0], reduction="none"),
    "mse_loss": lambda x: F.mse_loss(x, np.zeros((4, 3)), reduction="none"),
    "bce": lambda x: F.binary_cross_entropy(x, np.ones((4, 3)), reduction="none"),
    "bce_logits": lambda x: F.binary_cross_entropy_with_logits(x, np.ones((4, 3)), "none"),
    "linear": lambda x: F.linear(x, vg.tensor(np.ones((2, 3)), backend=x.backend.name)),
    "embedding": lambda x: F.embedding([[0, 2]], x),
    "conv2d": lambda x: F.conv2d(
        x.view(1, 1, 4, 3), vg.tensor(np.ones((1, 1, 2, 2)), backend=x.backend.name)
    ),
    "max_pool2d": lambda x: F.max_pool2d(x.view(1, 1, 4, 3), 2),
    "exp": lambda x: x.exp(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "sqrt": lambda x: x.sqrt(),
    "log": lambda x: x.log(),
    "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(),
    "log1p": lambda x: x.log1p(),
    "expm1": lambda x: x.expm1(),
    "softplus": lambda x: F.softplus(x),
    "clamp": lambda x: x.clamp(0.2, 0.8),
    "max": lambda x: x.max(1).values,
    "matmul": lambda x: x @ x.T,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.1),
    "norm": lambda x: x.norm(dim=1),
    "std": lambda x: x.std(1),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_an_output_is_freed_without_the_cycle_collector(backend, name):
    x = vg.tensor(X, requires_grad=True, backend=backend)
    gc.collect()
    gc.disable()
    try:
        out = OPS[name](x)
        (out * 1.0).sum().backward()
        freed = weakref.ref(out)
        del out
        assert freed() is None, f"{name}: its output is kept alive by a reference cycle"
    finally:
        gc.enable()
