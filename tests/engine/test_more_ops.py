"""The ops users expect from torch: values against numpy or torch, gradients by central
differences, on every backend."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine import nn
from visualgrad.engine.nn import functional as F

from .checks import check_gradients


def _x(seed: int = 0, shape=(3, 4)) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 2, size=shape)


@pytest.mark.parametrize(
    ("ours", "reference"),
    [
        (lambda t: t.abs().log1p(), lambda a: np.log1p(np.abs(a))),
        (lambda t: t.expm1(), lambda a: np.expm1(a)),
        (lambda t: F.softplus(t), lambda a: np.log1p(np.exp(a))),
        (lambda t: F.softplus(t, beta=2.0), lambda a: np.log1p(np.exp(2 * a)) / 2),
        (lambda t: F.leaky_relu(t), lambda a: np.where(a > 0, a, 0.01 * a)),
        (lambda t: F.leaky_relu(t, 0.2), lambda a: np.where(a > 0, a, 0.2 * a)),
        (lambda t: t.clamp(-1.0, 0.5), lambda a: np.clip(a, -1.0, 0.5)),
        (lambda t: t.clamp(min=0.3), lambda a: np.maximum(a, 0.3)),
        (lambda t: t.clamp(max=-0.2), lambda a: np.minimum(a, -0.2)),
    ],
)
def test_elementwise_ops_match_numpy_and_central_differences(backend, ours, reference):
    x = _x()
    out = ours(vg.tensor(x, backend=backend))
    np.testing.assert_allclose(out.to_numpy(), reference(x), rtol=1e-12, atol=1e-15)
    check_gradients(ours, [x], backend)


def test_log1p_and_expm1_are_exact_for_tiny_values(backend):
    tiny = vg.tensor([1e-18], backend=backend)
    assert tiny.log1p().item() == 1e-18 and tiny.expm1().item() == 1e-18


def test_softplus_is_stable_and_its_gradient_is_the_sigmoid(backend):
    x = vg.tensor([-800.0, 0.0, 800.0], requires_grad=True, backend=backend)
    y = F.softplus(x)
    np.testing.assert_allclose(y.to_numpy(), [0.0, np.log(2.0), 800.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.to_numpy(), [0.0, 0.5, 1.0])


def test_clamp_passes_the_gradient_inside_and_on_the_bounds_only(backend):
    x = vg.tensor([-2.0, -1.0, 0.0, 1.0, 2.0, np.nan], requires_grad=True, backend=backend)
    y = x.clamp(-1.0, 1.0)
    np.testing.assert_array_equal(y.to_numpy()[:5], [-1.0, -1.0, 0.0, 1.0, 1.0])
    assert np.isnan(y.to_numpy()[5])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.to_numpy()[:5], [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clamp_refuses_no_bound_and_crossed_bounds():
    with pytest.raises(ValueError, match="clamp: give min, max or both"):
        vg.tensor([1.0]).clamp()
    with pytest.raises(ValueError, match="clamp: min 2.0 is greater than max 1.0"):
        vg.tensor([1.0]).clamp(2.0, 1.0)


@pytest.mark.parametrize("dim", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("correction", [0, 1])
def test_var_std_and_norm_match_numpy(backend, dim, correction):
    x = _x(1)
    axis = dim if not isinstance(dim, tuple) else tuple(dim)
    t = vg.tensor(x, backend=backend)
    np.testing.assert_allclose(
        t.var(dim, correction).to_numpy(), np.var(x, axis=axis, ddof=correction), rtol=1e-12
    )
    np.testing.assert_allclose(
        t.std(dim, correction).to_numpy(), np.std(x, axis=axis, ddof=correction), rtol=1e-12
    )
    np.testing.assert_allclose(
        t.norm(dim=dim).to_numpy(), np.sqrt((x * x).sum(axis=axis)), rtol=1e-12
    )
    check_gradients(lambda a: a.var(dim, correction), [x], backend)
    check_gradients(lambda a: a.norm(dim=dim), [x], backend)


def test_var_keeps_dims_when_asked_and_is_nan_for_one_element(backend):
    t = vg.tensor(_x(2), backend=backend)
    assert t.var(1, keepdim=True).shape == (3, 1) and t.std(0).shape == (4,)
    assert np.isnan(vg.tensor([3.0], backend=backend).var().item())


def test_creation_functions_follow_torch(backend):
    np.testing.assert_array_equal(vg.arange(5, backend=backend).to_numpy(), np.arange(5.0))
    np.testing.assert_array_equal(vg.arange(1, 2, 0.25).to_numpy(), [1.0, 1.25, 1.5, 1.75])
    np.testing.assert_array_equal(vg.eye(2, 3, backend=backend).to_numpy(), np.eye(2, 3))
    t = vg.tensor(_x(3), backend=backend)
    for like, value in ((vg.zeros_like, 0.0), (vg.ones_like, 1.0)):
        made = like(t)
        assert made.shape == t.shape and made.backend is t.backend
        assert (made.to_numpy() == value).all()
    assert (vg.full_like(t, 7.0).to_numpy() == 7.0).all()
    assert vg.rand_like(t).shape == vg.randn_like(t).shape == t.shape
    with pytest.raises(ValueError, match="arange: step must not be 0"):
        vg.arange(0, 1, 0)


def _torch_steps(optimizer_name: str, steps: int = 4, **kwargs):
    torch = pytest.importorskip("torch")
    p = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, optimizer_name)([p], **kwargs)
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        (p * p * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
        opt.step()
        seen.append(p.detach().numpy().copy())
    return seen


def _our_steps(backend: str, optimizer_type, steps: int = 4, **kwargs):
    p = nn.Parameter(vg.tensor([1.0, -2.0, 0.5], backend=backend))
    opt = optimizer_type([p], **kwargs)
    seen = []
    for _ in range(steps):
        opt.zero_grad()
        (p * p * vg.tensor([1.0, 2.0, 3.0], backend=backend)).sum().backward()
        opt.step()
        seen.append(p.to_numpy())
    return seen


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("AdamW", {"lr": 0.1}),
        ("AdamW", {"lr": 0.1, "weight_decay": 0.3}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ],
)
def test_adamw_and_nesterov_take_torchs_steps(backend, name, kwargs):
    expected = _torch_steps(name, **kwargs)
    got = _our_steps(backend, getattr(vg.optim, name), **kwargs)
    for ours, theirs in zip(got, expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_nesterov_needs_momentum():
    p = nn.Parameter(vg.tensor([1.0]))
    with pytest.raises(ValueError, match="SGD: nesterov needs a momentum above 0"):
        vg.optim.SGD([p], lr=0.1, nesterov=True)


def test_a_scalar_takes_dim_0_and_minus_1_as_torch_does(backend):
    t = vg.tensor(3.0, backend=backend)
    for op in (lambda d: t.squeeze(d), lambda d: t.sum(d), lambda d: t.mean(d)):
        assert op(0).shape == op(-1).shape == ()
    with pytest.raises(ValueError, match=r"sum: dimension 1 is out of range for shape \(\)"):
        t.sum(1)


def test_reductions_over_an_empty_tuple_take_every_dim_and_refuse_a_repeated_one(backend):
    x = vg.tensor(np.arange(6.0).reshape(2, 3), backend=backend)
    assert x.sum(()).shape == () and x.sum(()).item() == 15.0
    assert x.sum((0, 1), keepdim=True).shape == (1, 1)
    with pytest.raises(ValueError, match=r"sum: dimension 0 appears more than once in \(0, 0\)"):
        x.sum((0, 0))
    with pytest.raises(ValueError, match=r"max: dimension -1 appears more than once"):
        x.max((1, -1))


def test_norm_refuses_an_order_it_does_not_compute():
    x = vg.tensor(np.ones((3, 4)))
    assert (
        x.norm().item() == pytest.approx(np.sqrt(12.0)) and x.norm("fro").item() == x.norm().item()
    )
    with pytest.raises(ValueError, match=r"norm: only the 2-norm .* got p=1"):
        x.norm(1)


def test_clamp_sends_no_gradient_into_nan(backend):
    x = vg.tensor([np.nan, 0.5], requires_grad=True, backend=backend)
    x.clamp(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.to_numpy(), [0.0, 1.0])


def test_a_dimension_of_size_0_broadcasts_against_1_as_numpy_does():
    from visualgrad.engine.tensor_data import shape_broadcast

    assert shape_broadcast((0, 3), ()) == np.broadcast_shapes((0, 3), ()) == (0, 3)
    assert shape_broadcast((0, 1), (5,)) == np.broadcast_shapes((0, 1), (5,)) == (0, 5)


def test_norm_and_std_of_zeros_and_constants_have_torchs_zero_gradient(backend):
    for values, op in ((np.zeros(3), "norm"), (np.zeros(3), "std"), (np.ones(4), "std")):
        x = vg.tensor(values, requires_grad=True, backend=backend)
        getattr(x, op)().backward()
        np.testing.assert_array_equal(x.grad.to_numpy(), np.zeros_like(values))


def test_leaky_relu_has_the_slope_as_its_gradient_at_zero_and_at_nan(backend):
    x = vg.tensor([-1.0, 0.0, 2.0, np.nan], requires_grad=True, backend=backend)
    y = F.leaky_relu(x, 0.1)
    np.testing.assert_allclose(y.to_numpy()[:3], [-0.1, 0.0, 2.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.to_numpy(), [0.1, 0.1, 1.0, 0.1])
    with pytest.raises(ValueError, match="leaky_relu: negative_slope must be between 0 and 1"):
        F.leaky_relu(x, 1.5)


def test_empty_tensors_broadcast_and_reduce_as_torch_does(backend):
    empty = vg.zeros(0, 2, backend=backend)
    assert (empty * 2.0).shape == (0, 2) and (empty + vg.ones(2, backend=backend)).shape == (0, 2)
    assert np.isnan(vg.tensor(np.zeros(0), backend=backend).var().item())
