"""Shape inference before any run: every edge's shape, and a message on the node that fails.

It is a dry run: the graph's forward pass computes once on zeros with the simple
backend, so the shapes come from the engine itself and no second list of shape
rules exists. The batch dimension is given a size no layer uses (1009) and shown as
``*``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import engine as vg
from .data import dataset_for
from .execute import NodeError, Program
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
        data = dataset_for(graph.training, graph.data)
    except ValueError as error:
        report.errors["training"] = str(error)
        return report
    batch = {
        "x": vg.tensor(np.zeros((BATCH,) + data.x.shape[1:]), backend="simple"),
        "y": vg.tensor(np.zeros((BATCH,) + data.y.shape[1:]), backend="simple"),
    }
    program = Program(graph, backend="simple")

    def failed(error: NodeError) -> None:
        where = f"{graph.nodes[error.node_id].describe()}: "
        reason = str(error).removeprefix(where).replace(str(BATCH), "*")
        report.errors[error.node_id] = where + reason

    with vg.no_grad():
        values, _ = program.forward(batch, on_error=failed)
    report.shapes = {node_id: _symbolic(value.shape) for node_id, value in values.items()}
    return report
