"""The fast backend's conv2d: im2col a chunk of images at a time into a buffer that stays
in cache, and one BLAS GEMM per chunk.

Forward, for each chunk of B images: their windows are unfolded into a reused
(C*kh*kw [+1], B*OH*OW) column buffer (at most ``CHUNK_BYTES``, one image if it needs
more), the weight (O, C*kh*kw) times it is one GEMM, straight into the output for one
image. With a bias the buffer has a last row of ones and the weight matrix the bias as
its last column, so the GEMM adds it. The columns are not kept: backward unfolds each
chunk again (as torch does), cheaper than writing the batch's columns out and reading
them back. Backward, per chunk: columns times the output's gradient transposed is the
weight's gradient transposed (its last row, through the ones row, the bias's), summed
over the chunks; W^T times the output's gradient, folded back, is the input's. Each is
computed only where it is asked for.

Which path runs:
- Pooled (numba's threads, numpy's OpenBLAS called by address: ``fast_conv_kernels``)
  where numba has two or more threads and ``fast_blas`` bound the BLAS, for a pass of at
  least ``POOL_MIN_MACS`` multiply-adds: each thread takes every threads-th chunk and runs
  its unfold, single-threaded GEMMs and fold, so a chunk's columns stay in the cache of the
  core that made them, and the unfold and fold run on every core too.
- Here, with numpy's matmul, otherwise: smaller convolutions (below ~2e5 multiply-adds
  starting the threads costs more than it saves: the digits CNN's conv at batch 16 took
  0.12 ms pooled, 0.10 here; at 512, 0.52 vs 0.65 ms in float32), or one numba thread,
  where numpy's BLAS keeps threads of its own.

Measured on the 2-core machine, conv2d (32, 16, 28, 28) with 32 3x3 filters, padding 1,
forward and backward, float64 / float32, each contender in its own process: the whole
batch's columns (29 MB in float64) in one batched GEMM, as before, 18-42 / 9-16 ms; these
chunks here, on the BLAS's own two threads, 15 / 8.8 ms; pooled 8.9-10.7 / 4.2-5.3 ms;
torch 9.9-14.4 / 2.9-3.2 ms. float32 stays behind torch's (oneDNN's direct convolution):
the three GEMMs alone take 2.8 ms on two cores at OpenBLAS's speed for these 32-row
products, and unfold, fold and the gathers about 0.9 ms more. Chunk size: one image's
columns (0.9 MB in float64) per GEMM is as fast as larger chunks on one core (float32
forward, weight and input GEMMs 1.74, 2.11, 1.75 ms with one image, 2.65, 2.71, 2.15 with
four), and small images (the digits CNN's 8x8, 2.9 kB of columns each) go many to a
chunk, where a GEMM each would cost a call each. The weight's gradient as columns times
gradient^T rather than gradient times columns^T: 2.4 vs 3.3 ms (float32, one core).
"""

from __future__ import annotations

import numpy as np
from numba import get_num_threads

from ..tensor_data import TensorData, windows_out
from .base import Pair
from .fast_blas import EntryPoint, _bound_for
from .fast_common import as_array
from .fast_conv_kernels import fold_chunk, pool_backward, pool_forward, unfold_chunk

CHUNK_BYTES = 1 << 18
POOL_MIN_MACS = 1 << 18


_POOL_FORWARD, _POOL_BACKWARD = EntryPoint(pool_forward), EntryPoint(pool_backward)


