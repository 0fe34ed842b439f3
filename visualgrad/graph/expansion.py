"""See inside a layer: a catalog layer opened as the primitive ops it stands for.

Linear becomes MatMul + Add (the bias broadcast over the batch); CrossEntropyLoss
becomes max and subtract (z - max z: the shift that keeps exp from overflowing), exp,
sum, log and subtract (log softmax = (z - m) - log sum exp(z - m), which stays finite
where exp z / sum exp z would round to 0), pick, mean and negate. The expansion is a
derived graph over the *same* learnable tensors (the Program's Parameters), run on
the values that reach the layer in a pass of the whole graph and sent back the
gradient the whole graph sends the layer: it edits nothing and gives the same numbers.
Its steps add what the fused layer hides: the un-broadcast of the bias gradient (a
sum over the batch) and softmax + cross-entropy's ``dL/dz = p - y``, each written for
the whole batch and for one example.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import engine as vg
from .execute import Program, Trace
from .graph import Graph, GraphError
from .layout import layered_positions
from .steps import Step, build_steps
from .summaries import number, short

EXPANDABLE = ("Linear", "CrossEntropyLoss")
SHOWN_TERMS = 4  # terms of a sum over the batch written out before "..."
SHOWN_UNITS = 3  # bias units written out, one line each


@dataclass
class ExampleStep(Step):
    """A step that reads for the whole batch (``text``) or for one example (``examples``)."""

    examples: list[str] = field(default_factory=list)


@dataclass
class Expansion:
    """A layer's primitive ops (read-only), their pass and its steps."""

    layer: str  # the node opened
    graph: Graph
    program: Program  # over the whole program's learnable tensors
    trace: Trace
    steps: list[Step]
    forward_count: int


def can_expand(graph: Graph, node_id: str) -> bool:
    """Whether ``node_id`` is a layer that opens as its primitive ops."""
    return node_id in graph.nodes and graph.nodes[node_id].type in EXPANDABLE


def expand(program: Program, whole: Trace, node_id: str) -> Expansion:
    """The expansion of ``node_id`` in ``program``'s graph, at the pass ``whole`` recorded.

    GraphError when the node does not expand or the pass did not reach it.
    """
    graph = program.graph
    if not can_expand(graph, node_id):
        raise GraphError(f"{node_id!r} is not a layer that opens as primitive ops")
    node = graph.nodes[node_id]
    values = {e.node: e.value for e in whole.forward}
    edges = graph.edges_into(node_id)
    if node_id not in whole.gradients or any(e.source not in values for e in edges.values()):
        raise GraphError(f"{node.describe()}: the pass did not reach it")
    if node.type == "Linear":
        part, batch, shared = _linear(graph, node_id)
    else:
        part, batch, shared = _cross_entropy(graph, node_id)
    for position_id, position in layered_positions(part).items():
        part.move_node(position_id, position)
    sub = Program(part, program.backend, program.dtype)
    for part_id, weight in shared.items():  # the whole program's own tensors, not copies
        sub.weights[part_id] = {"value": program.weights[node_id][weight]}
    inputs = {key: vg.tensor(values[source], backend=program.backend) for key, source in batch}
    upstream = whole.gradients[node_id]
    trace = sub.trace(inputs, start=(node_id, upstream))
    steps, forward_count = build_steps(part, trace, None)
    start = Step(
        "loss",
        node_id,
        [],
        f"Backward starts at {_b(node_id)} with the gradient the whole graph sends it: "
        f"dL/d{node_id} = {short(upstream)}",
        upstream,
    )
    steps.insert(forward_count, start)
    if node.type == "Linear":
        _add_unbroadcast(part, trace, steps, node_id)
    else:
        _note_shift(part, steps)
        _add_p_minus_y(part, trace, steps, node_id, upstream)
    return Expansion(node_id, part, sub, trace, steps, forward_count)


def _b(text: str) -> str:
    return f"<b>{text}</b>"


