"""Lessons: an ordered list of short steps a project can carry, each with a text, a node or
edge to look at, and an action to wait for, from a closed set (``ACTIONS``).

A lesson is data only. It is saved in the ``.vgraph`` file as the optional ``"lesson"``
object (``to_data`` / ``from_data``, which refuses anything malformed with a one-line
``LessonError``), and opening it runs nothing. A step may name a node the graph no longer
has (deleted since the step was written): it is kept, and ``missing`` says what is gone.
While a lesson is played, what the learner does arrives as ``Happening``s (the
step-through's steps, predictions, the inspector, training), and ``LessonRun`` moves on
when the awaited one happens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from .graph import Edge, Graph

if TYPE_CHECKING:
    from .predict import Question
    from .steps import Step

MAX_STEPS = 200
MAX_TEXT = 600  # characters of one step's text
MAX_TITLE = 120
MAX_SENTENCES = 3
SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
EDGE_TEXT = re.compile(r"^(\w+)\.(\w+) -> (\w+)\.(\w+)$")

# Each action a step may wait for, what it names, and how the panel says it.
ACTIONS: dict[str, tuple[str, str]] = {
    "read": ("", "press Next"),
    "step_forward": ("node", "step forward to {node}"),
    "step_backward": ("node", "step backward to {node}"),
    "predict": ("node or edge", "predict {gradient}"),
    "predict_value": ("node", "predict the value of {node}"),
    "inspect": ("node", "open the inspector on {node}"),
    "train": ("loss_below", "train until the loss is below {loss_below:g}"),
}


class LessonError(ValueError):
    """A lesson that cannot be read or does not fit its graph; one line saying where."""


def edge_text(edge: Edge) -> str:
    return f"{edge.source}.{edge.source_port} -> {edge.target}.{edge.target_port}"


def parse_edge(text: str) -> Edge | None:
    """``"b.y -> d.a"`` as an Edge; None for anything else."""
    found = EDGE_TEXT.match(text)
    return Edge(*found.groups()) if found else None


@dataclass(frozen=True)
class Action:
    """What a step waits for: ``kind`` from ACTIONS, with its node, edge or loss."""

    kind: str = "read"
    node: str | None = None
    edge: Edge | None = None
    loss_below: float | None = None

    def describe(self) -> str:
        """``step backward to b``, ``predict dL/db``, ``train until the loss is below 0.1``."""
        gradient = f"dL/d{self.node}" if self.node else f"the gradient along {self.edge}"
        return ACTIONS[self.kind][1].format(
            node=self.node, gradient=gradient, loss_below=self.loss_below or 0.0
        )

    def met_by(self, happening: Happening) -> bool:
        """Whether ``happening`` is what this action waits for."""
        if self.kind == "read" or happening.kind != self.kind:
            return False
        if self.kind == "train":
            return happening.loss is not None and happening.loss < self.loss_below
        if self.edge is not None:
            return happening.edge == self.edge
        return happening.node == self.node


@dataclass(frozen=True)
class LessonStep:
    text: str
    highlight: str | Edge | None = None  # a node's id, or an edge
    action: Action = Action()


@dataclass(frozen=True)
class Lesson:
    steps: tuple[LessonStep, ...]
    title: str = ""

    def inserted(self, step: LessonStep, at: int | None = None) -> Lesson:
        """This lesson with ``step`` put at ``at`` (the end when None)."""
        steps = list(self.steps)
        steps.insert(len(steps) if at is None else at, step)
        return replace(self, steps=tuple(steps))

    def removed(self, index: int) -> Lesson:
        return replace(self, steps=self.steps[:index] + self.steps[index + 1 :])


# ---- what the learner does --------------------------------------------------------------------
@dataclass(frozen=True)
class Happening:
    """One thing the learner did, in the terms of ACTIONS: a step of the pass shown, a
    prediction settled, a node opened in the inspector, a training loss reached."""

    kind: str
    node: str | None = None
    edge: Edge | None = None
    loss: float | None = None


def stepped(step: Step) -> Happening:
    """A step of the pass shown: forward to its node, or backward to the node it reaches."""
    if step.kind == "forward":
        return Happening("step_forward", step.node)
    return Happening("step_backward", step.node, step.edges[0] if step.edges else None)


def predicted(graph: Graph, question: Question) -> Happening:
    """A settled prediction: of a value, of the gradient at a node (the fan-out sum, or the
    one edge out of a node that feeds one), or of the gradient along one of several edges."""
    if question.kind == "value":
        return Happening("predict_value", question.node)
    if question.kind == "sum" or len(graph.edges_from(question.node)) == 1:
        return Happening("predict", question.node, question.edge)
    return Happening("predict", None, question.edge)


def action_for(happening: Happening) -> Action:
    """The action that waits for ``happening``: what "Record lesson step" writes. A loss is
    rounded up to two significant digits, so that training to it again meets it."""
    if happening.kind == "train":
        return Action("train", loss_below=_rounded_up(happening.loss))
    edge = None if happening.node or happening.kind != "predict" else happening.edge
    return Action(happening.kind, happening.node, edge)


def _rounded_up(loss: float) -> float:
    if loss <= 0 or not math.isfinite(loss):
        return 1e-3
    scale = 10 ** (math.floor(math.log10(loss)) - 1)
    return round(math.floor(loss / scale + 1) * scale, 12)


@dataclass
class LessonRun:
    """Where a learner is in a lesson: the current step, the steps whose action happened,
    and what has happened in the pass shown, so a step already done says so."""

    lesson: Lesson
    index: int = 0
    done: set[int] = field(default_factory=set)
    seen: list[Happening] = field(default_factory=list)

    @property
    def step(self) -> LessonStep:
        return self.lesson.steps[self.index]

    @property
    def finished(self) -> bool:
        """The last step is reached and its action, if any, has happened."""
        last = len(self.lesson.steps) - 1
        return self.index == last and (self.step.action.kind == "read" or last in self.done)

    def note(self, happening: Happening) -> bool:
        """Record ``happening``; True where it met the current step, which then moves on."""
        if happening.kind == "inspect":
            self.seen = [h for h in self.seen if h.kind != "inspect"]
        self.seen.append(happening)
        if not self.step.action.met_by(happening):
            return False
        self.done.add(self.index)
        self.index = min(self.index + 1, len(self.lesson.steps) - 1)
        self._catch_up()
        return True

    def pass_reset(self) -> None:
        """The pass was cleared: what it showed and what was predicted is gone."""
        kept = ("inspect", "train")
        self.seen = [h for h in self.seen if h.kind in kept]

    def go(self, index: int) -> None:
        """Next or Back: show step ``index`` (within the lesson)."""
        self.index = max(0, min(index, len(self.lesson.steps) - 1))
        self._catch_up()

    def _catch_up(self) -> None:
        """A step whose action happened before it came up is done already."""
        action = self.step.action
        if any(action.met_by(h) for h in self.seen):
            self.done.add(self.index)

    def progress(self) -> str:
        return f"Step {self.index + 1} of {len(self.lesson.steps)}"


# ---- the file's "lesson" object ---------------------------------------------------------------
def to_data(lesson: Lesson) -> dict[str, Any]:
    """The lesson as the file holds it."""
    steps = []
    for step in lesson.steps:
        entry: dict[str, Any] = {"text": step.text}
        if step.highlight is not None:
            h = step.highlight
            entry["highlight"] = edge_text(h) if isinstance(h, Edge) else h
        wait: dict[str, Any] = {"action": step.action.kind}
        if step.action.node is not None:
            wait["node"] = step.action.node
        if step.action.edge is not None:
            wait["edge"] = edge_text(step.action.edge)
        if step.action.loss_below is not None:
            wait["loss_below"] = float(step.action.loss_below)
        entry["wait_for"] = wait
        steps.append(entry)
    data: dict[str, Any] = {"title": lesson.title} if lesson.title else {}
    data["steps"] = steps
    return data


def from_data(data: Any) -> Lesson:
    """The lesson in a file's ``"lesson"`` object; LessonError naming the step otherwise."""
    _object(data, "lesson", ("steps",), ("title",))
    title = data.get("title", "")
    if not isinstance(title, str) or len(title) > MAX_TITLE:
        raise LessonError(f"lesson: the title must be text of at most {MAX_TITLE} characters")
    steps = data["steps"]
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise LessonError(f"lesson: steps must be a list of 1 to {MAX_STEPS} steps")
    return Lesson(tuple(_step(entry, i + 1) for i, entry in enumerate(steps)), title)