def _images_per_chunk(n: int, bytes_per_image: int, threads: int = 1) -> int:
    """How many images' columns fit in ``CHUNK_BYTES`` (at least one), evened out so that
    each of ``threads`` gets as many chunks (512 digits in chunks of 182 left one thread
    one chunk of three; in chunks of 128 each gets two)."""
    images = max(1, min(-(-n // threads), CHUNK_BYTES // max(1, bytes_per_image)))
    chunks = -(-n // images)
    return max(1, -(-n // max(1, -(-chunks // threads) * threads)))


def _windows(x: TensorData, kernel: Pair, stride: Pair, padding: Pair) -> tuple:
    """The shape arguments ``unfold_chunk`` and ``fold_chunk`` take after the images."""
    _, c, h, w = x.shape
    return (c, h, w, *kernel, *stride, *padding, *windows_out((h, w), kernel, stride, padding))


def _pool_gemm(dtype: np.dtype, macs: int):
    """numpy's OpenBLAS GEMM for ``dtype``, bound for numba's threads, where there are two
    or more and a pass of ``macs`` multiply-adds pays for starting them; else None."""
    if macs < POOL_MIN_MACS or get_num_threads() < 2:
        return None
    return _bound_for(dtype)


def forward(
    x: TensorData,
    weight: np.ndarray,
    bias: np.ndarray | None,
    stride: Pair,
    padding: Pair,
    out: np.ndarray,
) -> None:
    """``out`` (N, O, OH, OW) = conv2d of ``x`` (any strides) by ``weight`` (O, C, kh, kw)
    plus ``bias`` (O,) or None; all of one dtype, ``weight``, ``bias`` and ``out``
    contiguous."""
    n, o = out.shape[:2]
    k, length = weight[0].size, out.shape[2] * out.shape[3]
    rows = k + (bias is not None)
    bound = _pool_gemm(out.dtype, n * o * rows * length)
    threads = get_num_threads() if bound is not None else 1
    images = _images_per_chunk(n, rows * length * out.itemsize, threads)
    cols = np.empty((threads, rows, images * length), out.dtype)
    matrix = weight.reshape(o, k)
    if bias is not None:
        cols[:, k] = 1.0
        matrix = np.concatenate((matrix, bias.reshape(o, 1)), axis=1)
    spread = np.empty((threads, o, images * length if images > 1 else 0), out.dtype)
    strides, shape = np.array(x.strides, np.int64), _windows(x, weight.shape[2:], stride, padding)
    pads = _pads(x, padding, threads, 1, out.dtype)
    if bound is not None:
        plan = np.array((n, o, rows, images, *shape), np.int64)
        _POOL_FORWARD(bound, x.storage, strides, matrix, out.reshape(-1), cols, spread, pads[:, 0],
                      plan)  # fmt: skip
        return
    cols, spread, out3, pad = cols[0], spread[0], out.reshape(n, o, length), pads[0, 0]
    for first in range(0, n, images):
        count = min(images, n - first)
        unfold_chunk(cols, x.storage, strides, first, count, *shape, pad)
        if images == 1:
            np.matmul(matrix, cols, out=out3[first])
        else:
            width = count * length
            np.matmul(matrix, cols[:, :width], out=spread[:, :width])
            out3[first : first + count] = spread.reshape(o, images, length)[:, :count].transpose(
                1, 0, 2
            )


def backward(
    x: TensorData,
    weight: np.ndarray,
    grad: TensorData,
    stride: Pair,
    padding: Pair,
    grad_x: np.ndarray | None,
    grad_w: np.ndarray | None,
    grad_b: np.ndarray | None,
) -> None:
    """The gradients of ``forward`` that are not None, from the output's ``grad`` (any
    strides): ``grad_x`` (contiguous, zeroed) gets the input's, ``grad_w`` the weight's and
    ``grad_b`` the bias's."""
    n, o, oh, ow = grad.shape
    k, length, dtype = weight[0].size, oh * ow, grad.storage.dtype
    if grad_w is None and grad_b is not None:
        np.sum(as_array(grad), axis=(0, 2, 3), out=grad_b)
    rows = k + (grad_b is not None) if grad_w is not None else 0
    bound = _pool_gemm(dtype, n * o * max(rows, k) * length)
    threads = get_num_threads() if bound is not None else 1
    images = _images_per_chunk(n, max(rows, k) * length * dtype.itemsize, threads)
    width = images * length
    cols = np.empty((threads, rows, width), dtype)
    if rows > k:
        cols[:, k] = 1.0  # its product with the output's gradient is the bias's gradient
    total = np.zeros((threads, rows, o), dtype)  # the weight's gradient transposed, the bias's
    direct = images == 1 and grad.is_contiguous()
    gathered = np.empty((threads, o, 0 if direct else width), dtype)
    spread = np.empty((threads, k if grad_x is not None else 0, width), dtype)
    strides, shape = np.array(x.strides, np.int64), _windows(x, weight.shape[2:], stride, padding)
    pads = _pads(x, padding, threads, 2, dtype)
    if bound is not None:
        plan = (n, o, rows, images, *shape, grad_w is not None, grad_x is not None, direct)
        _POOL_BACKWARD(bound, x.storage, strides, weight.reshape(o, k), grad.storage,
                       np.array(grad.strides, np.int64), _flat(grad_x, dtype), total, cols,
                       gathered, spread, pads, np.array(plan, np.int64))  # fmt: skip
    else:
        _backward_here(x, weight, as_array(grad), strides, shape, grad_x, total[0], cols[0],
                       gathered[0], spread[0], pads[0], direct)  # fmt: skip
    if rows:
        summed = total.sum(axis=0) if threads > 1 else total[0]
        grad_w.reshape(o, k)[...] = summed[:k].T
        if rows > k:
            grad_b[...] = summed[k]


def _pads(x: TensorData, padding: Pair, threads: int, kinds: int, dtype: np.dtype) -> np.ndarray:
    """Zeroed (threads, kinds, C*(H + 2ph)*(W + 2pw)) buffers for the padded images."""
    _, c, h, w = x.shape
    return np.zeros((threads, kinds, c * (h + 2 * padding[0]) * (w + 2 * padding[1])), dtype)


def _flat(grad_x: np.ndarray | None, dtype: np.dtype) -> np.ndarray:
    """``grad_x`` flat, or an empty stand-in where the input's gradient is not wanted."""
    return np.empty(0, dtype) if grad_x is None else grad_x.reshape(-1)


def _backward_here(
    x, weight, grad, strides, shape, grad_x, total, cols, gathered, spread, pads, direct
):
    """``backward`` on this thread, numpy's matmul on the BLAS's own threads."""
    n, o, oh, ow = grad.shape
    k, length = weight[0].size, oh * ow
    g3, images = grad.reshape(n, o, length), cols.shape[1] // length
    part, matrix_t = np.empty_like(total), weight.reshape(o, k).T
    for first in range(0, n, images):
        count = min(images, n - first)
        width = count * length
        g = g3[first]
        if not direct:
            gathered.reshape(o, images, length)[:, :count] = g3[first : first + count].transpose(
                1, 0, 2
            )
            g = gathered[:, :width]
        if cols.shape[0]:
            unfold_chunk(cols, x.storage, strides, first, count, *shape, pads[0])
            np.matmul(cols[:, :width], g.T, out=part if first else total)
            if first:
                total += part
        if grad_x is not None:
            np.matmul(matrix_t, g, out=spread[:, :width])
            fold_chunk(grad_x.reshape(-1), spread, first, count, *shape, pads[1])
