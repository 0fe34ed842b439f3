"""Predict, then reveal: before a step shows its result, the learner says what it will be.

``question_for`` turns a step of the pass into a question (a forward value, the
gradient along an edge, or the sum where one node feeds several) with its card
text, the result hidden. ``Attempt`` checks the answers to one question: right
within a tolerance, else a hint that names the rule missed (hints.py), and after a
second wrong answer the result is revealed. ``Score`` counts a pass's outcomes.
Nothing here is saved into the project.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .execute import BackwardEvent, Trace
from .graph import Edge, Graph
from .hints import Hint, backward_hint, chain_hint, fan_out_hint, forward_hint
from .steps import Step
from .summaries import short

MAX_CELLS = 16  # a larger tensor is shown, not asked: typing it in would be a chore
MAX_DIMS = 2  # a grid has rows and columns
RELATIVE = 0.05  # an answer may be off by 5% of each value...
OF_LARGEST = 0.01  # ...and by 1% of the largest magnitude in the tensor
ZERO_TOLERANCE = 5e-3  # where every value is 0
TRIES = 2  # wrong answers before the result is revealed

RIGHT, WRONG, REVEALED = "right", "wrong", "revealed"  # what an answer leads to
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.IGNORECASE)


@dataclass(frozen=True)
class Question:
    """What a step asks before it is shown."""

    kind: str  # "value" (forward), "edge" (the gradient along an edge) or "sum" (fan-out)
    node: str  # the node whose value or gradient is asked for
    edge: Edge | None  # the edge of an "edge" question
    label: str  # what is asked, as the card writes it: "dL/db", "c"
    expected: np.ndarray
    prompt: str  # the card with the result hidden (HTML)
    hint: Hint  # the rule of the step
    event: BackwardEvent | None = None  # an "edge" question's pass event, for its hints

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(np.shape(self.expected))


def askable(value: np.ndarray) -> bool:
    """Whether a tensor is small enough to type in: a number, or a grid of a few cells."""
    return 0 < np.size(value) <= MAX_CELLS and np.ndim(value) <= MAX_DIMS


def question_for(graph: Graph, trace: Trace, step: Step) -> Question | None:
    """The question ``step`` asks, or None where it asks nothing: a source's value, the
    loss's dL/dL = 1, an edge no gradient flows along, a tensor too large to type."""
    if step.kind == "forward":
        return _forward_question(graph, step)
    if step.kind == "sum":
        return _sum_question(graph, trace, step)
    if step.kind == "backward":
        return _edge_question(graph, trace, step)
    return None


def _forward_question(graph: Graph, step: Step) -> Question | None:
    node = graph.nodes[step.node]
    if node.spec.role == "source" or not askable(step.value):
        return None
    feeds = ", ".join(f"{port} = {e.source}" for port, e in graph.edges_into(step.node).items())
    prompt = (
        f"Forward: <b>{step.node}</b> ({node.spec.name}) computes <i>{node.spec.forward}</i>"
        f" with {feeds}<br>Predict: <b>{step.node} = ?</b>"
    )
    return Question(
        "value", step.node, None, step.node, step.value, prompt, forward_hint(graph, step.node)
    )


def _edge_question(graph: Graph, trace: Trace, step: Step) -> Question | None:
    edge = step.edges[0]
    event = next((e for e in trace.backward if e.edge == edge), None)
    if event is None or event.local is None or not askable(event.gradient):
        return None
    target = graph.nodes[edge.target]
    x, y, port = edge.source, edge.target, edge.target_port
    prompt = (
        f"Backward along {x} → {y}.{port}: local derivative of {target.spec.name}: "
        f"<i>{target.spec.derivative}</i><br>"
        f"dL/d{x} = dL/d{y} · d{y}/d{port}, with dL/d{y} = {short(event.upstream)}<br>"
        f"Predict: <b>dL/d{x} = ?</b> (along this edge)"
    )
    hint = backward_hint(graph, event)
    return Question("edge", x, edge, f"dL/d{x}", event.gradient, prompt, hint, event)


def _sum_question(graph: Graph, trace: Trace, step: Step) -> Question | None:
    total = trace.sums[step.node]
    if not askable(total.total):
        return None
    consumers = [e.target for e, _ in total.parts]
    prompt = (
        f"<b>{step.node}</b> feeds {', '.join(consumers)}; the gradient along each of its "
        f"edges is on the canvas.<br>Predict: <b>dL/d{step.node} = ?</b> (at {step.node})"
    )
    hint = fan_out_hint(step.node, consumers)
    return Question("sum", step.node, None, f"dL/d{step.node}", total.total, prompt, hint)


