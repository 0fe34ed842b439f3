"""Reverse-mode automatic differentiation over a graph of Functions.

A ``Variable`` remembers the Function call that made it (its history). Calling
``backpropagate`` on a scalar walks the graph once, in reverse topological
order and without recursion, handing each Function's ``backward`` the
gradient of its output and adding up the gradients that reach an input along
several paths.
"""

from __future__ import annotations

import threading
from typing import Any

_state = threading.local()


def is_grad_enabled() -> bool:
    """False inside ``no_grad()``: Functions then record no history."""
    return getattr(_state, "enabled", True)


class no_grad:  # noqa: N801 - named like torch.no_grad, a context manager users know
    """A context (or decorator) in which no Function call is recorded."""

    def __enter__(self) -> None:
        self._previous = is_grad_enabled()
        _state.enabled = False

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self._previous

    def __call__(self, fn):
        def wrapper(*args, **kwargs):
            with no_grad():
                return fn(*args, **kwargs)

        wrapper.__name__ = getattr(fn, "__name__", "wrapper")
        wrapper.__doc__ = getattr(fn, "__doc__", None)
        return wrapper


class Context:
    """What a Function's forward keeps for its backward."""

    __slots__ = ("saved_values",)

    def __init__(self) -> None:
        self.saved_values: tuple[Any, ...] = ()

    def save_for_backward(self, *values: Any) -> None:
        self.saved_values = values


class History:
    """The Function call that produced a Variable: its class, context and inputs.

    ``parents`` are the inputs that require grad, the ones backward visits.
    """

    __slots__ = ("function", "ctx", "inputs", "parents")

    def __init__(self, function: type[Function], ctx: Context, inputs: tuple[Any, ...]) -> None:
        self.function = function
        self.ctx = ctx
        self.inputs = inputs
        self.parents = tuple(v for v in inputs if isinstance(v, Variable) and v.requires_grad)


class Variable:
    """Something that can sit in the autodiff graph; ``Tensor`` is the one kind."""

    requires_grad: bool
    grad: Any
    _history: History | None
    _retains_grad: bool

    @property
    def is_leaf(self) -> bool:
        """True for a tensor the user made (not computed from others)."""
        return self._history is None

    def parents(self) -> tuple[Variable, ...]:
        if self._history is None:
            return ()
        return tuple(v for v in self._history.inputs if isinstance(v, Variable) and v.requires_grad)

    def _accumulate_grad(self, grad: Any) -> None:
        # The first gradient is copied: backward passes gradients on unchanged where it
        # can, so without the copy two leaves' .grad could share storage.
        self.grad = grad.contiguous_copy() if self.grad is None else self.grad + grad


class Function:
    """A differentiable operation: ``forward(ctx, *inputs)`` and ``backward(ctx, grad)``.

    ``backward`` returns one gradient per positional input of ``forward``, in
    order, with None for inputs that are not tensors or get no gradient; each
    gradient has its input's shape.
    """

    differentiable = True

    @staticmethod
    def forward(ctx: Context, *inputs: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any) -> Any:
        needs_grad = (
            cls.differentiable
            and is_grad_enabled()
            and any(isinstance(v, Variable) and v.requires_grad for v in inputs)
        )
        ctx = Context()
        out = cls.forward(ctx, *inputs)
        if needs_grad:
            out.requires_grad = True
            out._history = History(cls, ctx, inputs)
        return out


def topological_order(root: Variable) -> list[Variable]:
    """Every Variable ``root`` depends on, each after all of its consumers; ``root`` first.

    Iterative depth-first search, so a chain of any length fits in memory.
    """
    visited: set[int] = set()
    finished: list[Variable] = []
    stack: list[tuple[Variable, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            finished.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node.parents() if id(p) not in visited)
    finished.reverse()
    return finished


def backpropagate(root: Variable, grad: Any) -> None:
    """Send ``grad`` (d out / d root) back through the graph into every leaf's ``.grad``."""
    with no_grad():
        pending: dict[int, Any] = {id(root): grad}
        for node in topological_order(root):
            g = pending.pop(id(node), None)
            if g is None:
                continue
            if node.is_leaf or node._retains_grad:
                node._accumulate_grad(g)
            history = node._history
            if history is None:
                continue
            for value, g_in in zip(history.inputs, history.function.backward(history.ctx, g)):
                if g_in is None or not (isinstance(value, Variable) and value.requires_grad):
                    continue
                key = id(value)
                pending[key] = g_in if key not in pending else pending[key] + g_in
