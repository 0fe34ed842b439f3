"""The cuda backend's matrix products, compiled once per dtype (float32 runs float32).

``launch`` picks one of two kernels for out[z] = a[z] @ b[z] (z the batch ordinal,
on the grid's z axis; any strides, batch strides broadcast):

- short: one thread per output, for a short inner size where tiles would not pay;
- tiled: one TILE x TILE block of outputs per thread block, one output per thread,
  through shared-memory tiles; threadIdx.x runs along the columns so loads coalesce.

The simulator runs each thread as a Python thread, so it gets small tiles.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import config, cuda

SIMULATED = bool(config.ENABLE_CUDASIM)
TILE = 4 if SIMULATED else 16
SHORT_INNER = 32  # matmuls with an inner size up to this skip the tiles
SHORT_THREADS = 8 if SIMULATED else 256


@cuda.jit(device=True)
def batch_size(batch):
    count = 1
    for d in range(batch.size):
        count *= batch[d]
    return count


@cuda.jit(device=True)
def _batch_offsets(ordinal, batch, out_strides, a_strides, b_strides):
    """Where batch matrix number ``ordinal`` starts in out, a and b (batch strides broadcast)."""
    po, pa, pb, rest = 0, 0, 0, ordinal
    for d in range(batch.size - 1, -1, -1):
        k = rest % batch[d]
        rest //= batch[d]
        po += k * out_strides[d]
        pa += k * a_strides[d]
        pb += k * b_strides[d]
    return po, pa, pb


@functools.cache
def kernels(dtype: np.dtype):
    """The matmul kernels for storage of ``dtype``: (short, tiled)."""
    real = np.dtype(dtype).type  # accumulators, tiles and registers are of this type

    @cuda.jit
    def short(out, out_strides, a, a_strides, b, b_strides, batch, n, m, p):
        idx = cuda.grid(1)
        if idx < batch_size(batch) * n * p:
            j, i, rest = idx % p, (idx // p) % n, idx // (n * p)
            po, pa, pb = _batch_offsets(rest, batch, out_strides, a_strides, b_strides)
            dims = out_strides.size
            pa += i * a_strides[dims - 2]
            pb += j * b_strides[dims - 1]
            acc = real(0.0)
            for k in range(m):
                acc += a[pa + k * a_strides[dims - 1]] * b[pb + k * b_strides[dims - 2]]
            out[po + i * out_strides[dims - 2] + j * out_strides[dims - 1]] = acc

    @cuda.jit
    def tiled(out, out_strides, a, a_strides, b, b_strides, batch, n, m, p):
        tile_a = cuda.shared.array((TILE, TILE), real)
        tile_b = cuda.shared.array((TILE, TILE), real)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        j = cuda.blockIdx.x * TILE + tx
        i = cuda.blockIdx.y * TILE + ty
        po, pa, pb = _batch_offsets(cuda.blockIdx.z, batch, out_strides, a_strides, b_strides)
        dims = out_strides.size
        a_row, a_col = a_strides[dims - 2], a_strides[dims - 1]
        b_row, b_col = b_strides[dims - 2], b_strides[dims - 1]
        acc = real(0.0)
        for start in range(0, m, TILE):
            k = start + tx
            tile_a[ty, tx] = a[pa + i * a_row + k * a_col] if i < n and k < m else 0.0
            k = start + ty
            tile_b[ty, tx] = b[pb + k * b_row + j * b_col] if k < m and j < p else 0.0
            cuda.syncthreads()
            for kk in range(TILE):
                acc += tile_a[ty, kk] * tile_b[kk, tx]
            cuda.syncthreads()
        if i < n and j < p:
            out[po + i * out_strides[dims - 2] + j * out_strides[dims - 1]] = acc

    return short, tiled


def launch(args: tuple, dtype: np.dtype, count: int, n: int, m: int, p: int) -> None:
    """Run the product ``args`` describes (out, out strides, a, a strides, b, b strides,
    batch, n, m, p, the strides and batch as device arrays) with the kernel that fits."""
    short, tiled = kernels(np.dtype(dtype))
    if m <= SHORT_INNER:
        size = count * n * p
        short[(size + SHORT_THREADS - 1) // SHORT_THREADS, SHORT_THREADS](*args)
    else:
        grid = ((p + TILE - 1) // TILE, (n + TILE - 1) // TILE, count)
        tiled[grid, (TILE, TILE)](*args)
