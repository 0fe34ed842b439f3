"""The fast backend's numpy paths for big tensors give the simple backend's values."""

from __future__ import annotations

import numpy as np
import pytest

import visualgrad.engine as vg
from visualgrad.engine import backends, operators
from visualgrad.engine.backends import fast
from visualgrad.engine.tensor_data import TensorData

SHAPE = (3, 40, 30)  # 3600 elements: above fast.UFUNC_MIN


def _data(backend, array: np.ndarray, order=None) -> TensorData:
    """``array`` on ``backend``; with ``order``, stored so that permuting by it gives the values."""
    stored = array if order is None else np.ascontiguousarray(array.transpose(np.argsort(order)))
    data = TensorData.contiguous_over(backend.from_numpy(stored), stored.shape)
    return data if order is None else data.permute(order)


def _values(rng) -> np.ndarray:
    values = rng.normal(0, 3, size=SHAPE)
    values.flat[:6] = [0.0, -0.0, np.inf, -np.inf, np.nan, -2.0]
    return values


def test_big_tensors_take_the_numpy_path():
    assert np.prod(SHAPE) >= fast.UFUNC_MIN


@pytest.mark.parametrize("op", sorted(fast._MAP_UFUNCS))
@pytest.mark.parametrize("order", [None, (2, 0, 1)])
def test_map_of_a_big_tensor_matches_simple(op, order):
    array = _values(np.random.default_rng(0))
    results = []
    for name in ("simple", "fast"):
        backend = backends.get(name)
        a = _data(backend, array, order)
        out = TensorData.contiguous_over(backend.empty(a.size), a.shape)
        backend.map(op, a, out)
        results.append(backend.to_numpy(out))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-14, atol=0, equal_nan=True)


@pytest.mark.parametrize("op", sorted(fast._ZIP_UFUNCS))
@pytest.mark.parametrize("b_shape", [SHAPE, (30,), (40, 1), ()])
def test_zip_of_big_tensors_broadcasts_like_simple(op, b_shape):
    rng = np.random.default_rng(1)
    a_values, b_values = _values(rng), rng.normal(0, 2, size=b_shape)
    results = []
    for name in ("simple", "fast"):
        backend = backends.get(name)
        a, b = _data(backend, a_values), _data(backend, np.asarray(b_values))
        out = TensorData.contiguous_over(backend.empty(a.size), SHAPE)
        backend.zip(op, a, b, out)
        results.append(backend.to_numpy(out))
    np.testing.assert_allclose(results[1], results[0], rtol=1e-14, atol=0, equal_nan=True)


def test_every_numpy_path_is_an_op_of_the_table():
    assert set(fast._MAP_UFUNCS) <= set(operators.MAP_OPS)
    assert set(fast._ZIP_UFUNCS) <= set(operators.ZIP_OPS)


SPECIAL = [0.0, -0.0, 1.5, -3.25, 1e308, np.inf, -np.inf, np.nan, 3.4e38, 1e-45]


