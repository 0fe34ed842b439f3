"""Every operation's forward against numpy and its backward against central differences.

Hypothesis draws the shapes, the broadcasting and the memory layout (inputs
are often permuted views, so kernels see non-contiguous strides).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from visualgrad import engine as vg

from .checks import check_gradients, make

shapes = st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple)
values = st.floats(-2.0, 2.0, allow_nan=False, width=64)


def domain(kind: str, a: np.ndarray) -> np.ndarray:
    """Move values into the region where an op is smooth."""
    if kind == "positive":
        return np.abs(a) + 0.5
    if kind == "nonzero":
        return np.where(a >= 0, a + 0.25, a - 0.25)
    return a


@st.composite
def tensor_case(draw, shape_strategy=shapes):
    """An array and, sometimes, a permutation to store it under (a strided layout)."""
    shape = draw(shape_strategy)
    array = draw(arrays(np.float64, shape, elements=values))
    order = draw(st.one_of(st.none(), st.permutations(range(len(shape))).map(tuple)))
    return array, order


@st.composite
def broadcast_pair(draw):
    """Two shapes that broadcast: the second drops leading dims and sets some to 1."""
    shape = draw(shapes)
    drop = draw(st.integers(0, len(shape) - 1))
    other = tuple(1 if draw(st.booleans()) else n for n in shape[drop:])
    if draw(st.booleans()):
        shape, other = other, shape
    a = draw(arrays(np.float64, shape, elements=values))
    b = draw(arrays(np.float64, other, elements=values))
    return a, b


UNARY = {
    "neg": (lambda t: -t, np.negative, "any"),
    "exp": (lambda t: t.exp(), np.exp, "any"),
    "log": (lambda t: t.log(), np.log, "positive"),
    "relu": (lambda t: t.relu(), lambda a: np.maximum(a, 0), "nonzero"),
    "sigmoid": (lambda t: t.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), "any"),
    "tanh": (lambda t: t.tanh(), np.tanh, "any"),
    "sqrt": (lambda t: t.sqrt(), np.sqrt, "positive"),
    "abs": (lambda t: t.abs(), np.abs, "nonzero"),
    "cube": (lambda t: t**3, lambda a: a**3, "any"),
    "square_root_pow": (lambda t: t**0.5, np.sqrt, "positive"),
    "inverse_square": (lambda t: t**-2, lambda a: a**-2.0, "nonzero"),
    "reflected_sub": (lambda t: 2 - t, lambda a: 2 - a, "any"),
    "reflected_div": (lambda t: 1 / t, lambda a: 1 / a, "nonzero"),
    "reflected_mul": (lambda t: 3 * t, lambda a: 3 * a, "any"),
    "reflected_add": (lambda t: 1.5 + t, lambda a: 1.5 + a, "any"),
    "scalar_div": (lambda t: t / 4, lambda a: a / 4, "any"),
    "contiguous": (lambda t: t.contiguous(), lambda a: a, "any"),
}

BINARY = {
    "add": (lambda a, b: a + b, np.add, "any"),
    "sub": (lambda a, b: a - b, np.subtract, "any"),
    "mul": (lambda a, b: a * b, np.multiply, "any"),
    "div": (lambda a, b: a / b, np.divide, "nonzero"),
}


@pytest.mark.parametrize("name", UNARY)
@given(case=tensor_case())
def test_unary_forward_and_backward(backend, name, case):
    fn, reference, kind = UNARY[name]
    array, order = case
    array = domain(kind, array)
    out = fn(make(array, backend, order))
    np.testing.assert_allclose(out.to_numpy(), reference(array), rtol=1e-12, atol=1e-12)
    check_gradients(fn, [array], backend, [order])


@pytest.mark.parametrize("name", BINARY)
@given(pair=broadcast_pair())
def test_binary_broadcasts_forward_and_sums_gradients_back(backend, name, pair):
    fn, reference, kind = BINARY[name]
    a, b = pair[0], domain(kind, pair[1])
    out = fn(make(a, backend), make(b, backend))
    np.testing.assert_allclose(out.to_numpy(), reference(a, b), rtol=1e-12, atol=1e-12)
    check_gradients(fn, [a, b], backend)


@given(a=tensor_case(), b=tensor_case())
def test_binary_ops_on_strided_inputs(backend, a, b):
    (x, ox), (y, oy) = a, b
    if x.shape != y.shape:
        y, oy = x[::-1].copy() + 0.5, ox
    out = make(x, backend, ox) * make(y, backend, oy) + make(y, backend, oy)
    np.testing.assert_allclose(out.to_numpy(), x * y + y, rtol=1e-12)
    check_gradients(lambda p, q: p * q + q, [x, y], backend, [ox, oy])


def distinct(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Values with no ties, so max has one winner and central differences are valid."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))) * 0.37 - 1.0).reshape(shape)


@pytest.mark.parametrize("reduction", ["sum", "mean", "amax"])
@pytest.mark.parametrize("keepdim", [False, True])
@given(shape=shapes, data=st.data())
def test_reductions_along_one_dim_match_numpy(backend, reduction, keepdim, shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    order = data.draw(st.one_of(st.none(), st.permutations(range(len(shape))).map(tuple)))
    array = distinct(shape, data.draw(st.integers(0, 100)))
    fn = lambda t: getattr(t, reduction)(dim, keepdim=keepdim)  # noqa: E731
    out = fn(make(array, backend, order))
    expected = getattr(np, reduction)(array, axis=dim, keepdims=keepdim)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-12)
    check_gradients(fn, [array], backend, [order])


@pytest.mark.parametrize("reduction", ["sum", "mean", "max"])
@given(shape=shapes, seed=st.integers(0, 100))
def test_full_reductions_return_a_scalar_like_torch(backend, reduction, shape, seed):
    array = distinct(shape, seed)
    out = getattr(make(array, backend), reduction)()
    assert out.shape == ()
    assert out.item() == pytest.approx(getattr(np, reduction)(array))
    check_gradients(lambda t: getattr(t, reduction)(), [array], backend)


def test_reduction_over_several_dims_with_keepdim(backend):
    array = distinct((2, 3, 4), 1)
    out = make(array, backend).sum((0, 2), keepdim=True)
    assert out.shape == (1, 3, 1)
    np.testing.assert_allclose(out.to_numpy(), array.sum(axis=(0, 2), keepdims=True))


def test_amax_shares_the_gradient_among_ties(backend):
    x = vg.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]], requires_grad=True, backend=backend)
    x.amax(1).sum().backward()
    np.testing.assert_allclose(x.grad.to_numpy(), [[0, 0.5, 0.5], [1, 0, 0]])


@given(case=tensor_case(st.lists(st.integers(1, 3), min_size=2, max_size=3).map(tuple)))
def test_permute_and_transpose_move_values_not_storage(backend, case):
    array, order = case
    t = make(array, backend, order)
    perm = tuple(reversed(range(array.ndim)))
    np.testing.assert_array_equal(t.permute(*perm).to_numpy(), array.transpose(perm))
    np.testing.assert_array_equal(t.transpose(0, -1).to_numpy(), np.swapaxes(array, 0, -1))
    assert t.permute(*perm)._data.storage is t._data.storage
    check_gradients(lambda u: u.permute(*perm) * 2.0, [array], backend, [order])


@given(shape=shapes, seed=st.integers(0, 50))
def test_view_reshapes_contiguous_data_and_backward_restores_shape(backend, shape, seed):
    array = distinct(shape, seed)
    t = make(array, backend)
    flat = t.view(-1)
    assert flat.shape == (array.size,)
    assert flat._data.storage is t._data.storage
    np.testing.assert_array_equal(flat.to_numpy(), array.ravel())
    check_gradients(lambda u: u.view(array.size, 1) * 3.0, [array], backend)


def test_view_of_strided_data_asks_for_contiguous(backend):
    t = vg.tensor(np.arange(6.0).reshape(2, 3), backend=backend).transpose(0, 1)
    with pytest.raises(ValueError, match="contiguous"):
        t.view(6)
    np.testing.assert_array_equal(t.contiguous().view(6).to_numpy(), [0, 3, 1, 4, 2, 5])


matmul_shapes = st.sampled_from(
    [
        ((3,), (3,)),
        ((3,), (3, 2)),
        ((2, 3), (3,)),
        ((2, 3), (3, 4)),
        ((2, 2, 3), (3, 4)),
        ((3,), (2, 3, 4)),
        ((2, 1, 2, 3), (3, 3, 2)),
        ((1, 2, 3), (2, 3, 2)),
    ]
)


@given(shapes_=matmul_shapes, seed=st.integers(0, 100), transposed=st.booleans())
def test_matmul_follows_torch_shapes_and_broadcasts_batches(backend, shapes_, seed, transposed):
    rng = np.random.default_rng(seed)
    a, b = (rng.uniform(-1, 1, s) for s in shapes_)
    order = (
        tuple(range(b.ndim - 2)) + (b.ndim - 1, b.ndim - 2) if transposed and b.ndim >= 2 else None
    )
    out = make(a, backend) @ make(b, backend, order)
    expected = np.matmul(a, b)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-12, atol=1e-12)
    check_gradients(lambda x, y: x @ y, [a, b], backend, [None, order])


@pytest.mark.parametrize("op", ["lt", "gt", "eq", "le", "ge", "ne"])
def test_comparisons_give_zero_one_and_no_gradient(backend, op):
    a = vg.tensor([1.0, 2.0, 3.0], requires_grad=True, backend=backend)
    out = getattr(a, f"__{op}__")(2.0)
    expected = getattr(np.array([1.0, 2.0, 3.0]), f"__{op}__")(2.0).astype(float)
    np.testing.assert_array_equal(out.to_numpy(), expected)
    assert not out.requires_grad


def test_to_numpy_reads_a_strided_view_in_logical_order(backend):
    t = vg.tensor(np.arange(24.0).reshape(2, 3, 4), backend=backend).permute(2, 0, 1)
    np.testing.assert_array_equal(t.to_numpy(), np.arange(24.0).reshape(2, 3, 4).transpose(2, 0, 1))


def test_add_in_place_of_an_overlapping_view(backend):
    a = vg.tensor(np.arange(9.0).reshape(3, 3), backend=backend)
    a.add_(a.T)
    expected = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(a.to_numpy(), expected + expected.T)


def test_out_of_range_dims_are_refused():
    t = vg.ones(2, 3)
    with pytest.raises(ValueError, match="out of range"):
        t.permute(0, 5)
    with pytest.raises(ValueError, match="out of range"):
        t.unsqueeze(5)


def test_mean_of_nothing_is_nan_and_argmax_defaults_to_the_flat_index():
    assert np.isnan(vg.zeros(0).mean().item())
    assert vg.tensor([[0.0, 5.0], [9.0, 1.0]]).argmax().item() == 2
