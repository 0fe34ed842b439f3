"""Module and Parameter: the containers that hold a model's learnable tensors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..tensor import Tensor, tensor


class Parameter(Tensor):
    """A leaf tensor that a Module owns and an optimizer updates; requires grad."""

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        value = data if isinstance(data, Tensor) else tensor(data)
        super().__init__(value.detach()._data, value.backend, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """A piece of a model: its Parameters, its sub-Modules, and ``forward``.

    Assigning a Parameter or a Module to an attribute registers it, so
    ``parameters()`` finds it, as in torch.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}.__init__ must call super().__init__() first"
            )
        if name in self.__dict__.get("_buffers", {}) and isinstance(value, Tensor):
            self._buffers[name] = value
            return
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self.__dict__.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        for table in ("_parameters", "_modules", "_buffers"):
            entries = self.__dict__.get(table, {})
            if name in entries:
                return entries[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---- traversal ------------------------------------------------------------------
    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def modules(self) -> Iterator[Module]:
        yield self
        for child in self.children():
            yield from child.modules()

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, child in self._modules.items():
            yield from child.named_parameters(prefix + name + ".")

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    # ---- modes and state -------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.zero_grad_()

    def register_buffer(self, name: str, value: Tensor) -> None:
        """Keep ``value`` as state that is saved and moved with the module but not learned
        (BatchNorm's running statistics), as torch's ``register_buffer``."""
        self.__dict__.pop(name, None)
        self._buffers[name] = value

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Tensor]]:
        for name, b in self._buffers.items():
            yield prefix + name, b
        for name, child in self._modules.items():
            yield from child.named_buffers(prefix + name + ".")

    def _named_state(self) -> Iterator[tuple[str, Tensor]]:
        """Every parameter and buffer by dotted name, each module's parameters first."""
        yield from self._parameters.items()
        yield from self._buffers.items()
        for name, child in self._modules.items():
            for key, value in child._named_state():
                yield f"{name}.{key}", value

    def state_dict(self) -> dict[str, Tensor]:
        """Every parameter's and buffer's values by dotted name, cut from the graph."""
        return {name: p.detach() for name, p in self._named_state()}

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Copy values into the parameters and buffers; names and shapes must match."""
        own = dict(self._named_state())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        for name, value in state.items():
            if name not in own:
                continue
            values = (
                value.to_numpy()
                if isinstance(value, Tensor)
                else np.asarray(value, dtype=np.float64)
            )
            if values.shape != own[name].shape:
                raise ValueError(
                    f"load_state_dict: {name!r} has shape {own[name].shape} in the model "
                    f"but {values.shape} in the state"
                )
            own[name].data = tensor(values, backend=own[name].backend, dtype=own[name].dtype)

    def to(self, target: Any) -> Module:
        """Move every parameter's values to a backend, or convert them to a dtype ("float32",
        "float64"), as ``Tensor.to``; the Parameter objects stay the same, so an optimizer
        made before keeps training them."""
        for p in self.parameters():
            moved = p.detach().to(target)
            p._data, p.backend, p.grad = moved._data, moved.backend, None
        for _, b in self.named_buffers():
            moved = b.to(target)
            b._data, b.backend = moved._data, moved.backend
        return self

    def float(self) -> Module:
        """Every parameter in float32, as torch's ``Module.float()``."""
        return self.to("float32")

    def double(self) -> Module:
        """Every parameter in float64, as torch's ``Module.double()``."""
        return self.to("float64")

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [
            f"({name}): " + repr(child).replace("\n", "\n  ")
            for name, child in self.named_children()
        ]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"
