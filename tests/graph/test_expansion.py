"""A layer opened as its primitive ops: the same tensors, the same numbers, and the steps the
fused layer hides (the bias un-broadcast, softmax + cross-entropy's p - y), against torch."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.graph import fileformat
from visualgrad.graph.data import pass_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.expansion import ExampleStep, can_expand, expand
from visualgrad.graph.graph import GraphError

from .builders import mlp

torch = pytest.importorskip("torch")
SAMPLES = Path(__file__).parents[2] / "visualgrad" / "samples"


def _pass(graph):
    program = Program(graph, "simple")
    batch = pass_batch(graph, "simple")
    return program, batch, program.trace(batch)


def _last_number(line: str) -> float:
    return float(re.findall(r"= (-?[0-9.e+-]+)$", line)[0])


def _torch_mlp(program, batch):
    """The mlp of builders.mlp in torch, with the program's weights: dL/dhidden and dL/db."""
    w = {
        n: {k: torch.tensor(p.to_numpy()) for k, p in ws.items()}
        for n, ws in program.weights.items()
    }
    for ws in w.values():
        for t in ws.values():
            t.requires_grad_()
    x = torch.tensor(batch["x"].to_numpy())
    hidden = x @ w["hidden"]["weight"].T + w["hidden"]["bias"]
    hidden.retain_grad()
    out = torch.relu(hidden) @ w["out"]["weight"].T + w["out"]["bias"]
    loss = torch.nn.functional.binary_cross_entropy(
        torch.sigmoid(out), torch.tensor(batch["y"].to_numpy())
    )
    loss.backward()
    return hidden.grad.numpy(), w["hidden"]["bias"].grad.numpy(), w["hidden"]["weight"].grad.numpy()


def test_linear_opens_as_matmul_and_add_over_the_same_tensors():
    graph = mlp(hidden=3)
    graph.set_training(batch_size=6)
    before = fileformat.to_json(graph)
    program, batch, whole = _pass(graph)
    opened = expand(program, whole, "hidden")
    types = {n.id: n.type for n in opened.graph}
    assert types == {
        "x": "Input",
        "W": "Parameter",
        "W_T": "Transpose",
        "xW_T": "MatMul",
        "b": "Parameter",
        "hidden": "Add",
    }
    forward = {e.node: e.value for e in whole.forward}
    inside = {e.node: e.value for e in opened.trace.forward}
    np.testing.assert_allclose(inside["hidden"], forward["hidden"], rtol=1e-12)
    assert opened.trace.gradients["x"] == pytest.approx(
        next(e.gradient for e in whole.backward if str(e.edge) == "x.x -> hidden.x")
    )
    assert opened.program.weights["W"]["value"] is program.weights["hidden"]["weight"]
    assert opened.program.weights["b"]["value"] is program.weights["hidden"]["bias"]
    _, db, dw = _torch_mlp(program, batch)
    np.testing.assert_allclose(opened.trace.gradients["W"], dw, rtol=1e-9)
    assert fileformat.to_json(graph) == before  # the document is not edited


def test_the_bias_gradient_is_un_broadcast_as_a_sum_over_the_batch():
    graph = mlp(hidden=3)
    graph.set_training(batch_size=6)
    program, batch, whole = _pass(graph)
    opened = expand(program, whole, "hidden")
    steps = opened.steps
    at = next(i for i, s in enumerate(steps) if s.kind == "unbroadcast")
    assert steps[at - 1].kind == "backward" and str(steps[at - 1].edges[0]) == "b.y -> hidden.b"
    step = steps[at]
    assert isinstance(step, ExampleStep) and step.node == "b"
    dy, db, _ = _torch_mlp(program, batch)
    np.testing.assert_allclose(step.value, db, rtol=1e-9)
    lines = step.text.split("<br>")[1:]
    for j, line in enumerate(lines):
        assert line.startswith(f"dL/db[{j}] = Σ_batch dL/dhidden[:, {j}] = ")
        assert _last_number(line) == pytest.approx(db[j], rel=1e-3, abs=1e-4)
        first = re.findall(r"= \(?(-?[0-9.e+-]+)\)? \+", line)[0]
        assert float(first) == pytest.approx(dy[0, j], rel=1e-3, abs=1e-4)
        assert "+ ... =" in line  # 6 examples: four terms, then the rest
    assert len(step.examples) == 6
    shares = re.findall(r"dL/dhidden\[2\] = \[([^\]]*)\]", step.examples[2])[0]
    assert [float(v) for v in shares.split(", ")] == pytest.approx(dy[2], rel=1e-3, abs=1e-4)


