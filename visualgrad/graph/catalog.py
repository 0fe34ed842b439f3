"""The catalog: one registry of node types, the single list of what a graph can hold.

A node type declares its ports, its parameters (type, default, range), a
one-line description, the formula of its value and of its local derivative
(shown during the backward step), the learnable tensors it owns, and how it is
computed with the engine. The palette, the inspector, the file format, the
exporter and the docs read this registry; nothing else lists node types.
"""

from __future__ import annotations

import json
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
    """A setting of a node: ``type`` names its kind in PARAM_KINDS."""

    name: str
    type: str
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    doc: str = ""

    def __post_init__(self) -> None:
        if self.type not in PARAM_KINDS:
            raise ValueError(
                f"parameter {self.name!r}: expected a type among {', '.join(PARAM_KINDS)}, "
                f"got {self.type!r}"
            )

    @property
    def kind(self) -> ParamKind:
        return PARAM_KINDS[self.type]

    def coerce(self, value: Any) -> Any:
        """``value`` checked and converted; ValueError naming the parameter otherwise."""
        return self.kind.check(self, value)

    def parse(self, text: str) -> Any:
        """The value typed as ``text``, not yet checked; ValueError saying what was expected."""
        return self.kind.parse(self, text.strip())

    def show(self, value: Any) -> str:
        """``value`` as the inspector writes it, the way ``parse`` reads it back."""
        return self.kind.show(value)


@dataclass(frozen=True)
class ParamKind:
    """One type of parameter: how a value is checked, read from text and written, and the
    editor the window gives it ("spin", "check", "choice" or "text", with ``hint`` in it)."""

    check: Callable[[Param, Any], Any]
    parse: Callable[[Param, str], Any]
    show: Callable[[Any], str]
    editor: str = "text"
    hint: str = ""


def _where(param: Param) -> str:
    return f"parameter {param.name!r}"


def _in_range(param: Param, value: float) -> float:
    if param.low is not None and value < param.low:
        raise ValueError(f"{_where(param)}: {value} is below the minimum {param.low:g}")
    if param.high is not None and value > param.high:
        raise ValueError(f"{_where(param)}: {value} is above the maximum {param.high:g}")
    return value


def _check_int(param: Param, value: Any) -> int:
    whole = isinstance(value, (int, np.integer)) or (
        isinstance(value, float) and value.is_integer()
    )
    if isinstance(value, bool) or not whole:
        raise ValueError(f"{_where(param)}: expected a whole number, got {value!r}")
    return _in_range(param, int(value))


def _check_float(param: Param, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{_where(param)}: expected a number, got {value!r}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{_where(param)}: {value!r} is too large") from None
    if not np.isfinite(value):
        raise ValueError(f"{_where(param)}: expected a finite number, got {value!r}")
    return _in_range(param, value)


def _check_bool(param: Param, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{_where(param)}: expected true or false, got {value!r}")
    return value


def _check_choice(param: Param, value: Any) -> str:
    if value not in param.choices:
        raise ValueError(
            f"{_where(param)}: expected one of {', '.join(param.choices)}, got {value!r}"
        )
    return value


def _check_dim(param: Param, value: Any) -> int | None:
    return None if value is None else _check_int(param, value)


def _list_of(check: Callable[[Param, Any], Any]) -> Callable[[Param, Any], list]:
    """A check of a list whose every element passes ``check`` (without the list's range)."""

    def check_list(param: Param, value: Any) -> list:
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{_where(param)}: expected a list, got {value!r}")
        if len(value) > 100_000:
            raise ValueError(f"{_where(param)}: a list of {len(value)} values is too long")
        element = Param(param.name, param.type, 0)
        return [check(element, v) for v in value]

    return check_list


def _parse_int(param: Param, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{param.name}: expected a whole number, got {text!r}") from None


def _parse_float(param: Param, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{param.name}: expected a number, got {text!r}") from None


def _parse_bool(param: Param, text: str) -> bool:
    if text.lower() not in ("true", "false"):
        raise ValueError(f"{param.name}: expected true or false, got {text!r}")
    return text.lower() == "true"


def _parse_dim(param: Param, text: str) -> int | None:
    return None if text.lower() in ("", "none", "all") else _parse_int(param, text)


def _parse_list(param: Param, text: str) -> Any:
    try:
        return json.loads(text if text.startswith("[") else f"[{text}]")
    except json.JSONDecodeError:
        raise ValueError(f"{param.name}: expected numbers separated by commas") from None


def _show_number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _show_list(value: list) -> str:
    return ", ".join(_show_number(v) for v in value)


LIST_HINT = "numbers, separated by commas (empty: none)"
PARAM_KINDS: dict[str, ParamKind] = {
    "int": ParamKind(_check_int, _parse_int, str, editor="spin"),
    "float": ParamKind(_check_float, _parse_float, _show_number),
    "bool": ParamKind(_check_bool, _parse_bool, str, editor="check"),
    "choice": ParamKind(_check_choice, lambda param, text: text, str, editor="choice"),
    "ints": ParamKind(_list_of(_check_int), _parse_list, _show_list, hint=LIST_HINT),
    "floats": ParamKind(_list_of(_check_float), _parse_list, _show_list, hint=LIST_HINT),
    # a dimension, or None for all of them
    "dim": ParamKind(_check_dim, _parse_dim, lambda v: "none" if v is None else str(v)),
}


@dataclass
class NodeContext:
    """What a node's compute function sees: its inputs, settings, learnable tensors, batch."""

    inputs: Mapping[str, Tensor]
    params: Mapping[str, Any]
    weights: Mapping[str, Tensor]
    batch: Mapping[str, Tensor]
    training: bool = False
    backend: str | None = None
    dtype: str = "float64"  # what a node that makes a tensor makes it in


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