def _step(entry: Any, number: int) -> LessonStep:
    where = f"lesson step {number}"
    _object(entry, where, ("text", "wait_for"), ("highlight",))
    text = check_text(entry["text"], where)
    highlight = entry.get("highlight")
    if highlight is not None:
        if not isinstance(highlight, str) or not highlight:
            raise LessonError(f"{where}: highlight must name a node or an edge 'a.y -> b.x'")
        highlight = parse_edge(highlight) or highlight
        if isinstance(highlight, str) and not re.fullmatch(r"\w+", highlight):
            raise LessonError(f"{where}: highlight {highlight!r} is neither a node nor an edge")
    return LessonStep(text, highlight, _action(entry["wait_for"], where))


def check_text(text: Any, where: str = "lesson step") -> str:
    """A step's text: one to three sentences; LessonError saying what is wrong."""
    if not isinstance(text, str) or not text.strip():
        raise LessonError(f"{where}: the text must be one to three sentences")
    if len(text) > MAX_TEXT:
        raise LessonError(f"{where}: the text is longer than {MAX_TEXT} characters")
    sentences = len(SENTENCE_END.findall(text.strip())) or 1
    if sentences > MAX_SENTENCES:
        raise LessonError(f"{where}: the text has {sentences} sentences, at most 3 fit a step")
    return text.strip()


