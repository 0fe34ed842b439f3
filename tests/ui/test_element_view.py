"""Clicking one element of a heatmap in the inspector: its value or gradient, the upstream
elements it depends on lit up, and its row of the Jacobian, against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel

from visualgrad.graph import fileformat
from visualgrad.ui.canvas.heatmap import FAINT

from ..graph.builders import mlp
from .helpers import open_window

W1 = np.array([[1.0, -2.0], [0.5, 0.25], [-1.5, 1.0], [2.0, 2.0]])
B1 = np.array([0.1, -0.2, 0.3, -0.4])
W2 = np.array([[0.7, -1.2, 0.4, -0.05]])
B2 = np.array([0.2])


@pytest.fixture
def window(qtbot, tmp_path):
    graph = mlp(hidden=4)
    graph.set_training(batch_size=4)
    graph.set_weights("hidden", {"weight": W1, "bias": B1})
    graph.set_weights("out", {"weight": W2, "bias": B2})
    for column, node_id in enumerate(["x", "hidden", "relu", "out", "prob", "bce", "loss"]):
        graph.move_node(node_id, (220.0 * column, 0.0))
    graph.move_node("t", (880.0, 200.0))
    path = tmp_path / "element.vgraph"
    fileformat.save(graph, path)
    window = open_window(qtbot, path)
    window.playback.speed.setValue(window.playback.speed.maximum())
    return window


def _whole_pass(qtbot, window):
    panel = window.playback
    while panel.backward_button.isEnabled():
        qtbot.mouseClick(panel.backward_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: not panel.flow.moving(), timeout=3000)


def _click_cell(qtbot, heatmap, row, column):
    rows, columns = heatmap.cells
    x = int((column + 0.5) * heatmap.width() / columns)
    y = int((row + 0.5) * heatmap.height() / rows)
    qtbot.mouseClick(heatmap, Qt.LeftButton, Qt.NoModifier, QPoint(x, y))


def _items(window):
    jacobian = window.inspector.element.list
    return [jacobian.item(i).text() for i in range(jacobian.count())]


def test_clicking_a_value_lists_its_row_of_the_jacobian_and_lights_its_inputs(qtbot, window):
    window.scene.select_nodes(["hidden"])
    _whole_pass(qtbot, window)
    x = window.playback.batch["x"].to_numpy()
    _click_cell(qtbot, window.inspector.value_map, 1, 2)
    hidden = x @ W1.T + B1
    heading = window.inspector.element.heading.text()
    assert f"hidden[1,2] = {hidden[1, 2]:.4g}" in heading
    items = _items(window)
    # d hidden[1,2] / d x[1,k] = W1[2,k];  / d W[2,k] = x[1,k];  / d b[2] = 1
    expected = [f"d hidden[1,2] / d x[1,{k}] = {W1[2, k]:.4g}" for k in range(2)]
    expected += [f"d hidden[1,2] / d hidden.weight[2,{k}] = {x[1, k]:.4g}" for k in range(2)]
    expected += ["d hidden[1,2] / d hidden.bias[2] = 1"]
    assert items == expected
    lit = window.inspector.element.upstream["x"]  # x's heatmap: only example 1 is lit
    qtbot.waitUntil(lit.isVisible, timeout=2000)
    alphas = [[lit.dimmed.pixelColor(k, n).alpha() for k in range(2)] for n in range(4)]
    assert alphas == [[225, 225], [0, 0], [225, 225], [225, 225]]
    assert window.inspector.value_map.chosen == (1, 2)


def test_clicking_a_gradient_shows_what_it_sends_back(qtbot, window):
    window.scene.select_nodes(["relu"])
    _whole_pass(qtbot, window)
    x = window.playback.batch["x"].to_numpy()
    y = window.playback.batch["y"].to_numpy()
    hidden = x @ W1.T + B1
    relu = np.maximum(hidden, 0)
    p = 1 / (1 + np.exp(-(relu @ W2.T + B2)))
    grad_relu = (p - y) / len(x) @ W2  # BCE's mean over the batch, then the Linear
    row = int(np.argmax(hidden[:, 0] > 0))  # an example where relu[., 0] passes
    _click_cell(qtbot, window.inspector.grad_map, row, 0)
    g = grad_relu[row, 0]
    assert f"dL/drelu[{row},0] = {g:.4g}" in window.inspector.element.heading.text()
    items = _items(window)
    hidden_row = [i for i in items if f"/ d hidden[{row},0] =" in i]
    assert hidden_row == [
        f"d relu[{row},0] / d hidden[{row},0] = 1   × dL/drelu[{row},0] → {g:.4g} "
        f"of dL/dhidden[{row},0]"
    ]
    through_x = [i for i in items if f"/ d x[{row},1] =" in i]
    assert through_x == [
        f"d relu[{row},0] / d x[{row},1] = {W1[0, 1]:.4g}   × dL/drelu[{row},0] → "
        f"{g * W1[0, 1]:.4g} of dL/dx[{row},1]"
    ]


def test_a_connected_element_with_derivative_0_is_listed_and_half_lit(qtbot, window):
    window.scene.select_nodes(["out"])
    _whole_pass(qtbot, window)
    x = window.playback.batch["x"].to_numpy()
    hidden = x @ W1.T + B1
    mixed = [n for n in range(4) if (hidden[n] > 0).any() and (hidden[n] <= 0).any()]
    row = mixed[0]  # an example with some hidden units off
    _click_cell(qtbot, window.inspector.value_map, row, 0)
    items = _items(window)
    through_hidden = [i for i in items if f"/ d hidden[{row}," in i]
    assert through_hidden == [
        f"d out[{row},0] / d hidden[{row},{j}] = {W2[0, j]:.4g}"
        if hidden[row, j] > 0
        else f"d out[{row},0] / d hidden[{row},{j}] = 0   (connected, derivative 0 here)"
        for j in range(4)
    ]
    view = window.inspector.element
    dead = int((hidden[row] <= 0).sum())
    captions = [w.text() for w in view.findChildren(QLabel) if w.text().startswith("hidden (")]
    assert captions == [f"hidden (4, 4): 4 of 16 connected, {dead} with derivative 0 (half lit)"]
    lit = view.upstream["hidden"]
    qtbot.waitUntil(lit.isVisible, timeout=2000)
    alphas = [[lit.dimmed.pixelColor(k, n).alpha() for k in range(4)] for n in range(4)]
    expected = [[225] * 4 for _ in range(4)]
    expected[row] = [0 if hidden[row, j] > 0 else FAINT for j in range(4)]
    assert alphas == expected
