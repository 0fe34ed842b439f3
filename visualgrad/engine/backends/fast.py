"""The fast backend: numba kernels on the CPU, the default.

Same contract as ``base.Backend``. Each kernel is a module-level function
compiled with ``cache=True`` on first use (never at import), so a later process
loads it from disk. The scalar function of an op is chosen by an integer code
inside the kernel: one compiled kernel serves every op and hits the cache.

Layout: a kernel runs serially below ``PARALLEL_MIN`` elements (starting
threads would cost more than it saves) and with ``prange`` above, on as many
threads as ``NUMBA_NUM_THREADS`` allows (every core where numpy's OpenBLAS could be
bound, else one: ``configure_numba``). Map and zip
take a flat path when every input is either shaped like ``out`` and contiguous
or a single element, and otherwise walk ``out`` row by row (the last
dimension), doing the index arithmetic once per row. Matmul of blocks that
BLAS can read goes to the BLAS GEMM, as torch does: a large one in parts on numba's
threads (``fast_blas``), a small one to numpy's matmul; other strides go
to a numba kernel, and reductions to numpy's ufuncs (the sum of a whole large tensor to
numba's threads). conv2d unfolds a chunk of images at a time into a buffer that stays in
cache, one GEMM each (``fast_conv``); max pooling reads its windows straight from the
input (``fast_windows``, with im2col and col2im); SGD and Adam are ``fast_optim``'s. Ops that
are one numpy ufunc (exp, log, tanh...) run as that ufunc on big tensors (exp, log,
tanh and sigmoid from a few hundred elements: ``TRANSCENDENTAL_MIN``): its SIMD exp is
several times faster than the scalar one numba calls; the ops with a loop of their own
(add, mul, ReLU and the activations' gradients) stay on the kernels, which match or beat
numpy's there. Softmax, log-softmax and
cross-entropy's gradient are row kernels with an exp of their own (``fast_rows``).
"""

from __future__ import annotations

import functools
import math
import operator
import threading

import numpy as np
from numba import prange, uint64

from ..tensor_data import FLOAT64, TensorData, broadcast_strides, kernel_layout, windows_out
from . import fast_conv
from .base import Pair
from .fast_blas import PART_MACS, blas_layout
from .fast_blas import matmul as split_matmul
from .fast_common import PARALLEL_MIN, U0, U1, njit
from .fast_common import as_array as _as_array
from .fast_elementwise import (
    ADD,
    HOT_MAPS,
    HOT_ZIPS,
    MAP_CODES,
    MAX,
    ZIP_CODES,
    fast_map_flat,
    fast_map_strided,
    fast_zip_flat,
    fast_zip_strided,
    fold_middle,
    zip_columns,
    zip_tiled,
)
from .fast_optim import fast_adam, fast_sgd
from .fast_rows import (
    cross_entropy_back_rows,
    nll_rows,
    softmax_back_rows,
    softmax_rows,
    whole_in_range,
)
from .fast_windows import (
    fast_fold,
    fast_max_pool,
    fast_max_pool_back,
    fast_unfold,
    fast_window_max,
    window_max_scatter,
)
from .simple import NumpyStorage

SUM_CHUNK = 4096


@njit(cache=True)
def outer_product(out, a, a_step, b, b_step, m, n):
    """out (m, n, contiguous) = a (m, 1) @ b (1, n), a's column and b's row ``a_step`` and
    ``b_step`` apart: each element one product, as BLAS gives it."""
    m, n, a_step, b_step = uint64(m), uint64(n), uint64(a_step), uint64(b_step)
    for i in range(m):
        x, base = a[i * a_step], i * n
        if b_step == U1:
            for j in range(n):
                out[base + j] = x * b[j]
        else:
            for j in range(n):
                out[base + j] = x * b[j * b_step]


