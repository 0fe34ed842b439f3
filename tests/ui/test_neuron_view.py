"""A layer's units in the window: the inspector's strip, the fold-out on the canvas, the
per-unit edges between folded-out layers, the tooltips, and live updates while training."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from visualgrad.graph import fileformat
from visualgrad.graph.data import dataset_for
from visualgrad.graph.neurons import plane_extent, plane_grid

from ..graph.builders import mlp
from .helpers import on_screen, open_window

W1 = np.array([[1.0, -2.0], [0.5, 0.25], [-1.5, 1.0], [2.0, 2.0]])
B1 = np.array([0.1, -0.2, 0.3, -0.4])
W2 = np.array([[0.7, -1.2, 0.4, -0.05]])
B2 = np.array([0.2])


@pytest.fixture
def window(qtbot, tmp_path):
    graph = mlp(hidden=4)
    graph.set_weights("hidden", {"weight": W1, "bias": B1})
    graph.set_weights("out", {"weight": W2, "bias": B2})
    for column, node_id in enumerate(["x", "hidden", "relu", "out", "prob", "bce", "loss"]):
        graph.move_node(node_id, (220.0 * column, 0.0))
    graph.move_node("t", (880.0, 200.0))
    path = tmp_path / "units.vgraph"
    fileformat.save(graph, path)
    return open_window(qtbot, path)


def _plane(window):
    data = dataset_for(window.graph.training)
    return plane_grid(*plane_extent(data.x))


def _click_node(qtbot, window, node_id):
    item = window.scene.node_items[node_id]
    point = on_screen(window, item.mapToScene(QPointF(60, 10)))
    qtbot.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, point)


def _click_toggle(qtbot, window, node_id):
    toggle = window.neurons.toggles[node_id]
    point = on_screen(window, toggle.mapToScene(toggle.boundingRect().center()))
    qtbot.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, point)


def test_clicking_a_layer_shows_one_heatmap_per_unit_over_the_plane(qtbot, window):
    _click_node(qtbot, window, "hidden")
    assert window.inspector.node_id == "hidden"
    strip = window.inspector.neuron_strip
    assert strip.isVisible() and len(strip.tiles) == 4
    points = _plane(window)
    hidden = points @ W1.T + B1  # point i * 24 + j is (x_i, y_j)
    for unit, tile in enumerate(strip.tiles):
        np.testing.assert_allclose(tile.values, hidden[:, unit].reshape(24, 24), atol=1e-12)
    _click_node(qtbot, window, "relu")
    relu = np.maximum(hidden, 0)
    np.testing.assert_allclose(strip.tiles[2].values, relu[:, 2].reshape(24, 24), atol=1e-12)
    _click_node(qtbot, window, "bce")
    assert not strip.isVisible()  # a loss has no units


def test_a_units_tooltip_gives_its_weights_and_bias(qtbot, window):
    _click_node(qtbot, window, "hidden")
    tip = window.inspector.neuron_strip.tiles[2].toolTip()
    assert "bias b[2] = 0.3" in tip
    assert "w[2,0] = -1.5" in tip and "w[2,1] = 1" in tip


def test_folded_out_layers_are_joined_unit_by_unit_with_their_weights(qtbot, window):
    for node_id in ("hidden", "relu", "out"):
        _click_toggle(qtbot, window, node_id)
    assert window.neurons.expanded == {"hidden", "relu", "out"}
    assert window.document.undo_stack.count() == 0  # a view, not an edit
    folds = window.neurons.folds
    assert len(folds["hidden"].grids) == 4 and len(folds["out"].grids) == 1
    into_out = window.neurons.links[("relu", "out")]
    i, j, w = into_out.links
    np.testing.assert_array_equal(w, W2[0, i])
    assert list(j) == [0, 0, 0, 0]
    drawn = {
        round(pen.widthF(), 1): "red" if pen.color().red() > pen.color().blue() else "blue"
        for pen, _ in into_out._lines
    }
    # width by |w| in four classes of the largest, colour by sign
    assert drawn == {3.0: "blue", 1.8: "red", 1.0: "red", 0.4: "blue"}  # -1.2, 0.7, 0.4, -0.05
    assert window.neurons.links[("hidden", "relu")].line_count() == 4
    # hover over the third unit of the fold under "hidden"
    fold = folds["hidden"]
    centre = fold.mapToScene(QPointF(fold.side / 2, 2 * (fold.side + 2) + fold.side / 2))
    QTest.mouseMove(window.canvas.viewport(), on_screen(window, centre))
    qtbot.waitUntil(lambda: "b[2] = 0.3" in fold.toolTip(), timeout=2000)
    assert "w[2,0] = -1.5" in fold.toolTip()
    _click_toggle(qtbot, window, "relu")
    assert "relu" not in window.neurons.folds and not window.neurons.links


def test_the_units_follow_training_live(qtbot, window):
    _click_node(qtbot, window, "hidden")
    arrived = []
    window.training.neurons_arrived.connect(arrived.append)
    window.training_dock.raise_()
    with qtbot.waitSignal(window.training.finished, timeout=60000):
        qtbot.mouseClick(window.training.train_button, Qt.LeftButton)
    assert arrived and all(set(n.grids) == {"hidden"} for n in arrived)
    learned = window.graph.nodes["hidden"].weights
    hidden = _plane(window) @ learned["weight"].T + learned["bias"]
    np.testing.assert_allclose(arrived[-1].grids["hidden"], hidden.T.reshape(4, 24, 24))
    strip = window.inspector.neuron_strip  # redrawn a piece per turn of the event loop
    qtbot.waitUntil(
        lambda: np.allclose(strip.tiles[1].values, hidden[:, 1].reshape(24, 24), atol=1e-12)
    )
    assert not np.allclose(learned["weight"], W1)
