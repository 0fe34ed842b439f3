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


class _GradMode(threading.local):
    """Whether Functions record history, per thread; the class default holds until a
    thread enters ``no_grad`` (a plain attribute read: ``getattr`` with a default paid for
    a missed lookup on every call)."""

    enabled = True


_state = _GradMode()


def is_grad_enabled() -> bool:
    """False inside ``no_grad()``: Functions then record no history."""
    return _state.enabled


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
    """What a Function's forward keeps for its backward.

    ``needs_input_grad`` says, input by input, which ones backward must give a
    gradient for (as torch's), so a backward can skip the work for the others.
    """

    __slots__ = ("saved_values", "needs_input_grad")

    def __init__(self, needs_input_grad: tuple[bool, ...] = ()) -> None:
        self.saved_values: tuple[Any, ...] = ()
        self.needs_input_grad = needs_input_grad

    def save_for_backward(self, *values: Any) -> None:
        self.saved_values = values


class History:
    """The Function call that produced a Variable: its class, context and inputs.

    ``parents`` are the inputs that require grad, the ones backward visits.
    """

    __slots__ = ("function", "ctx", "inputs", "parents", "slots")

    def __init__(self, function: type[Function], ctx: Context, inputs: tuple[Any, ...]) -> None:
        self.function = function
        self.ctx = ctx
        self.inputs = inputs
        # The positions of those inputs, so that backward pairs each with its gradient.
        self.slots = slots = tuple([i for i, wanted in enumerate(ctx.needs_input_grad) if wanted])
        self.parents = tuple([inputs[i] for i in slots])


class Variable:
    """Something that can sit in the autodiff graph; ``Tensor`` is the one kind."""

    __slots__ = ("requires_grad", "grad", "_history", "_retains_grad", "__weakref__")
    requires_grad: bool
    grad: Any
    _history: History | None
    _retains_grad: bool

    @property
    def is_leaf(self) -> bool:
        """True for a tensor the user made (not computed from others)."""
        return self._history is None

    def parents(self) -> tuple[Variable, ...]:
        return () if self._history is None else self._history.parents

    def _accumulate_grad(self, grad: Any, adopt: bool) -> None:
        """Add ``grad`` into ``.grad``; the first one is kept as it is when ``adopt``.

        Backward passes gradients on unchanged where it can, so the caller adopts a
        gradient only when no other leaf and no tensor of the caller's holds its storage.
        """
        if self.grad is not None:
            self.grad = self.grad + grad
        else:
            self.grad = grad if adopt else grad.contiguous_copy()


class Function:
    """A differentiable operation: ``forward(ctx, *inputs)`` and ``backward(ctx, grad)``.

    ``backward`` returns one gradient per positional input of ``forward``, in
    order, with None for inputs that are not tensors or get no gradient; each
    gradient has its input's shape.
    """

    differentiable = True
    # True where backward returns only tensors it made, or the gradient it was handed, so
    # a leaf may keep them as its .grad. A user's Function may return tensors it keeps
    # (a saved input, a constant), which a leaf must copy instead.
    fresh_gradients = False

    @staticmethod
    def forward(ctx: Context, *inputs: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any) -> Any:
        if not (cls.differentiable and _state.enabled):
            return cls.forward(_NO_GRAD, *inputs)
        flags = tuple([isinstance(v, Variable) and v.requires_grad for v in inputs])
        if True not in flags:
            return cls.forward(_NO_GRAD, *inputs)
        ctx = Context(flags)
        out = cls.forward(ctx, *inputs)
        out.requires_grad = True
        out._history = History(cls, ctx, inputs)
        return out


class _Unrecorded(Context):
    """The context of a call that records nothing: what forward saves is dropped at once."""

    __slots__ = ()

    def save_for_backward(self, *values: Any) -> None:
        pass


_NO_GRAD = _Unrecorded()


def backpropagate(root: Variable, grad: Any) -> None:
    """Send ``grad`` (d out / d root) back through the graph into every leaf's ``.grad``.

    Each Function's backward runs once every consumer of its output has sent its share,
    so each gradient arrives summed (the order of torch's engine: a count of the uses of
    each value, then a walk from root, where a value is ready when its count reaches 0;
    no recursion, so a chain of any length fits).

    Each gradient is in its input's dtype (an op on float32 and float64 computes in
    float64; the float32 input's gradient is float32, as in torch). A leaf keeps the
    gradient tensor it is handed unless its storage is the caller's
    ``grad``, already another leaf's, or came from a Function whose gradients are not
    known to be fresh (``Function.fresh_gradients``), or it is not contiguous: then it
    gets a copy.
    """
    previous, _state.enabled = _state.enabled, False
    try:
        uses: dict[int, int] = {}
        stack = [root]
        while stack:
            history = stack.pop()._history
            if history is None:
                continue
            for parent in history.parents:
                key = id(parent)
                count = uses.get(key)
                if count is None:
                    uses[key] = 1
                    stack.append(parent)
                else:
                    uses[key] = count + 1
        pending: dict[int, Any] = {id(root): grad}
        handed = {id(grad._data.storage)}
        ready = [root]
        while ready:
            node = ready.pop()
            g = pending.pop(id(node), None)
            history = node._history
            if g is not None and (history is None or node._retains_grad):
                storage = id(g._data.storage)
                node._accumulate_grad(g, storage not in handed and g._data.is_contiguous())
                handed.add(storage)
            if history is None:
                continue
            if g is not None:
                grads = history.function.backward(history.ctx, g)
                if not history.function.fresh_gradients:
                    handed.update(id(x._data.storage) for x in grads if x is not None)
                inputs = history.inputs
                for i in history.slots:
                    g_in = grads[i]
                    if g_in is None:
                        continue
                    value = inputs[i]
                    if g_in._data.storage.dtype is not value._data.storage.dtype:
                        g_in = g_in.to(value._data.storage.dtype)  # in its input's dtype
                    key = id(value)
                    earlier = pending.get(key)
                    pending[key] = g_in if earlier is None else earlier + g_in
            for parent in history.parents:  # this consumer is done, with a gradient or none
                key = id(parent)
                count = uses[key] - 1
                uses[key] = count
                if count == 0:
                    ready.append(parent)
    finally:
        _state.enabled = previous


class EngineFunction(Function):
    """The engine's own Functions: their backward rules make new tensors or pass on the
    gradient they are handed, so leaves may adopt what they return."""

    fresh_gradients = True