def _action(wait: Any, where: str) -> Action:
    _object(wait, f"{where}: wait_for", ("action",), ("node", "edge", "loss_below"))
    kind = wait["action"]
    if not isinstance(kind, str) or kind not in ACTIONS:
        raise LessonError(
            f"{where}: action {kind!r} is not one of {', '.join(ACTIONS)}"
            if isinstance(kind, str)
            else f"{where}: action must be a name from {', '.join(ACTIONS)}"
        )
    needs = ACTIONS[kind][0]
    node, edge, loss = wait.get("node"), wait.get("edge"), wait.get("loss_below")
    given = {k for k in ("node", "edge", "loss_below") if k in wait}
    allowed = {"": set(), "node": {"node"}, "node or edge": {"node", "edge"}}.get(needs, {needs})
    extra = given - allowed
    if extra:
        raise LessonError(f"{where}: the action {kind!r} takes no {sorted(extra)[0]!r}")
    if needs and not given:
        raise LessonError(f"{where}: the action {kind!r} needs a {needs.replace('_', ' ')}")
    if len(given) > 1:
        raise LessonError(f"{where}: the action {kind!r} takes a node or an edge, not both")
    if node is not None and not (isinstance(node, str) and re.fullmatch(r"\w+", node)):
        raise LessonError(f"{where}: node must be a node's id, got {node!r}")
    if edge is not None:
        edge = parse_edge(edge) if isinstance(edge, str) else None
        if edge is None:
            raise LessonError(f"{where}: edge must be written 'a.y -> b.x'")
    if "loss_below" in wait:
        finite = isinstance(loss, (int, float)) and not isinstance(loss, bool)
        if not finite or not math.isfinite(loss) or loss <= 0:
            raise LessonError(f"{where}: loss_below must be a positive number, got {loss!r}")
        loss = float(loss)
    return Action(kind, node, edge, loss)


def _object(value: Any, where: str, required: Iterable[str], optional: Iterable[str]) -> None:
    if not isinstance(value, dict):
        raise LessonError(f"{where}: expected an object")
    for key in required:
        if key not in value:
            raise LessonError(f"{where}: missing {key!r}")
    known = set(required) | set(optional)
    unknown = [key for key in value if key not in known]
    if unknown:
        raise LessonError(f"{where}: unknown field {unknown[0]!r}")


def missing(step: LessonStep, graph: Graph) -> list[str]:
    """What ``step`` names that ``graph`` lacks (a node deleted since the step was written):
    the step still reads, and Next moves past it, but that highlight or action cannot be."""
    targets = (step.highlight, step.action.node, step.action.edge)
    gone = []
    for target in dict.fromkeys(t for t in targets if t is not None):
        if isinstance(target, Edge) and target not in graph.edges:
            gone.append(f"the edge {target}")
        elif isinstance(target, str) and target not in graph.nodes:
            gone.append(f"the node {target!r}")
    return gone
