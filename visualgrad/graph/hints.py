"""The hint a wrong prediction gets: the rule of the step that the answer missed.

A hint is chosen from what the step is: the node the gradient flows back through
and which of its inputs it reaches (a multiply swaps its inputs, a power brings its
exponent down...), a gradient summed where one node feeds several, an input that
was broadcast, or the formula of a forward step. Each hint names the rule and
writes it with the graph's own node names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .execute import BackwardEvent
from .graph import Edge, Graph
from .summaries import number

COUNTS = {2: "two", 3: "three", 4: "four", 5: "five"}


@dataclass(frozen=True)
class Hint:
    rule: str  # which rule: "multiply", "fan_out", "broadcast", "power", ...
    text: str  # the rule, written with the step's names


@dataclass(frozen=True)
class Names:
    """How a backward step's hint names things: dL/dx flows back from y through ``port``."""

    x: str  # the node the gradient reaches
    y: str  # the node it comes back from
    port: str  # the input of y that x feeds
    inputs: dict[str, str]  # each input port of y and the node feeding it

    def other(self) -> str:
        """The node feeding y's other input (of a two-input node)."""
        others = [source for port, source in self.inputs.items() if port != self.port]
        return others[0] if others else "the other input"

    @property
    def up(self) -> str:
        return f"dL/d{self.y}"

    @property
    def down(self) -> str:
        return f"dL/d{self.x}"


def _power(n: Names, params: dict) -> str:
    p = params.get("exponent", 2.0)
    power = n.x if p == 2 else f"{n.x}^{number(p - 1)}"
    return (
        f"the power rule brings the exponent down: d(x^p)/dx = p x^(p-1), so "
        f"{n.down} = {n.up} · {number(p)} · {power}"
    )


def _divide(n: Names, params: dict) -> str:
    if n.port == "a":
        return f"dividing scales the gradient: {n.down} = {n.up} / {n.other()}"
    return (
        f"the quotient rule for the divisor: {n.down} = -{n.up} · {n.inputs.get('a', 'a')} / "
        f"{n.x}^2"
    )


def _subtract(n: Names, params: dict) -> str:
    if n.port == "a":
        return f"subtract passes the gradient to its first input unchanged: {n.down} = {n.up}"
    return f"subtract flips the sign for what is taken away: {n.down} = -{n.up}"


def _matmul(n: Names, params: dict) -> str:
    product = f"{n.up} @ {n.other()}ᵀ" if n.port == "a" else f"{n.other()}ᵀ @ {n.up}"
    return (
        f"a matrix product sends the gradient back through the other factor: {n.down} = {product}"
    )


# The rule of each node type: its name, and its text written with the step's names.
RULES: dict[str, tuple[str, Callable[[Names, dict], str]]] = {
    "Multiply": (
        "multiply",
        lambda n, p: f"multiply swaps its inputs: {n.down} = {n.up} · {n.other()}",
    ),
    "Add": (
        "add",
        lambda n, p: f"add passes the gradient on unchanged: {n.down} = {n.up}",
    ),
    "Subtract": ("subtract", _subtract),
    "Divide": ("divide", _divide),
    "Power": ("power", _power),
    "Negate": ("negate", lambda n, p: f"negation flips the sign: {n.down} = -{n.up}"),
    "Exp": (
        "exp",
        lambda n, p: f"e^x is its own derivative: {n.down} = {n.up} · {n.y}",
    ),
    "Log": ("log", lambda n, p: f"the derivative of ln x is 1 / x: {n.down} = {n.up} / {n.x}"),
    "Sqrt": (
        "sqrt",
        lambda n, p: f"d sqrt(x)/dx = 1 / (2 sqrt(x)): {n.down} = {n.up} / (2 · {n.y})",
    ),
    "Abs": ("abs", lambda n, p: f"|x| has slope sign(x): {n.down} = {n.up} · sign({n.x})"),
    "ReLU": (
        "relu",
        lambda n, p: f"ReLU passes {n.up} where {n.x} > 0 and blocks it (0) elsewhere",
    ),
    "LeakyReLU": (
        "leaky_relu",
        lambda n, p: (
            f"leaky ReLU passes {n.up} where {n.x} > 0, "
            f"and {number(p.get('negative_slope', 0.01))} times it elsewhere"
        ),
    ),
    "Sigmoid": (
        "sigmoid",
        lambda n, p: f"the sigmoid's slope is y (1 - y): {n.down} = {n.up} · {n.y} (1 - {n.y})",
    ),
    "Tanh": ("tanh", lambda n, p: f"tanh's slope is 1 - y^2: {n.down} = {n.up} · (1 - {n.y}^2)"),
    "Softplus": (
        "softplus",
        lambda n, p: f"softplus's slope is the sigmoid: {n.down} = {n.up} · sigmoid({n.x})",
    ),
    "Clamp": (
        "clamp",
        lambda n, p: f"clamp passes {n.up} where {n.x} is inside [min, max] and 0 outside",
    ),
    "Sum": ("sum", lambda n, p: f"a sum hands {n.up} to every element it added"),
    "Mean": (
        "mean",
        lambda n, p: f"a mean shares the gradient: each element gets {n.up} / n",
    ),
    "Max": (
        "max",
        lambda n, p: f"only the largest element of {n.x} gets {n.up}; the others get 0",
    ),
    "MatMul": ("matmul", _matmul),
    "Linear": (
        "linear",
        lambda n, p: (
            f"a Linear layer sends the gradient back through its weights: {n.down} = {n.up} @ W"
        ),
    ),
    "Softmax": (
        "softmax",
        lambda n, p: (
            "softmax's Jacobian is y_i (delta_ij - y_j): "
            f"{n.down} = {n.y} · ({n.up} - sum({n.up} · {n.y}))"
        ),
    ),
    "LogSoftmax": (
        "log_softmax",
        lambda n, p: f"{n.down} = {n.up} - softmax({n.x}) · sum({n.up})",
    ),
    "CrossEntropyLoss": (
        "cross_entropy",
        lambda n, p: (
            "softmax and cross-entropy together give p - y: "
            f"{n.down} = (softmax({n.x}) - onehot(target)) / n"
        ),
    ),
    "NLLLoss": (
        "nll",
        lambda n, p: f"only the true class is read: {n.down} = -onehot(target) / n",
    ),
    "PerceptronLoss": (
        "perceptron",
        lambda n, p: (
            "the perceptron update: "
            f"{n.down} = (onehot(argmax {n.x}) - onehot(target)) / n, 0 where the argmax is right"
        ),
    ),
    "MSELoss": (
        "mse",
        lambda n, p: (
            f"the squared error's slope is twice the error: {n.down} = 2 ({n.x} - target) / n"
        ),
    ),
    "BCELoss": (
        "bce",
        lambda n, p: f"{n.down} = (p - t) / (p (1 - p) n), with p = {n.x}",
    ),
    "Loss": (
        "start",
        lambda n, p: (
            f"the backward pass starts at the loss, where dL/dL = 1, and the Loss node "
            f"hands its gradient {n.up} on unchanged to {n.x}"
        ),
    ),
}
SHAPE_OPS = ("Reshape", "Transpose", "Flatten")
ELEMENTWISE_TWO = ("Add", "Subtract", "Multiply", "Divide")


