"""SGD and Adam follow torch's update rules, checked step by step by hand."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine import nn


def quadratic_step(optimizer_type, backend, steps=3, **kwargs):
    """Minimise sum(p**2) from p = [1, -2]; returns the values after each step."""
    p = nn.Parameter(vg.tensor([1.0, -2.0], backend=backend))
    opt = optimizer_type([p], **kwargs)
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        (p * p).sum().backward()
        opt.step()
        seen.append(p.to_numpy())
    return seen


def test_sgd_plain_momentum_and_weight_decay(backend):
    lr, mu, wd = 0.1, 0.9, 0.01
    seen = quadratic_step(vg.optim.SGD, backend, lr=lr, momentum=mu, weight_decay=wd)
    p, v = np.array([1.0, -2.0]), None
    for got in seen:
        g = 2 * p + wd * p
        v = g if v is None else mu * v + g
        p = p - lr * v
        np.testing.assert_allclose(got, p, rtol=1e-12)


def test_adam_with_bias_correction(backend):
    lr, (b1, b2), eps = 0.1, (0.9, 0.999), 1e-8
    seen = quadratic_step(vg.optim.Adam, backend, steps=4, lr=lr)
    p, m, v = np.array([1.0, -2.0]), 0.0, 0.0
    for t, got in enumerate(seen, start=1):
        g = 2 * p
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
        np.testing.assert_allclose(got, p, rtol=1e-12)


def test_step_skips_parameters_without_gradient(backend):
    a, b = (
        nn.Parameter(vg.tensor([1.0], backend=backend)),
        nn.Parameter(vg.tensor([1.0], backend=backend)),
    )
    opt = vg.optim.SGD([a, b], lr=1.0)
    (a * 3).sum().backward()
    opt.step()
    assert a.item() == -2.0 and b.item() == 1.0
    opt.zero_grad()
    assert a.grad is None


def test_optimizers_refuse_bad_settings():
    p = nn.Parameter(vg.tensor([1.0]))
    with pytest.raises(ValueError, match="empty parameter list"):
        vg.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="learning rate must be >= 0"):
        vg.optim.SGD([p], lr=-1.0)
    with pytest.raises(ValueError, match="invalid betas"):
        vg.optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(TypeError, match="require grad"):
        vg.optim.Adam([vg.tensor([1.0])])


@pytest.mark.parametrize("optimizer", [vg.optim.SGD, vg.optim.Adam])
def test_a_step_updates_the_parameter_in_place(backend, optimizer):
    p = nn.Parameter(vg.tensor([1.0, -2.0], backend=backend))
    storage = p._data.storage
    opt = optimizer([p], lr=0.1)
    (p * p).sum().backward()
    opt.step()
    assert p._data.storage is storage and p.to_numpy()[0] < 1.0


@pytest.mark.parametrize("optimizer", [vg.optim.SGD, vg.optim.Adam])
def test_a_strided_parameter_is_updated_through_its_strides(backend, optimizer):
    base = np.arange(6.0).reshape(2, 3)
    p = vg.tensor(base.T.copy(), backend=backend).permute(1, 0).detach().requires_grad_()
    q = vg.tensor(base, requires_grad=True, backend=backend)
    for param in (p, q):
        opt = (
            optimizer([param], lr=0.1, momentum=0.9)
            if optimizer is vg.optim.SGD
            else optimizer([param], lr=0.1)
        )
        for _ in range(2):
            opt.zero_grad()
            (param * param * vg.tensor(base + 1.0, backend=backend)).sum().backward()
            opt.step()
    assert not p.is_contiguous()
    np.testing.assert_allclose(p.to_numpy(), q.to_numpy(), rtol=1e-12)
