"""Shape inference before any run: every edge's shape, and a message on the node that fails.

It is a dry run: the graph computes once on zeros with the simple backend, so
the shapes come from the engine itself and no second list of shape rules
exists. The batch dimension is given a size no layer uses (1009) and shown as
``*``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import engine as vg
from .catalog import NodeContext
from .data import dataset_for
from .execute import Program
from .graph import Graph

BATCH = 1009
Shape = tuple[int | None, ...]


@dataclass
class ShapeReport:
    shapes: dict[str, Shape] = field(default_factory=dict)  # node id -> output shape
    errors: dict[str, str] = field(default_factory=dict)  # node id -> message

    @property
    def ok(self) -> bool:
        return not self.errors


def show(shape: Shape) -> str:
    """A shape as messages write it: ``(*, 2)`` for a batch of 2 features; ``scalar`` for ()."""
    if not shape:
        return "scalar"
    parts = ["*" if n is None else str(n) for n in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def _symbolic(shape: tuple[int, ...]) -> Shape:
    return tuple(None if n == BATCH else n for n in shape)


def infer_shapes(graph: Graph) -> ShapeReport:
    """The output shape of every node that can compute, and why each other one cannot."""
    report = ShapeReport()
    try:
        data = dataset_for(graph.training)
    except ValueError as error:
        report.errors["training"] = str(error)
        return report
    batch = {
        "x": vg.tensor(np.zeros((BATCH,) + data.x.shape[1:]), backend="simple"),
        "y": vg.tensor(np.zeros((BATCH,) + data.y.shape[1:]), backend="simple"),
    }
    program = Program(graph, backend="simple")
    values = {}
    for node_id in program.order:
        node = graph.nodes[node_id]
        edges = graph.edges_into(node_id)
        missing = [p.name for p in node.spec.inputs if p.name not in edges]
        if missing:
            report.errors[node_id] = f"{node.describe()}: input {missing[0]!r} is not connected"
            continue
        if any(e.source not in values for e in edges.values()):
            continue  # an earlier node failed; its message is the one to read
        inputs = {port: values[e.source] for port, e in edges.items()}
        context = NodeContext(
            inputs, node.params, program.weights.get(node_id, {}), batch, False, "simple"
        )
        try:
            with vg.no_grad():
                values[node_id] = node.spec.compute(context)
        except (ValueError, TypeError) as error:
            message = str(error).replace(str(BATCH), "*")
            report.errors[node_id] = f"{node.describe()}: {message}"
            continue
        report.shapes[node_id] = _symbolic(values[node_id].shape)
    return report
