"""Optimizers with torch's update rules: ``SGD`` (momentum, weight decay) and ``Adam``."""

from __future__ import annotations

from collections.abc import Iterable

from .autodiff import no_grad
from .nn.module import Parameter
from .tensor import Tensor


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
        raise NotImplementedError


class SGD(Optimizer):
    """p -= lr * v, where v = momentum * v + (g + weight_decay * p) (v = g on the first step)."""

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.01,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if momentum < 0.0 or weight_decay < 0.0:
            raise ValueError(
                f"SGD: momentum and weight_decay must be >= 0, got {momentum}, {weight_decay}"
            )
        self.momentum, self.weight_decay = momentum, weight_decay

    @no_grad()
    def step(self) -> None:
        for p in self.params:
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p.detach() if self.weight_decay else p.grad
            if self.momentum:
                state = self.state[id(p)]
                g = g if "velocity" not in state else self.momentum * state["velocity"] + g
                state["velocity"] = g
            p.add_(g, alpha=-self.lr)


class Adam(Optimizer):
    """Adam (Kingma and Ba) with bias correction, as ``torch.optim.Adam``."""

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not all(0.0 <= b < 1.0 for b in betas) or eps < 0.0 or weight_decay < 0.0:
            raise ValueError(
                f"Adam: invalid betas {betas}, eps {eps} or weight_decay {weight_decay}"
            )
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay

    @no_grad()
    def step(self) -> None:
        b1, b2 = self.betas
        for p in self.params:
            if p.grad is None:
                continue
            g = p.grad + self.weight_decay * p.detach() if self.weight_decay else p.grad
            state = self.state[id(p)]
            t = state.get("step", 0) + 1
            m = g * (1.0 - b1) if t == 1 else state["m"] * b1 + g * (1.0 - b1)
            v = g * g * (1.0 - b2) if t == 1 else state["v"] * b2 + g * g * (1.0 - b2)
            state.update(step=t, m=m, v=v)
            denom = (v * (1.0 / (1.0 - b2**t))).sqrt() + self.eps
            p.add_(m / denom, alpha=-self.lr / (1.0 - b1**t))
