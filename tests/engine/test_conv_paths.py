"""conv2d on each backend against torch, for every shape class the fast backend's chunked
path (``fast_conv``) treats on its own: strides, paddings, kernels, one channel, one
image, a batch its chunks do not divide, frozen inputs, no bias, float32, strided input."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine.backends import fast_conv
from visualgrad.engine.nn import functional as F

from .checks import check_gradients

torch = pytest.importorskip("torch")

# (x shape, weight shape, stride, padding)
SHAPES = {
    "stride 2": ((2, 2, 5, 6), (3, 2, 3, 3), (2, 2), (1, 1)),
    "padding 0": ((2, 2, 5, 5), (2, 2, 3, 3), (1, 1), (0, 0)),
    "padding 2": ((1, 2, 4, 4), (2, 2, 3, 3), (1, 1), (2, 2)),
    "non-square kernel and stride": ((2, 3, 6, 5), (2, 3, 2, 3), (1, 2), (1, 0)),
    "one channel": ((3, 1, 5, 5), (4, 1, 3, 3), (1, 1), (0, 0)),
    "one image": ((1, 2, 4, 5), (3, 2, 3, 2), (1, 1), (1, 1)),
    "padding wider than the kernel": ((2, 1, 3, 3), (2, 1, 2, 2), (2, 1), (2, 3)),
}


def _compare(backend, x, w, b, stride, padding, dtype="float64", x_grad=True, order=None):
    """conv2d forward and backward on ``backend`` against torch's, in ``dtype``."""
    tdtype = torch.float64 if dtype == "float64" else torch.float32
    ours_x = vg.tensor(x, backend=backend, dtype=dtype)
    if order is not None:  # the same values, stored permuted: a strided input
        stored = np.ascontiguousarray(x.transpose(np.argsort(order)))
        ours_x = vg.tensor(stored, backend=backend, dtype=dtype).permute(*order)
        assert not ours_x.is_contiguous()
    ours_x.requires_grad_(x_grad)
    ours_w = vg.tensor(w, requires_grad=True, backend=backend, dtype=dtype)
    ours_b = None if b is None else vg.tensor(b, requires_grad=True, backend=backend, dtype=dtype)
    theirs = [torch.tensor(a, dtype=tdtype, requires_grad=True) for a in (x, w)]
    theirs[0].requires_grad_(x_grad)
    their_b = None if b is None else torch.tensor(b, dtype=tdtype, requires_grad=True)
    out = F.conv2d(ours_x, ours_w, ours_b, stride, padding)
    expected = torch.nn.functional.conv2d(*theirs, their_b, stride, padding)
    weights = np.random.default_rng(5).uniform(0.5, 1.5, size=expected.shape)
    (out * vg.tensor(weights, backend=backend, dtype=dtype)).sum().backward()
    (expected * torch.tensor(weights, dtype=tdtype)).sum().backward()
    tol = {"rtol": 1e-10, "atol": 1e-10} if dtype == "float64" else {"rtol": 2e-5, "atol": 2e-5}
    assert out.dtype == dtype and ours_w.grad.dtype == dtype
    np.testing.assert_allclose(out.to_numpy(), expected.detach().numpy(), **tol)
    np.testing.assert_allclose(ours_w.grad.to_numpy(), theirs[1].grad.numpy(), **tol)
    if b is not None:
        np.testing.assert_allclose(ours_b.grad.to_numpy(), their_b.grad.numpy(), **tol)
    if x_grad:
        np.testing.assert_allclose(ours_x.grad.to_numpy(), theirs[0].grad.numpy(), **tol)
    else:
        assert ours_x.grad is None


def _arrays(x_shape, w_shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])


@pytest.mark.parametrize("name", SHAPES)
def test_conv2d_matches_torch_for_each_shape_class(backend, name):
    x_shape, w_shape, stride, padding = SHAPES[name]
    x, w, b = _arrays(x_shape, w_shape)
    _compare(backend, x, w, b, stride, padding)


@pytest.mark.parametrize("name", ["stride 2", "non-square kernel and stride"])
def test_conv2d_gradients_by_central_differences(not_simulated, name):
    """(On the CUDA simulator test_functional's gradient check covers conv2d; here torch.)"""
    x_shape, w_shape, stride, padding = SHAPES[name]
    x, w, b = _arrays(x_shape, w_shape, seed=1)

    def conv(*ts):
        return F.conv2d(*ts, stride=stride, padding=padding)

    check_gradients(conv, [x, w, b], not_simulated)


