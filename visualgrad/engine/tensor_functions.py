"""The primitive differentiable operations on tensors, each a Function.

Every other operation (subtraction, division, mean, softmax, convolution, the
losses) is composed of these, so each gradient rule is written and tested once.
Backward rules are written with tensor arithmetic; they run under ``no_grad``.
A Function that keeps its own output for backward keeps a detached view of it
(same storage, no history): the output itself would make a reference cycle
(output -> history -> output) that only the cyclic garbage collector frees, so
memory would grow between its runs.
"""

from __future__ import annotations

from collections.abc import Sequence

from .autodiff import Context, Function
from .tensor import Tensor
from .tensor_data import Shape, TensorData, shape_broadcast, shape_size, windows_out


def _new(shape: Shape, backend, zeroed: bool = False) -> Tensor:
    """A new contiguous tensor for a kernel to write; zero-filled only when asked."""
    storage = (backend.zeros if zeroed else backend.empty)(shape_size(shape))
    return Tensor(TensorData.contiguous_over(storage, shape), backend)


def _same_backend(op: str, a: Tensor, b: Tensor) -> None:
    if a.backend is not b.backend:
        raise TypeError(
            f"{op}: tensors are on different backends ({a.backend.name} and {b.backend.name}); "
            "move one with .to()"
        )


def map_(op: str, a: Tensor, shape: Shape | None = None) -> Tensor:
    """``op`` applied to every element of ``a`` (broadcast to ``shape`` if given)."""
    out = _new(a.shape if shape is None else shape, a.backend)
    a.backend.map(op, a._data, out._data)
    return out


def zip_(op: str, a: Tensor, b: Tensor, name: str, out: Tensor | None = None) -> Tensor:
    """``op`` of ``a`` and ``b`` broadcast together, into a new tensor or into ``out``."""
    _same_backend(name, a, b)
    shape = shape_broadcast(a.shape, b.shape, name)
    out = _new(shape, a.backend) if out is None else out
    a.backend.zip(op, a._data, b._data, out._data)
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
        out = _new(data.shape[:d] + (1,) + data.shape[d + 1 :], a.backend)
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
            grad = Sum.apply(grad, d, True)
    return grad.view(*shape)


