"""What the wire gestures ask of the catalog and of a pass, worked out without Qt: which node
types can take a wire dragged into empty space or be spliced into an edge, and what a
wire's tooltip says."""

from __future__ import annotations

import numpy as np

from . import catalog
from .catalog import NodeType, Port
from .summaries import describe_array


def first_input(spec: NodeType, source: Port) -> str | None:
    """The first input of ``spec`` that accepts a wire from the output ``source``."""
    return next((p.name for p in spec.inputs if p.accepts(source)), None)


def first_output(spec: NodeType, target: Port) -> str | None:
    """The first output of ``spec`` that the input ``target`` accepts."""
    return next((p.name for p in spec.outputs if target.accepts(p)), None)


def types_accepting(source: Port) -> list[str]:
    """The node types, in catalog order, with an input that accepts a wire from ``source``."""
    return [name for name, spec in catalog.CATALOG.items() if first_input(spec, source)]


def types_between(source: Port, target: Port) -> list[str]:
    """The node types that fit into an edge from ``source`` to ``target``: an input that
    accepts the one and an output that the other accepts."""
    return [
        name
        for name, spec in catalog.CATALOG.items()
        if first_input(spec, source) and first_output(spec, target)
    ]


def wire_summary(
    edge: str, shape: str, value: np.ndarray | None, gradient: np.ndarray | None
) -> str:
    """A wire's tooltip, one fact a line: the edge, its shape, and once a pass has sent them
    along it, the value it carried and the gradient that flowed back."""
    lines = [edge, f"shape {shape}" if shape else "shape unknown"]
    if value is not None:
        lines.append(f"value: {describe_array(value)}")
    if gradient is not None:
        lines.append(f"gradient: {describe_array(gradient)}")
    if value is None and gradient is None:
        lines.append("step through a pass to see its value and gradient")
    return "\n".join(lines)
