"""Weights changed by hand: one element of a learnable tensor set to a value the user typed.

The document keeps each such edit in ``Graph.hand_edits`` (saved as the file's optional
``"hand_edits"`` list), so that it says its weights are not only what training made. An
edit first fixes every learnable node's tensors as the graph would train from them (its
own, or drawn from the training seed), so that one edited node does not change what the
others draw.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .execute import Program
from .graph import Graph, GraphError
from .snapshots import Weights, program_weights

MAX_DIMS = 32  # of a recorded index, as of a saved tensor


@dataclass(frozen=True)
class HandEdit:
    """``weight[index]`` of node ``node`` was set from ``before`` to ``after`` by hand."""

    node: str
    weight: str
    index: tuple[int, ...]
    before: float
    after: float

    def describe(self) -> str:
        """How the inspector lists it: ``weight[0, 1] 0.3127 → 2``."""
        where = ", ".join(str(i) for i in self.index)
        return f"{self.weight}[{where}] {self.before:.4g} → {self.after:.4g}"


def parse_index(text: str) -> tuple[int, ...]:
    """An element's index typed as ``0, 1`` or ``[0][1]`` (empty: the one element of a 0-d)."""
    parts = [p for p in re.split(r"[\s,\[\]]+", text.strip()) if p]
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"index: expected whole numbers such as 0, 1, got {text!r}") from None


def all_weights(graph: Graph) -> Weights:
    """Every learnable node's tensors, as training would start from them now."""
    return program_weights(Program(graph, "simple"))


def element(graph: Graph, node_id: str, name: str, index: tuple[int, ...]) -> float:
    """The current value of ``name[index]`` of a learnable node; ValueError saying why not."""
    node = graph.nodes.get(node_id)
    own = node.weights if node is not None else None  # else drawn, as training would draw them
    tensor = _tensor(
        {node_id: own} if own is not None else all_weights(graph), graph, node_id, name
    )
    _check_index(tensor, name, index)
    return float(tensor[index])


def edit(
    graph: Graph, node_id: str, name: str, index: tuple[int, ...], value: float
) -> tuple[Weights, HandEdit]:
    """Every learnable node's tensors with ``name[index]`` of ``node_id`` set to ``value``,
    and the record of the edit; ValueError naming what is wrong, changing nothing."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    weights = all_weights(graph)
    tensor = _tensor(weights, graph, node_id, name)
    _check_index(tensor, name, index)
    before = float(tensor[index])
    tensor[index] = value
    return weights, HandEdit(node_id, name, index, before, float(value))


def _tensor(weights: Weights, graph: Graph, node_id: str, name: str) -> np.ndarray:
    if node_id not in weights:
        node = graph.nodes.get(node_id)
        what = node.describe() if node is not None else f"no node {node_id!r}"
        raise ValueError(f"{what}: has no learnable values to edit")
    if name not in weights[node_id]:
        names = ", ".join(weights[node_id])
        raise ValueError(f"{node_id}: no learnable tensor {name!r} (it has {names})")
    return weights[node_id][name]


def _check_index(tensor: np.ndarray, name: str, index: tuple[int, ...]) -> None:
    if len(index) != tensor.ndim or any(not 0 <= i < n for i, n in zip(index, tensor.shape)):
        raise ValueError(
            f"{name}: index {list(index)} is outside its shape {tuple(tensor.shape)} "
            f"(expected {tensor.ndim} whole number{'s' * (tensor.ndim != 1)} from 0)"
        )


def to_data(edits: list[HandEdit]) -> list[dict[str, Any]]:
    """The file's ``"hand_edits"`` list."""
    return [
        {
            "node": e.node,
            "weight": e.weight,
            "index": list(e.index),
            "before": e.before,
            "after": e.after,
        }
        for e in edits
    ]


def from_data(value: Any) -> list[HandEdit]:
    """The edits a file lists; GraphError naming the first malformed entry.

    A record is history: one whose node or tensor is gone (deleted, renamed, a bias turned
    off) or whose index lies outside the tensor now (resized since) is kept as it is, and
    ``current`` leaves it out; only an index no tensor could have (a negative or non-whole
    number, more than ``MAX_DIMS``) is refused.
    """
    if not isinstance(value, list):
        raise GraphError(f"hand_edits must be a list, got {type(value).__name__}")
    edits = []
    for i, entry in enumerate(value):
        where = f"hand_edits[{i}]"
        if not isinstance(entry, dict) or set(entry) != {
            "node",
            "weight",
            "index",
            "before",
            "after",
        }:
            raise GraphError(f"{where}: expected node, weight, index, before and after")
        node_id, name, index = entry["node"], entry["weight"], entry["index"]
        if not isinstance(node_id, str) or not node_id:
            raise GraphError(f"{where}: node must be a node's id")
        if not isinstance(name, str) or not name:
            raise GraphError(f"{where}: weight must be the name of a tensor")
        if (
            not isinstance(index, list)
            or len(index) > MAX_DIMS
            or not all(type(j) is int and j >= 0 for j in index)
        ):
            raise GraphError(f"{where}: index must be a list of whole numbers from 0")
        numbers = (entry["before"], entry["after"])
        if not all(
            isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n)
            for n in numbers
        ):
            raise GraphError(f"{where}: before and after must be finite numbers")
        edits.append(HandEdit(node_id, name, tuple(index), *map(float, numbers)))
    return edits


def current(graph: Graph, node_id: str) -> list[HandEdit]:
    """The recorded edits of ``node_id`` that still name one of its elements (the inspector's
    list); records of a node or tensor that is gone, or of an index outside it, are left out."""
    found = []
    for e in graph.hand_edits:
        if e.node != node_id:
            continue
        shape = _shape(graph, node_id, e.weight)
        fits = shape is not None and len(e.index) == len(shape)
        if fits and all(i < n for i, n in zip(e.index, shape)):
            found.append(e)
    return found


def _shape(graph: Graph, node_id: str, name: str) -> tuple[int, ...] | None:
    """The shape ``name`` of node ``node_id`` has now, or None where there is no such tensor."""
    node = graph.nodes.get(node_id)
    if node is None or not node.spec.learnable:
        return None
    shape = node.spec.weight_shapes(node.params).get(name)
    return None if shape is None else tuple(shape)