def _input_name(graph: Graph, node_id: str, port: str, taken: set[str]) -> str:
    name = graph.edges_into(node_id)[port].source
    return name if name not in taken else f"{name}_in"


def _linear(graph: Graph, node_id: str) -> tuple[Graph, list, dict[str, str]]:
    """x @ W^T (+ b): the part, which batch key is which value, and the shared tensors."""
    node = graph.nodes[node_id]
    p = node.params
    x = _input_name(graph, node_id, "x", {"W", "W_T", "xW_T", "b", node_id})
    part = Graph()
    part.add_node("Input", x)
    part.add_node("Parameter", "W", {"shape": [p["out_features"], p["in_features"]]})
    part.add_node("Transpose", "W_T", {"dim0": 0, "dim1": 1})
    product = "xW_T" if p["bias"] else node_id
    part.add_node("MatMul", product)
    shared = {"W": "weight"}
    wires = [("W", "y", "W_T", "x"), (x, "x", product, "a"), ("W_T", "y", product, "b")]
    if p["bias"]:
        part.add_node("Parameter", "b", {"shape": [p["out_features"]]})
        part.add_node("Add", node_id)
        wires += [(product, "y", node_id, "a"), ("b", "y", node_id, "b")]
        shared["b"] = "bias"
    for wire in wires:
        part.connect(*wire)
    source = graph.edges_into(node_id)["x"].source
    return part, [("x", source)], shared


def _cross_entropy(graph: Graph, node_id: str) -> tuple[Graph, list, dict[str, str]]:
    """-mean(log_softmax(z)[t]), shifted by max z: the part, its batch keys, no shared tensors."""
    names = {"max_z", "shifted", "exp", "total", "log_total", "log_p", "picked", "mean", node_id}
    z = _input_name(graph, node_id, "input", names)
    t = _input_name(graph, node_id, "target", names | {z})
    part = Graph()
    part.add_node("Input", z)
    part.add_node("Target", t)
    part.add_node("Max", "max_z", {"dim": 1, "keepdim": True})
    part.add_node("Subtract", "shifted")
    part.add_node("Exp", "exp")
    part.add_node("Sum", "total", {"dim": 1, "keepdim": True})
    part.add_node("Log", "log_total")
    part.add_node("Subtract", "log_p")
    part.add_node("Pick", "picked")
    part.add_node("Mean", "mean")
    part.add_node("Negate", node_id)
    for wire in [
        (z, "x", "max_z", "x"),
        (z, "x", "shifted", "a"),
        ("max_z", "y", "shifted", "b"),
        ("shifted", "y", "exp", "x"),
        ("exp", "y", "total", "x"),
        ("total", "y", "log_total", "x"),
        ("shifted", "y", "log_p", "a"),
        ("log_total", "y", "log_p", "b"),
        ("log_p", "y", "picked", "x"),
        (t, "y", "picked", "index"),
        ("picked", "y", "mean", "x"),
        ("mean", "y", node_id, "x"),
    ]:
        part.connect(*wire)
    edges = graph.edges_into(node_id)
    return part, [("x", edges["input"].source), ("y", edges["target"].source)], {}


def _sum_text(column: np.ndarray) -> str:
    """``0.12 + (-0.40) + ... = -1.37``: a sum over the batch with its terms."""
    terms = [number(float(v)) for v in column[:SHOWN_TERMS]]
    terms = [f"({t})" if t.startswith("-") else t for t in terms]
    if len(column) > SHOWN_TERMS:
        terms.append("...")
    return f"{' + '.join(terms)} = {number(float(column.sum()))}"


