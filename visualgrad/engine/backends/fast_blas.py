"""Matmul on numba's threads: numpy's OpenBLAS GEMM (``openblas.bind``), one part per thread.

A product of at least ``PART_MACS`` multiply-adds per part is cut into parts, one per
numba thread, each one single-threaded ``cblas_?gemm`` call on its block; every matrix of
a batch is a part of its own. A single product is cut along whichever dimension copies
least: each part packs its own panels of both factors, so cutting the output's rows packs
the right factor (k x n) once more per part, its columns the left one (m x k), and the
shared dimension k costs the m x n partial products to add up instead. Measured on the
2-core machine, float64, against OpenBLAS's own two threads: x (128, 784) @ W^T (784,
256) 0.50 ms cut by columns, 0.42 ms by OpenBLAS, 0.41 ms cut along k; 256x100 @ 100x100
53 us by rows (83 us on one thread); 512^3 1.79 ms vs 1.80 ms. And it leaves no second
pool spinning beside numba's.

``matmul`` returns False for what it does not take (no bound BLAS, a block BLAS cannot
read, mixed dtypes, an empty dimension, a product too small to split); the caller then
uses numpy's matmul, which is then single-threaded too.
"""

from __future__ import annotations

import numba.experimental.function_type  # noqa: F401  (registers the function-pointer type)
import numpy as np
from numba import get_num_threads, prange, types

from ..tensor_data import TensorData, broadcast_strides
from .fast_common import njit
from .openblas import NO_TRANS, ROW_MAJOR, TRANS, bind

PART_MACS = 1 << 19  # ~20 us of one core's float64 GEMM; a parallel region costs ~8 us


class _Gemm(types.WrapperAddressProtocol):
    """A bound ``cblas_?gemm`` that numba calls by address (the address is an argument,
    not a constant, so the kernel stays in numba's disk cache across processes)."""

    def __init__(self, address: int, real) -> None:
        self._address = address
        i4, i8, u8 = types.int32, types.int64, types.uintp
        self._signature = types.void(i4, i4, i4, i8, i8, i8, real, u8, i8, u8, i8, real, u8, i8)

    def __wrapper_address__(self) -> int:
        return self._address

    def signature(self):
        return self._signature


ROWS, COLUMNS, DEPTH = 0, 1, 2  # how a product is cut


@njit(cache=True, parallel=True)
def pool_gemm(gemm, one, zero, a, a_base, b, b_base, out, partial, plan, parts):
    """out[i] = a[i] @ b[i] for each matrix i of a batch, each cut into ``parts`` blocks.

    ``a_base``/``b_base``: each matrix's first element. ``plan``: m, n, k, how it is cut
    (``ROWS``, ``COLUMNS`` or ``DEPTH``), then whether a and b are transposed and their
    leading dimensions. Cut along ``DEPTH`` (one matrix only), part p > 0 writes into
    ``partial[p - 1]`` (m * n each), added into ``out`` at the end.
    """
    m, n, k, cut = plan[0], plan[1], plan[2], plan[3]
    a_trans, lda, b_trans, ldb = plan[4], plan[5], plan[6], plan[7]
    size = np.uint64(out.itemsize)
    a_row, a_col = (1, lda) if a_trans else (lda, 1)  # element steps, whichever the layout
    b_row, b_col = (1, ldb) if b_trans else (ldb, 1)
    whole = m if cut == ROWS else n if cut == COLUMNS else k
    a_ptr, b_ptr, o_ptr, t_ptr = a.ctypes.data, b.ctypes.data, out.ctypes.data, partial.ctypes.data
    for item in prange(a_base.size * parts):
        i, p = item // parts, item % parts
        lo, hi = p * whole // parts, (p + 1) * whole // parts
        a_at, b_at = a_base[i], b_base[i]
        target, o_at = o_ptr, i * m * n
        rows, cols, depth = m, n, k
        if cut == ROWS:
            a_at += lo * a_row
            o_at += lo * n
            rows = hi - lo
        elif cut == COLUMNS:
            b_at += lo * b_col
            o_at += lo
            cols = hi - lo
        else:
            a_at += lo * a_col
            b_at += lo * b_row
            depth = hi - lo
            if p > 0:
                target, o_at = t_ptr, (p - 1) * m * n
        gemm(
            np.int32(ROW_MAJOR),
            np.int32(TRANS if a_trans else NO_TRANS),
            np.int32(TRANS if b_trans else NO_TRANS),
            rows,
            cols,
            depth,
            one,
            a_ptr + np.uint64(a_at) * size,
            lda,
            b_ptr + np.uint64(b_at) * size,
            ldb,
            zero,
            target + np.uint64(o_at) * size,
            n,
        )
    if cut == DEPTH and parts > 1:
        total = m * n
        for c in prange(parts):  # the partial products, added by slices of out
            lo, hi = c * total // parts, (c + 1) * total // parts
            for q in range(parts - 1):
                for j in range(lo, hi):
                    out[j] += partial[q * total + j]


