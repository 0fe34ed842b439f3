"""Fused Functions: Linear, softmax and the losses, each one call with an analytic backward.

Each could be (and in the tests still is) composed of the primitives in
``tensor_functions``; that chain costs one Function call, one kernel and one
temporary per step, and the autodiff graph must walk all of them back. Here the
forward is one or two of the backend's row kernels and the backward is the
closed form: ``y * (g - sum(g * y))`` for softmax, ``g - exp(y) * sum(g)`` for
log-softmax, ``p - onehot`` for cross-entropy, ``2 (x - t)`` for the squared
error, ``sigmoid(x) - t`` for binary cross-entropy of logits; Linear is one GEMM
plus the bias forward and two GEMMs and a row sum back. The tests hold every
one equal to its composed version and to central differences.
"""

from __future__ import annotations

import math

from .autodiff import Context, EngineFunction
from .tensor import Tensor
from .tensor_data import TensorData, windows_out
from .tensor_functions import (
    _common,
    _detached,
    _new,
    cast_,
    contiguous_,
    inverse_order,
    map_,
    reduce_,
    zip_,
)

Pair = tuple[int, int]


def _rows(t: Tensor) -> TensorData:
    """A contiguous tensor seen as (rows, last dim): the layout the row kernels take."""
    n = t.shape[-1] if t.dims else 1
    return t._data.view((t.size // n if n else 0, n))


def _to_last(t: Tensor, order: list[int] | None) -> Tensor:
    """``t`` permuted by ``order`` (None: as it is), as a contiguous tensor."""
    if order is None:
        return contiguous_(t)
    return map_("id", Tensor(t._data.permute(order), t.backend))


def _from_last(t: Tensor, order: list[int] | None) -> Tensor:
    """The view of ``t`` that undoes ``_to_last``'s permutation."""
    return t if order is None else Tensor(t._data.permute(inverse_order(order)), t.backend)


class Softmax(EngineFunction):
    """softmax (``log`` False) or log_softmax (``log`` True) of ``a`` along ``dim`` (>= 0)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int, log: bool) -> Tensor:
        order = None if dim == a.dims - 1 else [d for d in range(a.dims) if d != dim] + [dim]
        moved = _to_last(a, order)
        out = _new(moved.shape, a.backend, dtype=moved.dtype)
        if out.size:
            a.backend.softmax(_rows(moved), _rows(out), log)
        ctx.save_for_backward(_detached(out), order, log)  # out itself would make a cycle
        return _from_last(out, order)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        y, order, log = ctx.saved_values
        g = _to_last(grad, order)
        out = _new(y.shape, y.backend, dtype=y.dtype)
        if out.size:
            y.backend.softmax_backward(_rows(y), _rows(g), _rows(out), log)
        return _from_last(out, order), None, None


def _per_row(grad: Tensor, rows: int, reduction: str) -> Tensor:
    """The gradient of each row's loss: ``grad`` itself for "none", else spread (and averaged)."""
    if reduction == "none":
        return contiguous_(grad)
    spread = map_("id", Tensor(grad._data.view((1,)), grad.backend), (rows,))
    if reduction != "mean":
        return spread
    return zip_("mul", spread, grad._constant(_share(rows)), "mean", out=spread)


def _reduced(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return losses
    total = reduce_("sum", losses, None, keepdim=False)
    if reduction != "mean":
        return total
    return zip_("mul", total, losses._constant(_share(losses.size)), "mean", out=total)


class NLLLoss(EngineFunction):
    """``-input[i, target[i]]`` over rows of log-probabilities, reduced by ``reduction``.

    ``target`` is a (rows,) tensor of checked class indices on the input's backend.
    With ``from_logits`` the input is raw scores and a log-softmax comes first: that is
    cross-entropy, whose gradient is ``p - onehot``.
    """

    @staticmethod
    def forward(
        ctx: Context, a: Tensor, target: Tensor, reduction: str, from_logits: bool
    ) -> Tensor:
        logp = contiguous_(a)
        if from_logits:
            scores, logp = logp, _new(a.shape, a.backend, dtype=a.dtype)
            if logp.size:
                a.backend.softmax(scores._data, logp._data, True)
        losses = _new((a.shape[0],), a.backend, dtype=a.dtype)
        if losses.size:
            a.backend.nll(logp._data, target._data, losses._data)
        ctx.save_for_backward(logp if from_logits else None, target, reduction, a.shape, a.dtype)
        return _reduced(losses, reduction)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        logp, target, reduction, shape, dtype = ctx.saved_values
        out = _new(shape, grad.backend, dtype=dtype)
        if out.size:
            g = _per_row(grad, shape[0], reduction)
            grad.backend.nll_backward(
                g._data, target._data, out._data, None if logp is None else logp._data
            )
        return out, None, None, None


class MSELoss(EngineFunction):
    """``(input - target) ** 2``, reduced; the gradient is ``2 (input - target)`` times grad."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, target: Tensor, reduction: str) -> Tensor:
        diff = zip_("add", a, map_("neg", target), "mse_loss")
        ctx.save_for_backward(diff, reduction)
        return _reduced(zip_("mul", diff, diff, "mse_loss"), reduction)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, Tensor | None, None]:
        diff, reduction = ctx.saved_values
        scale = 2.0 * _share(diff.size) if reduction == "mean" else 2.0
        g = zip_("mul", grad, grad._constant(scale), "mse_loss backward")
        out = zip_("mul", diff, g, "mse_loss backward")
        return out, map_("neg", out) if ctx.needs_input_grad[1] else None, None


class BinaryCrossEntropy(EngineFunction):
    """Binary cross-entropy of probabilities (or, with ``logits``, of scores) against targets.

    One zip op each way: ``bce`` / ``bce_back`` (torch's clamps: each log at -100, the
    gradient's denominator p (1 - p) at 1e-12), or ``bce_logits`` / ``bce_logits_back``,
    whose gradient is ``sigmoid(x) - t``. A target that requires grad gets torch's:
    ``log(1 - p) - log(p)`` (each log clamped), or ``-x`` for logits.
    """

    @staticmethod
    def forward(ctx: Context, a: Tensor, target: Tensor, reduction: str, logits: bool) -> Tensor:
        ctx.save_for_backward(a, target, reduction, logits)
        op = "bce_logits" if logits else "bce"
        return _reduced(zip_(op, a, target, "binary_cross_entropy"), reduction)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None, None, None]:
        a, target, reduction, logits = ctx.saved_values
        needs_a, needs_target = ctx.needs_input_grad[:2]
        if reduction == "mean":
            grad = zip_("mul", grad, grad._constant(_share(a.size)), "bce backward")
        grad_a = grad_t = None
        if needs_a:
            local = zip_("bce_logits_back" if logits else "bce_back", a, target, "bce backward")
            grad_a = zip_("mul", local, grad, "bce backward", out=local)
        if needs_target:
            grad_t = zip_("mul", _bce_target_local(a, logits), grad, "bce backward")
        return grad_a, grad_t, None, None


def _bce_target_local(a: Tensor, logits: bool) -> Tensor:
    """d bce / d t: -x for logits, else log(1 - p) - log(p) with each log clamped at -100."""
    if logits:
        return map_("neg", a)
    floor = a._constant(-100.0)
    log_p = zip_("max", map_("log", a), floor, "bce backward")
    one_minus = zip_("add", map_("neg", a), a._constant(1.0), "bce backward")
    log_q = zip_("max", map_("log", one_minus), floor, "bce backward")
    return zip_("add", log_q, map_("neg", log_p), "bce backward")


def _share(count: int) -> float:
    """1 / count, the weight of one element in a mean: NaN for none, as torch's mean."""
    return 1.0 / count if count else math.nan


def _as_rows(t: Tensor, features: int) -> Tensor:
    """``t`` (*, features) as a (rows, features) tensor, copied only if it must be."""
    return Tensor(contiguous_(t)._data.view((t.size // features, features)), t.backend)


class Linear(EngineFunction):
    """``x @ weight^T + bias`` for x (*, in), weight (out, in), bias (out,) or None.

    One call of the backend's ``linear`` (a GEMM, the weight read transposed as BLAS can,
    and the bias added in place) and of its ``linear_backward`` (two GEMMs and a sum over
    the rows, each only where a gradient is needed), straight on the tensors' data: the
    Tensor-level product, zip and sum these replace cost some 10 us a layer in Python.
    """

    @staticmethod
    def forward(ctx: Context, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        x, weight = _common(x, weight)
        dtype, outputs = x.dtype, weight.shape[0]
        if bias is not None and bias.dtype is not dtype:
            bias = cast_(bias, dtype)
        rows = x if x.dims == 2 and x.is_contiguous() else _as_rows(x, weight.shape[1])
        out = _new((rows.shape[0], outputs), x.backend, dtype=dtype)
        x.backend.linear(rows._data, weight._data, None if bias is None else bias._data, out._data)
        # x's data as it is now, not x itself: assigning x.data before backward leaves the
        # gradient of this call as it was
        ctx.save_for_backward(rows._data, weight, x.shape)
        return out if x.dims == 2 else Tensor(out._data.view(x.shape[:-1] + (outputs,)), x.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:
        rows, weight, x_shape = ctx.saved_values
        needs_x, needs_w, needs_b = ctx.needs_input_grad
        backend, dtype, outputs = grad.backend, rows.storage.dtype, weight.shape[0]
        if grad.dtype is not dtype:  # a root gradient of another dtype
            grad = cast_(grad, dtype)
        g = grad if grad.dims == 2 and grad.is_contiguous() else _as_rows(grad, outputs)
        grad_x = _new(rows.shape, backend, dtype=dtype) if needs_x else None
        grad_w = _new(weight.shape, backend, dtype=dtype) if needs_w else None
        grad_b = _new((outputs,), backend, dtype=dtype) if needs_b else None
        backend.linear_backward(
            rows,
            weight._data,
            g._data,
            *(None if t is None else t._data for t in (grad_x, grad_w, grad_b)),
        )
        if grad_x is not None and len(x_shape) != 2:
            grad_x = Tensor(grad_x._data.view(x_shape), backend)
        return grad_x, grad_w, grad_b


class Embedding(EngineFunction):
    """Rows of ``weight`` (V, D) picked by ``index``, a tensor of checked token ids of any shape.

    A gather forward and a scatter-add back: the one-hot matrix it replaces was
    (*index.shape, V) and its product cost V times more.
    """

    @staticmethod
    def forward(ctx: Context, weight: Tensor, index: Tensor) -> Tensor:
        width = weight.shape[1]
        flat = Tensor(_as_rows(index, 1)._data.view((index.size,)), index.backend)
        out = _new((index.size, width), weight.backend, dtype=weight.dtype)
        if out.size:
            weight.backend.embedding(weight._data, flat._data, out._data)
        ctx.save_for_backward(flat, weight.shape)
        return Tensor(out._data.view(index.shape + (width,)), weight.backend)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None]:
        flat, shape = ctx.saved_values
        out = _new(shape, grad.backend, zeroed=True, dtype=grad.dtype)
        if grad.size:
            rows = _as_rows(grad, shape[1])
            grad.backend.embedding_backward(rows._data, flat._data, out._data)
        return out, None


class MaxPool2d(EngineFunction):
    """The maximum of each (kh, kw) window of ``a`` (N, C, H, W), ``stride`` apart.

    The backend finds each window's winner (the first, on a tie) and the backward sends
    the window's whole gradient to it, as torch does (``Backend.max_pool2d``).
    """

    @staticmethod
    def forward(
        ctx: Context, a: Tensor, kernel: tuple[int, int], stride: tuple[int, int]
    ) -> Tensor:
        n, c, h, w = a.shape
        oh, ow = windows_out((h, w), kernel, stride, (0, 0))
        out = _new((n, c, oh, ow), a.backend, dtype=a.dtype)
        index = _new((n, c, oh, ow), a.backend)  # whole floats, in float64 whatever a's dtype
        a.backend.max_pool2d(contiguous_(a)._data, kernel, stride, out._data, index._data)
        ctx.save_for_backward(index, a.shape, kernel, stride)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        index, shape, kernel, stride = ctx.saved_values
        out = _new(shape, grad.backend, zeroed=True, dtype=grad.dtype)
        g = contiguous_(grad)
        grad.backend.max_pool2d_backward(g._data, index._data, kernel, stride, out._data)
        return out, None, None


class Conv2d(EngineFunction):
    """2-D cross-correlation: x (N, C, H, W), weight (O, C, kh, kw), bias (O,) or None.

    im2col into the BLAS GEMM, in the backend's ``conv2d_forward`` and
    ``conv2d_backward`` (the fast backend's goes a chunk of images at a time, with its
    columns in cache: ``fast_conv``). x is kept for backward, not its columns, which are
    unfolded again; each gradient is computed only where it is needed.
    """

    @staticmethod
    def forward(
        ctx: Context, x: Tensor, weight: Tensor, bias: Tensor | None, stride: Pair, padding: Pair
    ) -> Tensor:
        x, weight = _common(x, weight)
        weight = contiguous_(weight)
        if bias is not None:
            bias = contiguous_(bias if bias.dtype == x.dtype else cast_(bias, x.dtype))
        n, _, h, w = x.shape
        oh, ow = windows_out((h, w), weight.shape[2:], stride, padding)
        out = _new((n, weight.shape[0], oh, ow), x.backend, dtype=x.dtype)
        bias_data = None if bias is None else bias._data
        x.backend.conv2d_forward(x._data, weight._data, bias_data, stride, padding, out._data)
        ctx.save_for_backward(x, weight, stride, padding)
        return out

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor | None, ...]:
        x, weight, stride, padding = ctx.saved_values
        needs_x, needs_w, needs_b = ctx.needs_input_grad[:3]
        backend, dtype = grad.backend, x.dtype
        if grad.dtype != dtype:  # a root gradient of another dtype
            grad = cast_(grad, dtype)
        grad_x = _new(x.shape, backend, zeroed=True, dtype=dtype) if needs_x else None
        grad_w = _new(weight.shape, backend, dtype=dtype) if needs_w else None
        grad_b = _new(weight.shape[:1], backend, dtype=dtype) if needs_b else None
        backend.conv2d_backward(
            x._data,
            weight._data,
            grad._data,
            stride,
            padding,
            *(None if g is None else g._data for g in (grad_x, grad_w, grad_b)),
        )
        return grad_x, grad_w, grad_b, None, None