def test_softmax_cross_entropy_opens_and_writes_p_minus_y_for_one_example():
    graph = fileformat.load(SAMPLES / "softmax_classifier.vgraph")
    graph.set_training(batch_size=4)
    program, batch, whole = _pass(graph)
    ce = next(n.id for n in graph if n.type == "CrossEntropyLoss")
    assert can_expand(graph, ce) and not can_expand(graph, "x")
    opened = expand(program, whole, ce)
    assert [n.type for n in opened.graph] == [
        "Input", "Target", "Max", "Subtract", "Exp", "Sum", "Log", "Subtract", "Pick", "Mean",
        "Negate",
    ]  # fmt: skip
    z_id = graph.edges_into(ce)["input"].source
    z = torch.tensor(next(e.value for e in whole.forward if e.node == z_id), requires_grad=True)
    labels = torch.tensor(batch["y"].to_numpy()).long()
    loss = torch.nn.functional.cross_entropy(z, labels)
    loss.backward()
    assert opened.trace.forward[-1].value == pytest.approx(loss.item(), rel=1e-12)
    step = opened.steps[-1]
    assert step.kind == "softmax_ce" and "dL/dscores = <b>p − y</b>" in step.text
    np.testing.assert_allclose(step.value, z.grad.numpy(), atol=1e-12)
    p = torch.softmax(z, 1).detach().numpy()
    for i in range(4):
        text = step.examples[i]
        found = re.findall(r"p = \[([^\]]*)\]", text)[0]
        assert [float(v) for v in found.split(", ")] == pytest.approx(p[i], rel=1e-3)
        answer = re.findall(r"= <b>\[([^\]]*)\]</b>", text)[0]
        expected = (p[i] - np.eye(3)[labels[i]]) / 4
        assert [float(v) for v in answer.split(", ")] == pytest.approx(expected, rel=1e-3)


def test_large_logits_give_the_fused_loss_and_p_minus_y_not_nan():
    graph = fileformat.load(SAMPLES / "softmax_classifier.vgraph")
    graph.set_training(batch_size=4)
    program = Program(graph, "simple")
    batch = pass_batch(graph, "simple")
    ce = next(n.id for n in graph if n.type == "CrossEntropyLoss")
    z_id = graph.edges_into(ce)["input"].source
    with vg.no_grad():
        for p in program.weights[z_id].values():
            p.data = (p * 1000.0).data
    whole = program.trace(batch)
    z = torch.tensor(next(e.value for e in whole.forward if e.node == z_id), requires_grad=True)
    assert z.abs().max().item() > 500  # exp z overflows float64 without the shift
    loss = torch.nn.functional.cross_entropy(z, torch.tensor(batch["y"].to_numpy()).long())
    loss.backward()
    opened = expand(program, whole, ce)
    fused = {e.node: e.value for e in whole.forward}[ce]
    inside = opened.trace.forward[-1].value
    assert inside == pytest.approx(fused, rel=1e-12) and inside == pytest.approx(loss.item())
    step = opened.steps[-1]
    assert step.kind == "softmax_ce"
    np.testing.assert_allclose(step.value, z.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(step.value, whole.gradients[z_id], atol=1e-12)
    shift = next(s for s in opened.steps if s.kind == "forward" and s.node == "shifted")
    assert "softmax is unchanged by a shift" in shift.text
    np.testing.assert_allclose(opened.trace.gradients["max_z"], 0.0, atol=1e-12)


def test_the_expansion_runs_in_the_program_dtype():
    graph = fileformat.load(SAMPLES / "softmax_classifier.vgraph")
    graph.set_training(batch_size=4)
    program = Program(graph, "simple", "float32")
    whole = program.trace(pass_batch(graph, "simple"))
    ce = next(n.id for n in graph if n.type == "CrossEntropyLoss")
    opened = expand(program, whole, ce)
    assert opened.program.dtype == "float32"
    assert opened.trace.forward[-1].value.dtype == np.float32
    fused = {e.node: e.value for e in whole.forward}[ce]
    assert float(opened.trace.forward[-1].value) == pytest.approx(float(fused), rel=1e-5)


def test_only_a_reached_layer_opens():
    graph = mlp(hidden=3)
    program, _, whole = _pass(graph)
    with pytest.raises(GraphError, match="'relu' is not a layer"):
        expand(program, whole, "relu")
