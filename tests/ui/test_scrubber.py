"""The scrubber under the loss plot: at a snapshot, the step-through, the units, the
boundary and Keep these weights all show the model as it was then, checked against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from visualgrad.graph.data import dataset_for, first_batch
from visualgrad.graph.neurons import plane_extent, plane_grid

from .xor_training import bce, forward, train, weights_of, whole_pass, xor_window


def _drag_to_start(slider) -> None:
    """Press on the slider's handle and drag it to the far left, as a person would."""
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    handle = (
        slider.style()
        .subControlRect(QStyle.CC_Slider, option, QStyle.SC_SliderHandle, slider)
        .center()
    )
    QTest.mousePress(slider, Qt.LeftButton, Qt.NoModifier, handle)
    for x in range(handle.x(), -10, -20):
        QTest.mouseMove(slider, QPoint(x, handle.y()))
    QTest.mouseRelease(slider, Qt.LeftButton, Qt.NoModifier, QPoint(0, handle.y()))


def test_the_scrubber_shows_the_model_as_it_was_at_a_snapshot(qtbot, tmp_path):
    window = xor_window(qtbot, tmp_path)
    train(qtbot, window)
    scrubber = window.training.scrubber
    learned = weights_of(window.document.graph)
    assert scrubber.slider.value() == scrubber.slider.maximum() == len(scrubber.snapshots)
    assert scrubber.snapshots.steps()[:3] == [0, 5, 10]
    _drag_to_start(scrubber.slider)
    assert scrubber.slider.value() == 0
    assert scrubber.label.text() == "step 0"
    assert scrubber.label.toolTip().startswith("the model as it was then; 11 snapshots kept")
    QTest.keyClick(scrubber.slider, Qt.Key_Right)  # one snapshot on: after 5 steps
    snapshot = scrubber.current()
    assert snapshot.step == 5 and scrubber.label.text() == "step 5"
    assert scrubber.marker.isVisible() and scrubber.marker.value() == 5  # on the loss plot
    # Stepping through the pass now shows the snapshot's model.
    whole_pass(qtbot, window)
    batch = first_batch(window.document.graph.training)
    x, y = batch["x"].to_numpy(), batch["y"].to_numpy()
    p = forward(snapshot.weights, x)
    trace = window.playback.trace
    np.testing.assert_allclose(
        trace.forward[[e.node for e in trace.forward].index("prob")].value, p
    )
    assert trace.loss == pytest.approx(bce(p, y), rel=1e-12)
    window.scene.select_nodes(["prob"])
    assert "value" in window.inspector.values.text()
    # So do the units of the layer the inspector shows.
    window.scene.select_nodes(["hidden"])
    data = dataset_for(window.document.graph.training)
    plane = plane_grid(*plane_extent(data.x))
    w = snapshot.weights["hidden"]
    units = (plane @ w["weight"].T + w["bias"]).T.reshape(
        -1, *window.neurons.neurons.grids["hidden"].shape[1:]
    )
    np.testing.assert_allclose(window.neurons.neurons.grids["hidden"], units, rtol=1e-12)
    # The boundary, once the slider rests, is the snapshot's prediction on the grid.
    grid = window.training.boundary_plot.grid
    qtbot.waitUntil(
        lambda: np.allclose(
            window.training.boundary_plot._image.image,
            forward(snapshot.weights, grid).reshape(60, 60),
        ),
        timeout=3000,
    )
    # Scrubbing changed none of the document's weights.
    for node_id, tensors in learned.items():
        for name, values in tensors.items():
            np.testing.assert_array_equal(
                window.document.graph.nodes[node_id].weights[name], values
            )
    assert not window.document.undo_stack.canUndo()
    # Back at "now", the units are the document's again.
    QTest.keyClick(scrubber.slider, Qt.Key_End)
    assert scrubber.current() is None and scrubber.label.text() == "now"
    w = learned["hidden"]
    now = (plane @ w["weight"].T + w["bias"]).T.reshape(units.shape)
    np.testing.assert_allclose(window.neurons.neurons.grids["hidden"], now, rtol=1e-12)
    QTest.keyClick(scrubber.slider, Qt.Key_Home)
    QTest.keyClick(scrubber.slider, Qt.Key_Right)
    assert scrubber.current() is snapshot
    # Keep these weights: one undo step; undo gives the learned weights back.
    qtbot.mouseClick(scrubber.keep_button, Qt.LeftButton)
    kept = window.document.graph.nodes["out"].weights["weight"]
    np.testing.assert_array_equal(kept, snapshot.weights["out"]["weight"])
    assert scrubber.current() is None  # back at "now", which is these weights
    window.document.undo_stack.undo()
    np.testing.assert_array_equal(
        window.document.graph.nodes["out"].weights["weight"], learned["out"]["weight"]
    )