@pytest.mark.parametrize("op", sorted(fast._SCALAR_ZIPS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("b_shape", [(1,), (), (1, 1)])
def test_zip_of_one_element_matches_numpy(op, dtype, b_shape):
    backend = backends.get("fast")
    ufunc = fast._ZIP_UFUNCS[op]
    with np.errstate(over="ignore"):
        values = np.array(SPECIAL).astype(dtype)  # 1e308 is inf in float32
    for x in values:
        for y in values:
            a = TensorData.contiguous_over(backend.from_numpy(np.array([x]), x.dtype), (1,))
            b = TensorData.contiguous_over(backend.from_numpy(np.array([y]), y.dtype), b_shape)
            out = TensorData.contiguous_over(backend.empty(1, x.dtype), (1,))
            backend.zip(op, a, b, out)
            with np.errstate(all="ignore"):
                expected = ufunc(np.array([x]), np.array([y]))
            np.testing.assert_array_equal(backend.to_numpy(out), expected)


@pytest.mark.parametrize("grad", [False, True])
def test_add_and_mul_give_the_same_values_with_and_without_a_graph(grad):
    from visualgrad import engine as vg

    a = vg.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=grad)
    b = vg.tensor([2.0, 4.0], dtype="float32")
    for result, expected in [
        (a + b, [[3.0, 2.0], [5.0, 4.5]]),
        (2.0 + a, [[3.0, 0.0], [5.0, 2.5]]),
        (a * b, [[2.0, -8.0], [6.0, 2.0]]),
        (b * a, [[2.0, -8.0], [6.0, 2.0]]),
        (3.0 * a, [[3.0, -6.0], [9.0, 1.5]]),
    ]:
        assert result.requires_grad is grad
        assert result.dtype == np.dtype("float64")
        np.testing.assert_array_equal(result.to_numpy(), expected)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_sum_of_a_large_tensor_on_numbas_threads_is_numpys_and_keeps_nan_and_inf(dtype):
    rng = np.random.default_rng(11)
    x = rng.normal(size=300_001).astype(dtype)  # past PARALLEL_MIN, not a multiple of a span
    t = vg.tensor(x, backend="fast", dtype=dtype)
    expected = x.astype(np.float64).sum()
    tolerance = 1e-12 if dtype == "float64" else 1e-6
    assert abs(t.sum().item() - expected) <= tolerance * np.abs(x).sum()
    x[12345] = np.inf
    assert vg.tensor(x, backend="fast", dtype=dtype).sum().item() == np.inf
    x[200_000] = np.nan
    assert np.isnan(vg.tensor(x, backend="fast", dtype=dtype).sum().item())


def _zipped(name: str, op: str, a_values, b_values, dtype, in_place: bool = False):
    """``op`` of a and b on backend ``name`` in ``dtype``; into a itself where ``in_place``."""
    backend = backends.get(name)
    a = _data(backend, np.asarray(a_values, dtype))
    b = _data(backend, np.asarray(b_values, dtype))
    shape = np.broadcast_shapes(a.shape, b.shape)
    out = (
        a
        if in_place
        else TensorData.contiguous_over(backend.empty(int(np.prod(shape)), dtype), shape)
    )
    backend.zip(op, a, b, out)
    return backend.to_numpy(out)


@pytest.mark.parametrize("op", sorted(fast.HOT_ZIPS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "a_shape, b_shape",
    [
        ((256, 100), (256, 100)),
        ((256, 100), ()),
        ((4, 25, 30), (30,)),
        ((40, 30), (1, 30)),
        ((30,), (7, 30)),
        ((2, 40, 30), (40, 30)),
    ],  # fmt: skip
)
def test_the_ops_with_loops_of_their_own_match_simple(op, dtype, a_shape, b_shape):
    """Each op of a training step's big tensors, in each layout that takes a loop of its own
    (shaped alike, one element, a row repeated on either side), gives simple's values."""
    rng = np.random.default_rng(5)
    a_values, b_values = _values_of(rng, a_shape), _values_of(rng, b_shape)
    expected = _zipped("simple", op, a_values, b_values, dtype)
    got = _zipped("fast", op, a_values, b_values, dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == "float32" else 1e-14,
                               atol=0, equal_nan=True)  # fmt: skip


@pytest.mark.parametrize("op", sorted(fast.HOT_ZIPS))
def test_a_row_added_in_place_matches_simple(op):
    """As the Linear function adds its bias into the product it made."""
    rng = np.random.default_rng(6)
    a_values, b_values = _values_of(rng, (64, 30)), _values_of(rng, (30,))
    expected = _zipped("simple", op, a_values, b_values, "float64")
    got = _zipped("fast", op, a_values, b_values, "float64", in_place=True)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0, equal_nan=True)


@pytest.mark.parametrize("op", sorted(fast.HOT_MAPS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_maps_with_loops_of_their_own_match_simple(op, dtype):
    rng = np.random.default_rng(7)
    values = _values_of(rng, (256, 100))
    results = []
    for name in ("simple", "fast"):
        backend = backends.get(name)
        a = _data(backend, values.astype(dtype))
        out = TensorData.contiguous_over(backend.empty(a.size, dtype), a.shape)
        backend.map(op, a, out)
        results.append(backend.to_numpy(out))
    np.testing.assert_array_equal(results[1], results[0])


@pytest.mark.parametrize("op", ["sum", "max"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("shape, dim", [((256, 100), 0), ((3, 50, 7), 1), ((4, 5, 6, 2), 0)])
def test_a_fold_along_a_dim_that_is_not_the_last_is_numpys(op, dtype, shape, dim):
    """The same sums as numpy's (row after row), NaN and infinities kept."""
    values = _values_of(np.random.default_rng(8), shape).astype(dtype)
    backend = backends.get("fast")
    a = _data(backend, values)
    kept = tuple(1 if d == dim else n for d, n in enumerate(shape))
    out = TensorData.contiguous_over(backend.empty(int(np.prod(kept)), dtype), kept)
    backend.reduce(op, a, dim, out)
    ufunc, start = (np.add, 0.0) if op == "sum" else (np.maximum, -np.inf)
    expected = ufunc.reduce(values, axis=dim, keepdims=True, initial=start)
    np.testing.assert_array_equal(backend.to_numpy(out), expected)


def _values_of(rng, shape) -> np.ndarray:
    """Normal values of ``shape`` with a zero, infinities and a NaN among the first."""
    values = rng.normal(0, 3, size=shape)
    special = [0.0, np.inf, -np.inf, np.nan, -2.0, 0.5]
    values.flat[: min(values.size, len(special))] = special[: values.size]
    return values


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("transposed", [False, True])
def test_an_outer_product_is_numpys_exactly(dtype, transposed):
    """(m, 1) @ (1, n) takes a loop of its own: each element the one product BLAS gives."""
    rng = np.random.default_rng(9)
    a_values, b_values = rng.normal(size=(256, 1)), rng.normal(size=(1, 100))
    if transposed:  # the factors as views: a column read across a row, a row down a column
        a = vg.tensor(a_values.T, dtype=dtype).T
        b = vg.tensor(b_values.T, dtype=dtype).T
    else:
        a, b = vg.tensor(a_values, dtype=dtype), vg.tensor(b_values, dtype=dtype)
    expected = a_values.astype(dtype) @ b_values.astype(dtype)
    np.testing.assert_array_equal((a @ b).to_numpy(), expected)


@pytest.mark.parametrize("op", ["eq", "lt", "gt", "mul", "add", "max", "pow", "relu_back"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("column_first", [False, True])
def test_a_value_a_row_repeated_along_it_matches_simple(op, dtype, column_first):
    """(rows, n) against (rows, 1), either way round, as a maximum's gradient compares each
    row with its maximum."""
    rng = np.random.default_rng(11)
    full, column = np.abs(_values_of(rng, (32, 3))), np.abs(_values_of(rng, (32, 1)))
    full[:, 1] = column[:, 0]  # ties, for eq
    a_values, b_values = (column, full) if column_first else (full, column)
    expected = _zipped("simple", op, a_values, b_values, dtype)
    got = _zipped("fast", op, a_values, b_values, dtype)
    np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == "float32" else 1e-14,
                               atol=0, equal_nan=True)  # fmt: skip


@pytest.mark.parametrize("op", ["id", "neg", "relu", "abs", "inv", "sign", "exp"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("value", [-1.5, 2.0, np.nan])
def test_one_value_spread_over_a_big_tensor_matches_simple(op, dtype, value):
    """As a sum's gradient is spread over its input: the value computed once, then filled."""
    results = []
    for name in ("simple", "fast"):
        backend = backends.get(name)
        a = _data(backend, np.full((1, 1), value, dtype))
        out = TensorData.contiguous_over(backend.empty(512 * 300, dtype), (512, 300))
        backend.map(op, a, out)
        results.append(backend.to_numpy(out))
    np.testing.assert_array_equal(results[1], results[0])


@pytest.mark.parametrize("size", [3, 5000])
def test_relu_of_negative_zero_is_zero_on_every_path(size):
    """relu(-0.0) is 0.0, as numpy's and torch's, whether a kernel or numpy computes it."""
    for name in ("simple", "fast"):
        out = vg.tensor(np.full(size, -0.0), backend=name).relu().to_numpy()
        assert not np.signbit(out).any(), name
