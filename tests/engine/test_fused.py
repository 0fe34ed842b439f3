"""The fused Functions give the values and gradients of the primitive chains they replace."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from visualgrad import engine as vg
from visualgrad.engine.nn import functional as F

from .checks import check_gradients, make


# ---- the compositions of primitives that the fused Functions replace ---------------------
def composed_softmax(x: vg.Tensor, dim: int) -> vg.Tensor:
    shifted = x - x.amax(dim, keepdim=True).detach()
    e = shifted.exp()
    return e / e.sum(dim, keepdim=True)


def composed_log_softmax(x: vg.Tensor, dim: int) -> vg.Tensor:
    shifted = x - x.amax(dim, keepdim=True).detach()
    return shifted - shifted.exp().sum(dim, keepdim=True).log()


def composed_nll(logp: vg.Tensor, target: np.ndarray, reduction: str) -> vg.Tensor:
    picked = -(logp * F.one_hot(target, logp.shape[1], backend=logp.backend)).sum(1)
    return {"mean": picked.mean, "sum": picked.sum}.get(reduction, lambda: picked)()


def _value_and_grad(fn, array: np.ndarray, backend: str, order=None, seed: int = 3):
    x = make(array, backend, order)
    out = fn(x)
    weights = np.random.default_rng(seed).uniform(0.5, 1.5, size=out.shape)
    (out * vg.tensor(weights, backend=backend)).sum().backward()
    return out.to_numpy(), x.grad.to_numpy()


def _same(fused, composed, array, backend, order=None) -> None:
    value, grad = _value_and_grad(fused, array, backend, order)
    expected_value, expected_grad = _value_and_grad(composed, array, backend, order)
    np.testing.assert_allclose(value, expected_value, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-10, atol=1e-13)


shapes = st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple)


@given(shape=shapes, data=st.data())
def test_softmax_and_log_softmax_equal_their_composed_form(backend, shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.random.default_rng(len(shape)).normal(0, 3, size=shape)
    _same(lambda t: F.softmax(t, dim), lambda t: composed_softmax(t, dim), x, backend)
    _same(lambda t: F.log_softmax(t, dim), lambda t: composed_log_softmax(t, dim), x, backend)


def test_softmax_of_a_strided_input_along_a_middle_dim(backend):
    x = np.random.default_rng(0).normal(size=(3, 4, 5))
    order = (2, 0, 1)
    _same(lambda t: F.softmax(t, 1), lambda t: composed_softmax(t, 1), x, backend, order)
    check_gradients(lambda t: F.log_softmax(t, 0), [x], backend, orders=[order])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_and_nll_equal_their_composed_form(backend, reduction):
    logits = np.random.default_rng(1).normal(0, 2, size=(6, 4))
    target = np.array([0, 3, 1, 1, 2, 0])
    _same(
        lambda t: F.cross_entropy(t, target, reduction),
        lambda t: composed_nll(composed_log_softmax(t, 1), target, reduction),
        logits,
        backend,
    )
    _same(
        lambda t: F.nll_loss(t, target, reduction),
        lambda t: composed_nll(t, target, reduction),
        logits,
        backend,
    )
    check_gradients(lambda t: F.cross_entropy(t, target, reduction), [logits], backend)


def test_the_gradient_of_cross_entropy_is_p_minus_onehot_over_n(backend):
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    x = vg.tensor(logits, requires_grad=True, backend=backend)
    F.cross_entropy(x, [0, 2]).backward()
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.to_numpy(), (p - np.eye(3)[[0, 2]]) / 2, rtol=1e-12)


def test_cross_entropy_refuses_a_class_out_of_range(backend):
    x = vg.tensor(np.zeros((2, 3)), backend=backend)
    with pytest.raises(ValueError, match="cross_entropy: index 3 is out of range for 3 classes"):
        F.cross_entropy(x, [0, 3])


@pytest.mark.parametrize(
    "labels, error, message",
    [
        ([0.0, 3.0], ValueError, "index 3 is out of range for 3 classes"),
        ([-1.0, 2.0], ValueError, "index -1 is out of range for 3 classes"),
        ([0.5, 1.0], TypeError, "non-integer"),
        ([np.nan, 1.0], TypeError, "non-integer"),
    ],  # fmt: skip
)
def test_labels_in_a_tensor_are_checked_as_a_list_is(backend, labels, error, message):
    """A batch's labels held in a tensor on the input's backend are read in place when they
    are whole classes in range, and refused with the same message as a list when not."""
    x = vg.tensor(np.zeros((2, 3)), backend=backend)
    with pytest.raises(error, match=message):
        F.cross_entropy(x, vg.tensor(labels, backend=backend))


def test_labels_in_a_tensor_give_the_loss_a_list_gives(backend):
    logits = np.array([[2.0, 1.0, 0.0], [0.0, 3.0, 0.0], [1.0, 1.0, 5.0]])
    losses = []
    for labels in ([0, 2, 1], vg.tensor([0.0, 2.0, 1.0], backend=backend)):
        x = vg.tensor(logits, requires_grad=True, backend=backend)
        loss = F.cross_entropy(x, labels) + F.nll_loss(x, labels)
        loss.backward()
        losses.append((loss.item(), x.grad.to_numpy()))
    assert losses[0][0] == losses[1][0]
    np.testing.assert_array_equal(losses[0][1], losses[1][1])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_equals_its_composed_form_and_the_target_gets_a_gradient(backend, reduction):
    rng = np.random.default_rng(2)
    x, t = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))

    def composed(a, b):
        diff = a - b
        squared = diff * diff
        return {"mean": squared.mean, "sum": squared.sum}.get(reduction, lambda: squared)()

    def gradients(fn):
        a, b = make(x, backend), make(t, backend)
        fn(a, b).sum().backward()
        return a.grad.to_numpy(), b.grad.to_numpy()

    fused = gradients(lambda a, b: F.mse_loss(a, b, reduction))
    for got, expected in zip(fused, gradients(composed)):
        np.testing.assert_allclose(got, expected, rtol=1e-12)
    check_gradients(lambda a, b: F.mse_loss(a, b, reduction), [x, t], backend)


def test_softmax_propagates_nan_and_handles_huge_logits(backend):
    out = F.softmax(vg.tensor([[1.0, np.nan, 2.0], [1e300, -1e300, 0.0]], backend=backend), 1)
    values = out.to_numpy()
    assert np.isnan(values[0]).all()
    np.testing.assert_allclose(values[1], [1.0, 0.0, 0.0])


def test_softmax_of_a_scalar_is_one(backend):
    x = vg.tensor(3.0, requires_grad=True, backend=backend)
    y = F.softmax(x)
    assert y.shape == () and y.item() == 1.0
    y.backward()
    assert x.grad.item() == 0.0


def test_one_fused_call_records_one_function():
    x = vg.tensor(np.ones((2, 3)), requires_grad=True)
    assert F.cross_entropy(x, [0, 1])._history.function.__name__ == "NLLLoss"
    assert F.softmax(x, 1)._history.function.__name__ == "Softmax"


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_the_fused_functions_agree_with_torch(backend, reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    logits, target = rng.normal(0, 2, size=(5, 4)), np.array([3, 0, 1, 2, 2])
    weights = rng.uniform(0.5, 1.5, size=(5,) if reduction == "none" else ())
    ours = vg.tensor(logits, requires_grad=True, backend=backend)
    theirs = torch.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(ours, target, reduction) * vg.tensor(weights, backend=backend)
    loss.sum().backward()
    expected = torch.nn.functional.cross_entropy(theirs, torch.tensor(target), reduction=reduction)
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(loss.to_numpy(), (expected * torch.tensor(weights)).detach())
    np.testing.assert_allclose(ours.grad.to_numpy(), theirs.grad.numpy(), rtol=1e-12)
    for ours_fn, torch_fn in ((F.softmax, torch.softmax), (F.log_softmax, torch.log_softmax)):
        np.testing.assert_allclose(
            ours_fn(vg.tensor(logits, backend=backend), 0).to_numpy(),
            torch_fn(torch.tensor(logits), 0).numpy(),
            rtol=1e-12,
        )


def composed_bce(p: vg.Tensor, t: vg.Tensor) -> vg.Tensor:
    floor = math.exp(-100.0)

    def clamped_log(q):
        return ((q - floor).relu() + floor).log()

    return -(t * clamped_log(p) + (1.0 - t) * clamped_log(1.0 - p))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_equals_its_composed_form(backend, reduction):
    rng = np.random.default_rng(4)
    p, t = rng.uniform(0.05, 0.95, size=(5, 2)), rng.integers(0, 2, size=(5, 2)) * 1.0

    def composed(a):
        loss = composed_bce(a, vg.tensor(t, backend=a.backend))
        return {"mean": loss.mean, "sum": loss.sum}.get(reduction, lambda: loss)()

    _same(lambda a: F.binary_cross_entropy(a, t, reduction), composed, p, backend)
    check_gradients(lambda a: F.binary_cross_entropy(a, t, reduction), [p], backend)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_bce_with_logits_is_bce_of_the_sigmoid_and_its_gradient_is_p_minus_t(backend, reduction):
    rng = np.random.default_rng(6)
    x, t = rng.normal(0, 3, size=(6,)), rng.integers(0, 2, size=(6,)) * 1.0
    _same(
        lambda a: F.binary_cross_entropy_with_logits(a, t, reduction),
        lambda a: F.binary_cross_entropy(a.sigmoid(), t, reduction),
        x,
        backend,
    )
    a = vg.tensor(x, requires_grad=True, backend=backend)
    F.binary_cross_entropy_with_logits(a, t, "sum").backward()
    np.testing.assert_allclose(a.grad.to_numpy(), 1 / (1 + np.exp(-x)) - t, rtol=1e-12)


def test_bce_with_logits_is_finite_where_the_sigmoid_saturates(backend):
    x = vg.tensor([800.0, -800.0], requires_grad=True, backend=backend)
    loss = F.binary_cross_entropy_with_logits(x, [0.0, 1.0], "none")
    np.testing.assert_allclose(loss.to_numpy(), [800.0, 800.0])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.to_numpy(), [1.0, -1.0])


def test_bce_saturated_probabilities_clamp_the_log_at_minus_100(backend):
    loss = F.binary_cross_entropy(vg.tensor([1.0, 0.0], backend=backend), [0.0, 1.0])
    assert loss.item() == pytest.approx(100.0)


@pytest.mark.parametrize("shape", [(4, 3), (2, 5, 3), (3,)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_equals_matmul_plus_bias(backend, shape, bias):
    rng = np.random.default_rng(8)
    x, w, b = rng.normal(size=shape), rng.normal(size=(2, 3)), rng.normal(size=(2,))
    arrays = [x, w, b] if bias else [x, w]

    def fused(*ts):
        return F.linear(*ts)

    def composed(xt, wt, bt=None):
        out = xt @ wt.T if xt.dims > 1 else (xt.view(1, 3) @ wt.T).view(2)
        return out if bt is None else out + bt

    inputs = [make(a, backend) for a in arrays]
    expected_inputs = [make(a, backend) for a in arrays]
    weights = vg.tensor(rng.uniform(0.5, 1.5, size=shape[:-1] + (2,)), backend=backend)
    (fused(*inputs) * weights).sum().backward()
    (composed(*expected_inputs) * weights).sum().backward()
    for got, expected in zip(inputs, expected_inputs):
        np.testing.assert_allclose(got.grad.to_numpy(), expected.grad.to_numpy(), rtol=1e-12)
    check_gradients(fused, arrays, backend)


def test_linear_of_a_strided_input_and_a_frozen_input(backend):
    rng = np.random.default_rng(9)
    x, w = rng.normal(size=(3, 4)), rng.normal(size=(2, 3))
    check_gradients(lambda a, b: F.linear(a, b), [x.T.copy(), w], backend, orders=[(1, 0), None])
    frozen = vg.tensor(x.T.copy(), backend=backend)
    weight = vg.tensor(w, requires_grad=True, backend=backend)
    F.linear(frozen, weight).sum().backward()
    assert frozen.grad is None and weight.grad.shape == (2, 3)


@pytest.mark.parametrize("case", ["transposed weight", "mixed dtypes", "large"])
def test_linear_of_other_weights_and_sizes_equals_the_composed_form(backend, case):
    """A weight read through a transposed view, a float32 input with a float64 weight (the
    gradients each in its input's dtype), and a product large enough to be split."""
    rng = np.random.default_rng(10)
    if case == "large" and backend != "fast":
        pytest.skip("the split product is the fast backend's")
    size = (300, 512, 256) if case == "large" else (5, 7, 3)
    rows, features, outputs = size
    x, w, b = (
        rng.normal(size=(rows, features)),
        rng.normal(size=(outputs, features)),
        rng.normal(size=outputs),
    )
    x_dtype = "float32" if case == "mixed dtypes" else "float64"
    results = []
    for fused in (True, False):
        xt = vg.tensor(x, requires_grad=True, backend=backend, dtype=x_dtype)
        if case == "transposed weight":
            wt = vg.tensor(w.T.copy(), backend=backend).T.detach().requires_grad_()
        else:
            wt = vg.tensor(w, requires_grad=True, backend=backend)
        bt = vg.tensor(b, requires_grad=True, backend=backend)
        out = F.linear(xt, wt, bt) if fused else xt @ wt.T + bt
        (out * out).sum().backward()
        results.append([out, xt.grad, wt.grad, bt.grad])
    for got, expected in zip(*results):
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-9)
    assert results[0][1].dtype == np.dtype(x_dtype)


