"""The primitive differentiable operations on tensors, each a Function.

Every other operation (subtraction, division, mean, convolution) is composed of
these, so each gradient rule is written and tested once; softmax and the losses
are fused Functions of their own (``fused_functions``).
Backward rules call the kernels directly (``map_``, ``zip_``, ``reduce_``,
``matmul_``), not Tensor operators, so a backward pass makes no Function calls
of its own, and skips the gradients ``ctx.needs_input_grad`` says nobody needs.
A Function that keeps its own output for backward keeps a detached view of it
(same storage, no history): the output itself would make a reference cycle
(output -> history -> output) that only the cyclic garbage collector frees, so
memory would grow between its runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .autodiff import Context, EngineFunction
from .tensor import Tensor
from .tensor_data import (
    DEFAULT_DTYPE,
    Shape,
    TensorData,
    contiguous_layout,
    result_dtype,
    shape_broadcast,
    windows_out,
)


def _new(shape: Shape, backend, zeroed: bool = False, dtype=None) -> Tensor:
    """A new contiguous tensor of ``dtype`` (float64 for None) for a kernel to write;
    zero-filled only when asked."""
    strides, size = contiguous_layout(shape)
    storage = (backend.zeros if zeroed else backend.empty)(
        size, DEFAULT_DTYPE if dtype is None else dtype
    )
    return Tensor(TensorData(storage, shape, strides, True, size), backend)


def _same_backend(op: str, a: Tensor, b: Tensor) -> None:
    if a.backend is not b.backend:
        raise TypeError(
            f"{op}: tensors are on different backends ({a.backend.name} and {b.backend.name}); "
            "move one with .to()"
        )


def map_(op: str, a: Tensor, shape: Shape | None = None, dtype=None) -> Tensor:
    """``op`` applied to every element of ``a`` (broadcast to ``shape`` if given), in
    ``a``'s dtype or in ``dtype``."""
    dtype = a._data.storage.dtype if dtype is None else dtype
    out = _new(a.shape if shape is None else shape, a.backend, dtype=dtype)
    a.backend.map(op, a._data, out._data)
    return out


def cast_(a: Tensor, dtype) -> Tensor:
    """A contiguous copy of ``a`` in ``dtype`` (no history)."""
    return map_("id", a, dtype=dtype)


