"""What each hidden unit has learned: its activation over the input plane.

For a graph trained on 2-D data, each Linear or activation node whose output is
(batch, units) is a layer of units. One forward pass under ``no_grad`` over a grid of
the input plane gives every unit's activation at every point of it: the small heatmaps
TensorFlow Playground draws for its neurons. The plane spans the decision boundary
plot's extent (``plane_extent``), so the two are drawn over the same square.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .. import engine as vg
from .data import as_batch
from .execute import Program
from .graph import Graph
from .node_types import ACTIVATIONS
from .shapes import Shape
from .summaries import number

GRID = 24  # points along each axis of a unit's heatmap: coarse, so it is cheap to compute
MARGIN = 0.1  # share of the data's extent added on each side of the plane
LISTED = 8  # a unit's incoming weights its description lists (the largest by magnitude)
LINKS = 256  # per-unit lines drawn between two layers at most: the largest weights


@dataclass
class Neurons:
    """The units of some layers at one moment: their grids, and the Linear layers' weights."""

    grids: dict[str, np.ndarray] = field(default_factory=dict)  # id -> (units, GRID, GRID)
    weights: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)  # Linear id -> W, b

    def take(self, newer: Neurons) -> None:
        """Keep ``newer``'s grids and weights, over these where both have a layer."""
        self.grids.update(newer.grids)
        self.weights.update(newer.weights)


def on_plane(x: np.ndarray) -> bool:
    """Whether a dataset's inputs ``x`` are points of a plane: (n, 2)."""
    return x.ndim == 2 and x.shape[1] == 2


def plane_extent(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The corners (low, high) of the plane drawn under 2-D points ``x``: their extent
    with MARGIN on each side."""
    low, high = x.min(axis=0), x.max(axis=0)
    pad = (high - low) * MARGIN + 1e-6
    return low - pad, high + pad


def plane_grid(low: np.ndarray, high: np.ndarray, size: int = GRID) -> np.ndarray:
    """``size`` by ``size`` points from ``low`` to ``high`` as (size * size, 2): point
    ``i * size + j`` is (x_i, y_j), x along the first axis."""
    xs, ys = np.meshgrid(
        np.linspace(low[0], high[0], size), np.linspace(low[1], high[1], size), indexing="ij"
    )
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def is_layer(graph: Graph, node_id: str, shapes: Mapping[str, Shape]) -> bool:
    """Whether a node is a layer of units: a Linear or an activation giving (batch, units)."""
    spec = graph.nodes[node_id].spec
    shape = shapes.get(node_id)
    kind = spec.name == "Linear" or spec.category == ACTIVATIONS
    return kind and shape is not None and len(shape) == 2 and shape[0] is None


def unit_nodes(graph: Graph, shapes: Mapping[str, Shape]) -> list[str]:
    """The layers of units of a graph whose inputs are 2-D, in topological order."""
    inputs = [n for n in graph if n.spec.batch == "x"]
    if not inputs or shapes.get(inputs[0].id) != (None, 2):
        return []
    return [n for n in graph.topological_order() if is_layer(graph, n, shapes)]


def forward_on(program: Program, points: np.ndarray, y_like: np.ndarray) -> dict[str, vg.Tensor]:
    """Every node's value on ``points`` (targets of zeros shaped like ``y_like``'s rows),
    computed under ``no_grad`` in one batched pass."""
    targets = np.zeros((len(points),) + y_like.shape[1:], dtype=y_like.dtype)
    with vg.no_grad():
        values, _ = program.forward(as_batch(points, targets, program.backend))
    return values


def neurons(
    program: Program, points: np.ndarray, y_like: np.ndarray, node_ids: Iterable[str]
) -> Neurons:
    """The grids of the units of ``node_ids`` over ``points`` (a square ``plane_grid``):
    ``grids[id][u, i, j]`` is unit ``u``'s activation at (x_i, y_j)."""
    size = round(np.sqrt(len(points)))
    wanted = list(node_ids)
    found = Neurons()
    if not wanted:
        return found
    values = forward_on(program, points, y_like)
    for node_id in wanted:
        value = values.get(node_id)
        if value is None or value.dims != 2:
            continue
        found.grids[node_id] = value.to_numpy().T.reshape(-1, size, size)
        if program.graph.nodes[node_id].spec.name == "Linear":
            found.weights[node_id] = {
                k: p.to_numpy() for k, p in program.weights.get(node_id, {}).items()
            }
    return found


def describe_unit(
    graph: Graph, node_id: str, unit: int, weights: Mapping[str, np.ndarray] | None
) -> str:
    """A unit as its tooltip says it: what it computes, its bias and its incoming weights
    (the LISTED largest by magnitude, when there are more)."""
    node = graph.nodes[node_id]
    into = graph.edges_into(node_id)
    source = next(iter(into.values())).source if into else "its input"
    head = f"{node_id} unit {unit}"
    if node.spec.name != "Linear" or not weights:
        return f"{head}: {node.spec.name} of {source} unit {unit}"
    row = weights["weight"][unit]
    lines = [head + f" = sum_k w[{unit},k] {source}[k] + b[{unit}]"]
    if "bias" in weights:
        lines.append(f"bias b[{unit}] = {number(weights['bias'][unit])}")
    order = np.argsort(-np.abs(row), kind="stable")[:LISTED]
    more = f" ({LISTED} largest of {len(row)})" if len(row) > LISTED else ""
    lines.append(f"weights from {source}{more}:")
    lines += [f"w[{unit},{k}] = {number(row[k])}" for k in order]
    return "\n".join(lines)


def unit_links(
    graph: Graph, source: str, target: str, neurons: Neurons
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None] | None:
    """The per-unit connections drawn between two layers an edge joins, as arrays
    (i, j, w): from source unit i to target unit j, with w the weight W[j, i] into a
    Linear target, or w None where an activation passes each unit i on to unit i. Of a
    larger weight matrix only the LINKS largest by magnitude are kept: thousands of lines
    would hide one another. None where the two are not both shown or do not fit."""
    grids = neurons.grids
    if source not in grids or target not in grids:
        return None
    if graph.nodes[target].spec.name == "Linear":
        weight = neurons.weights.get(target, {}).get("weight")
        if weight is None or weight.shape != (len(grids[target]), len(grids[source])):
            return None
        j, i = np.indices(weight.shape)
        i, j, w = i.ravel(), j.ravel(), weight.ravel()
        if len(w) > LINKS:
            kept = np.sort(np.argsort(-np.abs(w), kind="stable")[:LINKS])
            i, j, w = i[kept], j[kept], w[kept]
        return i, j, w
    if len(grids[source]) != len(grids[target]):
        return None
    units = np.arange(len(grids[source]))
    return units, units, None