def test_linear_refuses_a_bias_on_another_backend():
    x, w = vg.tensor(np.ones((2, 3))), vg.tensor(np.ones((2, 3)))
    bias = vg.tensor(np.ones(2), backend="simple")
    with pytest.raises(TypeError, match="linear: tensors are on different backends"):
        F.linear(x, w, bias)


def test_linear_keeps_its_input_as_it_was_for_backward(backend):
    """Assigning x.data between forward and backward leaves this call's gradient as it was."""
    x = vg.tensor(np.ones((2, 3)), backend=backend)
    w = vg.tensor(np.ones((2, 3)), requires_grad=True, backend=backend)
    out = F.linear(x, w)
    x.data = vg.tensor(np.full((2, 3), 5.0), backend=backend)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.to_numpy(), np.full((2, 3), 2.0))


def test_linear_refuses_shapes_that_do_not_fit(backend):
    x, w = vg.tensor(np.ones((2, 3)), backend=backend), vg.tensor(np.ones((2, 4)), backend=backend)
    with pytest.raises(ValueError, match=r"linear: expects \(\*, 4\), got \(2, 3\)"):
        F.linear(x, w)
    with pytest.raises(ValueError, match=r"linear: bias must have shape \(2,\), got \(3,\)"):
        F.linear(vg.tensor(np.ones((2, 4)), backend=backend), w, vg.tensor(np.ones(3)))


