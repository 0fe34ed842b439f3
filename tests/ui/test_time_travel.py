"""Time travel in the window: Train again from the first run's weights, and a weight
changed by hand in the inspector, each checked against numpy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from visualgrad.graph import fileformat
from visualgrad.graph.data import first_batch

from .xor_training import bce, forward, train, weights_of, whole_pass, xor_window


def test_train_again_starts_from_the_same_initial_weights(qtbot, tmp_path):
    window = xor_window(qtbot, tmp_path, epochs=2)
    train(qtbot, window)
    first_loss = window.training.plots._steps[1][0]
    initial = window.training.scrubber.first().weights
    train(qtbot, window)  # carries on: the plot grows
    assert window.training.plots.points == 20
    train(qtbot, window, window.training.scrubber.again_button)
    assert window.training.plots.points == 10  # a new plot
    assert window.training.plots._steps[1][0] == first_loss
    batch = first_batch(window.document.graph.training)
    p = forward(initial, batch["x"].to_numpy())
    assert first_loss == pytest.approx(bce(p, batch["y"].to_numpy()), rel=1e-12)


def test_a_weight_edited_by_hand_is_undoable_recorded_and_saved(qtbot, tmp_path):
    window = xor_window(qtbot, tmp_path)
    window.scene.select_nodes(["out"])
    editor = window.inspector.weight_editor
    assert editor.isVisible() and editor.tensor.currentText() == "weight"
    editor.index.clear()
    qtbot.keyClicks(editor.index, "0, 1")
    before = float(editor.value.text())
    drawn = window.document.graph.nodes  # nothing trained yet: weights drawn from the seed
    assert drawn["out"].weights is None
    editor.value.selectAll()
    qtbot.keyClicks(editor.value, "3")
    qtbot.keyClick(editor.value, Qt.Key_Return)
    graph = window.document.graph
    assert graph.nodes["out"].weights["weight"][0, 1] == 3.0
    assert editor.record.text() == f"<i>changed by hand:</i> weight[0, 1] {before:.4g} → 3"
    assert window.document.undo_stack.undoText() == "Change out.weight[0, 1] by hand"
    # The pass, run again, computes with the new weight.
    whole_pass(qtbot, window)
    weights = weights_of(graph)
    batch = first_batch(graph.training)
    p = forward(weights, batch["x"].to_numpy())
    assert window.playback.trace.loss == pytest.approx(bce(p, batch["y"].to_numpy()), rel=1e-12)
    # Saved, the record goes with the file.
    saved = tmp_path / "edited.vgraph"
    window.save_file(str(saved))
    assert fileformat.load(saved).hand_edits == graph.hand_edits
    # Undo: the weights are drawn from the seed again and the record is gone.
    window.document.undo_stack.undo()
    assert graph.nodes["out"].weights is None and graph.hand_edits == []
    assert float(editor.value.text()) == before and not editor.record.isVisible()
    editor.value.selectAll()
    qtbot.keyClicks(editor.value, "abc")
    qtbot.keyClick(editor.value, Qt.Key_Return)
    assert editor.message.text() == "value: expected a number such as 0.5, got 'abc'"
