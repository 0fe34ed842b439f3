"""The autodiff contract: the course's worked examples, fan-out, accumulation, no_grad."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad import engine as vg


def scalar(value: float, backend: str) -> vg.Tensor:
    return vg.tensor(value, requires_grad=True, backend=backend)


def test_chain_rule_example_from_the_course(backend):
    a, b = scalar(2.0, backend), scalar(1.0, backend)
    e = (a + b) * (b + 1)
    e.backward()
    assert e.item() == 6.0
    assert a.grad.item() == 2.0
    assert b.grad.item() == 5.0  # d/db along both paths: (b + 1) + (a + b)


@pytest.mark.parametrize("x", [-1.5, 0.5, 2.0])
def test_nested_square_gives_16x3_plus_8x(backend, x):
    t = scalar(x, backend)
    ((2 * t**2 + 1) ** 2).backward()
    assert t.grad.item() == pytest.approx(16 * x**3 + 8 * x)


@pytest.mark.parametrize("x", [-2.0, 0.5, 3.0])
def test_inverse_square_gives_minus_2_over_x_cubed(backend, x):
    t = scalar(x, backend)
    (1 / t**2).backward()
    assert t.grad.item() == pytest.approx(-2 / x**3)


def test_quadratic_form_gradients(backend):
    rng = np.random.default_rng(3)
    a_np, x_np = rng.normal(size=(3, 3)), rng.normal(size=3)
    a = vg.tensor(a_np, requires_grad=True, backend=backend)
    x = vg.tensor(x_np, requires_grad=True, backend=backend)
    y = x @ a @ x
    y.backward()
    assert y.item() == pytest.approx(x_np @ a_np @ x_np)
    np.testing.assert_allclose(x.grad.to_numpy(), (a_np.T + a_np) @ x_np)
    np.testing.assert_allclose(a.grad.to_numpy(), np.outer(x_np, x_np))


def test_gradient_sums_over_fan_out(backend):
    x = scalar(3.0, backend)
    y = x * x + x * 2 + x
    y.backward()
    assert x.grad.item() == 2 * 3.0 + 2 + 1


def test_second_backward_accumulates_into_grad(backend):
    x = scalar(3.0, backend)
    (x * x).backward()
    (x * x).backward()
    assert x.grad.item() == 12.0
    x.zero_grad_()
    assert x.grad is None


def test_broadcast_input_gets_gradient_of_its_own_shape(backend):
    w = vg.tensor([1.0, 2.0, 3.0], requires_grad=True, backend=backend)
    x = vg.tensor(np.ones((4, 3)), backend=backend)
    (x * w).sum().backward()
    assert w.grad.shape == (3,)
    np.testing.assert_allclose(w.grad.to_numpy(), [4.0, 4.0, 4.0])


def test_chain_of_ten_thousand_ops_needs_no_recursion(not_simulated):
    backend = not_simulated
    x = scalar(1.0, backend)
    y = x
    for _ in range(10_000):
        y = y + 1.0
    y.backward()
    assert y.item() == 10_001.0
    assert x.grad.item() == 1.0


def test_no_grad_records_nothing(backend):
    x = scalar(2.0, backend)
    with vg.no_grad():
        y = x * 3
    assert not y.requires_grad
    assert y.is_leaf
    assert vg.is_grad_enabled()


def test_tensors_without_requires_grad_record_nothing(backend):
    x = vg.tensor([1.0, 2.0], backend=backend)
    y = (x * 2).exp().sum()
    assert not y.requires_grad
    with pytest.raises(ValueError, match="does not require grad"):
        y.backward()


def test_only_inputs_that_require_grad_get_one(backend):
    x = scalar(2.0, backend)
    c = vg.tensor(5.0, backend=backend)
    (x * c).backward()
    assert x.grad.item() == 5.0
    assert c.grad is None


def test_detach_cuts_the_graph(backend):
    x = scalar(2.0, backend)
    y = x * x
    z = y.detach() * x
    z.backward()
    assert x.grad.item() == 4.0  # y is a constant 4 here


def test_retain_grad_keeps_an_intermediate_gradient(backend):
    x = scalar(2.0, backend)
    y = (x * 3).retain_grad()
    (y * y).backward()
    assert y.grad.item() == 12.0
    assert x.grad.item() == 36.0


def test_backward_of_a_non_scalar_needs_a_gradient(backend):
    x = vg.tensor([1.0, 2.0], requires_grad=True, backend=backend)
    y = x * 2
    with pytest.raises(ValueError, match=r"shape \(2,\) is not a scalar"):
        y.backward()
    y.backward(vg.tensor([1.0, 10.0], backend=backend))
    np.testing.assert_allclose(x.grad.to_numpy(), [2.0, 20.0])
    with pytest.raises(ValueError, match=r"gradient of shape \(3,\)"):
        (x * 2).backward(vg.tensor([1.0, 1.0, 1.0], backend=backend))


def test_no_grad_works_as_a_decorator(backend):
    @vg.no_grad()
    def double(t):
        return t * 2

    assert not double(scalar(1.0, backend)).requires_grad


def test_custom_function_with_its_own_backward(backend):
    class Cube(vg.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a * a

        @staticmethod
        def backward(ctx, grad):
            (a,) = ctx.saved_values
            return (grad * 3 * a * a,)

    x = scalar(2.0, backend)
    Cube.apply(x).backward()
    assert x.grad.item() == 12.0


def test_two_leaves_handed_one_gradient_get_storage_of_their_own(backend):
    x = vg.tensor([1.0, 2.0], requires_grad=True, backend=backend)
    y = vg.tensor([3.0, 4.0], requires_grad=True, backend=backend)
    (x + y).backward(vg.tensor([1.0, 1.0], backend=backend))
    assert x.grad._data.storage is not y.grad._data.storage
    np.testing.assert_array_equal(x.grad.to_numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(y.grad.to_numpy(), [1.0, 1.0])


def test_a_leaf_never_keeps_the_callers_gradient_tensor(backend):
    x = vg.tensor([1.0, 2.0], requires_grad=True, backend=backend)
    seed = vg.tensor([5.0, 6.0], backend=backend)
    x.view(2).backward(seed)
    assert x.grad._data.storage is not seed._data.storage
    np.testing.assert_array_equal(x.grad.to_numpy(), [5.0, 6.0])


def test_a_leaf_adopts_a_fresh_gradient_without_copying_it(backend):
    x = vg.tensor([1.0, 2.0], requires_grad=True, backend=backend)
    y = x * 3.0
    y.backward(vg.tensor([1.0, 1.0], backend=backend))
    adopted = x.grad
    np.testing.assert_array_equal(adopted.to_numpy(), [3.0, 3.0])
    (x * 2.0).backward(vg.tensor([1.0, 1.0], backend=backend))
    np.testing.assert_array_equal(x.grad.to_numpy(), [5.0, 5.0])
    np.testing.assert_array_equal(adopted.to_numpy(), [3.0, 3.0])  # accumulating made a new one


def test_backward_skips_the_gradient_of_an_input_that_needs_none(backend):
    seen = []

    class Spy(vg.autodiff.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad):
            seen.append(ctx.needs_input_grad)
            return grad, None

    a = vg.tensor([1.0], requires_grad=True, backend=backend)
    Spy.apply(a, vg.tensor([2.0], backend=backend)).sum().backward()
    assert seen == [(True, False)]


def test_gradients_own_their_storage(backend):
    a = vg.tensor(3.0, requires_grad=True, backend=backend)
    b = vg.tensor(4.0, requires_grad=True, backend=backend)
    (a + b).backward()
    assert a.grad._data.storage is not b.grad._data.storage
    with vg.no_grad():
        a.grad.add_(1.0)
    assert b.grad.item() == 1.0
    assert (vg.tensor(5.0, backend=backend) * 1.0).item() == 5.0  # shared constants untouched


def test_a_leaf_copies_a_gradient_that_a_users_function_kept(backend):
    class PassesItsConstant(vg.Function):
        @staticmethod
        def forward(ctx, a, c):
            ctx.save_for_backward(c)
            return a * 1.0

        @staticmethod
        def backward(ctx, grad):
            (c,) = ctx.saved_values
            return c, None

    a = vg.tensor([1.0, 2.0], requires_grad=True, backend=backend)
    c = vg.tensor([1.0, 2.0], backend=backend)
    PassesItsConstant.apply(a, c).sum().backward()
    assert a.grad._data.storage is not c._data.storage
    with vg.no_grad():
        c.add_(vg.tensor([100.0, 100.0], backend=backend))
    np.testing.assert_array_equal(a.grad.to_numpy(), [1.0, 2.0])