def test_embedding_equals_the_one_hot_product_and_sums_repeated_tokens(backend):
    rng = np.random.default_rng(10)
    table = rng.normal(size=(5, 3))
    ids = np.array([[0, 4, 4], [2, 0, 1]])
    weights = rng.uniform(0.5, 1.5, size=(2, 3, 3))
    fused, composed = make(table, backend), make(table, backend)
    out = F.embedding(ids, fused)
    (out * vg.tensor(weights, backend=backend)).sum().backward()
    expected = F.one_hot(ids, 5, backend=backend) @ composed
    (expected * vg.tensor(weights, backend=backend)).sum().backward()
    np.testing.assert_allclose(out.to_numpy(), table[ids], rtol=1e-15)
    np.testing.assert_allclose(fused.grad.to_numpy(), composed.grad.to_numpy(), rtol=1e-12)
    check_gradients(lambda w: F.embedding(ids, w), [table], backend)


def test_embedding_refuses_a_token_out_of_range(backend):
    with pytest.raises(ValueError, match="embedding: index 5 is out of range for 5 classes"):
        F.embedding([0, 5], vg.tensor(np.zeros((5, 2)), backend=backend))


def test_max_pool_sends_a_windows_whole_gradient_to_its_first_maximum_as_torch_does(backend):
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [3.0, 2.0, 0.0, 0.0]]]])  # two 2x2 windows, ties
    a = vg.tensor(x, requires_grad=True, backend=backend)
    out = F.max_pool2d(a, 2)
    np.testing.assert_array_equal(out.to_numpy(), [[[[3.0, 3.0]]]])
    (out * vg.tensor([[[[10.0, 20.0]]]], backend=backend)).sum().backward()
    expected = [[[[0.0, 10.0, 20.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]]
    np.testing.assert_array_equal(a.grad.to_numpy(), expected)
    torch = pytest.importorskip("torch")
    t = torch.tensor(x, requires_grad=True)
    (torch.nn.functional.max_pool2d(t, 2) * torch.tensor([[[[10.0, 20.0]]]])).sum().backward()
    np.testing.assert_array_equal(a.grad.to_numpy(), t.grad.numpy())


def test_max_pool_of_overlapping_windows_adds_what_each_sends(backend):
    x = np.random.default_rng(12).normal(size=(2, 3, 5, 5))
    check_gradients(lambda t: F.max_pool2d(t, 3, 1), [x], backend)
    check_gradients(lambda t: F.max_pool2d(t, (2, 3), (2, 1)), [x], backend, orders=[(0, 1, 3, 2)])


def test_max_pool_propagates_nan_like_torch(backend):
    x = vg.tensor([[[[1.0, np.nan], [5.0, 2.0]]]], backend=backend)
    assert np.isnan(F.max_pool2d(x, 2).item())


@pytest.mark.parametrize(("stride", "padding", "bias"), [(1, 0, True), (2, 1, False), (1, 2, True)])
def test_conv2d_equals_unfold_and_matmul(backend, stride, padding, bias):
    from visualgrad.engine.tensor_functions import Unfold

    rng = np.random.default_rng(13)
    x, w, b = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4)

    def composed(xt, wt, bt=None):
        cols = Unfold.apply(xt, (3, 3), (stride, stride), (padding, padding))
        n, oh = xt.shape[0], (xt.shape[2] + 2 * padding - 3) // stride + 1
        ow = (xt.shape[3] + 2 * padding - 3) // stride + 1
        out = (wt.reshape(4, 27) @ cols).view(n, 4, oh, ow)
        return out if bt is None else out + bt.view(1, 4, 1, 1)

    arrays = [x, w, b] if bias else [x, w]
    fused_in = [make(a, backend) for a in arrays]
    composed_in = [make(a, backend) for a in arrays]
    out = F.conv2d(*fused_in, stride=stride, padding=padding)
    expected = composed(*composed_in)
    weights = vg.tensor(rng.uniform(0.5, 1.5, size=out.shape), backend=backend)
    (out * weights).sum().backward()
    (expected * weights).sum().backward()
    np.testing.assert_allclose(out.to_numpy(), expected.to_numpy(), rtol=1e-12)
    for got, want in zip(fused_in, composed_in):
        np.testing.assert_allclose(got.grad.to_numpy(), want.grad.to_numpy(), rtol=1e-11)
    check_gradients(lambda *ts: F.conv2d(*ts, stride=stride, padding=padding), arrays, backend)


def test_conv2d_of_a_frozen_input_gives_only_the_weights_gradients(backend):
    x = vg.tensor(np.ones((1, 1, 4, 4)), backend=backend)
    w = vg.tensor(np.ones((2, 1, 3, 3)), requires_grad=True, backend=backend)
    F.conv2d(x, w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad.to_numpy(), np.full((2, 1, 3, 3), 4.0))


@pytest.mark.parametrize("logits", [False, True])
def test_a_bce_target_that_requires_grad_gets_torchs_gradient(backend, logits):
    torch = pytest.importorskip("torch")
    p, t = np.array([0.3, 0.6, 0.9]), np.array([0.2, 0.9, 1.0])
    fn = F.binary_cross_entropy_with_logits if logits else F.binary_cross_entropy
    torch_fn = (
        torch.nn.functional.binary_cross_entropy_with_logits
        if logits
        else torch.nn.functional.binary_cross_entropy
    )
    ours = [vg.tensor(a, requires_grad=True, backend=backend) for a in (p, t)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (p, t)]
    fn(*ours).backward()
    torch_fn(*theirs).backward()
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.to_numpy(), reference.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x: F.cross_entropy(x, np.zeros(0, dtype=np.int64)),
        lambda x: F.mse_loss(x, np.zeros((0, 3))),
        lambda x: F.binary_cross_entropy(x.sigmoid(), np.zeros((0, 3))),
    ],
)
def test_the_mean_loss_of_an_empty_batch_is_nan_as_torch_gives_it(loss):
    x = vg.tensor(np.zeros((0, 3)), requires_grad=True)
    value = loss(x)
    assert np.isnan(value.item())
    value.backward()
    assert x.grad.shape == (0, 3)
