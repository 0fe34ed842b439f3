"""The fast backend's GEMM on numba's threads (``fast_blas``), against numpy's matmul."""

from __future__ import annotations

import numpy as np
import pytest

import visualgrad.engine as vg
from visualgrad.engine import backends
from visualgrad.engine.backends import fast_blas, openblas
from visualgrad.engine.tensor_data import TensorData

pytestmark = pytest.mark.skipif(
    openblas.bind() is None, reason="numpy's BLAS is not the scipy-openblas of its wheels"
)


@pytest.fixture
def two_threads(monkeypatch):
    """Split products as on a 2-core machine, whatever this one has (prange runs the parts
    on as many threads as there are, one included)."""
    monkeypatch.setattr(fast_blas, "get_num_threads", lambda: 2)
    monkeypatch.setattr(fast_blas, "PART_MACS", 32)


def _operands(rng, batch, m, k, n, a_transposed, b_transposed, dtype):
    a = rng.normal(size=batch + ((k, m) if a_transposed else (m, k))).astype(dtype)
    b = rng.normal(size=batch + ((n, k) if b_transposed else (k, n))).astype(dtype)
    a, b = vg.tensor(a, backend="fast", dtype=dtype), vg.tensor(b, backend="fast", dtype=dtype)
    return (
        a.transpose(-1, -2) if a_transposed else a,
        b.transpose(-1, -2) if b_transposed else b,
    )


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("a_transposed", [False, True])
@pytest.mark.parametrize("b_transposed", [False, True])
@pytest.mark.parametrize(
    "batch, m, k, n",
    [
        ((), 17, 9, 5),
        ((), 4, 13, 31),
        ((3,), 6, 7, 8),
        ((2, 3), 5, 4, 9),
        ((), 1, 20, 30),
        ((), 5, 300, 7),
        ((), 3, 1000, 2),
    ],
)
def test_split_products_are_numpys(two_threads, batch, m, k, n, a_transposed, b_transposed, dtype):
    a, b = _operands(np.random.default_rng(0), batch, m, k, n, a_transposed, b_transposed, dtype)
    out = vg.zeros(*batch, m, n, backend="fast", dtype=dtype)
    assert fast_blas.matmul(a._data, b._data, out._data)
    expected = np.matmul(a.to_numpy().astype(np.float64), b.to_numpy().astype(np.float64))
    tolerance = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=tolerance, atol=tolerance)
    assert out.to_numpy().dtype == np.dtype(dtype)


def test_a_product_is_cut_where_it_copies_least():
    assert fast_blas._cut(128, 256, 784, 2) == fast_blas.DEPTH  # x @ W^T of an MLP 784-256
    assert fast_blas._cut(256, 784, 128, 2) == fast_blas.COLUMNS  # its weight's gradient
    assert fast_blas._cut(256, 100, 100, 2) == fast_blas.ROWS
    assert fast_blas._cut(5, 7, 100, 2) != fast_blas.DEPTH  # k too thin to slice


def test_a_broadcast_batch_reads_the_same_matrix_for_every_item(two_threads):
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(6, 5))
    a = TensorData(matrix.reshape(-1).copy(), (4, 6, 5), (0, 5, 1))  # stride 0 over the batch
    b = vg.tensor(rng.normal(size=(4, 5, 7)), backend="fast")
    out = vg.zeros(4, 6, 7, backend="fast")
    assert fast_blas.matmul(a, b._data, out._data)
    np.testing.assert_allclose(out.to_numpy(), matrix @ b.to_numpy(), rtol=1e-12)


def test_what_it_does_not_take_is_left_to_numpy(two_threads, monkeypatch):
    rng = np.random.default_rng(2)
    a, b = _operands(rng, (), 8, 8, 8, False, False, "float64")
    empty = vg.zeros(8, 0, backend="fast")
    assert not fast_blas.matmul(a._data, vg.zeros(8, 0, backend="fast")._data, empty._data)
    b32 = vg.tensor(b.to_numpy(), backend="fast", dtype="float32")
    out = vg.zeros(8, 8, backend="fast")
    assert not fast_blas.matmul(a._data, b32._data, out._data)  # mixed dtypes
    assert not fast_blas.matmul(a._data, b._data, out.transpose(0, 1)._data)  # out strided
    monkeypatch.setattr(fast_blas, "PART_MACS", 1 << 20)
    assert not fast_blas.matmul(a._data, b._data, out._data)  # too small to split
    monkeypatch.setattr(fast_blas, "get_num_threads", lambda: 1)
    big = vg.zeros(300, 300, backend="fast")
    assert not fast_blas.matmul(big._data, big._data, big._data)  # one thread: numpy's


def test_the_backends_matmul_and_its_gradient_match_numpy_either_way(two_threads):
    rng = np.random.default_rng(3)
    x = vg.tensor(rng.normal(size=(40, 30)), requires_grad=True, backend="fast")
    w = vg.tensor(rng.normal(size=(20, 30)), requires_grad=True, backend="fast")
    (x @ w.transpose(0, 1)).sum().backward()
    np.testing.assert_allclose(x.grad.to_numpy(), np.ones((40, 20)) @ w.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.to_numpy(), np.ones((20, 40)) @ x.to_numpy(), rtol=1e-12)


def test_numba_takes_every_core_when_the_blas_is_bound(monkeypatch):
    monkeypatch.delenv("NUMBA_NUM_THREADS", raising=False)
    backends.configure_numba()
    assert int(__import__("os").environ["NUMBA_NUM_THREADS"]) == backends._cores()


def test_a_read_only_factor_after_a_writable_one_gets_a_kernel_of_its_own(two_threads):
    rng = np.random.default_rng(6)
    b = vg.tensor(rng.normal(size=(30, 20)), backend="fast")
    for writeable in (True, False):
        storage = rng.normal(size=40 * 30)
        storage.flags.writeable = writeable
        a = TensorData(storage, (40, 30), (30, 1))
        out = vg.zeros(40, 20, backend="fast")
        assert fast_blas.matmul(a, b._data, out._data)
        expected = storage.reshape(40, 30) @ b.to_numpy()
        np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-12)
