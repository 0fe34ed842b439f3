"""Gradient health, measured while training, against the same steps done again in torch."""

from __future__ import annotations

import numpy as np
import pytest

from tests.graph.sick_network import sick_network, torch_health
from visualgrad.graph.execute import Program
from visualgrad.graph.health import (
    Health,
    HealthHistory,
    HealthMonitor,
    dead_fraction,
    figure_nodes,
    warning,
    warnings,
)
from visualgrad.graph.train import Trainer


def test_every_figure_of_every_step_matches_torch():
    graph = sick_network()
    expected = torch_health(graph)
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
    graph = sick_network()
    graph.set_training(dataset_size=160)  # 8 steps
    trainer = Trainer(graph)
    trainer.health = HealthMonitor(trainer.program, every=3)
    trainer.run()
    assert [p.step for p in trainer.health.take()] == [1, 3, 6]
    assert trainer.health.take() == []


def test_layers_are_the_learnable_and_activation_nodes_in_order():
    graph = sick_network()
    monitor = HealthMonitor(Program(graph, "simple"))
    assert figure_nodes(graph) == {
        "grad_norm": ["h1", "h2", "out"],
        "update_ratio": ["h1", "h2", "out"],
        "dead": ["relu"],
        "saturated": ["tanh", "prob"],
    }
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
    graph = sick_network()
    trainer = Trainer(graph)
    trainer.health = HealthMonitor(trainer.program)
    trainer.run(epochs=1)
    found = warnings(graph, trainer.health.take()[0])
    assert set(found) >= {"relu", "tanh"}
    assert found["relu"].startswith("33% of these ReLUs")


def test_the_history_keeps_each_figures_curve_per_node_however_long():
    history = HealthHistory()
    points = [
        Health(s, {"dead": {"relu": s / 1000}, "grad_norm": {"h": float(s)}}) for s in range(1, 201)
    ]
    history.extend(points[:150])
    history.extend(points[150:])
    steps, values = history.series("dead")["relu"]
    np.testing.assert_array_equal(steps, np.arange(1, 201))
    np.testing.assert_array_equal(values, np.arange(1, 201) / 1000)
    assert list(history.series("grad_norm")) == ["h"] and history.series("saturated") == {}
    history.clear()
    assert history.series("dead") == {} and history.points == []
