"""The cuda backend's matrix products, compiled once per dtype (float32 runs float32).

``launch`` picks one of three kernels for out[z] = a[z] @ b[z] (z the batch ordinal,
on the grid's z axis; any strides, batch strides broadcast):

- short: one thread per output, for a short inner size where tiles would not pay;
- tiled: one TILE x TILE block of outputs per thread block, one output per thread,
  through shared-memory tiles; threadIdx.x runs along the columns so loads coalesce;
- gemm (register blocked): a GEMM_M x GEMM_N block of outputs per thread block, each
  thread keeping a BLOCK x BLOCK block of outputs in registers; per step of GEMM_K along
  the inner size the block loads a tile of a and of b into shared memory, walking each
  tile along whichever index is contiguous in memory (so transposed inputs coalesce
  too), and every value read from shared memory serves BLOCK products. For products of
  at least GEMM_MIN outputs.

The simulator runs each thread as a Python thread, so it gets small tiles: the tests
cover edges, batches and transposes with tiny shapes.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import config, cuda

SIMULATED = bool(config.ENABLE_CUDASIM)
TILE = 4 if SIMULATED else 16
SHORT_INNER = 32  # matmuls with an inner size up to this skip the tiles
SHORT_THREADS = 8 if SIMULATED else 256
BLOCK = 2 if SIMULATED else 4  # outputs per thread along each side, kept in registers
GEMM_THREADS = 2 if SIMULATED else 16  # threads per block along each side
GEMM_M = GEMM_N = GEMM_THREADS * BLOCK  # outputs per thread block along each side
GEMM_K = 4 if SIMULATED else 16  # inner size per shared-memory tile
GEMM_MIN = (2 if SIMULATED else 64) * GEMM_M * GEMM_N  # outputs from which gemm is used


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
    """The three matmul kernels for storage of ``dtype``: (short, tiled, gemm)."""
    real = np.dtype(dtype).type  # accumulators, tiles and registers are of this type
    zero = real(0.0)

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
            tile_a[ty, tx] = a[pa + i * a_row + k * a_col] if i < n and k < m else zero
            k = start + ty
            tile_b[ty, tx] = b[pb + k * b_row + j * b_col] if k < m and j < p else zero
            cuda.syncthreads()
            for kk in range(TILE):
                acc += tile_a[ty, kk] * tile_b[kk, tx]
            cuda.syncthreads()
        if i < n and j < p:
            out[po + i * out_strides[dims - 2] + j * out_strides[dims - 1]] = acc

    @cuda.jit
    def gemm(out, out_strides, a, a_strides, b, b_strides, batch, n, m, p):
        # tile_a[k, r] = a[row0 + r, start + k]; tile_b[k, c] = b[start + k, col0 + c].
        tile_a = cuda.shared.array((GEMM_K, GEMM_M), real)
        tile_b = cuda.shared.array((GEMM_K, GEMM_N), real)
        acc = cuda.local.array((BLOCK, BLOCK), real)
        a_regs = cuda.local.array(BLOCK, real)
        b_regs = cuda.local.array(BLOCK, real)
        tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
        thread, threads = ty * GEMM_THREADS + tx, GEMM_THREADS * GEMM_THREADS
        row0, col0 = cuda.blockIdx.y * GEMM_M, cuda.blockIdx.x * GEMM_N
        po, pa, pb = _batch_offsets(cuda.blockIdx.z, batch, out_strides, a_strides, b_strides)
        dims = out_strides.size
        a_row, a_col = a_strides[dims - 2], a_strides[dims - 1]
        b_row, b_col = b_strides[dims - 2], b_strides[dims - 1]
        a_rows_fast, b_inner_fast = a_row == 1 and a_col != 1, b_row == 1 and b_col != 1
        for r in range(BLOCK):
            for c in range(BLOCK):
                acc[r, c] = 0.0
        for start in range(0, m, GEMM_K):
            for e in range(thread, GEMM_K * GEMM_M, threads):
                if a_rows_fast:  # a transposed: its rows are next to each other
                    k, r = e // GEMM_M, e % GEMM_M
                else:
                    k, r = e % GEMM_K, e // GEMM_K
                i, kk = row0 + r, start + k
                tile_a[k, r] = a[pa + i * a_row + kk * a_col] if i < n and kk < m else zero
            for e in range(thread, GEMM_K * GEMM_N, threads):
                if b_inner_fast:  # b transposed: its inner index runs along memory
                    k, c = e % GEMM_K, e // GEMM_K
                else:
                    k, c = e // GEMM_N, e % GEMM_N
                kk, j = start + k, col0 + c
                tile_b[k, c] = b[pb + kk * b_row + j * b_col] if kk < m and j < p else zero
            cuda.syncthreads()
            for k in range(GEMM_K):
                for r in range(BLOCK):  # rows ty, ty + GEMM_THREADS, ...: no bank conflicts
                    a_regs[r] = tile_a[k, ty + r * GEMM_THREADS]
                for c in range(BLOCK):
                    b_regs[c] = tile_b[k, tx + c * GEMM_THREADS]
                for r in range(BLOCK):
                    for c in range(BLOCK):
                        acc[r, c] += a_regs[r] * b_regs[c]
            cuda.syncthreads()
        out_row, out_col = out_strides[dims - 2], out_strides[dims - 1]
        for r in range(BLOCK):
            i = row0 + ty + r * GEMM_THREADS
            for c in range(BLOCK):
                j = col0 + tx + c * GEMM_THREADS
                if i < n and j < p:
                    out[po + i * out_row + j * out_col] = acc[r, c]

    return short, tiled, gemm


def path(n: int, m: int, p: int) -> str:
    """Which kernel a product (..., n, m) @ (..., m, p) runs: "short", "tiled" or "gemm"."""
    if m <= SHORT_INNER:
        return "short"
    return "gemm" if n * p >= GEMM_MIN else "tiled"


def launch(args: tuple, dtype: np.dtype, count: int, n: int, m: int, p: int) -> None:
    """Run the product ``args`` describes (out, out strides, a, a strides, b, b strides,
    batch, n, m, p, the strides and batch as device arrays) with the kernel that fits."""
    short, tiled, gemm = kernels(np.dtype(dtype))
    chosen = path(n, m, p)
    if chosen == "short":
        size = count * n * p
        short[(size + SHORT_THREADS - 1) // SHORT_THREADS, SHORT_THREADS](*args)
    elif chosen == "gemm":
        grid = ((p + GEMM_N - 1) // GEMM_N, (n + GEMM_M - 1) // GEMM_M, count)
        gemm[grid, (GEMM_THREADS, GEMM_THREADS)](*args)
    else:
        grid = ((p + TILE - 1) // TILE, (n + TILE - 1) // TILE, count)
        tiled[grid, (TILE, TILE)](*args)