@njit(cache=True, parallel=True)
def fast_matmul_strided(out, out_shape, out_strides, a, a_strides, b, b_strides, m):
    """out[..., i, j] = sum_k a[..., i, k] * b[..., k, j] for any strides.

    Batch strides are already broadcast to out's batch shape; ``m`` is the inner size.
    """
    dims = out_shape.size
    n, p = out_shape[dims - 2], out_shape[dims - 1]
    rows = U1
    for d in range(dims - 1):
        rows *= out_shape[d]
    for row in prange(rows):
        i, rest = uint64(row) % n, uint64(row) // n
        o, pa, pb = U0, U0, U0
        for d in range(dims - 3, -1, -1):
            k = rest % out_shape[d]
            rest //= out_shape[d]
            o += k * out_strides[d]
            pa += k * a_strides[d]
            pb += k * b_strides[d]
        o += i * out_strides[dims - 2]
        pa += i * a_strides[dims - 2]
        for j in range(p):
            acc = 0.0
            for k in range(m):
                acc += (
                    a[pa + k * a_strides[dims - 1]]
                    * b[pb + k * b_strides[dims - 2] + j * b_strides[dims - 1]]
                )
            out[o + j * out_strides[dims - 1]] = acc


@njit(cache=True)
def _scatter_rows(grad, index, out):
    """out[index[i]] += grad[i] for (rows, D) grad into zeroed (V, D) out; serial, so a row
    picked twice adds both."""
    for i in range(index.size):
        row = np.int64(index[i])
        for j in range(grad.shape[1]):
            out[row, j] += grad[i, j]


@njit(cache=True, fastmath={"reassoc", "contract"})
def _span_sum(a, lo, hi):
    total = a.dtype.type(0)  # reassociated: vector lanes (NaN and inf still propagate)
    for i in range(uint64(lo), uint64(hi)):
        total += a[i]
    return total


@njit(cache=True, parallel=True)
def fast_sum(a):
    """The sum of flat ``a``: ``SUM_CHUNK``-element spans summed in vector lanes on numba's
    threads, their totals added in float64 (closer than numpy's pairwise float32 sum)."""
    n = a.size
    chunks = (n + SUM_CHUNK - 1) // SUM_CHUNK
    partial = np.empty(chunks, np.float64)
    for c in prange(chunks):
        partial[c] = _span_sum(a, c * SUM_CHUNK, min(n, (c + 1) * SUM_CHUNK))
    total = 0.0
    for c in range(chunks):
        total += partial[c]
    return total


def _ints(values) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def _unsigned(values) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


_STEP = {0: np.uint64(0), 1: np.uint64(1)}


def _flat_step(data: TensorData, shape) -> np.uint64 | None:
    """1 if ``data`` is contiguous with ``shape``, 0 if it is one element, else None."""
    if data.size == 1:
        return _STEP[0]
    if data.shape == shape and data.is_contiguous():
        return _STEP[1]
    return None


def _around(shape, dim: int) -> tuple[int, int]:
    """The number of elements before and after dimension ``dim`` of ``shape``."""
    return math.prod(shape[:dim]), math.prod(shape[dim + 1 :])


_COMMUTES = frozenset(("add", "mul"))


def _tiled_zip(op: str, code: int, a: TensorData, b: TensorData, out, a_step, b_step) -> bool:
    """``zip_tiled`` where one input is shaped like contiguous ``out`` and the other is
    a contiguous block of its last dims repeated over the first (a bias over a batch; the
    other way round only for an op whose order does not matter); False where not."""
    if a_step == _STEP[1]:
        width = _row_width(b, out.shape)
        first, second = a, b
    elif b_step == _STEP[1] and op in _COMMUTES:
        width = _row_width(a, out.shape)
        first, second = b, a
    else:
        return False
    if not width:
        return False
    zip_tiled(code, out.storage, first.storage, second.storage, width)
    return True


def _column_zip(code: int, a: TensorData, b: TensorData, out, a_step, b_step) -> bool:
    """``zip_columns`` where one input is shaped like contiguous ``out`` and the other is
    one value a row (out's shape with a last dim of 1, contiguous: a row's maximum, its
    count); False where not. (The strided walk it replaces cost ~7 us of set-up.)"""
    column = out.shape[:-1] + (1,)
    if a_step == _STEP[1] and b.shape == column and b.is_contiguous():
        zip_columns(code, out.storage, a.storage, b.storage, out.shape[-1], True)
    elif b_step == _STEP[1] and a.shape == column and a.is_contiguous():
        zip_columns(code, out.storage, a.storage, b.storage, out.shape[-1], False)
    else:
        return False
    return True


