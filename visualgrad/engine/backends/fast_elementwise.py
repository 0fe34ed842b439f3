"""The fast backend's elementwise kernels: map (one input) and zip (two) over flat
contiguous tensors or row by row over strided ones.

The scalar function of an op is chosen by an integer code inside the kernel (the codes of
``operators.MAP_OPS`` and ``ZIP_OPS``): one compiled kernel serves every op and hits the
cache. The flat kernels take every input either shaped like ``out`` and contiguous or a
single element; the strided ones walk ``out`` row by row (the last dimension), doing the
index arithmetic once per row. Below ``PARALLEL_MIN`` elements a kernel runs serially,
above it on numba's threads.
"""

from __future__ import annotations

from numba import prange, uint64

from .. import operators
from .fast_common import CHUNK, PARALLEL_MIN, U0, U1, njit
from .fast_common import scalar as _scalar

neg = _scalar(operators.neg)
identity = _scalar(operators.identity)
inv = _scalar(operators.inv)
exp = _scalar(operators.exp)
log = _scalar(operators.log)
relu = _scalar(operators.relu)
sigmoid = _scalar(operators.sigmoid)
tanh = _scalar(operators.tanh)
sqrt = _scalar(operators.sqrt)
abs_ = _scalar(operators.abs_)
sign = _scalar(operators.sign)
add = _scalar(operators.add)
mul = _scalar(operators.mul)
pow_ = _scalar(operators.pow_)
lt = _scalar(operators.lt)
gt = _scalar(operators.gt)
eq = _scalar(operators.eq)
max_ = _scalar(operators.max_)
relu_back = _scalar(operators.relu_back)
log_back = _scalar(operators.log_back)
abs_back = _scalar(operators.abs_back)
inv_back = _scalar(operators.inv_back)
sigmoid_back = _scalar(operators.sigmoid_back)
tanh_back = _scalar(operators.tanh_back)
sqrt_back = _scalar(operators.sqrt_back)
bce = _scalar(operators.bce)
bce_back = _scalar(operators.bce_back)
bce_logits = _scalar(operators.bce_logits)
bce_logits_back = _scalar(operators.bce_logits_back)
log1p = _scalar(operators.log1p)
expm1 = _scalar(operators.expm1)
softplus = _scalar(operators.softplus)
log1p_back = _scalar(operators.log1p_back)
expm1_back = _scalar(operators.expm1_back)
softplus_back = _scalar(operators.softplus_back)

MAP_CODES, ZIP_CODES = operators.MAP_CODES, operators.ZIP_CODES
ADD, MUL = ZIP_CODES["add"], ZIP_CODES["mul"]


# The branches of _apply_map and _apply_zip follow the codes of operators.MAP_OPS and ZIP_OPS.
@njit(cache=True, inline="always")
def _apply_map(code, x):
    if code == 0:
        return neg(x)
    if code == 1:
        return identity(x)
    if code == 2:
        return inv(x)
    if code == 3:
        return exp(x)
    if code == 4:
        return log(x)
    if code == 5:
        return relu(x)
    if code == 6:
        return sigmoid(x)
    if code == 7:
        return tanh(x)
    if code == 8:
        return sqrt(x)
    if code == 9:
        return abs_(x)
    if code == 10:
        return sign(x)
    if code == 11:
        return log1p(x)
    if code == 12:
        return expm1(x)
    return softplus(x)


@njit(cache=True, inline="always")
def _apply_zip(code, x, y):
    if code == 0:
        return add(x, y)
    if code == 1:
        return mul(x, y)
    if code == 2:
        return pow_(x, y)
    if code == 3:
        return lt(x, y)
    if code == 4:
        return gt(x, y)
    if code == 5:
        return eq(x, y)
    if code == 6:
        return max_(x, y)
    if code == 7:
        return relu_back(x, y)
    if code == 8:
        return log_back(x, y)
    if code == 9:
        return abs_back(x, y)
    if code == 10:
        return inv_back(x, y)
    if code == 11:
        return sigmoid_back(x, y)
    if code == 12:
        return tanh_back(x, y)
    if code == 13:
        return sqrt_back(x, y)
    if code == 14:
        return bce(x, y)
    if code == 15:
        return bce_back(x, y)
    if code == 16:
        return bce_logits(x, y)
    if code == 17:
        return bce_logits_back(x, y)
    if code == 18:
        return log1p_back(x, y)
    if code == 19:
        return expm1_back(x, y)
    return softplus_back(x, y)


@njit(cache=True)
def _row_position(row, shape, strides):
    """Storage position of element (row, 0): ``row`` indexes all dims but the last."""
    position, rest = U0, uint64(row)
    for d in range(shape.size - 2, -1, -1):
        position += (rest % shape[d]) * strides[d]
        rest //= shape[d]
    return position


@njit(cache=True)
def _map_span(code, out, a, a_step, start, stop):
    for i in range(uint64(start), uint64(stop)):
        out[i] = _apply_map(code, a[i * a_step])