def _add_unbroadcast(part: Graph, trace: Trace, steps: list[Step], node_id: str) -> None:
    """After the step along b -> y.b: the bias gradient as the sum over the batch."""
    if "b" not in part.nodes:
        return
    at = next(i for i, s in enumerate(steps) if s.kind == "backward" and s.node == "b")
    dy = trace.gradients[node_id]
    dy = dy.reshape(-1, dy.shape[-1])
    db = dy.sum(axis=0)
    n, units = dy.shape
    head = (
        f"Un-broadcast: {_b('b')} was added to each of the {n} examples of the batch, so "
        "its gradient is the sum of what reaches it from every example:<br>"
    )
    unit = ["" if units == 1 else f"[{j}]" for j in range(units)]
    lines = [
        f"dL/db{unit[j]} = Σ_batch dL/d{node_id}{'' if units == 1 else f'[:, {j}]'} = "
        f"{_sum_text(dy[:, j])}"
        for j in range(min(units, SHOWN_UNITS))
    ]
    if units > SHOWN_UNITS:
        lines.append(f"... ({units} units): dL/db = {short(db)}")
    examples = []
    for i in range(n):
        share = ", ".join(number(float(v)) for v in dy[i, :SHOWN_UNITS])
        more = ", ..." if units > SHOWN_UNITS else ""
        examples.append(
            f"One example (number {i} of {n}): it sends dL/d{node_id}[{i}] = [{share}{more}] "
            f"to {_b('b')}; the batch sum of all {n} is dL/db = "
            f"[{', '.join(number(float(v)) for v in db[:SHOWN_UNITS])}{more}]"
        )
    step = ExampleStep("unbroadcast", "b", [], head + "<br>".join(lines), db, examples=examples)
    steps.insert(at + 1, step)


def _note_shift(part: Graph, steps: list[Step]) -> None:
    """The forward step of z - max z says why the shift is there and changes nothing."""
    z = part.edges_into("shifted")["a"].source
    step = next(s for s in steps if s.kind == "forward" and s.node == "shifted")
    step.text += (
        f"<br>{z} − max {z}: softmax is unchanged by a shift (exp(z − m) / Σ exp(z − m) = "
        "exp z / Σ exp z), and with the largest term exp 0 = 1 no exp overflows. "
        "Backward, the shift's gradient is Σ (p − y) = 0."
    )
    step = next(s for s in steps if s.kind == "forward" and s.node == "log_p")
    step.text += (
        "<br>log p = (z − m) − log Σ exp(z − m): the log of softmax p = exp(z − m) / Σ exp(z − m),"
        " written as a difference so that a tiny p stays a finite log instead of log 0."
    )


def _row(values: np.ndarray) -> str:
    return "[" + ", ".join(number(float(v)) for v in values) + "]"


def _add_p_minus_y(
    part: Graph, trace: Trace, steps: list[Step], node_id: str, upstream: np.ndarray
) -> None:
    """After the last backward step: dL/dz = (p - y) / n, for the batch and each example."""
    values = {e.node: e.value for e in trace.forward}
    z = next(n.id for n in part if n.spec.batch == "x")
    target = values[next(n.id for n in part if n.spec.batch == "y")]
    p = values["exp"] / values["total"]
    n, classes = p.shape
    onehot = np.eye(classes)[target.astype(int)]
    scale = float(np.asarray(upstream).reshape(()))
    dz = trace.gradients[z]
    factor = f" × dL/d{node_id} = {number(scale)}" if scale != 1.0 else ""
    head = (
        f"Softmax and cross-entropy together: dL/d{z} = {_b('p − y')}, the probabilities minus "
        f"the one-hot target, divided by n = {n} for the mean{factor}.<br>"
    )
    batch = f"dL/d{z} = (p {short(p)} − y) / {n} → <b>{short(dz)}</b>"
    examples = []
    for i in range(n):
        examples.append(
            head + f"Example {i} (class {int(target[i])}): p = {_row(p[i])}, y = {_row(onehot[i])}"
            f"<br>dL/d{z}[{i}] = (p − y) / {n}{factor} = {_row(p[i] - onehot[i])} / {n}"
            f" = <b>{_row(dz[i])}</b>"
        )
    steps.append(ExampleStep("softmax_ce", z, [], head + batch, dz, examples=examples))
