"""Running a graph on the engine, and the trace of one forward and backward pass.

``Program`` compiles a graph into engine calls: it owns the learnable tensors
of every node and computes the nodes in topological order. ``Program.trace``
runs one pass and records what the window animates and the tests read: each
node's value in topological order, then, in reverse, the gradient along each
edge with the local derivative and the chain-rule product, and the sum where
several paths leave one node.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .. import engine as vg
from ..engine import Tensor, nn
from ..engine.random import seeded
from ..engine.tensor_data import as_dtype
from .catalog import NodeContext, NodeType
from .graph import Edge, Graph, GraphError, Node
from .groups import topological_order


class NodeError(ValueError):
    """A node that cannot compute, or whose values turned NaN or Inf in training.

    It names the node, as messages in the window do, and ``node_id`` says which one.
    """

    def __init__(self, node_id: str, message: str) -> None:
        super().__init__(message)
        self.node_id = node_id


# A node in order, its type (looked up once, not at every step), the edges into it by
# input port, and, where an input is unconnected, the message that says so.
Step = tuple[str, Node, NodeType, list[tuple[str, Edge]], str | None]


@dataclass
class ForwardEvent:
    node: str
    value: np.ndarray
    group: str | None = None  # the group the node belongs to


@dataclass
class BackwardEvent:
    """The gradient that flows back along ``edge``: dL/d(input) = dL/d(output) * local."""

    edge: Edge
    upstream: np.ndarray  # dL/dy at the node the edge enters
    local: np.ndarray  # dy/dx (for a non-elementwise node: summed over the outputs)
    gradient: np.ndarray  # dL/dx along this edge: the chain-rule product
    group: str | None = None  # the group of the node the edge enters (whose derivative it is)


@dataclass
class GradientSum:
    """Where one output feeds several nodes, its gradient is the sum along its edges."""

    node: str
    parts: list[tuple[Edge, np.ndarray]]
    total: np.ndarray


@dataclass
class Trace:
    loss: float
    forward: list[ForwardEvent]
    backward: list[BackwardEvent]
    sums: dict[str, GradientSum] = field(default_factory=dict)
    gradients: dict[str, np.ndarray] = field(default_factory=dict)  # dL/d(node output)
    weight_gradients: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


class Program:
    """A graph compiled for the engine: the nodes' learnable tensors and their order."""

    def __init__(self, graph: Graph, backend: str | None = None, dtype: str = "float64") -> None:
        """``dtype`` is what the tensors are computed in: float64 (stepping and gradient checks
        need its precision) unless training asks for the graph's ``TrainingSettings.dtype``."""
        self.graph = graph
        self.backend = vg.backends.get(backend).name
        self.dtype = as_dtype(dtype).name
        self.order = topological_order(graph)  # each group's members one after another
        losses = [n for n in graph if n.spec.role == "output"]
        self.loss_node = losses[0].id if len(losses) == 1 else None
        self.weights: dict[str, dict[str, nn.Parameter]] = {}
        self._plan: list[Step] | None = None
        with seeded(graph.training.seed):
            for node_id in self.order:
                node = graph.nodes[node_id]
                if not node.spec.learnable:
                    continue
                values = node.weights if node.weights is not None else node.spec.init(node.params)
                self.weights[node_id] = {
                    name: nn.Parameter(vg.tensor(v, backend=self.backend, dtype=self.dtype))
                    for name, v in values.items()
                }

    def parameters(self) -> list[nn.Parameter]:
        return [p for ws in self.weights.values() for p in ws.values()]

    def store_weights(self) -> None:
        """Copy the learned values back into the document's nodes (for Save)."""
        for node_id, ws in self.weights.items():
            self.graph.set_weights(node_id, {name: p.to_numpy() for name, p in ws.items()})

    def check_inputs(self) -> None:
        """Raise NodeError naming the first node with an input port left unconnected."""
        for node_id, _, _, _, unconnected in self._steps():
            if unconnected is not None:
                raise NodeError(node_id, unconnected)

    def _steps(self) -> list[Step]:
        """Each node in order with the edges into it, or why it cannot run, worked out once.

        Like ``order``, it holds for this Program's life: the graph is compiled anew
        after an edit.
        """
        if self._plan is None:
            plan = []
            for node_id in self.order:
                node = self.graph.nodes[node_id]
                connected = self.graph.edges_into(node_id)
                missing = [p.name for p in node.spec.inputs if p.name not in connected]
                unconnected = None
                if missing:
                    unconnected = f"{node.describe()}: input {missing[0]!r} is not connected"
                plan.append((node_id, node, node.spec, list(connected.items()), unconnected))
            self._plan = plan
        return self._plan

    def forward(
        self,
        batch: Mapping[str, Tensor],
        training: bool = False,
        edge_views: bool = False,
        sources_require_grad: bool = False,
        on_error: Callable[[NodeError], None] | None = None,
    ) -> tuple[dict[str, Tensor], dict[Edge, Tensor]]:
        """Every node's output for ``batch`` ({"x", "y"}), in topological order.

        With ``edge_views`` each edge hands its consumer a view of its own, whose
        gradient is then the gradient along that edge. A node that cannot compute
        raises NodeError (an unconnected input before anything runs); with
        ``on_error`` it is handed there instead and the pass goes on without it and
        without the nodes that read it, so that each failure is reported once.
        """
        if on_error is None:
            self.check_inputs()
        batch = {k: v if v.dtype == self.dtype else v.to(self.dtype) for k, v in batch.items()}
        values: dict[str, Tensor] = {}
        views: dict[Edge, Tensor] = {}
        for node_id, node, spec, edges, unconnected in self._steps():
            if unconnected is not None:
                on_error(NodeError(node_id, unconnected))
                continue
            if on_error is not None and any(edge.source not in values for _, edge in edges):
                continue  # an earlier node failed: its error is the one to read
            if edge_views:
                inputs = {}
                for port, edge in edges:
                    value = values[edge.source]
                    inputs[port] = views[edge] = value.view(*value.shape).retain_grad()
            else:  # without on_error every earlier node has its value (a failure raises)
                inputs = {port: values[edge.source] for port, edge in edges}
            weights = self.weights.get(node_id, {})
            context = NodeContext(
                inputs, node.params, weights, batch, training, self.backend, self.dtype
            )
            try:
                out = spec.compute(context)
            except (ValueError, TypeError) as error:
                failure = NodeError(node_id, f"{node.describe()}: {error}")
                if on_error is None:
                    raise failure from None
                on_error(failure)
                continue
            # Sources get a gradient of their own to show, except the targets and a
            # Parameter, whose learnable tensor already collects its gradient.
            shown = spec.role == "source" and spec.batch != "y" and not spec.learnable
            if sources_require_grad and shown:
                out = out.detach().requires_grad_()
            values[node_id] = out
        return values, views

    def loss(self, values: Mapping[str, Tensor]) -> Tensor:
        if self.loss_node is None:
            raise GraphError("the graph needs exactly one Loss node to start the backward pass")
        return values[self.loss_node]

    def trace(
        self, batch: Mapping[str, Tensor], start: tuple[str, np.ndarray] | None = None
    ) -> Trace:
        """One forward and backward pass, recorded for the window and the tests.

        The backward pass starts at the loss, or with ``start`` = (node, dL/d(its output))
        at that node: a part of a larger graph traced with the gradient the whole sends it.
        """
        for p in self.parameters():
            p.zero_grad_()
        values, views = self.forward(batch, edge_views=True, sources_require_grad=True)
        for value in values.values():
            if value.requires_grad:
                value.retain_grad()
        loss = self.loss(values) if start is None else values[start[0]]
        if not loss.requires_grad:
            raise GraphError("the loss does not depend on anything that has a gradient")
        seed = None if start is None else vg.tensor(start[1], backend=self.backend)
        loss.backward(seed)
        group_of = self.graph.groups.group_of
        forward = [ForwardEvent(n, values[n].to_numpy(), group_of(n)) for n in self.order]
        backward, sums = [], {}
        for node_id in reversed(self.order):
            out = values[node_id]
            upstream = out.grad.to_numpy() if out.grad is not None else np.zeros(out.shape)
            if node_id == self.loss_node and start is None:
                upstream = np.ones(out.shape)
            elif start is not None and node_id == start[0]:
                upstream = np.asarray(start[1], dtype=float)
            edges_in = self.graph.edges_into(node_id)
            locals_ = self._local_derivatives(node_id, values, edges_in) if edges_in else {}
            for port, edge in edges_in.items():
                grad = views[edge].grad
                gradient = grad.to_numpy() if grad is not None else np.zeros(views[edge].shape)
                backward.append(
                    BackwardEvent(edge, upstream, locals_.get(port), gradient, group_of(node_id))
                )
            outgoing = self.graph.edges_from(node_id)
            if len(outgoing) > 1:
                parts = [(e, _grad(views[e])) for e in outgoing]
                sums[node_id] = GradientSum(node_id, parts, _grad(out))
        gradients = {n: _grad(values[n]) for n in self.order if values[n].requires_grad}
        weight_gradients = {
            n: {k: _grad(p) for k, p in ws.items()} for n, ws in self.weights.items()
        }
        value = loss.item() if start is None else float("nan")  # a part has no loss of its own
        return Trace(value, forward, backward, sums, gradients, weight_gradients)

    def _local_derivatives(self, node_id, values, edges_in) -> dict[str, np.ndarray]:
        """dy/dx for each input port: the node alone, run again with dL/dy = 1."""
        node = self.graph.nodes[node_id]
        inputs = {port: values[e.source].detach().requires_grad_() for port, e in edges_in.items()}
        weights = {k: p.detach() for k, p in self.weights.get(node_id, {}).items()}
        context = NodeContext(inputs, node.params, weights, {}, False, self.backend, self.dtype)
        out = node.spec.compute(context)
        if not out.requires_grad:
            return {}
        out.backward(vg.ones(*out.shape, backend=self.backend, dtype=out.dtype))
        return {port: t.grad.to_numpy() for port, t in inputs.items() if t.grad is not None}


def _grad(t: Tensor) -> np.ndarray:
    return t.grad.to_numpy() if t.grad is not None else np.zeros(t.shape)
