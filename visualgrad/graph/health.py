"""Gradient health: per layer and per measured step, how well the gradient reaches it.

Four figures, each keyed by node id:

- ``grad_norm``: the L2 norm of the gradient of all a node's learnable tensors together;
- ``update_ratio``: |w_after - w_before| / |w_before| over those tensors, for the step
  just taken (how far one step moves the weights, relative to their size);
- ``dead``: of a ReLU's units (each element of its output but the batch dimension),
  the fraction that is 0 for every example of the batch: no gradient reaches their weights;
- ``saturated``: of a Sigmoid's or Tanh's inputs, the fraction with |z| > SATURATION
  (every element of the batch), where the slope is nearly 0.

A ``HealthMonitor`` measures on some steps only (every ``every`` steps, or at most once per
``interval`` seconds), from values the training step computes anyway, so it is cheap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..engine import Tensor
from .execute import Program
from .graph import Graph

SATURATION = 4.0  # |z| beyond which a sigmoid's slope is below 0.018, a tanh's below 0.0014
WARN = 0.1  # a node gets a warning badge once this share of its units is dead or saturated
FIGURES = {
    "grad_norm": "gradient norm",
    "update_ratio": "update / weight",
    "dead": "dead ReLUs",
    "saturated": "saturated units",
}
SQUASHING = ("Sigmoid", "Tanh")


@dataclass
class Health:
    """The figures of one measured step: figure name -> node id -> value."""

    step: int
    figures: dict[str, dict[str, float]] = field(default_factory=dict)


def gradient_norm(gradients: list[np.ndarray]) -> float:
    """The L2 norm of several tensors taken as one vector."""
    return math.sqrt(sum(float(np.sum(np.square(g))) for g in gradients))


def update_ratio(before: list[np.ndarray], after: list[np.ndarray]) -> float:
    """|after - before| / |before|, the tensors taken as one vector (inf where |before| = 0)."""
    moved = gradient_norm([a - b for a, b in zip(after, before)])
    size = gradient_norm(before)
    if size == 0.0:
        return 0.0 if moved == 0.0 else math.inf
    return moved / size


def _per_unit(values: np.ndarray) -> np.ndarray:
    """(batch, units): the first dimension is the batch, the rest are the units."""
    return values.reshape(1, -1) if values.ndim < 2 else values.reshape(len(values), -1)


def dead_fraction(output: np.ndarray) -> float:
    """Of a ReLU's units, the fraction that outputs 0 for every example of the batch."""
    units = _per_unit(output)
    if units.size == 0:
        return 0.0
    return float(np.mean(np.all(units == 0.0, axis=0)))


def saturated_fraction(z: np.ndarray) -> float:
    """Of a squashing unit's inputs (every element of the batch), the share with |z| > 4."""
    return float(np.mean(np.abs(z) > SATURATION)) if z.size else 0.0


def watched_activations(graph: Graph, order: list[str]) -> dict[str, tuple[str, str]]:
    """Activation nodes whose health is measured: node id -> (figure, node feeding it)."""
    watched = {}
    for node_id in order:
        node = graph.nodes[node_id]
        into = graph.edges_into(node_id).get("x")
        if into is None:
            continue
        if node.type == "ReLU":
            watched[node_id] = ("dead", node_id)
        elif node.type in SQUASHING:
            watched[node_id] = ("saturated", into.source)
    return watched


def figure_nodes(graph: Graph) -> dict[str, list[str]]:
    """Figure -> the nodes it is measured on, in topological order (the plot's curves)."""
    order = graph.topological_order()
    learnable = [n for n in order if graph.nodes[n].spec.learnable]
    found = {"grad_norm": learnable, "update_ratio": learnable, "dead": [], "saturated": []}
    for node_id, (figure, _) in watched_activations(graph, order).items():
        found[figure].append(node_id)
    return found


def warning(node_type: str, figure: str, fraction: float) -> str | None:
    """The badge's one line for a node with dead or saturated units, or None when healthy."""
    if fraction < WARN:
        return None
    share = f"{fraction:.0%}"
    if figure == "dead":
        return (
            f"{share} of these ReLUs output 0 for every example in the batch: "
            "their weights get no gradient"
        )
    slope = "0.018" if node_type == "Sigmoid" else "0.0014"
    return (
        f"{share} of this {node_type}'s inputs are beyond ±{SATURATION:g}, where its slope is "
        f"below {slope}: little gradient gets through"
    )