def test_conv2d_without_bias_and_of_a_frozen_input(backend):
    x, w, _ = _arrays((2, 2, 5, 4), (3, 2, 2, 3), seed=2)
    _compare(backend, x, w, None, (1, 1), (1, 0))
    _compare(backend, x, w, None, (2, 1), (0, 1), x_grad=False)
    _compare(backend, x, w, w[:, 0, 0, 0].copy(), (1, 1), (0, 0), x_grad=False)


def test_conv2d_in_float32_matches_torchs_float32(backend):
    x, w, b = _arrays((2, 2, 4, 4), (3, 2, 3, 3), seed=3)
    _compare(backend, x, w, b, (1, 1), (1, 1), dtype="float32")
    _compare(backend, x, w, None, (2, 1), (0, 2), dtype="float32", x_grad=False)


def test_conv2d_of_a_permuted_view_reads_it_through_its_strides(backend):
    x, w, b = _arrays((2, 3, 5, 4), (2, 3, 3, 2), seed=4)
    _compare(backend, x, w, b, (1, 2), (1, 1), order=(1, 0, 3, 2))
    _compare(backend, x, w, None, (1, 1), (0, 0), dtype="float32", order=(0, 2, 3, 1))


@pytest.fixture(params=["numba's threads", "numpy's matmul"])
def fast_path(request, monkeypatch) -> str:
    """The fast backend's pooled path (where numba has two threads and a bound BLAS), or its
    serial one, with numpy's matmul."""
    if request.param == "numpy's matmul":
        monkeypatch.setattr(fast_conv, "_pool_gemm", lambda dtype, macs: None)
        return request.param
    monkeypatch.setattr(fast_conv, "POOL_MIN_MACS", 0)  # the tests' small convolutions too
    if fast_conv._pool_gemm(np.dtype(np.float64), 1) is None:
        pytest.skip("numba has one thread here, or numpy's BLAS could not be bound")
    return request.param


@pytest.mark.parametrize("images_per_chunk", [1, 2, 3])
def test_fast_conv2d_over_chunks_that_do_not_divide_the_batch(
    monkeypatch, fast_path, images_per_chunk
):
    """5 images in chunks of 1, 2 or 3 (the last one short), forward and backward."""
    x, w, b = _arrays((5, 2, 4, 5), (3, 2, 3, 2), seed=6)
    rows, length = 2 * 3 * 2 + 1, 4 * 4  # columns per image: C*kh*kw plus the ones row, OH*OW
    for dtype, size in (("float64", 8), ("float32", 4)):
        monkeypatch.setattr(fast_conv, "CHUNK_BYTES", images_per_chunk * rows * length * size)
        assert fast_conv._images_per_chunk(5, rows * length * size) == images_per_chunk
        _compare("fast", x, w, b, (1, 1), (1, 0), dtype=dtype)
        _compare("fast", x, w, None, (1, 2), (0, 1), dtype=dtype, x_grad=False)
        _compare("fast", x, w, b, (2, 1), (1, 1), dtype=dtype, order=(1, 0, 2, 3))


def test_fast_conv2d_of_one_image_and_of_more_threads_than_images(fast_path):
    x, w, b = _arrays((1, 3, 6, 6), (4, 3, 3, 3), seed=7)
    _compare("fast", x, w, b, (1, 1), (1, 1))
    _compare("fast", x, w, b, (2, 2), (0, 0), dtype="float32", order=(0, 1, 3, 2))


def test_conv2d_of_an_empty_batch_gives_zero_gradients_for_the_weights(backend):
    x = vg.zeros(0, 2, 4, 4, backend=backend)
    w = vg.tensor(np.ones((3, 2, 3, 3)), requires_grad=True, backend=backend)
    b = vg.tensor(np.ones(3), requires_grad=True, backend=backend)
    out = F.conv2d(x, w, b, padding=1)
    assert out.shape == (0, 3, 4, 4)
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.to_numpy(), np.zeros((3, 2, 3, 3)))
    np.testing.assert_array_equal(b.grad.to_numpy(), np.zeros(3))


def test_a_root_gradient_of_another_dtype_is_cast(backend):
    x, w, _ = _arrays((2, 2, 4, 4), (3, 2, 3, 3), seed=8)
    weight = vg.tensor(w, requires_grad=True, backend=backend, dtype="float32")
    out = F.conv2d(vg.tensor(x, backend=backend, dtype="float32"), weight, padding=1)
    seed = np.random.default_rng(9).normal(size=out.shape)
    out.backward(vg.tensor(seed, backend=backend))  # float64, on a float32 output
    theirs = torch.tensor(w, requires_grad=True)
    torch.nn.functional.conv2d(torch.tensor(x), theirs, padding=1).backward(torch.tensor(seed))
    assert weight.grad.dtype == "float32"
    np.testing.assert_allclose(weight.grad.to_numpy(), theirs.grad.numpy(), rtol=1e-4, atol=1e-4)
