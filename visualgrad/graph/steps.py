"""The steps of a pass, from a trace: forward node by node, then backward edge by edge,
each with the text the chain-rule panel writes for it. Qt-free, so tests read it too."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .execute import BackwardEvent, Trace
from .graph import Edge, Graph
from .summaries import number, short


@dataclass
class Step:
    kind: str  # "forward", "loss", "backward" or "sum"
    node: str  # the node that lights up
    edges: list[Edge]  # the edges a pulse travels along
    text: str  # the chain rule, written out (HTML)
    value: np.ndarray  # what the node's badge shows: its value, or the gradient reaching it
    group: str | None = None  # the group the step happens in, which stepping over skips


def _is_scalar(a: np.ndarray | None) -> bool:
    return a is not None and np.asarray(a).size == 1


def _name(node_id: str) -> str:
    return f"<b>{node_id}</b>"


def forward_text(graph: Graph, node_id: str, value: np.ndarray) -> str:
    spec = graph.nodes[node_id].spec
    inputs = graph.edges_into(node_id)
    feeds = ", ".join(f"{port} = {e.source}" for port, e in inputs.items())
    where = f" with {feeds}" if feeds else ""
    return (
        f"Forward: {_name(node_id)} ({spec.name}) computes <i>{spec.forward}</i>{where}<br>"
        f"{_name(node_id)} = {short(value)}"
    )


def backward_text(graph: Graph, event: BackwardEvent) -> str:
    """``dL/dx = dL/dy * dy/dx = 0.70 * 0.60 = 0.42`` for the edge of ``event``."""
    edge = event.edge
    target = graph.nodes[edge.target]
    spec = target.spec
    x, y, port = edge.source, edge.target, edge.target_port
    head = (
        f"Backward along {x} → {y}.{port}: local derivative of {spec.name}: "
        f"<i>{spec.derivative}</i><br>"
    )
    law = f"dL/d{x} = dL/d{y} · d{y}/d{port}"
    if event.local is None:
        return head + f"{law}: no gradient flows into this input (dL/d{x} = 0)"
    if _is_scalar(event.upstream) and _is_scalar(event.local) and _is_scalar(event.gradient):
        up, local, grad = (
            float(np.asarray(a).reshape(())) for a in (event.upstream, event.local, event.gradient)
        )
        return head + f"{law} = {number(up)} × {number(local)} = <b>{number(grad)}</b>"
    elementwise = np.shape(event.upstream) == np.shape(event.local) == np.shape(event.gradient)
    how = "element by element" if elementwise else "summed over the outputs each input feeds"
    return head + (
        f"{law} ({how})<br>dL/d{y} {short(event.upstream)} · d{y}/d{port} {short(event.local)}"
        f" → <b>dL/d{x} {short(event.gradient)}</b>"
    )


def sum_text(node_id: str, parts: list[tuple[Edge, np.ndarray]], total: np.ndarray) -> str:
    terms = " + ".join(f"{short(g)} (via {e.target})" for e, g in parts)
    return (
        f"{_name(node_id)} feeds {len(parts)} nodes, so its gradient is the sum of what "
        f"flows back along each edge:<br>dL/d{node_id} = {terms} = <b>{short(total)}</b>"
    )


def build_steps(graph: Graph, trace: Trace, loss_node: str | None) -> tuple[list[Step], int]:
    """All steps of one pass, and how many of them are forward steps."""
    steps = []
    for event in trace.forward:
        outgoing = graph.edges_from(event.node)
        steps.append(
            Step(
                "forward",
                event.node,
                outgoing,
                forward_text(graph, event.node, event.value),
                event.value,
                event.group,
            )
        )
    forward_count = len(steps)
    if loss_node is not None:
        steps.append(
            Step(
                "loss",
                loss_node,
                [],
                f"Backward starts at the loss: dL/dL = 1 at {_name(loss_node)} "
                f"(L = {number(trace.loss)})",
                np.ones(()),
                graph.groups.group_of(loss_node),
            )
        )
    by_target: dict[str, list[BackwardEvent]] = {}
    for event in trace.backward:
        by_target.setdefault(event.edge.target, []).append(event)
    order = [e.node for e in trace.forward]
    for node_id in reversed(order):
        if node_id in trace.sums:
            s = trace.sums[node_id]
            text = sum_text(node_id, s.parts, s.total)
            steps.append(Step("sum", node_id, [], text, s.total, graph.groups.group_of(node_id)))
        for event in by_target.get(node_id, []):
            steps.append(
                Step(
                    "backward",
                    event.edge.source,
                    [event.edge],
                    backward_text(graph, event),
                    event.gradient,
                    event.group,
                )
            )
    return steps, forward_count


def span_end(steps: list[Step], index: int, over: bool) -> int:
    """The last step one press shows from ``index``: itself, or with ``over`` every step
    of its group that follows it in the same direction (one step for the whole group)."""
    group = steps[index].group
    if not over or group is None:
        return index
    forward = steps[index].kind == "forward"
    end = index
    while (
        end + 1 < len(steps)
        and steps[end + 1].group == group
        and (steps[end + 1].kind == "forward") == forward
    ):
        end += 1
    return end


def over_text(steps: list[Step]) -> str:
    """The chain-rule panel's text for a group stepped over: what it did, then its last step."""
    first, last = steps[0], steps[-1]
    if first.kind == "forward":
        done = ", ".join(dict.fromkeys(s.node for s in steps))
        head = f"Forward over group {_name(first.group)}: computes {done} in {len(steps)} steps"
    else:
        edges = [e for s in steps for e in s.edges]
        head = (
            f"Backward over group {_name(first.group)}: the gradient crosses it along "
            f"{len(edges)} edge{'s' * (len(edges) != 1)} in {len(steps)} steps"
        )
    return f"{head}<br>Its last step: {last.text}"
