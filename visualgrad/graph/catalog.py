"""The catalog: one registry of node types, the single list of what a graph can hold.

A node type declares its ports, its parameters (type, default, range), a
one-line description, the formula of its value and of its local derivative
(shown during the backward step), the learnable tensors it owns, and how it is
computed with the engine. The palette, the inspector, the file format, the
exporter and the docs read this registry; nothing else lists node types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import Tensor

TENSOR, INDEX, ANY = "tensor", "index", "any"  # port kinds; "any" is a dataset's, either


@dataclass(frozen=True)
class Port:
    name: str
    kind: str = TENSOR

    def accepts(self, source: Port) -> bool:
        """Whether an edge from output ``source`` may end at this input."""
        return ANY in (self.kind, source.kind) or self.kind == source.kind


@dataclass(frozen=True)
class Param:
    """A setting of a node: ``type`` is int, float, bool, choice, ints, floats or dim."""

    name: str
    type: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    doc: str = ""

    def coerce(self, value: Any) -> Any:
        """``value`` checked and converted; ValueError naming the parameter otherwise."""
        where = f"parameter {self.name!r}"
        if self.type == "dim" and value is None:
            return None
        if self.type in ("int", "dim"):
            whole = isinstance(value, (int, np.integer)) or (
                isinstance(value, float) and value.is_integer()
            )
            if isinstance(value, bool) or not whole:
                raise ValueError(f"{where}: expected a whole number, got {value!r}")
            value = int(value)
        elif self.type == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise ValueError(f"{where}: expected a number, got {value!r}")
            try:
                value = float(value)
            except OverflowError:
                raise ValueError(f"{where}: {value!r} is too large") from None
            if not np.isfinite(value):
                raise ValueError(f"{where}: expected a finite number, got {value!r}")
        elif self.type == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{where}: expected true or false, got {value!r}")
        elif self.type == "choice":
            if value not in self.choices:
                raise ValueError(
                    f"{where}: expected one of {', '.join(self.choices)}, got {value!r}"
                )
        elif self.type in ("ints", "floats"):
            kind = Param(self.name, "int" if self.type == "ints" else "float", 0)
            if not isinstance(value, (list, tuple)):
                raise ValueError(f"{where}: expected a list, got {value!r}")
            if len(value) > 100_000:
                raise ValueError(f"{where}: a list of {len(value)} values is too long")
            return [kind.coerce(v) for v in value]
        if self.low is not None and value < self.low:
            raise ValueError(f"{where}: {value} is below the minimum {self.low:g}")
        if self.high is not None and value > self.high:
            raise ValueError(f"{where}: {value} is above the maximum {self.high:g}")
        return value


@dataclass
class NodeContext:
    """What a node's compute function sees: its inputs, settings, learnable tensors, batch."""

    inputs: Mapping[str, Tensor]
    params: Mapping[str, Any]
    weights: Mapping[str, Tensor]
    batch: Mapping[str, Tensor]
    training: bool = False
    backend: str | None = None


Compute = Callable[[NodeContext], Tensor]
# Initial values of a node's learnable tensors from its parameters, drawn from the
# engine's seeded generator (vg.manual_seed), so a seed gives the same weights.
Init = Callable[[Mapping[str, Any]], dict[str, np.ndarray]]


@dataclass(frozen=True, kw_only=True)
class NodeType:
    """One entry of the catalog, written with keywords so that it reads as a spec."""

    name: str
    category: str
    description: str
    inputs: tuple[Port, ...] = ()
    outputs: tuple[Port, ...] = ()
    params: tuple[Param, ...] = ()
    forward: str  # the formula of its value
    derivative: str  # the formula of its local derivative, shown during the backward step
    compute: Compute
    init: Init | None = None
    weight_shapes: Callable[[Mapping[str, Any]], dict[str, tuple[int, ...]]] | None = None
    role: str = "op"  # "source" (no inputs), "op", or "output" (where backward starts)
    batch: str | None = None  # a source that hands out the batch's "x" or "y"
    accuracy: str | None = None  # a loss whose input scores "binary" or "classes" predictions
    # The PyTorch form, for the exporter: an expression over the input ports and parameters
    # ("{a} + {b}"), or for a node with learnable tensors the module or nn.Parameter that
    # holds them ("nn.Linear({in_features}, {out_features}, bias={bias})"); a function of
    # the parameters where the form depends on them.
    torch: str | Callable[[Mapping[str, Any]], str] | None = None
    defaults: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("inputs", "outputs", "params"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "defaults", {p.name: p.default for p in self.params})
        if (self.init is None) != (self.weight_shapes is None):
            raise ValueError(f"node type {self.name!r}: init and weight_shapes go together")

    @property
    def learnable(self) -> bool:
        """Whether the node owns learnable tensors (a Parameter, a layer) the optimizer updates."""
        return self.init is not None

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def input(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> Port | None:
        return next((p for p in self.outputs if p.name == name), None)

    def check_params(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """All parameters, defaults filled in and values checked; ValueError on a bad one."""
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise ValueError(f"unknown parameter {unknown[0]!r} for {self.name}")
        return {p.name: p.coerce(params.get(p.name, p.default)) for p in self.params}


CATALOG: dict[str, NodeType] = {}


def register(node_type: NodeType) -> NodeType:
    if node_type.name in CATALOG:
        raise ValueError(f"node type {node_type.name!r} is registered twice")
    CATALOG[node_type.name] = node_type
    return node_type


def get(name: str) -> NodeType:
    """The node type called ``name``; ValueError naming it when there is none."""
    try:
        return CATALOG[name]
    except KeyError:
        raise ValueError(f"unknown node type {name!r}") from None


def categories() -> dict[str, list[NodeType]]:
    """Node types grouped by category, in the order they were registered."""
    groups: dict[str, list[NodeType]] = {}
    for node_type in CATALOG.values():
        groups.setdefault(node_type.category, []).append(node_type)
    return groups
