"""Training from the window: editing locks, a NaN points at its node, results are kept."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QSpinBox

from visualgrad.graph import fileformat

from .helpers import SAMPLES, open_window


def test_training_locks_editing_and_its_results_are_stepped_and_saved(qtbot, tmp_path):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.training_dock.raise_()
    window.training.findChild(QSpinBox, "epochsBox").setValue(100_000)
    window.playback.step_backward()
    untrained = window.playback.trace.loss
    with qtbot.waitSignal(window.training.started):
        qtbot.mouseClick(window.training.train_button, Qt.LeftButton)
    assert window.document.locked and not window.palette.isEnabled()
    window.scene.select_nodes(["relu"])
    window.delete_selection()
    assert "relu" in window.graph.nodes  # locked: nothing changes while it trains
    qtbot.waitUntil(lambda: window.training.loss_points() > 300, timeout=30000)
    with qtbot.waitSignal(window.training.finished):
        qtbot.mouseClick(window.training.stop_button, Qt.LeftButton)
    assert not window.document.locked and window.palette.isEnabled()
    assert window.isWindowModified()  # the learned weights are new
    window.playback.step_backward()
    assert window.playback.trace.loss < untrained  # the pass uses what was learned
    path = tmp_path / "trained.vgraph"
    window.save_file(str(path))
    saved = fileformat.load(path).nodes["hidden"].weights["weight"]
    np.testing.assert_array_equal(saved, window.graph.nodes["hidden"].weights["weight"])


def test_a_nan_stops_training_and_marks_the_node(qtbot):
    window = open_window(qtbot, SAMPLES / "polynomial_sin.vgraph")
    window.document.set_training({"optimizer": "sgd", "learning_rate": 1000.0})
    with qtbot.waitSignal(window.training.failed, timeout=30000) as failed:
        qtbot.mouseClick(window.training.train_button, Qt.LeftButton)
    node_id, message = failed.args
    assert node_id in window.graph.nodes and ("NaN" in message or "Inf" in message)
    assert window.scene.selected_node_ids() == [node_id]
    assert window.scene.node_items[node_id].error == message
    assert message in window.statusBar().currentMessage()
    assert not window.document.locked


def test_training_settings_typed_in_the_panel_undo_from_the_edit_menu(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    edit = window.training.findChild(QLineEdit, "learningRateEdit")
    edit.setText("0.5")
    edit.editingFinished.emit()
    assert window.graph.training.learning_rate == 0.5
    window.undo_action.trigger()
    assert window.graph.training.learning_rate != 0.5


def test_closing_while_training_asks_and_cancel_keeps_it_running(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.training.findChild(QSpinBox, "epochsBox").setValue(100_000)
    asked = []
    window.files.ask_unsaved = lambda: asked.append(1) or "cancel"
    with qtbot.waitSignal(window.training.started):
        qtbot.mouseClick(window.training.train_button, Qt.LeftButton)
    assert not window.files.recent_menu.isEnabled()
    window.close()
    assert asked and window.isVisible() and window.training.is_training()
    window.training.stop(wait=True)
    assert window.files.recent_menu.isEnabled()
    window.files.ask_unsaved = lambda: "discard"
