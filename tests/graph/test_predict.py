"""Predict, then reveal, without a window: the questions a pass asks, how answers are read
and checked, and which rule's hint a wrong answer gets, one test per rule."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from visualgrad.graph.data import pass_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.graph import Graph
from visualgrad.graph.predict import (
    REVEALED,
    RIGHT,
    WRONG,
    Attempt,
    Score,
    is_right,
    parse_number,
    question_for,
    read_answer,
)
from visualgrad.graph.steps import build_steps

from .builders import chain_rule


def questions(graph: Graph) -> list:
    program = Program(graph, "simple")
    trace = program.trace(pass_batch(graph, "simple"))
    steps, _ = build_steps(graph, trace, program.loss_node)
    return [q for q in (question_for(graph, trace, s) for s in steps) if q is not None]


def asked(graph: Graph, label: str, kind: str = "edge"):
    return next(q for q in questions(graph) if q.label == label and q.kind == kind)


def unary(type_name: str, x: list[float] | float, params: dict | None = None) -> Graph:
    """x (a Parameter) -> type_name -> Sum -> Loss, so dL/dy = 1 at every element."""
    g = Graph()
    shape = list(np.shape(x))
    values = np.asarray(x, dtype=float)
    g.add_node(
        "Parameter", "x", {"shape": shape, "init": "value", "scale": 1.0}, weights={"value": values}
    )
    g.add_node(type_name, "y", params or {})
    g.add_node("Sum", "total")
    g.add_node("Loss", "loss")
    g.connect("x", "y", "y", "x")
    g.connect("y", "y", "total", "x")
    g.connect("total", "y", "loss", "loss")
    return g


def binary(type_name: str, a: float, b: float) -> Graph:
    """a, b (Scalars) -> type_name -> Loss."""
    g = Graph()
    g.add_node("Scalar", "a", {"value": a})
    g.add_node("Scalar", "b", {"value": b})
    g.add_node(type_name, "y")
    g.add_node("Loss", "loss")
    g.connect("a", "y", "y", "a")
    g.connect("b", "y", "y", "b")
    g.connect("y", "y", "loss", "loss")
    return g


def torch_grad(f, *values: float) -> list[float]:
    ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    f(*ts).sum().backward()
    return [t.grad.numpy() for t in ts]


# ---- the questions --------------------------------------------------------------------------
def test_the_chain_rule_pass_asks_each_edge_and_the_fan_out_sum_with_torchs_numbers():
    g = chain_rule()
    a_grad, b_grad = torch_grad(lambda a, b: (a + b) * (b + 1), 2.0, 1.0)
    assert asked(g, "dL/da").expected == pytest.approx(a_grad) == 2.0
    total = asked(g, "dL/db", "sum")
    assert total.expected == pytest.approx(b_grad) == 5.0
    assert "dL/db = ?" in total.prompt and "5" not in total.prompt
    paths = sorted(float(q.expected) for q in questions(g) if q.label == "dL/db" and q.edge)
    assert paths == [2.0, 3.0]


def test_sources_the_loss_start_and_large_tensors_ask_nothing():
    g = chain_rule()
    program = Program(g, "simple")
    trace = program.trace({})
    steps, _ = build_steps(g, trace, program.loss_node)
    by_kind = {(s.kind, s.node): question_for(g, trace, s) for s in steps}
    assert by_kind[("forward", "a")] is None and by_kind[("loss", "loss")] is None
    assert by_kind[("forward", "c")].expected == 3.0
    big = unary("Exp", list(np.linspace(0, 1, 17)))
    assert not [q for q in questions(big) if q.label == "dL/dx"]


# ---- reading and checking answers ---------------------------------------------------------
def test_numbers_are_read_as_decimals_fractions_and_exponents():
    assert parse_number(" -1/16 ") == -0.0625
    assert parse_number("2e-3") == 0.002
    assert parse_number("−0.5") == -0.5
    for bad in ("two", "", "1/0", "1/2/3", "nan"):
        with pytest.raises(ValueError):
            parse_number(bad)


def test_a_grid_names_its_bad_cell():
    assert read_answer(["1", "2", "3", "4"], (2, 2)).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ValueError, match="row 2, column 1: 'x' is not a number"):
        read_answer(["1", "2", "x", "4"], (2, 2))


def test_the_tolerance_takes_rounded_answers_and_refuses_wrong_ones():
    assert is_right(np.array(-0.06), np.array(-0.0625))  # rounded to two places
    assert is_right(np.array(0.33), np.array(1 / 3))
    assert not is_right(np.array(3.0), np.array(5.0))
    assert not is_right(np.array([2.0, 0.0]), np.array([2.0, 0.0, 2.0]))
    assert is_right(np.array([2.0, 0.0, 2.0]), np.array([2.0, 1e-9, 2.0]))
    assert not is_right(np.array(0.1), np.array(0.0))


def test_an_attempt_is_right_first_after_a_hint_or_revealed_and_the_score_counts_them():
    q = asked(chain_rule(), "dL/db", "sum")
    first, hinted, revealed = Attempt(q), Attempt(q), Attempt(q)
    assert first.answer(np.array(5.0)) == RIGHT
    assert hinted.answer(np.array(3.0)) == WRONG and hinted.hint.rule == "fan_out"
    assert hinted.answer(np.array(5.0)) == RIGHT
    assert revealed.answer(np.array(3.0)) == WRONG
    assert revealed.answer(np.array(2.0)) == REVEALED
    score = Score()
    for attempt in (first, hinted, revealed, Attempt(q)):  # the last is still open
        score.record(attempt)
    assert score.counts == {"first_try": 1, "after_hint": 1, "revealed": 1}
    assert score.text() == "Score: 1 right first time, 1 after a hint, 1 revealed"


# ---- one hint per rule ------------------------------------------------------------------------
def hint(graph: Graph, label: str = "dL/dx", kind: str = "edge"):
    return asked(graph, label, kind).hint


def test_multiply_swaps_its_inputs():
    h = hint(chain_rule(), "dL/dc")
    assert (h.rule, h.text) == ("multiply", "multiply swaps its inputs: dL/dc = dL/de · d")


def test_fan_out_adds_both_paths():
    h = hint(chain_rule(), "dL/db", "sum")
    assert h.rule == "fan_out" and h.text == "b feeds two nodes (c, d): add both paths"


def test_add_subtract_and_divide_name_their_inputs():
    assert hint(chain_rule(), "dL/da").text == "add passes the gradient on unchanged: dL/da = dL/dc"
    assert hint(binary("Subtract", 3.0, 1.0), "dL/db").text.endswith("dL/db = -dL/dy")
    da, db = torch_grad(lambda a, b: a / b, 3.0, 2.0)
    q = asked(binary("Divide", 3.0, 2.0), "dL/db")
    assert q.expected == pytest.approx(db) and q.hint.rule == "divide"
    assert q.hint.text == "the quotient rule for the divisor: dL/db = -dL/dy · a / b^2"
    assert asked(binary("Divide", 3.0, 2.0), "dL/da").expected == pytest.approx(da)


@pytest.mark.parametrize(
    ("type_name", "params", "rule", "torch_f"),
    [
        ("Power", {"exponent": 3.0}, "power", lambda x: x**3),
        ("Exp", {}, "exp", torch.exp),
        ("Log", {}, "log", torch.log),
        ("Sqrt", {}, "sqrt", torch.sqrt),
        ("Sigmoid", {}, "sigmoid", torch.sigmoid),
        ("Tanh", {}, "tanh", torch.tanh),
        ("ReLU", {}, "relu", torch.relu),
        ("Negate", {}, "negate", torch.neg),
    ],
)
def test_each_local_derivative_has_its_rule(type_name, params, rule, torch_f):
    x = [0.5, 2.0]
    q = asked(unary(type_name, x, params), "dL/dx")
    assert q.hint.rule == rule
    np.testing.assert_allclose(q.expected, torch_grad(torch_f, x)[0])


def test_the_power_rule_brings_the_exponent_down():
    h = hint(unary("Power", [2.0], {"exponent": 3.0}))
    assert h.text.endswith("dL/dx = dL/dy · 3 · x^2")


def test_a_broadcast_bias_sums_over_the_batch():
    g = Graph()
    g.add_node("Constant", "z", {"values": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "shape": [2, 3]})
    g.add_node("Parameter", "bias", {"shape": [3], "init": "value", "scale": 0.5})
    g.add_node("Add", "y")
    g.add_node("Power", "sq", {"exponent": 2.0})
    g.add_node("Sum", "total")
    g.add_node("Loss", "loss")
    for s, t, port in (("z", "y", "a"), ("bias", "y", "b"), ("y", "sq", "x"), ("sq", "total", "x")):
        g.connect(s, "y", t, port)
    g.connect("total", "y", "loss", "loss")
    q = asked(g, "dL/dbias")
    assert (q.hint.rule, q.hint.text) == (
        "broadcast",
        "the bias is broadcast over the batch: sum dL/dy over it",
    )
    z = torch.tensor([[1.0, 2, 3], [4, 5, 6]], dtype=torch.float64)
    b = torch.full((3,), 0.5, dtype=torch.float64, requires_grad=True)
    ((z + b) ** 2).sum().backward()
    np.testing.assert_allclose(q.expected, b.grad.numpy())


def test_matmul_sends_the_gradient_through_the_other_factor():
    g = Graph()
    g.add_node("Constant", "A", {"values": [1.0, 2.0, 3.0, 4.0], "shape": [2, 2]})
    g.add_node("Parameter", "v", {"shape": [2], "init": "value", "scale": 1.0})
    g.add_node("MatMul", "Av")
    g.add_node("Sum", "total")
    g.add_node("Loss", "loss")
    g.connect("A", "y", "Av", "a")
    g.connect("v", "y", "Av", "b")
    g.connect("Av", "y", "total", "x")
    g.connect("total", "y", "loss", "loss")
    q = asked(g, "dL/dv")
    assert q.hint.rule == "matmul" and q.hint.text.endswith("dL/dv = Aᵀ @ dL/dAv")
    np.testing.assert_allclose(q.expected, [4.0, 6.0])  # A^T (1, 1)


def test_a_loss_starts_with_one_and_a_sum_hands_it_on():
    g = unary("Exp", [0.0, 1.0])
    assert hint(g, "dL/dtotal").rule == "start"
    assert hint(g, "dL/dy").rule == "sum"


def test_cross_entropy_gives_p_minus_y():
    g = Graph()
    g.add_node(
        "Parameter",
        "scores",
        {"shape": [2, 3], "init": "value", "scale": 0.0},
        weights={"value": np.array([[1.0, 2.0, 0.5], [0.0, 0.0, 1.0]])},
    )
    g.add_node("Constant", "label", {"values": [1.0, 2.0], "shape": [2]})
    g.add_node("CrossEntropyLoss", "ce")
    g.add_node("Loss", "loss")
    g.connect("scores", "y", "ce", "input")
    g.connect("label", "y", "ce", "target")
    g.connect("ce", "loss", "loss", "loss")
    q = asked(g, "dL/dscores")
    assert q.hint.rule == "cross_entropy" and "p - y" in q.hint.text
    s = torch.tensor([[1.0, 2.0, 0.5], [0.0, 0.0, 1.0]], dtype=torch.float64)
    onehot = torch.nn.functional.one_hot(torch.tensor([1, 2]), 3)
    np.testing.assert_allclose(q.expected, (torch.softmax(s, 1) - onehot).numpy() / 2)


def test_the_local_derivative_alone_gets_the_chain_rule_hint():
    g = chain_rule()
    g.add_node("Scalar", "three", {"value": 3.0})
    g.disconnect(next(e for e in g.edges if e.target == "loss"))
    g.add_node("Multiply", "scaled")
    g.connect("e", "y", "scaled", "a")
    g.connect("three", "y", "scaled", "b")
    g.connect("scaled", "y", "loss", "loss")
    q = asked(g, "dL/da")  # dL/dc = 3 * 2 = 6, and dc/da = 1
    attempt = Attempt(q)
    assert attempt.answer(np.array(1.0)) == WRONG
    assert attempt.hint.rule == "chain" and "dL/dc = 6" in attempt.hint.text


def test_a_forward_value_names_its_formula():
    q = asked(unary("Power", [2.0], {"exponent": 3.0}), "y", "value")
    assert q.expected == 8.0
    assert q.hint.text == "Power computes y = x^p, with x = x, exponent = 3"


def test_the_perceptron_loss_gives_the_perceptron_update():
    scores = np.array([[1.0, 2.0, 0.5], [0.0, 0.3, 1.0], [2.0, 0.0, 0.1]])
    g = Graph()
    g.add_node(
        "Parameter",
        "scores",
        {"shape": [3, 3], "init": "value", "scale": 0.0},
        weights={"value": scores},
    )
    g.add_node("Constant", "label", {"values": [1.0, 0.0, 0.0], "shape": [3]})
    g.add_node("PerceptronLoss", "perceptron")
    g.add_node("Loss", "loss")
    g.connect("scores", "y", "perceptron", "input")
    g.connect("label", "y", "perceptron", "target")
    g.connect("perceptron", "loss", "loss", "loss")
    q = asked(g, "dL/dscores")
    assert q.hint.rule == "perceptron" and "onehot(argmax scores)" in q.hint.text
    s = torch.tensor(scores, requires_grad=True)
    t = torch.tensor([1, 0, 0])
    (s.amax(1) - s.gather(1, t[:, None])[:, 0]).mean().backward()
    np.testing.assert_allclose(q.expected, s.grad.numpy())
    update = np.eye(3)[scores.argmax(1)] - np.eye(3)[[1, 0, 0]]  # the second point is wrong
    np.testing.assert_allclose(q.expected, update / 3)
    assert asked(g, "perceptron", "value").expected == pytest.approx((0 + 1.0 + 0) / 3)