def _row_width(data: TensorData, shape) -> int:
    """The size of ``data`` where it is contiguous and its shape, less leading ones, is the
    last dims of ``shape`` (fewer than all); else 0."""
    dims = data.shape
    lead = 0
    while lead < len(dims) and dims[lead] == 1:
        lead += 1
    kept = len(dims) - lead
    if kept >= len(shape) or dims[lead:] != shape[len(shape) - kept :] or not data.size:
        return 0
    return data.size if data.is_contiguous() else 0


def _shaped(data: TensorData, shape) -> tuple[np.ndarray, np.ndarray]:
    """``kernel_layout`` as the uint64 arrays the kernels take."""
    shape, strides = kernel_layout(data, shape)
    return _unsigned(shape), _unsigned(strides)


def _copy(a: np.ndarray, out: np.ndarray) -> None:
    np.copyto(out, a)


def _relu(a: np.ndarray, out: np.ndarray) -> None:
    np.maximum(a, 0.0, out=out)  # operators.relu; vectorised, where the op-code kernel is not


def _sigmoid(a: np.ndarray, out: np.ndarray) -> None:
    """``operators.sigmoid``, 0.5 * (tanh(0.5 a) + 1), with numpy's SIMD tanh: four passes."""
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    np.add(out, 1.0, out=out)
    np.multiply(out, 0.5, out=out)


# Ops that are one numpy ufunc (or a few, as sigmoid) run as numpy on big tensors: its SIMD
# loops beat the kernels' op ladder, and numpy broadcasts and follows strides itself. Small
# tensors stay on the kernels, whose call costs less, except where the op is exp, log,
# tanh...: numba calls those one element at a time (its SIMD versions need Intel's SVML,
# not installed), and numpy's win from about a hundred elements on (measured on the 2-core
# machine, kernel vs numpy: exp of 64 elements 0.55 vs 0.70 us, of 256 1.4 vs 0.8, of 1024
# 4.8 vs 1.4; sigmoid's four passes pay from about 512).
UFUNC_MIN = 2048
TRANSCENDENTAL_MIN = 128
_MAP_UFUNCS = {  # op: (numpy's form, the size from which it is used)
    "neg": (np.negative, UFUNC_MIN),
    "id": (_copy, UFUNC_MIN),
    "sqrt": (np.sqrt, UFUNC_MIN),
    "abs": (np.absolute, UFUNC_MIN),
    "relu": (_relu, UFUNC_MIN),
    "exp": (np.exp, TRANSCENDENTAL_MIN),
    "log": (np.log, TRANSCENDENTAL_MIN),
    "log1p": (np.log1p, TRANSCENDENTAL_MIN),
    "expm1": (np.expm1, TRANSCENDENTAL_MIN),
    "tanh": (np.tanh, TRANSCENDENTAL_MIN),
    "sigmoid": (_sigmoid, 4 * TRANSCENDENTAL_MIN),
}
_NO_UFUNC = (None, 0)
# One float64 element (always at position 0: a view has no offset) is added or multiplied as
# Python floats, which never raise and round as the kernel does, at less than a kernel
# call's cost (0.39 us -> 0.13 us).
_SCALAR_ZIPS = {"add": operator.add, "mul": operator.mul}
_ZIP_UFUNCS = {"add": np.add, "mul": np.multiply, "pow": np.power, "max": np.maximum}
# Reductions go to numpy's ufuncs: their pairwise, SIMD loops beat a serial fold by ~5x.
_REDUCE_UFUNCS = {"sum": (np.add, 0.0), "max": (np.maximum, -np.inf)}
_REDUCE_CODES = {"sum": ADD, "max": MAX}
_launching = threading.Lock()


