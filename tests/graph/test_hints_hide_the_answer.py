"""A hint names the rule missed and may give what the learner needs (the gradient arriving,
another node's value), never the result being asked for: checked on every question of every
sample's pass, and on a small graph per rule the samples do not reach."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from visualgrad.graph import fileformat
from visualgrad.graph.graph import Graph
from visualgrad.graph.predict import hint_for_answer
from visualgrad.graph.summaries import number

from .builders import chain_rule
from .test_predict import binary, questions, unary

SAMPLES = Path(__file__).resolve().parents[2] / "visualgrad" / "samples"
NUMBER = r"[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
TOKEN = re.compile(rf"(?<![\w.^]){NUMBER}(?![\w.])")
GIVEN = re.compile(rf"([\w/]+) = ({NUMBER})")  # a value stated by name: "dL/dc = 6", "p = 2"


def hints_of(question) -> list:
    """The hints a wrong answer can get: the step's rule, and the chain rule's hint where the
    answer was the local derivative alone."""
    shown = [question.hint]
    event = question.event
    if event is not None and np.shape(event.local) == question.shape:
        shown.append(hint_for_answer(question, np.asarray(event.local)))
    return shown


def written(value) -> str:
    """A value as the card writes it: a number, or a small tensor's values in brackets."""
    array = np.asarray(value, dtype=float)
    if array.size == 1:
        return number(array.reshape(()))
    return "[" + ", ".join(written(part) for part in array) + "]"


def leaks(question, text: str) -> bool:
    """Whether ``text`` states the asked result: as the asked label's value, or (away from the
    values it gives other names, such as the gradient arriving) written out at all."""
    answer = written(question.expected)
    if any(name == question.label and value == answer for name, value in GIVEN.findall(text)):
        return True
    rest = GIVEN.sub("", text)
    return answer in TOKEN.findall(rest) if np.size(question.expected) == 1 else answer in rest


def sample_questions() -> list:
    return [
        q for path in sorted(SAMPLES.glob("*.vgraph")) for q in questions(fileformat.load(path))
    ]


def test_no_hint_on_any_samples_pass_gives_the_answer_away():
    asked = sample_questions()
    assert {"edge", "sum", "value"} <= {q.kind for q in asked}
    found = [(q.label, h.rule, h.text) for q in asked for h in hints_of(q) if leaks(q, h.text)]
    assert found == []


def test_the_loss_start_hint_names_the_rule_not_the_gradient_asked():
    q = next(q for q in questions(chain_rule()) if q.label == "dL/de")
    assert q.hint.rule == "start" and float(q.expected) == 1.0
    assert "dL/de = 1" not in q.hint.text and "dL/dL = 1" in q.hint.text


def one_per_rule() -> list[Graph]:
    """x = [0.7, 1.3] through each one-input rule, and 1.7 and 0.6 into each two-input one."""
    graphs = [binary(t, 1.7, 0.6) for t in ("Add", "Subtract", "Multiply", "Divide")]
    for type_name in ("Exp", "Log", "Sqrt", "Abs", "ReLU", "Sigmoid", "Tanh", "Softplus"):
        graphs.append(unary(type_name, [0.7, 1.3]))
    graphs.append(unary("Power", [0.7, 1.3], {"exponent": 3.0}))
    graphs.append(unary("LeakyReLU", [-0.7, 1.3], {"negative_slope": 0.1}))
    for type_name in ("Negate", "Mean", "Max", "Softmax", "LogSoftmax", "Clamp"):
        graphs.append(unary(type_name, [0.7, 1.3]))
    return graphs


@pytest.mark.parametrize("graph", one_per_rule(), ids=lambda g: g.nodes["y"].type)
def test_no_rules_hint_gives_the_answer_away(graph):
    asked = [q for q in questions(graph) if q.kind == "edge"]
    assert asked
    found = [(q.label, h.rule, h.text) for q in asked for h in hints_of(q) if leaks(q, h.text)]
    assert found == []
