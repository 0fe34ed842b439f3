"""The gradient-health panel beside the loss plot, and the warning badges it puts on nodes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.graph.sick_network import sick_network, torch_health
from visualgrad.graph import fileformat

from .helpers import open_window


def _choose(window, key: str) -> None:
    """Pick a figure in the panel's combo box with the keyboard, as a person would."""
    box = window.training.health_plot.figure
    while box.currentData() != key:
        before = box.currentIndex()
        QTest.keyClick(box, Qt.Key_Down if box.findData(key) > before else Qt.Key_Up)
        assert box.currentIndex() != before


def _trained_window(qtbot, tmp_path, epochs: int):
    graph = sick_network()
    graph.set_training(epochs=epochs)
    path = tmp_path / "sick.vgraph"
    fileformat.save(graph, path)
    window = open_window(qtbot, path)
    with qtbot.waitSignal(window.training.finished, timeout=60000):
        qtbot.mouseClick(window.training.train_button, Qt.LeftButton)
    return window, graph


def test_the_panel_draws_a_curve_per_layer_with_torchs_numbers(qtbot, tmp_path):
    window, graph = _trained_window(qtbot, tmp_path, epochs=1)
    first = torch_health(graph)[0]  # the first step is always measured
    health = window.training.health_plot
    assert health.key == "grad_norm"
    assert set(health.curves) == {"h1", "h2", "out"}
    legend = health.legend.text()
    assert [legend.index(f"&nbsp;{n}") for n in ("h1", "h2", "out")] == sorted(
        legend.index(f"&nbsp;{n}") for n in ("h1", "h2", "out")
    )
    for node_id, curve in health.curves.items():
        steps, values = curve.xData, curve.yData  # as given, before the log scale
        assert steps[0] == 1
        assert values[0] == pytest.approx(first["grad_norm"][node_id], rel=1e-9)
    _choose(window, "update_ratio")
    assert health.plot.getPlotItem().getAxis("left").labelText == "update / weight"
    for node_id, curve in health.curves.items():
        assert curve.yData[0] == pytest.approx(first["update_ratio"][node_id], rel=1e-9)
    _choose(window, "saturated")
    assert set(health.curves) == {"tanh", "prob"}
    tanh = health.curves["tanh"].yData
    assert tanh[0] == pytest.approx(first["saturated"]["tanh"])
    _choose(window, "dead")
    assert list(health.curves) == ["relu"]
    assert health.curves["relu"].yData[0] == pytest.approx(2 / 6)


def test_the_curves_are_ready_before_training_and_follow_the_layers(qtbot, tmp_path):
    path = tmp_path / "sick.vgraph"
    fileformat.save(sick_network(), path)
    window = open_window(qtbot, path)
    health = window.training.health_plot
    assert list(health.curves) == ["h1", "h2", "out"]
    assert all(
        len(curve.xData if curve.xData is not None else []) == 0 for curve in health.curves.values()
    )
    added = window.document.add_node("Linear", (0.0, 400.0))
    assert sorted(health.curves) == sorted(["h1", "h2", "out", added])
    assert f"&nbsp;{added}" in health.legend.text()
    window.document.undo_stack.undo()
    assert added not in health.curves
