"""Fused Functions: softmax, log-softmax and the losses, each one call with an analytic backward.

Each could be (and in the tests still is) composed of the primitives in
``tensor_functions``; that chain costs one Function call, one kernel and one
temporary per step, and the autodiff graph must walk all of them back. Here the
forward is one or two of the backend's row kernels and the backward is the
closed form: ``y * (g - sum(g * y))`` for softmax, ``g - exp(y) * sum(g)`` for
log-softmax, ``p - onehot`` for cross-entropy and ``2 (x - t)`` for the squared
error. The tests hold every one equal to its composed version and to central
differences.
"""

from __future__ import annotations

from .autodiff import Context, Function
from .tensor import Tensor
from .tensor_data import TensorData
from .tensor_functions import _new, map_, reduce_, zip_


def _rows(t: Tensor) -> TensorData:
    """A contiguous tensor seen as (rows, last dim): the layout the row kernels take."""
    n = t.shape[-1] if t.dims else 1
    return t._data.view((t.size // n if n else 0, n))


def _to_last(t: Tensor, order: list[int] | None) -> Tensor:
    """``t`` permuted by ``order`` (None: as it is), as a contiguous tensor."""
    if order is None:
        return t if t.is_contiguous() else map_("id", t)
    return map_("id", Tensor(t._data.permute(order), t.backend))


def _from_last(t: Tensor, order: list[int] | None) -> Tensor:
    """The view of ``t`` that undoes ``_to_last``'s permutation."""
    if order is None:
        return t
    back = [0] * len(order)
    for position, d in enumerate(order):
        back[d] = position
    return Tensor(t._data.permute(back), t.backend)


class Softmax(Function):
    """softmax (``log`` False) or log_softmax (``log`` True) of ``a`` along ``dim`` (>= 0)."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, dim: int, log: bool) -> Tensor:
        order = None if dim == a.dims - 1 else [d for d in range(a.dims) if d != dim] + [dim]
        moved = _to_last(a, order)
        out = _new(moved.shape, a.backend)
        if out.size:
            a.backend.softmax(_rows(moved), _rows(out), log)
        ctx.save_for_backward(out, order, log)
        return _from_last(out, order)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None]:
        y, order, log = ctx.saved_values
        g = _to_last(grad, order)
        out = _new(y.shape, y.backend)
        if out.size:
            y.backend.softmax_backward(_rows(y), _rows(g), _rows(out), log)
        return _from_last(out, order), None, None


def _per_row(grad: Tensor, rows: int, reduction: str) -> Tensor:
    """The gradient of each row's loss: ``grad`` itself for "none", else spread (and averaged)."""
    if reduction == "none":
        return grad if grad.is_contiguous() else map_("id", grad)
    spread = map_("id", Tensor(grad._data.view((1,)), grad.backend), (rows,))
    return (
        zip_("mul", spread, grad._constant(1.0 / rows), "mean") if reduction == "mean" else spread
    )


def _reduced(losses: Tensor, reduction: str) -> Tensor:
    if reduction == "none":
        return losses
    total = reduce_("sum", losses, None, keepdim=False)
    return (
        zip_("mul", total, losses._constant(1.0 / losses.size), "mean")
        if reduction == "mean"
        else total
    )


class NLLLoss(Function):
    """``-input[i, target[i]]`` over rows of log-probabilities, reduced by ``reduction``.

    ``target`` is a (rows,) tensor of checked class indices on the input's backend.
    With ``from_logits`` the input is raw scores and a log-softmax comes first: that is
    cross-entropy, whose gradient is ``p - onehot``.
    """

    @staticmethod
    def forward(
        ctx: Context, a: Tensor, target: Tensor, reduction: str, from_logits: bool
    ) -> Tensor:
        logp = a if a.is_contiguous() else map_("id", a)
        if from_logits:
            scores, logp = logp, _new(a.shape, a.backend)
            if logp.size:
                a.backend.softmax(scores._data, logp._data, True)
        losses = _new((a.shape[0],), a.backend)
        if losses.size:
            a.backend.nll(logp._data, target._data, losses._data)
        ctx.save_for_backward(logp if from_logits else None, target, reduction, a.shape)
        return _reduced(losses, reduction)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, None, None, None]:
        logp, target, reduction, shape = ctx.saved_values
        out = _new(shape, grad.backend)
        if out.size:
            g = _per_row(grad, shape[0], reduction)
            grad.backend.nll_backward(
                g._data, target._data, out._data, None if logp is None else logp._data
            )
        return out, None, None, None


class MSELoss(Function):
    """``(input - target) ** 2``, reduced; the gradient is ``2 (input - target)`` times grad."""

    @staticmethod
    def forward(ctx: Context, a: Tensor, target: Tensor, reduction: str) -> Tensor:
        diff = zip_("add", a, map_("neg", target), "mse_loss")
        ctx.save_for_backward(diff, reduction, target.requires_grad)
        return _reduced(zip_("mul", diff, diff, "mse_loss"), reduction)

    @staticmethod
    def backward(ctx: Context, grad: Tensor) -> tuple[Tensor, Tensor | None, None]:
        diff, reduction, target_needs_grad = ctx.saved_values
        scale = 2.0 / diff.size if reduction == "mean" else 2.0
        g = zip_("mul", grad, grad._constant(scale), "mse_loss backward")
        out = zip_("mul", diff, g, "mse_loss backward")
        return out, map_("neg", out) if target_needs_grad else None, None
