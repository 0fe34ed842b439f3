"""Matmul on numba's threads: numpy's OpenBLAS GEMM (``openblas.bind``), one part per thread.

A product of at least ``PART_MACS`` multiply-adds per part is cut into parts, one per
numba thread: rows of the output, or its columns when it has fewer rows than columns,
and every matrix of a batch as parts of its own. Each part is one single-threaded
``cblas_?gemm`` call on its block. This is as fast as OpenBLAS's own two threads
(measured on the 2-core machine: 784x128 @ 128x256 in 0.36 ms either way, 512^3 in
1.79 ms vs 1.80 ms), and it leaves no second pool spinning beside numba's.

``matmul`` returns False for what it does not take (no bound BLAS, a block BLAS cannot
read, mixed dtypes, an empty dimension, a product too small to split); the caller then
uses numpy's matmul, which is then single-threaded too.
"""

from __future__ import annotations

import functools

import numba.experimental.function_type  # noqa: F401  (registers the function-pointer type)
import numpy as np
from numba import get_num_threads, prange, types
from numba import njit as numba_njit

from ..tensor_data import TensorData, broadcast_strides
from .openblas import NO_TRANS, ROW_MAJOR, TRANS, bind

njit = functools.partial(numba_njit, error_model="numpy")
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


@njit(cache=True, parallel=True)
def pool_gemm(gemm, one, zero, a, a_base, b, b_base, out, plan, parts):
    """out[i] = a[i] @ b[i] for each matrix i of a batch, each cut into ``parts`` blocks.

    ``a_base``/``b_base``: each matrix's first element. ``plan``: (m, n, k, by_rows), then
    for a and for b: transposed, leading dimension, and the step to the next row of a
    row block (a) or column of a column block (b).
    """
    m, n, k, by_rows = plan[0], plan[1], plan[2], plan[3]
    a_trans, lda, a_step = plan[4], plan[5], plan[6]
    b_trans, ldb, b_step = plan[7], plan[8], plan[9]
    size = np.uint64(out.itemsize)
    whole = m if by_rows else n
    a_ptr, b_ptr, o_ptr = a.ctypes.data, b.ctypes.data, out.ctypes.data
    for item in prange(a_base.size * parts):
        i, p = item // parts, item % parts
        lo, hi = p * whole // parts, (p + 1) * whole // parts
        a_at, b_at, o_at = a_base[i], b_base[i], i * m * n
        rows, cols = m, n
        if by_rows:
            a_at += lo * a_step
            o_at += lo * n
            rows = hi - lo
        else:
            b_at += lo * b_step
            o_at += lo
            cols = hi - lo
        gemm(
            np.int32(ROW_MAJOR),
            np.int32(TRANS if a_trans else NO_TRANS),
            np.int32(TRANS if b_trans else NO_TRANS),
            rows,
            cols,
            k,
            one,
            a_ptr + np.uint64(a_at) * size,
            lda,
            b_ptr + np.uint64(b_at) * size,
            ldb,
            zero,
            o_ptr + np.uint64(o_at) * size,
            n,
        )


def _layout(data: TensorData, by_rows: bool) -> tuple[int, int, int] | None:
    """(transposed, leading dimension, step) of ``data``'s matrices for cblas, or None.

    The step moves a block on by one row (``by_rows``, for the left factor) or by one
    column (for the right).
    """
    rows, cols = data.shape[-2:]
    row_stride, col_stride = data.strides[-2:]
    if col_stride == 1 and (row_stride >= cols or rows == 1):
        return 0, max(row_stride, cols, 1), row_stride if by_rows else 1
    if row_stride == 1 and (col_stride >= rows or cols == 1):
        return 1, max(col_stride, rows, 1), 1 if by_rows else col_stride
    return None


class _Bound:
    """One dtype's GEMM, its 1 and 0, and ``pool_gemm`` compiled for it, called without
    numba's per-call type dispatch (which costs ~7 us for a function-pointer argument)."""

    def __init__(self, address: int, real, dtype) -> None:
        self.gemm = _Gemm(address, real)
        self.one, self.zero = dtype(1.0), dtype(0.0)
        self.speed = 8 // np.dtype(dtype).itemsize  # float32's GEMM is twice as fast
        self._entry = None

    def __call__(self, *args) -> None:
        if self._entry is None:
            pool_gemm(self.gemm, self.one, self.zero, *args)
            types_ = tuple(pool_gemm.typeof_pyval(v) for v in (self.gemm, self.one, self.zero, *args))
            self._entry = pool_gemm.overloads[types_].entry_point
            return
        self._entry(self.gemm, self.one, self.zero, *args)


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
    threads = get_num_threads()
    m, k = a.shape[-2:]
    n = b.shape[-1]
    dtype = out.storage.dtype
    if threads < 2 or min(m, n, k) == 0 or not out.is_contiguous():
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
    parts = 1 if count >= threads else max(1, min(threads, macs // part, max(m, n)))
    by_rows = m >= n
    a_layout, b_layout = _layout(a, by_rows), _layout(b, by_rows)
    if a_layout is None or b_layout is None:
        return False
    plan = np.array((m, n, k, int(by_rows), *a_layout, *b_layout), np.int64)
    a_base = _bases(a, batch) if batch else _ONE_MATRIX
    b_base = _bases(b, batch) if batch else _ONE_MATRIX
    bound(a.storage, a_base, b.storage, b_base, out.storage, plan, parts)
    return True


def _bases(data: TensorData, batch: tuple[int, ...]) -> np.ndarray:
    """The storage position of the first element of each matrix of ``batch`` (broadcast)."""
    strides = broadcast_strides(data.shape[:-2], data.strides[:-2], batch)
    base = np.zeros(1, np.int64)
    for size, stride in zip(batch, strides):
        base = (base[:, None] + np.arange(size, dtype=np.int64) * stride).reshape(-1)
    return base
