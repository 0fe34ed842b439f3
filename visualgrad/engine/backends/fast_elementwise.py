"""The fast backend's elementwise kernels: map (one input) and zip (two) over flat
contiguous tensors or row by row over strided ones.

The scalar function of an op is chosen by an integer code inside the kernel (the codes of
``operators.MAP_OPS`` and ``ZIP_OPS``): one compiled kernel serves every op and hits the
cache; the ops of a training step's big tensors (``HOT_MAPS``, ``HOT_ZIPS``) each get a
loop of their own inside it, which vectorizes. The flat kernels take every input either
shaped like ``out`` and contiguous or a single element; ``zip_tiled`` takes one input
shaped like ``out`` and a row repeated (a bias over a batch), ``zip_columns`` one
value a row repeated along it; the strided ones walk ``out``
row by row (the last dimension), doing the index arithmetic once per row; ``fold_middle``
sums or maxes along a dimension that is not the last. Below ``PARALLEL_MIN`` elements a
kernel runs serially, above it on numba's threads.
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


# The ops of a training step's big tensors (activations, their gradients, biases) get a loop
# of their own in the flat and tiled kernels: with the op chosen outside the loop, and both
# positions plain indices, the loop vectorizes. Measured on the 2-core machine, ReLU's
# gradient of 25,600 float32: 14 us through the op ladder, 2 us in its own loop (numpy's
# maximum, for ReLU itself, 8 us).
HOT_MAPS = frozenset(("neg", "id", "relu", "abs"))
HOT_ZIPS = frozenset(("add", "mul", "relu_back", "sigmoid_back", "tanh_back"))
NEG, ID, RELU, ABS = (MAP_CODES[op] for op in ("neg", "id", "relu", "abs"))
ADD, MUL, MAX = ZIP_CODES["add"], ZIP_CODES["mul"], ZIP_CODES["max"]
RELU_BACK, SIGMOID_BACK, TANH_BACK = (
    ZIP_CODES[op] for op in ("relu_back", "sigmoid_back", "tanh_back")
)


@njit(cache=True, inline="always")
def _map_loop(f, out, a, start, stop):
    for i in range(start, stop):
        out[i] = f(a[i])


@njit(cache=True, inline="always")
def _zip_loop(f, out, a, b, width, start, stop):
    for i in range(start, stop):
        out[i] = f(a[i], b[i])


@njit(cache=True, inline="always")
def _zip_loop_b_one(f, out, a, y, width, start, stop):
    for i in range(start, stop):
        out[i] = f(a[i], y)


@njit(cache=True, inline="always")
def _zip_loop_b_tiled(f, out, a, b, width, start, stop):
    """Rows ``start`` .. ``stop`` of out (rows, width): b is one row, repeated."""
    for r in range(start, stop):
        base = r * width
        for j in range(width):
            out[base + j] = f(a[base + j], b[j])


@njit(cache=True, inline="always")
def _zip_loop_b_tiled_here(f, out, a, b, width, start, stop):
    """``_zip_loop_b_tiled`` where a is out, kept apart: a loop that reads only out and b
    vectorizes, where LLVM's overlap check of out and a (the same array) sent the other to
    its scalar form."""
    for r in range(start, stop):
        base = r * width
        for j in range(width):
            out[base + j] = f(out[base + j], b[j])


@njit(cache=True, inline="always")
def _hot_map(code, out, a, start, stop):
    """``out[i] = f(a[i])`` in a loop of the op's own, if it is one of ``HOT_MAPS``."""
    if code == RELU:
        _map_loop(relu, out, a, start, stop)
    elif code == NEG:
        _map_loop(neg, out, a, start, stop)
    elif code == ID:
        _map_loop(identity, out, a, start, stop)
    elif code == ABS:
        _map_loop(abs_, out, a, start, stop)
    else:
        return False
    return True


@njit(cache=True, inline="always")
def _hot_zip(loop, code, out, a, b, width, start, stop):
    """``loop`` (one of the ``_zip_loop`` kinds, which take the same arguments; only the
    tiled ones read ``width``) with the op's function, if it is one of ``HOT_ZIPS``; False
    for any other op."""
    if code == ADD:
        loop(add, out, a, b, width, start, stop)
    elif code == MUL:
        loop(mul, out, a, b, width, start, stop)
    elif code == RELU_BACK:
        loop(relu_back, out, a, b, width, start, stop)
    elif code == SIGMOID_BACK:
        loop(sigmoid_back, out, a, b, width, start, stop)
    elif code == TANH_BACK:
        loop(tanh_back, out, a, b, width, start, stop)
    else:
        return False
    return True