# ---- reading and checking an answer ---------------------------------------------------------
def parse_number(text: str) -> float:
    """A number typed as ``0.25``, ``-1/16`` or ``2e-3``; ValueError saying what was expected."""
    cleaned = text.strip().replace("−", "-").replace(" ", "")
    parts = cleaned.split("/")
    if len(parts) <= 2 and all(NUMBER.fullmatch(p) for p in parts):
        values = [float(p) for p in parts]
        if len(values) == 1:
            return values[0]
        if values[1] != 0:
            return values[0] / values[1]
        raise ValueError(f"{text.strip()!r} divides by zero")
    shown = text.strip() or "nothing"
    raise ValueError(f"{shown!r} is not a number: type one like 0.25, -1/16 or 2e-3")


def read_answer(texts: Sequence[str], shape: tuple[int, ...]) -> np.ndarray:
    """The cells typed in, row by row, as a tensor of ``shape``; ValueError naming a bad cell."""
    size = int(np.prod(shape)) if shape else 1
    if len(texts) != size:
        raise ValueError(f"expected {size} numbers for shape {shape}, got {len(texts)}")
    values = []
    for index, text in enumerate(texts):
        try:
            values.append(parse_number(text))
        except ValueError as error:
            where = "" if size == 1 else f"cell {_cell(index, shape)}: "
            raise ValueError(f"{where}{error}") from None
    return np.array(values, dtype=float).reshape(shape)


def _cell(index: int, shape: tuple[int, ...]) -> str:
    if len(shape) == 2:
        return f"row {index // shape[1] + 1}, column {index % shape[1] + 1}"
    return str(index + 1)


def is_right(answer: np.ndarray, expected: np.ndarray) -> bool:
    """Whether every value is within 5% of the right one (plus 1% of the largest)."""
    answer, expected = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    if answer.shape != expected.shape or not np.isfinite(answer).all():
        return False
    largest = float(np.abs(expected).max()) if expected.size else 0.0
    slack = OF_LARGEST * largest if largest > 0 else ZERO_TOLERANCE
    return bool(np.all(np.abs(answer - expected) <= RELATIVE * np.abs(expected) + slack))


def hint_for_answer(question: Question, answer: np.ndarray) -> Hint:
    """The hint for a wrong ``answer``: the step's rule, or the chain rule where the answer
    is the local derivative alone and the gradient arriving was not multiplied in."""
    event = question.event
    if event is not None and np.shape(event.local) == question.shape:
        forgot = not is_right(np.ones_like(event.upstream), event.upstream)
        if forgot and is_right(answer, event.local):
            return chain_hint(f"dL/d{event.edge.target}", event.upstream, question.hint)
    return question.hint


# ---- one question, and a pass's score -------------------------------------------------------
@dataclass
class Attempt:
    """The answers given to one question: right, a hint after a wrong one, then the reveal."""

    question: Question
    wrong: int = 0
    outcome: str | None = None  # RIGHT or REVEALED once the question is settled
    hint: Hint | None = None  # the latest hint shown

    def answer(self, value: np.ndarray) -> str:
        """RIGHT, WRONG (a hint is now shown) or REVEALED (the second wrong answer)."""
        if self.outcome is not None:
            return self.outcome
        if is_right(value, self.question.expected):
            self.outcome = RIGHT
            return RIGHT
        self.wrong += 1
        self.hint = hint_for_answer(self.question, value)
        if self.wrong >= TRIES:
            self.outcome = REVEALED
            return REVEALED
        return WRONG

    def give_up(self) -> str:
        """Reveal without a further answer."""
        if self.outcome is None:
            self.outcome = REVEALED
        return self.outcome

    @property
    def grade(self) -> str | None:
        """How it was settled: "first_try", "after_hint", "revealed" (None: still open)."""
        if self.outcome == RIGHT:
            return "first_try" if self.wrong == 0 else "after_hint"
        return "revealed" if self.outcome == REVEALED else None


@dataclass
class Score:
    """How a pass's predictions went; it belongs to the pass, not to the project."""

    counts: dict[str, int] = field(
        default_factory=lambda: {"first_try": 0, "after_hint": 0, "revealed": 0}
    )

    def record(self, attempt: Attempt) -> None:
        if attempt.grade is not None:
            self.counts[attempt.grade] += 1

    @property
    def asked(self) -> int:
        return sum(self.counts.values())

    def text(self) -> str:
        c = self.counts
        return (
            f"Score: {c['first_try']} right first time, {c['after_hint']} after a hint, "
            f"{c['revealed']} revealed"
        )
