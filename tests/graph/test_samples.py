"""Every sample project opens, checks, steps and trains; the worked examples give their numbers."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

from visualgrad import cli
from visualgrad import engine as vg
from visualgrad.graph import fileformat
from visualgrad.graph.data import as_batch, dataset_for, first_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.shapes import infer_shapes
from visualgrad.graph.train import Trainer

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
PATHS = sorted(SAMPLES.glob("*.vgraph"))


def _make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "tools/make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _trace(path: Path):
    graph = fileformat.load(path)
    program = Program(graph)
    needs_data = any(node.type in ("Input", "Target") for node in graph)
    return graph, program.trace(first_batch(graph.training) if needs_data else {})


def test_the_samples_folder_holds_every_sample_the_script_makes():
    assert [p.stem for p in PATHS] == sorted(_make_samples().SAMPLES)


def test_the_script_regenerates_the_same_bytes(tmp_path):
    assert _make_samples().main([str(tmp_path)]) == 0
    written = sorted(tmp_path.glob("*.vgraph"))
    assert [p.name for p in written] == [p.name for p in PATHS]
    for fresh, shipped in zip(written, PATHS):
        assert fresh.read_bytes() == shipped.read_bytes(), shipped.name


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_sample_loads_with_a_description_and_checks(path):
    graph, description = fileformat.load_with_description(path)
    assert description and "\n" not in description
    report = infer_shapes(graph)
    assert report.ok, report.errors


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_sample_steps_forward_and_backward_with_finite_gradients(path):
    graph, trace = _trace(path)
    assert math.isfinite(trace.loss)
    assert [event.node for event in trace.forward] == graph.topological_order()
    learnable = [node for node in graph if node.spec.learnable]
    assert learnable
    for node in learnable:
        if node.type == "Parameter":
            gradients = [trace.gradients[node.id]]
        else:
            gradients = list(trace.weight_gradients[node.id].values())
        assert all(np.isfinite(g).all() for g in gradients), node.id
        assert any(np.abs(g).sum() > 0 for g in gradients), f"{node.id} gets no gradient"


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_sample_trains_two_epochs_and_its_loss_falls(path):
    graph = fileformat.load(path)
    trainer = Trainer(graph)
    data = dataset_for(graph.training)
    whole_set = as_batch(data.x, data.y, trainer.program.backend)

    def loss_on_the_training_set() -> float:
        with vg.no_grad():
            values, _ = trainer.program.forward(whole_set)
        return trainer.program.loss(values).item()

    before = loss_on_the_training_set()
    result = trainer.run(epochs=2)
    assert result.epochs == 2 and all(math.isfinite(v) for v in result.loss)
    # Epoch means are noisy where the loss starts flat (spiral's first epochs hover at
    # ln 2), so the whole training set is scored before and after.
    assert loss_on_the_training_set() < before


def test_chain_rule_trace_gives_the_worked_numbers():
    _, trace = _trace(SAMPLES / "chain_rule.vgraph")
    values = {event.node: event.value for event in trace.forward}
    assert (values["c"], values["d"], values["e"]) == (3.0, 2.0, 6.0)
    assert trace.loss == 6.0
    assert trace.gradients["a"] == 2.0 and trace.gradients["b"] == 5.0
    paths = trace.sums["b"]
    assert {edge.target: float(g) for edge, g in paths.parts} == {"c": 2.0, "d": 3.0}
    assert paths.total == 5.0


def test_inverse_square_slope_is_minus_two_over_x_cubed():
    _, trace = _trace(SAMPLES / "inverse_square.vgraph")
    assert trace.loss == 0.25
    assert trace.gradients["x"] == pytest.approx(-2 / 2.0**3)


def test_quadratic_form_gradient_is_two_a_x_summed_over_both_uses_of_x():
    _, trace = _trace(SAMPLES / "quadratic_form.vgraph")
    assert trace.loss == 2.0
    a = np.array([[2.0, -1.0, 0.0], [-1.0, 2.0, -1.0], [0.0, -1.0, 2.0]])
    np.testing.assert_allclose(trace.gradients["x"], 2 * a @ np.ones(3))
    assert len(trace.sums["x"].parts) == 2


@pytest.mark.parametrize(
    "name, gradients",
    [
        ("chain_rule", {"a": 2.0, "b": 5.0, "one": 3.0}),
        ("inverse_square", {"x": -0.25, "one": 0.25}),
    ],
)
def test_run_reports_the_gradients_of_parameters(name, gradients, capsys):
    assert cli.main(["run", str(SAMPLES / f"{name}.vgraph"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["gradients"] == gradients


@pytest.mark.parametrize(
    "name, accuracy",
    [("xor", 0.95), ("split", 0.95), ("softmax_classifier", 0.9)],
)
def test_cheap_classifiers_reach_their_accuracy(name, accuracy):
    result = Trainer(fileformat.load(SAMPLES / f"{name}.vgraph")).run()
    assert result.accuracy >= accuracy


def test_polynomial_fits_sin_to_a_small_error():
    graph = fileformat.load(SAMPLES / "polynomial_sin.vgraph")
    assert Trainer(graph).run().loss[-1] <= 0.01
    coefficients = {k: float(graph.nodes[k].weights["value"]) for k in "abcd"}
    assert coefficients["b"] == pytest.approx(0.85, abs=0.02)
    assert coefficients["d"] == pytest.approx(-0.09, abs=0.01)