def warnings(graph: Graph, health: Health) -> dict[str, str]:
    """Node id -> warning line, for the nodes of ``health`` that deserve a badge."""
    found = {}
    for figure in ("dead", "saturated"):
        for node_id, fraction in health.figures.get(figure, {}).items():
            node = graph.nodes.get(node_id)
            line = warning(node.type, figure, fraction) if node is not None else None
            if line is not None:
                found[node_id] = line
    return found


class HealthMonitor:
    """Measures a Program's gradient health on some steps of a training run.

    The trainer calls ``due(step)`` after the backward pass; where it says yes, it calls
    ``before_step(values)`` before the optimizer's step and ``after_step(step)`` after it.
    Measured points gather in ``points`` until ``take`` hands them over.
    """

    def __init__(self, program: Program, every: int = 1, interval: float | None = None) -> None:
        self.program, self.every, self.interval = program, every, interval
        self.watched = watched_activations(program.graph, program.order)
        self.points: list[Health] = []
        self._last = -math.inf
        self._pending: Health | None = None
        self._before: dict[str, list[np.ndarray]] = {}

    def due(self, step: int) -> bool:
        """Whether step ``step`` (1-based) is measured: the first always, then by the rule."""
        if self.interval is not None:
            return time.perf_counter() - self._last >= self.interval
        return step == 1 or step % self.every == 0

    def before_step(self, values: Mapping[str, Tensor]) -> None:
        """Read gradients, weights and activations, between backward and the update."""
        self._last = time.perf_counter()
        health = Health(0, {name: {} for name in FIGURES})
        self._before = {}
        for node_id, weights in self.program.weights.items():
            grads = [p.grad.to_numpy() for p in weights.values() if p.grad is not None]
            health.figures["grad_norm"][node_id] = gradient_norm(grads)
            self._before[node_id] = [p.to_numpy() for p in weights.values()]
        for node_id, (figure, source) in self.watched.items():
            if source not in values:
                continue
            array = values[source].to_numpy()
            fraction = dead_fraction(array) if figure == "dead" else saturated_fraction(array)
            health.figures[figure][node_id] = fraction
        self._pending = health

    def after_step(self, step: int) -> None:
        """Measure the step just taken against the weights before it, and keep the point."""
        health, self._pending = self._pending, None
        if health is None:
            return
        health.step = step
        for node_id, before in self._before.items():
            after = [p.to_numpy() for p in self.program.weights[node_id].values()]
            health.figures["update_ratio"][node_id] = update_ratio(before, after)
        self._before = {}
        self.points.append(health)

    def take(self) -> list[Health]:
        """The points measured since the last take."""
        points, self.points = self.points, []
        return points


class HealthHistory:
    """Every measured point of a plot's runs, kept per figure and node in growing arrays,
    so that adding points and reading a curve cost the same however long training ran."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.points: list[Health] = []
        self._curves: dict[str, dict[str, _Curve]] = {}

    def extend(self, points: list[Health]) -> None:
        self.points.extend(points)
        for point in points:
            for figure, by_node in point.figures.items():
                curves = self._curves.setdefault(figure, {})
                for node_id, value in by_node.items():
                    curves.setdefault(node_id, _Curve()).append(point.step, value)

    def series(self, figure: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Node id -> (steps, values) of ``figure`` (views), in the order nodes first appear."""
        return {n: c.arrays() for n, c in self._curves.get(figure, {}).items()}


class _Curve:
    """(step, value) pairs in a buffer that doubles when full."""

    def __init__(self) -> None:
        self._data = np.empty((2, 64))
        self.size = 0

    def append(self, step: int, value: float) -> None:
        if self.size == self._data.shape[1]:
            grown = np.empty((2, 2 * self.size))
            grown[:, : self.size] = self._data
            self._data = grown
        self._data[:, self.size] = (step, value)
        self.size += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return self._data[0, : self.size], self._data[1, : self.size]