@njit(cache=True, inline="always")
def _chunk(c, n):
    """The span of chunk ``c`` of a parallel loop over ``n`` elements, as the serial call's
    (both uint64, so that the span compiles once: a literal 0 made it compile twice)."""
    return uint64(c * CHUNK), uint64(min(n, (c + 1) * CHUNK))


@njit(cache=True)
def _map_span(code, out, a, a_step, start, stop):
    if a_step == U1:
        if _hot_map(code, out, a, start, stop):
            return
    else:  # one element spread over out (a sum's gradient): its value once, then a fill,
        value = _apply_map(code, a[0])  # which vectorizes: 512,000 float32 275 -> ~40 us
        for i in range(start, stop):
            out[i] = value
        return
    for i in range(start, stop):
        out[i] = _apply_map(code, a[i * a_step])


@njit(cache=True)
def _zip_span(code, out, a, a_step, b, b_step, start, stop):
    if a_step == U1 and b_step == U1:
        if _hot_zip(_zip_loop, code, out, a, b, U0, start, stop):
            return
    elif a_step == U1 and _hot_zip(_zip_loop_b_one, code, out, a, b[0], U0, start, stop):
        return
    for i in range(start, stop):
        out[i] = _apply_zip(code, a[i * a_step], b[i * b_step])


@njit(cache=True, parallel=True)
def fast_map_flat(code, out, a, a_step):
    """out[i] = f(a[i * a_step]) over contiguous ``out``; ``a_step`` is 1 or 0 (one element)."""
    n = out.size
    if n < PARALLEL_MIN:
        _map_span(code, out, a, a_step, U0, uint64(n))
    else:
        for c in prange((n + CHUNK - 1) // CHUNK):
            _map_span(code, out, a, a_step, *_chunk(c, n))


@njit(cache=True, parallel=True)
def fast_zip_flat(code, out, a, a_step, b, b_step):
    """out[i] = f(a[i * a_step], b[i * b_step]) over contiguous ``out``; steps are 1 or 0."""
    n = out.size
    if n < PARALLEL_MIN:
        _zip_span(code, out, a, a_step, b, b_step, U0, uint64(n))
    else:
        for c in prange((n + CHUNK - 1) // CHUNK):
            _zip_span(code, out, a, a_step, b, b_step, *_chunk(c, n))


@njit(cache=True)
def zip_tiled(code, out, a, b, width):
    """out (rows, width, contiguous) = f(a, b) where a is shaped like out and contiguous and
    b is one contiguous row of ``width``, repeated (a bias over a batch); serial (numba's
    parallel form of it took 7 s to compile)."""
    width = uint64(width)
    rows = uint64(out.size) // width
    # In place (a is out), a loop that reads only out and b: LLVM's overlap check of out and
    # a, the same array, had sent the loop to its scalar form (a bias add 7 -> 2 us).
    if out.ctypes.data == a.ctypes.data:
        if _hot_zip(_zip_loop_b_tiled_here, code, out, out, b, width, U0, rows):
            return
    elif _hot_zip(_zip_loop_b_tiled, code, out, a, b, width, U0, rows):
        return
    for r in range(rows):
        for j in range(width):
            out[r * width + j] = _apply_zip(code, a[r * width + j], b[j])


@njit(cache=True)
def zip_columns(code, out, a, b, width, b_column):
    """out (rows, width, contiguous) = f(a, b) where one input is shaped like out and
    contiguous and the other, b where ``b_column`` (else a), holds one value for each row,
    repeated along it; serial, through the op ladder (for the ops numpy has no ufunc for)."""
    width = uint64(width)
    rows = uint64(out.size) // width
    for r in range(rows):
        base = r * width
        if b_column:
            y = b[r]
            for j in range(width):
                out[base + j] = _apply_zip(code, a[base + j], y)
        else:
            x = a[r]
            for j in range(width):
                out[base + j] = _apply_zip(code, x, b[base + j])


@njit(cache=True)
def fold_middle(code, out, a, outer, m, inner):
    """out (outer, inner) = a (outer, m, inner), contiguous, folded along m with the zip op
    ``code`` (add for a sum, max), starting from ``out``'s values. Row after row, as numpy
    folds a dimension that is not the last, so the sums round alike."""
    outer, m, inner = uint64(outer), uint64(m), uint64(inner)
    for p in range(outer):
        base, at = p * m * inner, p * inner
        if code == ADD:
            for r in range(m):
                _zip_loop_fold(add, out, a, at, base + r * inner, inner)
        else:
            for r in range(m):
                _zip_loop_fold(max_, out, a, at, base + r * inner, inner)


@njit(cache=True, inline="always")
def _zip_loop_fold(f, out, a, at, start, inner):
    for j in range(inner):
        out[at + j] = f(out[at + j], a[start + j])


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