class Neg(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        return map_("neg", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        return (-grad,)


class Inv(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = map_("inv", a)
        ctx.save_for_backward(out.detach())
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (out,) = ctx.saved_values
        return (-grad * out * out,)


class Add(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a.shape, b.shape)
        return zip_("add", a, b, "add")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, Tensor]:
        a_shape, b_shape = ctx.saved_values
        return sum_to(grad, a_shape), sum_to(grad, b_shape)


class Mul(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        ctx.save_for_backward(a, b)
        return zip_("mul", a, b, "mul")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, Tensor]:
        a, b = ctx.saved_values
        return sum_to(grad * b, a.shape), sum_to(grad * a, b.shape)


class Pow(Function):
    """``a ** exponent`` for a constant (Python number) exponent."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, exponent: float) -> Tensor:
        ctx.save_for_backward(a, exponent)
        return zip_("pow", a, a._constant(exponent), "pow")

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        a, exponent = ctx.saved_values
        if exponent == 0:
            return grad * 0.0, None
        return grad * exponent * a ** (exponent - 1), None


class Exp(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = map_("exp", a)
        ctx.save_for_backward(out.detach())
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (out,) = ctx.saved_values
        return (grad * out,)


class Log(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return map_("log", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (a,) = ctx.saved_values
        return (grad * map_("inv", a),)


class ReLU(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return map_("relu", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (a,) = ctx.saved_values
        return (zip_("relu_back", a, grad, "relu backward"),)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = map_("sigmoid", a)
        ctx.save_for_backward(out.detach())
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (s,) = ctx.saved_values
        return (grad * s * (1.0 - s),)


class Tanh(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = map_("tanh", a)
        ctx.save_for_backward(out.detach())
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (t,) = ctx.saved_values
        return (grad * (1.0 - t * t),)


class Sqrt(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        out = map_("sqrt", a)
        ctx.save_for_backward(out.detach())
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (out,) = ctx.saved_values
        return (grad * 0.5 * map_("inv", out),)


class Abs(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        ctx.save_for_backward(a)
        return map_("abs", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        (a,) = ctx.saved_values
        return (grad * map_("sign", a),)


class Sum(Function):
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


class Max(Function):
    """Maximum along ``dim`` (every dim for None).

    The gradient is shared equally among the elements that tie for the maximum.
    """

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int | None, keepdim: bool) -> Tensor:
        kept = reduce_("max", a, dim)
        ctx.save_for_backward(a, kept.detach(), dim)
        if keepdim:
            return kept
        return Tensor(kept._data.view(reduced_shape(a.shape, dim, False)), a.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        a, kept, dim = ctx.saved_values
        winners = zip_("eq", a, kept, "max backward")
        share = map_("inv", reduce_("sum", winners, dim))
        spread = Tensor(grad._data.view(kept.shape), grad.backend)
        return spread * share * winners, None, None


class _Comparison(Function):
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


class Permute(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor, order: Sequence[int]) -> Tensor:
        ctx.save_for_backward(order)
        return Tensor(a._data.permute(order), a.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (order,) = ctx.saved_values
        inverse = [0] * len(order)
        for d, o in enumerate(order):
            inverse[o] = d
        return grad.permute(*inverse), None


class View(Function):
    @staticmethod
    def forward(ctx: Context, a: Tensor, shape: Shape) -> Tensor:
        ctx.save_for_backward(a.shape)
        return Tensor(a._data.view(shape), a.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (shape,) = ctx.saved_values
        return grad.contiguous().view(*shape), None


class Copy(Function):
    """A contiguous copy."""

    @staticmethod
    def forward(ctx: Context, a: Tensor) -> Tensor:
        return map_("id", a)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor]:
        return (grad,)


class MatMul(Function):
    """Product of (..., n, m) and (..., m, p), both with the same number (>= 2) of dims."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, b: Tensor) -> Tensor:
        _same_backend("matmul", a, b)
        ctx.save_for_backward(a, b)
        batch = shape_broadcast(a.shape[:-2], b.shape[:-2], "matmul")
        out = _new(batch + (a.shape[-2], b.shape[-1]), a.backend)
        a.backend.matmul(a._data, b._data, out._data)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, Tensor]:
        a, b = ctx.saved_values
        last = a.dims - 1
        grad_a = MatMul.apply(grad, b.transpose(last - 1, last))
        grad_b = MatMul.apply(a.transpose(last - 1, last), grad)
        return sum_to(grad_a, a.shape), sum_to(grad_b, b.shape)


class Unfold(Function):
    """im2col of (N, C, H, W) into (N, C*kh*kw, OH*OW); the backend's contract."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, kernel, stride, padding) -> Tensor:
        n, c, h, w = a.shape
        kh, kw = kernel
        oh, ow = windows_out((h, w), kernel, stride, padding)
        ctx.save_for_backward(a.shape, kernel, stride, padding)
        out = _new((n, c * kh * kw, oh * ow), a.backend)
        a.backend.unfold(a._data, kernel, stride, padding, out._data)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        shape, kernel, stride, padding = ctx.saved_values
        out = _new(shape, grad.backend, zeroed=True)
        grad.backend.fold(grad.contiguous()._data, kernel, stride, padding, out._data)
        return out, None, None, None


class ToBackend(Function):
    """The same values on another backend; the gradient goes back to the first."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, backend) -> Tensor:
        ctx.save_for_backward(a.backend)
        array = a.backend.to_numpy(a._data)
        return Tensor(TensorData.contiguous_over(backend.from_numpy(array), a.shape), backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        (backend,) = ctx.saved_values
        return ToBackend.apply(grad, backend), None