@njit(cache=True)
def _zip_span(code, out, a, a_step, b, b_step, start, stop):
    for i in range(uint64(start), uint64(stop)):
        out[i] = _apply_zip(code, a[i * a_step], b[i * b_step])


@njit(cache=True, parallel=True)
def fast_map_flat(code, out, a, a_step):
    """out[i] = f(a[i * a_step]) over contiguous ``out``; ``a_step`` is 1 or 0 (one element)."""
    n = out.size
    if n < PARALLEL_MIN:
        _map_span(code, out, a, a_step, 0, n)
    else:
        for c in prange((n + CHUNK - 1) // CHUNK):
            _map_span(code, out, a, a_step, c * CHUNK, min(n, (c + 1) * CHUNK))


@njit(cache=True, parallel=True)
def fast_zip_flat(code, out, a, a_step, b, b_step):
    """out[i] = f(a[i * a_step], b[i * b_step]) over contiguous ``out``; steps are 1 or 0."""
    n = out.size
    if n < PARALLEL_MIN:
        _zip_span(code, out, a, a_step, b, b_step, 0, n)
    else:
        for c in prange((n + CHUNK - 1) // CHUNK):
            _zip_span(code, out, a, a_step, b, b_step, c * CHUNK, min(n, (c + 1) * CHUNK))


@njit(cache=True)
def _map_rows(code, out, shape, out_strides, a, a_strides, start, stop):
    d = shape.size - 1
    last, o_step, a_step = shape[d], out_strides[d], a_strides[d]
    for row in range(start, stop):
        o = _row_position(row, shape, out_strides)
        p = _row_position(row, shape, a_strides)
        if o_step == U1 and a_step == U1:
            for j in range(last):
                out[o + j] = _apply_map(code, a[p + j])
        else:
            for j in range(last):
                out[o + j * o_step] = _apply_map(code, a[p + j * a_step])


@njit(cache=True)
def _zip_contiguous_row(code, out, o, a, p, b, q, b_step, last):
    """One row where out and a are contiguous and b is too (b_step 1) or one value (0).

    add and mul, the ops of every bias and every scaling, get loops of their own:
    with the op chosen outside the loop, the loop vectorizes.
    """
    if code == ADD and b_step == U1:
        for j in range(last):
            out[o + j] = a[p + j] + b[q + j]
    elif code == ADD:
        y = b[q]
        for j in range(last):
            out[o + j] = a[p + j] + y
    elif code == MUL and b_step == U1:
        for j in range(last):
            out[o + j] = a[p + j] * b[q + j]
    elif code == MUL:
        y = b[q]
        for j in range(last):
            out[o + j] = a[p + j] * y
    else:
        for j in range(last):
            out[o + j] = _apply_zip(code, a[p + j], b[q + j * b_step])


@njit(cache=True)
def _zip_rows(code, out, shape, out_strides, a, a_strides, b, b_strides, start, stop):
    d = shape.size - 1
    last, o_step = shape[d], out_strides[d]
    a_step, b_step = a_strides[d], b_strides[d]
    for row in range(start, stop):
        o = _row_position(row, shape, out_strides)
        p = _row_position(row, shape, a_strides)
        q = _row_position(row, shape, b_strides)
        if o_step == U1 and a_step == U1 and b_step <= U1:
            _zip_contiguous_row(code, out, o, a, p, b, q, b_step, last)
        else:
            for j in range(last):
                out[o + j * o_step] = _apply_zip(code, a[p + j * a_step], b[q + j * b_step])


@njit(cache=True)
def _count_rows(shape):
    rows = U1
    for d in range(shape.size - 1):
        rows *= shape[d]
    return rows


@njit(cache=True, parallel=True)
def fast_map_strided(code, out, shape, out_strides, a, a_strides):
    """out[i] = f(a[i]) for every index i of ``shape``; ``a_strides`` are already broadcast."""
    rows = _count_rows(shape)
    if rows * shape[shape.size - 1] < PARALLEL_MIN or rows < 2:
        _map_rows(code, out, shape, out_strides, a, a_strides, U0, rows)
    else:
        for row in prange(rows):
            _map_rows(code, out, shape, out_strides, a, a_strides, row, row + U1)


@njit(cache=True, parallel=True)
def fast_zip_strided(code, out, shape, out_strides, a, a_strides, b, b_strides):
    """out[i] = f(a[i], b[i]) for every index i of ``shape``; input strides already broadcast."""
    rows = _count_rows(shape)
    if rows * shape[shape.size - 1] < PARALLEL_MIN or rows < 2:
        _zip_rows(code, out, shape, out_strides, a, a_strides, b, b_strides, U0, rows)
    else:
        for row in prange(rows):
            _zip_rows(code, out, shape, out_strides, a, a_strides, b, b_strides, row, row + U1)
