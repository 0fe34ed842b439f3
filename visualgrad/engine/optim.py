"""Optimizers with torch's update rules: ``SGD`` (momentum, weight decay) and ``Adam``.

Each step is one backend kernel per parameter (``sgd_step``, ``adam_step``), updating
the parameter and its state in place: no temporaries, no autodiff bookkeeping. The
state (momentum, Adam's moments) is kept in the parameter's dtype.
"""

from __future__ import annotations

from collections.abc import Iterable

from .nn.module import Parameter
from .tensor import Tensor
from .tensor_functions import _new, cast_, contiguous_, map_, zip_


def _zeros_like(t: Tensor) -> Tensor:
    """Zeros shaped like ``t`` and in its dtype: optimizer state is kept in the parameter's."""
    return _new(t.shape, t.backend, zeroed=True, dtype=t.dtype)


class Optimizer:
    """Holds the parameters to update; ``zero_grad()`` clears their gradients."""

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not lr >= 0.0:
            raise ValueError(f"{type(self).__name__}: learning rate must be >= 0, got {lr}")
        for p in self.params:
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(
                    f"{type(self).__name__}: can only optimize tensors that require grad"
                )
        self.lr = lr
        self.state: dict[int, dict[str, Tensor]] = {id(p): {} for p in self.params}

    def zero_grad(self) -> None:
        for p in self.params:
            p.zero_grad_()

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        for p in self.params:
            grad = p.grad
            if grad is None:
                continue
            if grad._data.storage.dtype is not p._data.storage.dtype:
                grad = cast_(grad, p.dtype)
            elif not grad._data.is_contiguous():
                grad = contiguous_(grad)
            if p._data.is_contiguous():
                self._update(p, p, grad)
            else:  # updated in a contiguous copy, then written back through p's strides
                whole = map_("id", p)
                self._update(p, whole, grad)
                p.backend.map("id", whole._data, p._data)

    def _update(self, p: Tensor, values: Tensor, grad: Tensor) -> None:
        """Update ``values`` (``p`` or its contiguous copy) from ``grad``, in place."""
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * v, where v = momentum * v + (g + weight_decay * p) (v = g on the first step);
    with ``nesterov``, p -= lr * (g + momentum * v)."""

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.01,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        if momentum < 0.0 or weight_decay < 0.0:
            raise ValueError(
                f"SGD: momentum and weight_decay must be >= 0, got {momentum}, {weight_decay}"
            )
        if nesterov and momentum == 0.0:
            raise ValueError("SGD: nesterov needs a momentum above 0")
        self.momentum, self.weight_decay, self.nesterov = momentum, weight_decay, nesterov

    def _update(self, p: Tensor, values: Tensor, grad: Tensor) -> None:
        state = self.state[id(p)]
        first = "velocity" not in state
        if self.momentum and first:
            state["velocity"] = _zeros_like(p)
        velocity = state.get("velocity", grad)
        rule = (self.lr, self.momentum, self.weight_decay, first, self.nesterov)
        p.backend.sgd_step(values._data, grad._data, velocity._data, rule)


class Adam(Optimizer):
    """Adam (Kingma and Ba) with bias correction, as ``torch.optim.Adam``."""

    decoupled = False  # AdamW's weight decay scales p instead of adding to the gradient
    default_weight_decay = 0.0

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float | None = None,
    ) -> None:
        """``weight_decay`` defaults to torch's: 0 for Adam, 0.01 for AdamW."""
        super().__init__(params, lr)
        if weight_decay is None:
            weight_decay = self.default_weight_decay
        if not all(0.0 <= b < 1.0 for b in betas) or eps < 0.0 or weight_decay < 0.0:
            raise ValueError(
                f"Adam: invalid betas {betas}, eps {eps} or weight_decay {weight_decay}"
            )
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay

    def _update(self, p: Tensor, values: Tensor, grad: Tensor) -> None:
        b1, b2 = self.betas
        if self.decoupled:
            shrink = values._constant(1.0 - self.lr * self.weight_decay)
            zip_("mul", values, shrink, "AdamW", out=values)
        state = self.state[id(p)]
        if "step" not in state:
            state.update(step=0, m=_zeros_like(p), v=_zeros_like(p))
        state["step"] = t = state["step"] + 1
        decay = 0.0 if self.decoupled else self.weight_decay
        rule = (self.lr / (1.0 - b1**t), b1, b2, self.eps, 1.0 / (1.0 - b2**t), decay)
        p.backend.adam_step(values._data, grad._data, state["m"]._data, state["v"]._data, rule)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter), as ``torch.optim.AdamW``:
    each step first scales p by (1 - lr * weight_decay), then takes Adam's step."""

    decoupled = True
    default_weight_decay = 0.01