def _serialised(method):
    """One kernel at a time: numba's fallback threading layer (workqueue) aborts the
    process when two threads launch parallel kernels at once, as the window's
    training thread and its main thread could."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        with _launching:
            return method(*args, **kwargs)

    return wrapper


def _launch(n: int, kernel, *args) -> None:
    """``kernel(*args)`` over ``n`` output elements: under ``_serialised``'s lock only from
    ``PARALLEL_MIN`` on, where it runs in parallel (below, it runs serially and needs none)."""
    if n < PARALLEL_MIN:
        kernel(*args)
        return
    with _launching:
        kernel(*args)


class FastBackend(NumpyStorage):
    name = "fast"

    def to_numpy(self, data: TensorData) -> np.ndarray:
        return _as_array(data).copy()

    def map(self, op: str, a: TensorData, out: TensorData) -> None:
        n = out.size
        ufunc, smallest = _MAP_UFUNCS.get(op, _NO_UFUNC)
        same = a.storage.dtype is out.storage.dtype
        step = _flat_step(a, out.shape) if same and out.is_contiguous() else None
        if ufunc is not None and n >= smallest and not (op in HOT_MAPS and step is not None):
            step = None
        if step is None and ufunc is not None and (not same or n >= smallest):
            with np.errstate(all="ignore"):
                ufunc(_as_array(a), out=_as_array(out))
            return
        code = MAP_CODES[op]
        if step is not None:
            if n < PARALLEL_MIN:  # serial: no lock (an input never outsizes out)
                fast_map_flat(code, out.storage, a.storage, step)
            else:
                with _launching:
                    fast_map_flat(code, out.storage, a.storage, step)
            return
        if ufunc is not None and n < PARALLEL_MIN:  # strided: numpy's call costs less than
            with np.errstate(all="ignore"):  # the row walk's set-up (~1 us against ~12)
                ufunc(_as_array(a), out=_as_array(out))
            return
        shape, a_strides = _shaped(a, out.shape)
        _launch(
            n,
            fast_map_strided,
            code,
            out.storage,
            shape,
            _shaped(out, out.shape)[1],
            a.storage,
            a_strides,
        )

    def zip(self, op: str, a: TensorData, b: TensorData, out: TensorData) -> None:
        n = out.size
        if n == 1 and out.storage.dtype is FLOAT64 and op in _SCALAR_ZIPS:
            out.storage[0] = _SCALAR_ZIPS[op](a.storage.item(0), b.storage.item(0))
            return
        ufunc, code, hot = _ZIP_UFUNCS.get(op), ZIP_CODES[op], op in HOT_ZIPS
        if out.is_contiguous() and (hot or ufunc is None or n < UFUNC_MIN):
            a_step, b_step = _flat_step(a, out.shape), _flat_step(b, out.shape)
            if a_step is not None and b_step is not None:
                if n < PARALLEL_MIN:  # serial: no lock (an input never outsizes out)
                    fast_zip_flat(code, out.storage, a.storage, a_step, b.storage, b_step)
                else:
                    with _launching:
                        fast_zip_flat(code, out.storage, a.storage, a_step, b.storage, b_step)
                return
            if n < PARALLEL_MIN and out.dims:  # a row or a column repeated: kernels of their
                if _tiled_zip(op, code, a, b, out, a_step, b_step):  # own; a column only
                    return  # through the op ladder, which numpy's ufunc beats on big tensors
                small = ufunc is None or n < UFUNC_MIN
                if small and _column_zip(code, a, b, out, a_step, b_step):
                    return
        if ufunc is not None and n >= UFUNC_MIN:
            with np.errstate(all="ignore"):
                ufunc(_as_array(a), _as_array(b), out=_as_array(out))
            return
        if ufunc is not None:  # broadcast or strided and small: numpy's call costs less than
            with np.errstate(all="ignore"):  # the row walk's set-up (a bias add 15 -> 3 us)
                ufunc(_as_array(a), _as_array(b), out=_as_array(out))
            return
        shape, a_strides = _shaped(a, out.shape)
        _launch(
            n,
            fast_zip_strided,
            code,
            out.storage,
            shape,
            _shaped(out, out.shape)[1],
            a.storage,
            a_strides,
            b.storage,
            _shaped(b, out.shape)[1],
        )

    def reduce(self, op: str, a: TensorData, dim: int, out: TensorData) -> None:
        if op == "sum" and a.dims == 1 and a.size >= PARALLEL_MIN and a.is_contiguous():
            with _launching:  # a whole large tensor, on numba's threads: (512, 1000) 95 -> 15 us
                out.storage[0] = fast_sum(a.storage)
            return
        ufunc, start = _REDUCE_UFUNCS[op]
        if dim < a.dims - 1 and a.size < PARALLEL_MIN and a.is_contiguous() and a.size:
            # Along a dim that is not the last (a bias's gradient: the sum over the batch),
            # row after row as numpy adds them, so the sums are the same: (256, 100) of
            # float32 in ~2 us, numpy's reduce 6-8.
            outer, inner = _around(a.shape, dim)
            if inner > 1 and out.is_contiguous():
                out.storage.fill(start)
                fold_middle(_REDUCE_CODES[op], out.storage, a.storage, outer, a.shape[dim], inner)
                return
        ufunc.reduce(_as_array(a), axis=dim, keepdims=True, out=_as_array(out), initial=start)

    @_serialised
    def matmul(self, a: TensorData, b: TensorData, out: TensorData) -> None:
        self._product(a, b, out)

    def linear(
        self, x: TensorData, weight: TensorData, bias: TensorData | None, out: TensorData
    ) -> None:
        rows, features = x.shape
        outputs = out.shape[1]
        small = out.size * features < 2 * PART_MACS and features > 1
        if small and weight.is_contiguous():  # the common case, straight to numpy's GEMM
            w = weight.storage.reshape(weight.shape).T  # (x and out are contiguous)
            np.matmul(x.storage.reshape(x.shape), w, out=out.storage.reshape(out.shape))
        else:
            with _launching:
                self._product(x, weight.permute((1, 0)), out)
        if bias is None:
            return
        if out.size < PARALLEL_MIN and bias.is_contiguous():
            zip_tiled(ADD, out.storage, out.storage, bias.storage, outputs)
        else:
            self.zip("add", out, bias, out)

    def linear_backward(self, x, weight, grad, grad_x, grad_w, grad_b) -> None:
        rows, outputs = grad.shape
        features = x.shape[1]
        small = rows * outputs * features < 2 * PART_MACS and weight.is_contiguous()
        if small and outputs > 1 and rows > 1:  # (grad, x and the gradients are contiguous)
            g = grad.storage.reshape(grad.shape)
            if grad_x is not None:
                w = weight.storage.reshape(weight.shape)
                np.matmul(g, w, out=grad_x.storage.reshape(grad_x.shape))
            if grad_w is not None:
                xs = x.storage.reshape(x.shape)
                np.matmul(g.T, xs, out=grad_w.storage.reshape(grad_w.shape))
        else:
            with _launching:
                if grad_x is not None:
                    self._product(grad, weight, grad_x)
                if grad_w is not None:
                    self._product(grad.permute((1, 0)), x, grad_w)
        if grad_b is not None:
            self.reduce("sum", grad, 0, grad_b.view((1, grad_b.size)))

    def _product(self, a: TensorData, b: TensorData, out: TensorData) -> None:
        """``matmul``, under its lock."""
        if split_matmul(a, b, out):  # a large product, on numba's threads
            return
        if a.shape[-1] == 1 and out.dims == 2 and out.is_contiguous():
            # An outer product (the gradient into a layer of one output): numpy's matmul
            # took 26-39 us for (256, 1) @ (1, 100), this loop 4-5.
            outer_product(out.storage, a.storage, a.strides[0], b.storage, b.strides[1],
                          out.shape[0], out.shape[1])  # fmt: skip
            return
        if blas_layout(a) is not None and blas_layout(b) is not None and out.is_contiguous():
            np.matmul(_as_array(a), _as_array(b), out=out.storage.reshape(out.shape))
            return
        batch = out.shape[:-2]
        a_strides = broadcast_strides(a.shape[:-2], a.strides[:-2], batch) + a.strides[-2:]
        b_strides = broadcast_strides(b.shape[:-2], b.strides[:-2], batch) + b.strides[-2:]
        fast_matmul_strided(
            out.storage,
            _unsigned(out.shape),
            _unsigned(out.strides),
            a.storage,
            _unsigned(a_strides),
            b.storage,
            _unsigned(b_strides),
            np.uint64(a.shape[-1]),
        )

    @_serialised
    def unfold(
        self, a: TensorData, kernel: Pair, stride: Pair, padding: Pair, out: TensorData
    ) -> None:
        oh, ow = windows_out(a.shape[2:], kernel, stride, padding)
        fast_unfold(
            out.storage,
            a.storage,
            _ints(a.shape),
            _ints(a.strides),
            *kernel,
            *stride,
            *padding,
            oh,
            ow,
        )

    @_serialised
    def fold(
        self, cols: TensorData, kernel: Pair, stride: Pair, padding: Pair, out: TensorData
    ) -> None:
        oh, ow = windows_out(out.shape[2:], kernel, stride, padding)
        fast_fold(out.storage, cols.storage, _ints(out.shape), *kernel, *stride, *padding, oh, ow)

    # ---- conv2d (fast_conv): a chunk of images at a time, its columns in cache
    @_serialised
    def conv2d_forward(self, x, weight, bias, stride, padding, out) -> None:
        b = None if bias is None else _as_array(bias)
        fast_conv.forward(x, _as_array(weight), b, stride, padding, _as_array(out))

    @_serialised
    def conv2d_backward(self, x, weight, grad, stride, padding, grad_x, grad_w, grad_b) -> None:
        fast_conv.backward(
            x,
            _as_array(weight),
            grad,
            stride,
            padding,
            *(None if g is None else _as_array(g) for g in (grad_x, grad_w, grad_b)),
        )

    # ---- row kernels (fast_rows): one pass over each row, in cache
    @_serialised
    def softmax(self, a: TensorData, out: TensorData, log: bool) -> None:
        softmax_rows(_as_array(a), _as_array(out), log)

    @_serialised
    def softmax_backward(self, y: TensorData, grad: TensorData, out: TensorData, log: bool) -> None:
        softmax_back_rows(_as_array(y), _as_array(grad), _as_array(out), log)

    def nll(self, logp: TensorData, target: TensorData, out: TensorData) -> None:
        if logp.is_contiguous() and target.is_contiguous():  # one kernel call, not three of
            nll_rows(_as_array(logp), target.storage, out.storage)  # numpy's: 4 -> 1 us
            return
        rows = np.arange(logp.shape[0])
        np.negative(_as_array(logp)[rows, target.storage.astype(np.int64)], out=out.storage)

    @_serialised
    def nll_backward(
        self, grad: TensorData, target: TensorData, out: TensorData, logp: TensorData | None
    ) -> None:
        o, g = _as_array(out), grad.storage
        if logp is not None:
            cross_entropy_back_rows(g, target.storage, _as_array(logp), o)
            return
        o.fill(0.0)
        o[np.arange(o.shape[0]), target.storage.astype(np.int64)] -= g

    def whole_in_range(self, data: TensorData, upper: int) -> bool:
        if not data.is_contiguous():
            return super().whole_in_range(data, upper)
        return bool(whole_in_range(data.storage, upper))

    def embedding(self, weight: TensorData, index: TensorData, out: TensorData) -> None:
        np.take(_as_array(weight), index.storage.astype(np.int64), axis=0, out=_as_array(out))

    def embedding_backward(self, grad: TensorData, index: TensorData, out: TensorData) -> None:
        _scatter_rows(_as_array(grad), index.storage, _as_array(out))

    # ---- max pooling straight from the input: no columns (4x less memory traffic)
    @_serialised
    def max_pool2d(self, a, kernel, stride, out, index) -> None:
        h, w = a.shape[2:]
        oh, ow = out.shape[2:]
        fast_max_pool(a.storage, out.storage, index.storage, h, w, *kernel, *stride, oh, ow)

    @_serialised
    def max_pool2d_backward(self, grad, index, kernel, stride, out) -> None:
        hw, ohw = out.shape[2] * out.shape[3], grad.shape[2] * grad.shape[3]
        fast_max_pool_back(grad.storage, index.storage, out.storage, hw, ohw)

    @_serialised
    def window_max(self, cols: TensorData, out: TensorData, index: TensorData) -> None:
        fast_window_max(_as_array(cols), _as_array(out), _as_array(index))

    @_serialised
    def window_max_backward(self, grad: TensorData, index: TensorData, out: TensorData) -> None:
        window_max_scatter(_as_array(grad), _as_array(index), _as_array(out))

    def sgd_step(self, param, grad, velocity, rule) -> None:
        _launch(param.size, fast_sgd, param.storage, grad.storage, velocity.storage, *rule)

    def adam_step(self, param, grad, m, v, rule) -> None:
        _launch(param.size, fast_adam, param.storage, grad.storage, m.storage, v.storage, *rule)
