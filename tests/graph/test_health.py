"""Gradient health, measured while training, against the same steps done again in torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from visualgrad.graph.data import batches
from visualgrad.graph.execute import Program
from visualgrad.graph.graph import Graph
from visualgrad.graph.health import HealthMonitor, dead_fraction, warning, warnings
from visualgrad.graph.train import Trainer

LR = 0.5


def _sick_network() -> Graph:
    """x -> h1 -> ReLU -> h2 -> Tanh -> out -> Sigmoid -> BCE, with two ReLUs dead by their
    bias and h2's weights so large that most tanh inputs lie beyond +-4."""
    g = Graph()
    g.add_node("Input", "x")
    g.add_node("Target", "t")
    g.add_node("Linear", "h1", {"in_features": 2, "out_features": 6})
    g.add_node("ReLU", "relu")
    g.add_node("Linear", "h2", {"in_features": 6, "out_features": 4})
    g.add_node("Tanh", "tanh")
    g.add_node("Linear", "out", {"in_features": 4, "out_features": 1})
    g.add_node("Sigmoid", "prob")
    g.add_node("BCELoss", "bce")
    g.add_node("Loss", "loss")
    for edge in (
        "x.x h1.x",
        "h1.y relu.x",
        "relu.y h2.x",
        "h2.y tanh.x",
        "tanh.y out.x",
        "out.y prob.x",
        "prob.y bce.input",
        "t.y bce.target",
        "bce.loss loss.loss",
    ):
        (s, sp), (t, tp) = (end.split(".") for end in edge.split())
        g.connect(s, sp, t, tp)
    g.set_training(
        dataset="xor", dataset_size=80, optimizer="sgd", learning_rate=LR, batch_size=16, epochs=1
    )
    rng = np.random.default_rng(3)
    g.set_weights(
        "h1",
        {
            "weight": rng.uniform(-0.7, 0.7, (6, 2)),
            "bias": np.array([-10.0, -10.0, 0.1, 0.2, 0.3, 0.4]),
        },
    )
    g.set_weights("h2", {"weight": rng.uniform(-60, 60, (4, 6)), "bias": np.zeros(4)})
    g.set_weights("out", {"weight": rng.uniform(-1, 1, (1, 4)), "bias": np.zeros(1)})
    return g


def _torch_health(graph: Graph) -> list[dict[str, dict[str, float]]]:
    """Each step of one epoch of plain SGD done again in torch, with the four figures."""
    w = {
        n: {k: torch.tensor(v, requires_grad=True) for k, v in graph.nodes[n].weights.items()}
        for n in ("h1", "h2", "out")
    }
    found = []
    for batch in batches(graph.training, 0, "simple"):
        x = torch.tensor(batch["x"].to_numpy())
        y = torch.tensor(batch["y"].to_numpy())
        z1 = x @ w["h1"]["weight"].T + w["h1"]["bias"]
        a1 = torch.relu(z1)
        z2 = a1 @ w["h2"]["weight"].T + w["h2"]["bias"]
        a2 = torch.tanh(z2)
        z3 = a2 @ w["out"]["weight"].T + w["out"]["bias"]
        p = torch.sigmoid(z3)
        torch.nn.functional.binary_cross_entropy(p, y).backward()
        figures = {"grad_norm": {}, "update_ratio": {}}
        for n, tensors in w.items():
            grads = torch.cat([t.grad.reshape(-1) for t in tensors.values()])
            before = torch.cat([t.detach().reshape(-1) for t in tensors.values()])
            figures["grad_norm"][n] = float(grads.norm())
            figures["update_ratio"][n] = float((LR * grads).norm() / before.norm())
            with torch.no_grad():
                for t in tensors.values():
                    t -= LR * t.grad
                    t.grad = None
        figures["dead"] = {"relu": float((a1 == 0).all(dim=0).double().mean())}
        figures["saturated"] = {
            "tanh": float((z2.abs() > 4).double().mean()),
            "prob": float((z3.abs() > 4).double().mean()),
        }
        found.append(figures)
    return found


def test_every_figure_of_every_step_matches_torch():
    graph = _sick_network()
    expected = _torch_health(graph)
    trainer = Trainer(graph)
    trainer.health = HealthMonitor(trainer.program)
    trainer.run()
    points = trainer.health.take()
    assert [p.step for p in points] == [1, 2, 3, 4] and len(expected) == 4
    for point, figures in zip(points, expected):
        for figure, by_node in figures.items():
            assert point.figures[figure] == pytest.approx(by_node, rel=1e-9), (point.step, figure)
    # The two ReLUs killed by their bias stay dead; the tanh stays mostly saturated.
    assert all(p.figures["dead"]["relu"] >= 2 / 6 for p in points)
    assert points[0].figures["saturated"]["tanh"] > 0.5


def test_the_monitor_measures_the_first_step_then_every_nth():
    graph = _sick_network()
    graph.set_training(dataset_size=160)  # 8 steps
    trainer = Trainer(graph)
    trainer.health = HealthMonitor(trainer.program, every=3)
    trainer.run()
    assert [p.step for p in trainer.health.take()] == [1, 3, 6]
    assert trainer.health.take() == []


def test_layers_are_the_learnable_and_activation_nodes_in_order():
    monitor = HealthMonitor(Program(_sick_network(), "simple"))
    assert monitor.layers() == ["h1", "relu", "h2", "tanh", "out", "prob"]
    assert monitor.watched == {
        "relu": ("dead", "relu"),
        "tanh": ("saturated", "h2"),
        "prob": ("saturated", "out"),
    }


def test_a_unit_is_dead_only_when_zero_for_every_example():
    out = np.array([[0.0, 0.0, 1.0], [0.0, 2.0, 0.0]])
    assert dead_fraction(out) == pytest.approx(1 / 3)
    assert dead_fraction(np.zeros((4, 2, 3, 3))) == 1.0


def test_the_badge_explains_itself_in_one_line_and_only_when_units_are_sick():
    assert warning("ReLU", "dead", 0.05) is None
    assert warning("ReLU", "dead", 0.625) == (
        "62% of these ReLUs output 0 for every example in the batch: their weights get no gradient"
    )
    line = warning("Sigmoid", "saturated", 0.5)
    assert line.startswith("50% of this Sigmoid's inputs are beyond ±4") and "\n" not in line
    graph = _sick_network()
    trainer = Trainer(graph)
    trainer.health = HealthMonitor(trainer.program)
    trainer.run(epochs=1)
    found = warnings(graph, trainer.health.take()[0])
    assert set(found) >= {"relu", "tanh"}
    assert found["relu"].startswith("33% of these ReLUs")