def _common(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """``a`` and ``b`` in the dtype torch computes them in (``result_dtype``): one of them is
    cast when they differ, so that each kernel reads one dtype."""
    a_dtype, b_dtype = a._data.storage.dtype, b._data.storage.dtype
    if a_dtype is b_dtype:
        return a, b
    dtype = result_dtype(a_dtype, a.dims, b_dtype, b.dims)
    if a_dtype != dtype:
        a = cast_(a, dtype)
    if b_dtype != dtype:
        b = cast_(b, dtype)
    return a, b


def zip_(op: str, a: Tensor, b: Tensor, name: str, out: Tensor | None = None) -> Tensor:
    """``op`` of ``a`` and ``b`` broadcast together, into a new tensor or into ``out``."""
    if a.backend is not b.backend:
        _same_backend(name, a, b)
    if a._data.storage.dtype is not b._data.storage.dtype:
        a, b = _common(a, b)
    x, y = a._data, b._data
    shape = x.shape if x.shape == y.shape else shape_broadcast(x.shape, y.shape, name)
    out = _new(shape, a.backend, dtype=x.storage.dtype) if out is None else out
    a.backend.zip(op, x, y, out._data)
    return out


def kept_shape(shape: Shape, dim: int | None) -> Shape:
    """``shape`` after a reduction over ``dim`` (all dims for None) that keeps them as 1."""
    return tuple(1 if dim is None or d == dim else n for d, n in enumerate(shape))


def reduced_shape(shape: Shape, dim: int | None, keepdim: bool) -> Shape:
    """The shape of a reduction over ``dim`` (every dim for None), as torch gives it."""
    if keepdim:
        return kept_shape(shape, dim)
    return () if dim is None else shape[:dim] + shape[dim + 1 :]


def reduce_(op: str, a: Tensor, dim: int | None, keepdim: bool = True) -> Tensor:
    """Fold ``a`` along ``dim`` (every dim for None), keeping or dropping the reduced dims."""
    data = a._data
    if dim is None and data.is_contiguous():
        data, dims = data.view((data.size,)), [0]
    else:
        dims = range(data.dims) if dim is None else [dim]
    for d in dims:
        out = _new(data.shape[:d] + (1,) + data.shape[d + 1 :], a.backend, dtype=data.dtype)
        a.backend.reduce(op, data, d, out._data)
        data = out._data
    return Tensor(data.view(reduced_shape(a.shape, dim, keepdim)), a.backend)


def sum_to(grad: Tensor, shape: Shape) -> Tensor:
    """Sum ``grad`` over the dimensions along which a tensor of ``shape`` was broadcast."""
    if grad.shape == shape:
        return grad
    extra = grad.dims - len(shape)
    for d in range(grad.dims):
        if d < extra or (shape[d - extra] == 1 and grad.shape[d] != 1):
            grad = reduce_("sum", grad, d)
    return Tensor(grad._data.view(shape), grad.backend)


def _needed(ctx: Context, *gradients: Callable[[], Tensor]) -> tuple[Tensor | None, ...]:
    """Each input's gradient, computed only where ``ctx.needs_input_grad`` asks for it."""
    return tuple(g() if needed else None for g, needed in zip(gradients, ctx.needs_input_grad))


def contiguous_(t: Tensor) -> Tensor:
    """``t`` itself where its elements lie in row-major order, else a contiguous copy (no
    history: for kernels and backward rules, not for user code)."""
    return t if t.is_contiguous() else map_("id", t)


def inverse_order(order: Sequence[int]) -> list[int]:
    """The permutation that undoes ``order``."""
    inverse = [0] * len(order)
    for position, d in enumerate(order):
        inverse[d] = position
    return inverse


def _detached(t: Tensor) -> Tensor:
    """The same data with no history: what a Function keeps of its own output."""
    return Tensor(t._data, t.backend)


class _LinearMap(EngineFunction):
    """A map op that is its own derivative's pattern: backward applies ``op`` to the
    gradient (negation; a copy, whose gradient is copied too)."""

    op = ""

    @classmethod
    def forward(cls, ctx: Context, a: Tensor) -> Tensor:
        return map_(cls.op, a)

    @classmethod
    def backward(cls, ctx: Context, grad: Tensor) -> tuple[Tensor]:
        return (map_(cls.op, grad),)


class Neg(_LinearMap):
    op = "neg"


class _Unary(EngineFunction):
    """A map op whose backward is one zip op of what forward kept and the gradient.

    ``op`` and ``back`` name entries of ``operators.MAP_OPS`` and ``ZIP_OPS``; forward
    keeps its output (``keeps_output``) or its input for ``back``.
    """

    op = ""
    back = ""
    keeps_output = True

    @classmethod
    def forward(cls, ctx: Context, a: Tensor) -> Tensor:
        out = map_(cls.op, a)
        ctx.save_for_backward(_detached(out) if cls.keeps_output else a)
        return out

    @classmethod
    def backward(cls, ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (kept,) = ctx.saved_values
        return (zip_(cls.back, kept, grad, f"{cls.op} backward"),)


class Exp(_Unary):
    op, back = "exp", "mul"


class Inv(_Unary):
    op, back = "inv", "inv_back"


class Sigmoid(_Unary):
    op, back = "sigmoid", "sigmoid_back"


class Tanh(_Unary):
    op, back = "tanh", "tanh_back"


class Sqrt(_Unary):
    op, back = "sqrt", "sqrt_back"


class Log(_Unary):
    op, back, keeps_output = "log", "log_back", False


class ReLU(_Unary):
    op, back, keeps_output = "relu", "relu_back", False


class Abs(_Unary):
    op, back, keeps_output = "abs", "abs_back", False


class Log1p(_Unary):
    op, back, keeps_output = "log1p", "log1p_back", False


class Expm1(_Unary):
    op, back = "expm1", "expm1_back"


class Softplus(_Unary):
    op, back, keeps_output = "softplus", "softplus_back", False


class LeakyReLU(EngineFunction):
    """``max(a, slope * a)`` for 0 <= slope <= 1; the gradient is 1 where a > 0, else slope
    (at 0 and at NaN too), as torch's."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, slope: float) -> Tensor:
        ctx.save_for_backward(a, slope)
        return zip_("max", a, zip_("mul", a, a._constant(slope), "leaky_relu"), "leaky_relu")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        a, slope = ctx.saved_values
        positive = zip_("gt", a, a._constant(0.0), "leaky_relu backward")
        local = zip_("mul", positive, a._constant(1.0 - slope), "leaky_relu backward", out=positive)
        local = zip_("add", local, a._constant(slope), "leaky_relu backward", out=local)
        return zip_("mul", grad, local, "leaky_relu backward"), None


class RootOfSquares(EngineFunction):
    """``sqrt(a)`` for a sum of squares (a norm, a standard deviation): where the root is 0
    the gradient is 0, as torch's norm and std give, not the infinity of sqrt's."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = map_("sqrt", a)
        ctx.save_for_backward(_detached(out))
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (root,) = ctx.saved_values
        zero = zip_("eq", root, root._constant(0.0), "sqrt backward")
        safe = zip_("add", root, zero, "sqrt backward")  # 1 where the root is 0
        local = zip_("sqrt_back", safe, grad, "sqrt backward")
        keep = zip_("add", map_("neg", zero), root._constant(1.0), "sqrt backward")
        return (zip_("mul", local, keep, "sqrt backward", out=local),)


class Clamp(EngineFunction):
    """``a`` held within ``[low, high]`` (either may be None); the gradient passes where
    ``low <= a <= high``, as torch's does (not at NaN), and NaN stays NaN."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, low: float | None, high: float | None) -> Tensor:
        ctx.save_for_backward(a, low, high)
        out = a
        if low is not None:
            out = zip_("max", out, a._constant(low), "clamp")
        if high is not None:  # min(x, high) = -max(-x, -high)
            out = map_("neg", zip_("max", map_("neg", out), a._constant(-high), "clamp"))
        return out if out is not a else map_("id", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        a, low, high = ctx.saved_values
        out = zip_("mul", grad, zip_("eq", a, a, "clamp backward"), "clamp")  # 0 at NaN
        for bound, outside in ((low, "lt"), (high, "gt")):
            if bound is not None:  # keep grad where a is not beyond the bound: grad - grad*beyond
                beyond = zip_(outside, a, a._constant(bound), "clamp backward")
                out = zip_("add", out, map_("neg", zip_("mul", out, beyond, "clamp")), "clamp")
        return out, None, None


class Add(EngineFunction):
    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a.shape, b.shape)
        return zip_("add", a, b, "add")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a_shape, b_shape = ctx.saved_values
        return _needed(ctx, lambda: sum_to(grad, a_shape), lambda: sum_to(grad, b_shape))


class Mul(EngineFunction):
    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return zip_("mul", a, b, "mul")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_values
        return _needed(
            ctx,
            lambda: sum_to(zip_("mul", grad, b, "mul backward"), a.shape),
            lambda: sum_to(zip_("mul", grad, a, "mul backward"), b.shape),
        )


class Pow(EngineFunction):
    """``a ** exponent`` for a constant (Python number) exponent."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, exponent: float) -> Tensor:
        ctx.save_for_backward(a, exponent)
        return zip_("pow", a, a._constant(exponent), "pow")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        a, exponent = ctx.saved_values
        if exponent == 0:
            return zip_("mul", grad, grad._constant(0.0), "pow backward"), None
        local = zip_("pow", a, a._constant(exponent - 1), "pow backward")
        local = zip_("mul", local, a._constant(exponent), "pow backward", out=local)
        return zip_("mul", grad, local, "pow backward"), None


class Sum(EngineFunction):
    """Sum along ``dim`` (every dim for None), as ``torch.sum``."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int | None, keepdim: bool) -> Tensor:
        ctx.save_for_backward(a.shape, dim)
        return reduce_("sum", a, dim, keepdim)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        shape, dim = ctx.saved_values
        spread = Tensor(grad._data.view(kept_shape(shape, dim)), grad.backend)
        return map_("id", spread, shape), None, None


class Max(EngineFunction):
    """Maximum along ``dim`` (every dim for None).

    The gradient is shared equally among the elements that tie for the maximum.
    """

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int | None, keepdim: bool) -> Tensor:
        kept = reduce_("max", a, dim)
        ctx.save_for_backward(a, _detached(kept), dim)
        if keepdim:
            return kept
        return Tensor(kept._data.view(reduced_shape(a.shape, dim, False)), a.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        a, kept, dim = ctx.saved_values
        winners = zip_("eq", a, kept, "max backward")
        share = map_("inv", reduce_("sum", winners, dim))
        spread = zip_("mul", Tensor(grad._data.view(kept.shape), grad.backend), share, "max")
        return zip_("mul", spread, winners, "max backward"), None, None


class _Comparison(EngineFunction):
    differentiable = False
    op = ""

    @classmethod
    def forward(cls, ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        return zip_(cls.op, a, b, cls.op)


class LT(_Comparison):
    op = "lt"


class GT(_Comparison):
    op = "gt"


class EQ(_Comparison):
    op = "eq"


class Permute(EngineFunction):
    @staticmethod
    def forward(ctx: Context, a: Tensor, order: Sequence[int]) -> Tensor:
        ctx.save_for_backward(order)
        return Tensor(a._data.permute(order), a.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (order,) = ctx.saved_values
        return Tensor(grad._data.permute(inverse_order(order)), grad.backend), None


class View(EngineFunction):
    @staticmethod
    def forward(ctx: Context, a: Tensor, shape: Shape) -> Tensor:
        ctx.save_for_backward(a.shape)
        return Tensor(a._data.view(shape), a.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (shape,) = ctx.saved_values
        return Tensor(contiguous_(grad)._data.view(shape), grad.backend), None


class Copy(_LinearMap):
    """A contiguous copy."""

    op = "id"


def _transposed(t: Tensor) -> Tensor:
    """A view of ``t`` with its last two dimensions swapped."""
    order = list(range(t.dims))
    order[-2], order[-1] = order[-1], order[-2]
    return Tensor(t._data.permute(order), t.backend)


def matmul_(a: Tensor, b: Tensor) -> Tensor:
    """The product of (..., n, m) and (..., m, p), same number of dims, into a new tensor."""
    _same_backend("matmul", a, b)
    a, b = _common(a, b)
    batch = shape_broadcast(a.shape[:-2], b.shape[:-2], "matmul")
    out = _new(batch + (a.shape[-2], b.shape[-1]), a.backend, dtype=a.dtype)
    a.backend.matmul(a._data, b._data, out._data)
    return out


class MatMul(EngineFunction):
    """Product of (..., n, m) and (..., m, p), both with the same number (>= 2) of dims."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return matmul_(a, b)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = ctx.saved_values
        return _needed(
            ctx,
            lambda: sum_to(matmul_(grad, _transposed(b)), a.shape),
            lambda: sum_to(matmul_(_transposed(a), grad), b.shape),
        )


class Unfold(EngineFunction):
    """im2col of (N, C, H, W) into (N, C*kh*kw, OH*OW); the backend's contract."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, kernel, stride, padding) -> Tensor:
        n, c, h, w = a.shape
        kh, kw = kernel
        oh, ow = windows_out((h, w), kernel, stride, padding)
        ctx.save_for_backward(a.shape, kernel, stride, padding)
        out = _new((n, c * kh * kw, oh * ow), a.backend, dtype=a.dtype)
        a.backend.unfold(a._data, kernel, stride, padding, out._data)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        shape, kernel, stride, padding = ctx.saved_values
        out = _new(shape, grad.backend, zeroed=True, dtype=grad.dtype)
        grad.backend.fold(contiguous_(grad)._data, kernel, stride, padding, out._data)
        return out, None, None, None


class ToBackend(EngineFunction):
    """The same values on another backend; the gradient goes back to the first."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, backend) -> Tensor:
        ctx.save_for_backward(a.backend)
        array = a.backend.to_numpy(a._data)
        storage = backend.from_numpy(array, array.dtype)
        return Tensor(TensorData.contiguous_over(storage, a.shape), backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (backend,) = ctx.saved_values
        return ToBackend.apply(grad, backend), None


class Cast(EngineFunction):
    """The same values in another dtype; the gradient goes back in the input's dtype."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dtype) -> Tensor:
        ctx.save_for_backward(a.dtype)
        return cast_(a, dtype)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (dtype,) = ctx.saved_values
        return cast_(grad, dtype), None
