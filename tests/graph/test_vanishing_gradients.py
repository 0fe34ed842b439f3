"""The vanishing_gradients sample: with its saved settings the sigmoid stack stalls, the ReLU
stack learns, and the gradient health says why."""

from __future__ import annotations

import numpy as np

from visualgrad import cli
from visualgrad import engine as vg
from visualgrad.graph import fileformat, samples
from visualgrad.graph.data import as_batch, dataset_for
from visualgrad.graph.execute import Program
from visualgrad.graph.health import HealthMonitor
from visualgrad.graph.train import Trainer

SAMPLE = samples.folder() / "vanishing_gradients.vgraph"


def _each_stack(graph) -> dict[str, tuple[float, float]]:
    """Mean squared error and accuracy of each stack on the whole training set, in numpy."""
    data = dataset_for(graph.training)
    program = Program(graph, "simple")
    with vg.no_grad():
        values, _ = program.forward(as_batch(data.x, data.y, "simple"))
    found = {}
    for tag in ("sig", "relu"):
        out = values[f"{tag}_out"].to_numpy()
        found[tag] = (float(np.mean((out - data.y) ** 2)), float(np.mean((out > 0.5) == data.y)))
    return found


def test_eight_layers_deep_each_stack_is_as_deep_as_the_other():
    graph = fileformat.load(SAMPLE)
    for tag, unit in (("sig", "Sigmoid"), ("relu", "ReLU")):
        linears = [n for n in graph if n.type == "Linear" and n.id.startswith(f"{tag}_")]
        assert len(linears) == 8
        assert sum(n.type == unit for n in graph if n.id.startswith(unit.lower())) == 7


def test_trained_from_the_command_line_the_sigmoid_stack_stalls_and_the_relu_stack_learns(
    tmp_path, capsys
):
    before = _each_stack(fileformat.load(SAMPLE))
    out = tmp_path / "trained.vgraph"
    assert cli.main(["train", str(SAMPLE), "--save", str(out)]) == 0
    capsys.readouterr()
    after = _each_stack(fileformat.load(out))
    sig_loss, sig_accuracy = after["sig"]
    relu_loss, relu_accuracy = after["relu"]
    assert abs(sig_loss - 0.25) < 0.01 and sig_accuracy < 0.6  # no better than answering 0.5
    assert abs(sig_loss - before["sig"][0]) < 0.01
    assert relu_loss < 0.05 and relu_accuracy > 0.9
    assert relu_loss < before["relu"][0] / 5


def test_the_sigmoid_stacks_gradient_norms_fall_by_orders_of_magnitude_toward_the_input():
    graph = fileformat.load(SAMPLE)
    trainer = Trainer(graph)
    trainer.health = HealthMonitor(trainer.program, every=40)
    trainer.run(epochs=20)
    points = trainer.health.take()
    assert len(points) >= 3
    for i, point in enumerate(points):
        norms = point.figures["grad_norm"]
        sig = [norms[f"sig_linear{i}"] for i in range(1, 8)] + [norms["sig_out"]]
        relu = [norms[f"relu_linear{i}"] for i in range(1, 8)] + [norms["relu_out"]]
        assert sig[0] < 1e-4 * sig[-1]  # four orders of magnitude and more
        assert all(a < b for a, b in zip(sig, sig[1:]))  # smaller at every layer down
        assert relu[0] > 1e3 * sig[0]
        if i > 0:  # once the ReLU stack has started to learn, its first layer is not starved
            assert relu[0] > 1e-2 * relu[-1]
