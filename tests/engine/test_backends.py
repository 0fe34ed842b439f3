"""Every backend's kernels give the simple backend's numbers (to 1e-9), through the seam.

Inputs are strided (permuted) and broadcast, small and large (large ones take
the parallel paths of the fast backend).
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from visualgrad import engine as vg
from visualgrad.engine import operators
from visualgrad.engine.tensor_data import TensorData, shape_broadcast

from ..conftest import simulated

SIMPLE = vg.backends.get("simple")
OTHERS = [name for name in vg.backends.available() if name != "simple"]

pytestmark = pytest.mark.skipif(not OTHERS, reason="only the simple backend is available")


@pytest.fixture(params=OTHERS)
def other(request):
    return vg.backends.get(request.param)


def stored(backend, array: np.ndarray, order) -> TensorData:
    """``array``'s values in ``backend``'s storage, laid out permuted when ``order`` is given."""
    if order is None:
        return TensorData.contiguous_over(backend.from_numpy(array), array.shape)
    inverse = tuple(np.argsort(order))
    data = TensorData.contiguous_over(
        backend.from_numpy(array.transpose(inverse)), array.transpose(inverse).shape
    )
    return data.permute(order)


def run(backend, kernel: str, arrays, orders, out_shape, before=(), after=()):
    """Call ``backend.kernel(*before, *inputs, *after, out)`` and read ``out`` back."""
    inputs = [stored(backend, a, o) for a, o in zip(arrays, orders)]
    out = TensorData.contiguous_over(backend.zeros(int(np.prod(out_shape))), tuple(out_shape))
    getattr(backend, kernel)(*before, *inputs, *after, out)
    return backend.to_numpy(out)


def same(other, kernel, arrays, orders, out_shape, before=(), after=()):
    expected = run(SIMPLE, kernel, arrays, orders, out_shape, before, after)
    got = run(other, kernel, arrays, orders, out_shape, before, after)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12, equal_nan=True)


SMALL = [((3,), None), ((2, 3), (1, 0)), ((2, 3, 4), (2, 0, 1)), ((4, 1, 3), None), ((), None)]
LARGE = [((200, 201), (1, 0)), ((50, 40, 30), None)]  # the fast backend's parallel paths


def layouts(backend) -> st.SearchStrategy:
    """Shapes with a storage order; large ones too, except on the CUDA simulator (too slow)."""
    return st.sampled_from(SMALL if simulated(backend.name) else SMALL + LARGE)


def values(shape, seed=0, positive=False):
    array = np.random.default_rng(seed).uniform(-2, 2, shape)
    return np.abs(array) + 0.1 if positive else array


@pytest.mark.parametrize("op", list(operators.MAP_OPS))
@given(data=st.data())
def test_map(other, op, data):
    shape, order = data.draw(layouts(other))
    array = values(shape, positive=op in ("log", "sqrt"))
    same(other, "map", [array], [order], shape, before=(op,))


@pytest.mark.parametrize("op", list(operators.ZIP_OPS))
@given(data=st.data(), squeeze=st.booleans())
def test_zip_with_broadcasting(other, op, data, squeeze):
    shape, order = data.draw(layouts(other))
    b_shape = shape[1:] if squeeze and shape else shape
    a, b = values(shape, 1), values(b_shape, 2, positive=op == "pow")
    if op == "pow":
        a = np.abs(a) + 0.1
    same(other, "zip", [a, b], [order, None], shape_broadcast(shape, b_shape), before=(op,))


@pytest.mark.parametrize("op", list(operators.REDUCE_OPS))
@given(data=st.data())
def test_reduce(other, op, data):
    shape, order = data.draw(layouts(other).filter(lambda layout: layout[0] != ()))
    dim = data.draw(st.integers(0, len(shape) - 1))
    out_shape = shape[:dim] + (1,) + shape[dim + 1 :]
    same(other, "reduce", [values(shape, 3)], [order], out_shape, before=(op,), after=(dim,))


@pytest.mark.parametrize(
    ("a_shape", "b_shape", "a_order", "b_order"),
    [
        ((1, 4, 3), (1, 3, 5), None, None),
        ((2, 4, 3), (1, 3, 5), None, (0, 2, 1)),
        ((1, 4, 3), (3, 3, 5), (0, 2, 1), None),
        ((2, 4, 3), (2, 3, 5), (1, 0, 2), (2, 1, 0)),
        ((1, 300, 200), (1, 200, 100), None, (0, 2, 1)),
        ((2, 3, 40), (1, 40, 5), None, (0, 2, 1)),
    ],
)
def test_matmul_contiguous_transposed_and_strided(other, a_shape, b_shape, a_order, b_order):
    if simulated(other.name) and a_shape[1] > 100:
        pytest.skip("a 300 x 100 product is 30,000 simulated threads")
    out_shape = shape_broadcast(a_shape[:-2], b_shape[:-2]) + (a_shape[-2], b_shape[-1])
    same(other, "matmul", [values(a_shape, 4), values(b_shape, 5)], [a_order, b_order], out_shape)


@pytest.mark.parametrize(
    ("shape", "kernel", "stride", "padding"),
    [
        ((2, 3, 5, 6), (3, 3), (1, 1), (0, 0)),
        ((1, 2, 7, 5), (2, 3), (2, 1), (1, 2)),
        ((4, 1, 8, 8), (2, 2), (2, 2), (0, 0)),
    ],
)
def test_unfold_and_fold(other, shape, kernel, stride, padding):
    n, c, h, w = shape
    oh, ow = (
        (h + 2 * padding[0] - kernel[0]) // stride[0] + 1,
        (w + 2 * padding[1] - kernel[1]) // stride[1] + 1,
    )
    cols_shape = (n, c * kernel[0] * kernel[1], oh * ow)
    x = values(shape, 6)
    same(other, "unfold", [x], [(0, 1, 2, 3)], cols_shape, after=(kernel, stride, padding))
    same(other, "fold", [values(cols_shape, 7)], [None], shape, after=(kernel, stride, padding))


@pytest.mark.parametrize("op", list(operators.REDUCE_OPS))
@pytest.mark.parametrize(("shape", "dim"), [((300,), 0), ((3, 100), 1), ((100, 3), 0)])
def test_reduce_of_long_rows(other, op, shape, dim):
    out_shape = shape[:dim] + (1,) + shape[dim + 1 :]
    same(other, "reduce", [values(shape, 8)], [None], out_shape, before=(op,), after=(dim,))


def test_every_operator_has_a_kernel_on_every_backend(other):
    array = TensorData.contiguous_over(other.from_numpy(np.array([0.5, 1.5])), (2,))
    out = TensorData.contiguous_over(other.zeros(2), (2,))
    for op in operators.MAP_OPS:
        other.map(op, array, out)
    for op in operators.ZIP_OPS:
        other.zip(op, array, array, out)


def test_fast_kernels_from_two_threads_at_once():
    x = vg.randn(400, 400, backend="fast")
    results, errors = [], []

    def work():
        try:
            for _ in range(20):
                results.append(((x * 2.0 + 1.0) @ x).sum().item())
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(np.round(results, 6))) == 1
