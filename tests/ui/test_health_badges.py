"""The warning badge the gradient-health panel puts on a node with dead or saturated units."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.graph.sick_network import sick_network
from visualgrad.graph import fileformat

from .helpers import open_window


def _trained_window(qtbot, tmp_path):
    graph = sick_network()
    path = tmp_path / "sick.vgraph"
    fileformat.save(graph, path)
    window = open_window(qtbot, path)
    with qtbot.waitSignal(window.training.finished, timeout=60000):
        qtbot.mouseClick(window.training.train_button, Qt.LeftButton)
    return window, graph


def test_a_node_with_dead_or_saturated_units_gets_a_badge_that_explains_itself(qtbot, tmp_path):
    window, graph = _trained_window(qtbot, tmp_path)
    last = window.training.health_plot.history.points[-1]
    badges = window.health_badges.badges
    dead = last.figures["dead"]["relu"]
    assert badges["relu"].toolTip() == (
        f"{dead:.0%} of these ReLUs output 0 for every example in the batch: "
        "their weights get no gradient"
    )
    assert badges["relu"].parentItem() is window.scene.node_items["relu"]
    assert (
        badges["tanh"]
        .toolTip()
        .startswith(f"{last.figures['saturated']['tanh']:.0%} of this Tanh's inputs are beyond ±4")
    )
    assert "h1" not in badges and "out" not in badges  # layers with weights get no badge
    window.document.new()  # a new document: no plot, no badge
    assert window.health_badges.badges == {}