def _names(graph: Graph, edge: Edge) -> Names:
    inputs = {port: e.source for port, e in graph.edges_into(edge.target).items()}
    return Names(edge.source, edge.target, edge.target_port, inputs)


def backward_hint(graph: Graph, event: BackwardEvent) -> Hint:
    """The rule of the local derivative the gradient along ``event.edge`` goes through."""
    node = graph.nodes[event.edge.target]
    names = _names(graph, event.edge)
    if node.type in ELEMENTWISE_TWO and np.shape(event.gradient) != np.shape(event.upstream):
        return _broadcast(node.type, names, node.params, event)
    if node.type in SHAPE_OPS:
        return Hint(
            "shape", f"{node.type} only moves values: the gradient goes back in {names.x}'s shape"
        )
    if node.type in RULES:
        rule, text = RULES[node.type]
        return Hint(rule, text(names, node.params))
    spec = node.spec
    return Hint(
        "local",
        f"the local derivative of {spec.name} is {spec.derivative}: multiply {names.up} by it",
    )


def _broadcast(kind: str, n: Names, params: dict, event: BackwardEvent) -> Hint:
    """An input smaller than the output was copied over the missing dimensions: its gradient
    adds up what flowed back to every copy."""
    first, text = RULES[kind]
    local = text(n, params)
    extra = len(np.shape(event.upstream)) - len(np.shape(event.gradient))
    over = "the batch" if extra >= 1 and np.ndim(event.upstream) == 2 else "the copied dimensions"
    what = n.x
    if kind == "Add":
        what = "the bias" if n.x == "bias" else f"the bias {n.x}"
    head = f"{what} is broadcast over {over}: sum {n.up} over it"
    return Hint("broadcast", head if kind == "Add" else f"{head}, after {local}")


def fan_out_hint(node_id: str, consumers: list[str]) -> Hint:
    """Where one node feeds several, its gradient is the sum along all of its edges."""
    count = len(consumers)
    many = COUNTS.get(count, str(count))
    paths = "both paths" if count == 2 else f"all {many} paths"
    return Hint(
        "fan_out",
        f"{node_id} feeds {many} nodes ({', '.join(consumers)}): add {paths}",
    )


def forward_hint(graph: Graph, node_id: str) -> Hint:
    """A forward value: the node's formula with the nodes that feed it."""
    node = graph.nodes[node_id]
    feeds = [f"{port} = {e.source}" for port, e in graph.edges_into(node_id).items()]
    feeds += [
        f"{name} = {number(value)}"
        for name, value in node.params.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    where = f", with {', '.join(feeds)}" if feeds else ""
    return Hint("forward", f"{node.spec.name} computes {node.spec.forward}{where}")


def chain_hint(names_up: str, upstream: np.ndarray, rule: Hint) -> Hint:
    """An answer that is the local derivative alone: the chain rule's product was missed."""
    value = number(np.asarray(upstream).reshape(-1)[0]) if np.size(upstream) == 1 else "it"
    return Hint(
        "chain",
        f"the chain rule multiplies the local derivative by the gradient arriving, "
        f"{names_up} = {value}; {rule.text}",
    )
