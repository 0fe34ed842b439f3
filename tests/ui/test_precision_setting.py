"""The training panel's Precision box: float32 or float64, chosen like any setting, with undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QPushButton, QSpinBox

from visualgrad.graph import fileformat
from visualgrad.ui.document import Document
from visualgrad.ui.training import TrainingPanel

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture
def panel(qtbot):
    panel = TrainingPanel(Document())
    qtbot.addWidget(panel)
    panel.show()
    yield panel
    panel.shut_down()


def test_picking_float32_is_one_undoable_edit_and_the_box_follows_the_graph(qtbot, panel):
    graph = fileformat.load(SAMPLES / "xor.vgraph")
    panel.document.replace(graph, None)
    box = panel.findChild(QComboBox, "dtypeBox")
    assert box.currentText() == graph.training.dtype == "float64"
    box.setFocus()
    qtbot.keyClick(box, Qt.Key_Down)  # the next choice, as a person picks it with the keyboard
    assert graph.training.dtype == "float32"
    assert panel.document.undo_stack.count() == 1
    panel.document.undo_stack.undo()
    assert graph.training.dtype == "float64" and box.currentText() == "float64"
    panel.document.undo_stack.redo()
    assert box.currentText() == "float32"


def test_a_float32_run_trains_to_the_end_and_stores_the_learned_weights(qtbot, panel):
    graph = fileformat.load(SAMPLES / "xor.vgraph")
    panel.document.replace(graph, None)
    panel.findChild(QComboBox, "dtypeBox").setCurrentText("float32")
    panel.findChild(QSpinBox, "epochsBox").setValue(2)
    before = {n.id: n.weights for n in graph if n.spec.learnable}
    with qtbot.waitSignal(panel.finished, timeout=20_000) as finished:
        qtbot.mouseClick(panel.findChild(QPushButton, "trainButton"), Qt.LeftButton)
    assert finished.args == [True]
    after = {n.id: n.weights for n in graph if n.spec.learnable}
    assert after.keys() == before.keys() and all(after[k] is not None for k in after)
    assert any(
        before[k] is None or any((after[k][w] != before[k][w]).any() for w in after[k])
        for k in after
    )