def blas_layout(data: TensorData) -> tuple[int, int] | None:
    """(transposed, leading dimension) of ``data``'s matrices for cblas: row- or column-major
    blocks; None for any other strides."""
    rows, cols = data.shape[-2:]
    row_stride, col_stride = data.strides[-2:]
    if col_stride == 1 and (row_stride >= cols or rows == 1):
        return 0, max(row_stride, cols, 1)
    if row_stride == 1 and (col_stride >= rows or cols == 1):
        return 1, max(col_stride, rows, 1)
    return None


def _cut(m: int, n: int, k: int, parts: int) -> int:
    """The cut of one m x k @ k x n product into ``parts`` that copies least (see the module)."""
    extra = {ROWS: k * n, COLUMNS: m * k}
    if k >= 64 * parts:  # thinner slices of k would slow the GEMM's inner kernel
        extra[DEPTH] = 3 * m * n  # each partial written, read back and added
    return min(extra, key=extra.__getitem__)


class _Bound:
    """One dtype's GEMM and its 1 and 0, the first three arguments of the kernels that call it."""

    def __init__(self, address: int, real, dtype) -> None:
        self.gemm = _Gemm(address, real)
        self.one, self.zero = dtype(1.0), dtype(0.0)
        self.speed = 8 // np.dtype(dtype).itemsize  # float32's GEMM is twice as fast


class EntryPoint:
    """A kernel that takes a bound GEMM first, called through its compiled entry point once it
    has been compiled for these arguments: numba's per-call type dispatch of a
    function-pointer argument costs ~7 us. Entries are kept by GEMM and by each array's
    dtype, dimensions and layout (any other argument by its type), of every argument or
    only of those at the positions ``varying`` names (the rest are always of one kind)."""

    def __init__(self, kernel, varying: tuple[int, ...] | None = None) -> None:
        self._kernel, self._entries, self._varying = kernel, {}, varying

    def __call__(self, bound: _Bound, *args) -> None:
        full = (bound.gemm, bound.one, bound.zero, *args)
        chosen = args if self._varying is None else [args[i] for i in self._varying]
        key = (bound, *map(_kind, chosen))
        entry = self._entries.get(key)
        if entry is not None:
            entry(*full)
            return
        self._kernel(*full)
        types_ = tuple(self._kernel.typeof_pyval(v) for v in full)
        self._entries[key] = self._kernel.overloads[types_].entry_point


def _kind(value) -> object:
    """What numba types ``value`` by, for ``EntryPoint``'s key."""
    if isinstance(value, np.ndarray):
        flags = value.flags
        return value.dtype, value.ndim, flags.c_contiguous, flags.writeable
    return type(value)


_POOL_GEMM = EntryPoint(pool_gemm, varying=(0, 2))  # the factors' storages; the rest are new
_bound: dict[np.dtype, _Bound] = {}
_ONE_MATRIX = np.zeros(1, np.int64)


def _bound_for(dtype: np.dtype) -> _Bound | None:
    if not _bound:
        blas = bind()
        if blas is None:
            return None
        _bound[np.dtype(np.float64)] = _Bound(blas.dgemm, types.float64, np.float64)
        _bound[np.dtype(np.float32)] = _Bound(blas.sgemm, types.float32, np.float32)
    return _bound.get(dtype)


def matmul(a: TensorData, b: TensorData, out: TensorData) -> bool:
    """``out = a @ b`` on numba's threads, if this product is one to split; see the module."""
    m, k = a.shape[-2:]
    n = b.shape[-1]
    if out.size * k < 2 * PART_MACS:  # every product's multiply-adds: too few, the common case
        return False
    threads = get_num_threads()
    dtype = out.storage.dtype
    if threads < 2 or not out.is_contiguous():
        return False
    if a.storage.dtype != dtype or b.storage.dtype != dtype:
        return False
    bound = _bound_for(dtype)
    if bound is None:
        return False
    batch = out.shape[:-2]
    count = int(np.prod(batch)) if batch else 1
    macs, part = m * n * k, PART_MACS * bound.speed
    if count * macs < 2 * part:
        return False
    parts = 1 if count >= threads else max(1, min(threads, macs // part, max(m, n, k)))
    cut = ROWS if count > 1 else _cut(m, n, k, parts)
    if cut != DEPTH and parts > (m if cut == ROWS else n):
        parts = m if cut == ROWS else n
    a_layout, b_layout = blas_layout(a), blas_layout(b)
    if a_layout is None or b_layout is None:
        return False
    plan = np.array((m, n, k, cut, *a_layout, *b_layout), np.int64)
    a_base = _bases(a, batch) if batch else _ONE_MATRIX
    b_base = _bases(b, batch) if batch else _ONE_MATRIX
    partial = np.empty((parts - 1) * m * n if cut == DEPTH else 0, dtype)
    _POOL_GEMM(bound, a.storage, a_base, b.storage, b_base, out.storage, partial, plan, parts)
    return True


def _bases(data: TensorData, batch: tuple[int, ...]) -> np.ndarray:
    """The storage position of the first element of each matrix of ``batch`` (broadcast)."""
    strides = broadcast_strides(data.shape[:-2], data.strides[:-2], batch)
    base = np.zeros(1, np.int64)
    for size, stride in zip(batch, strides):
        base = (base[:, None] + np.arange(size, dtype=np.int64) * stride).reshape(-1)
    return base
