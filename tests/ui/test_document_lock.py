"""While training runs the document is locked: it refuses every edit and says why."""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsItem

from visualgrad.graph import fileformat
from visualgrad.graph.graph import Edge

from .helpers import SAMPLES, open_window, snapshot


def test_a_locked_document_refuses_every_edit_with_the_reason(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    doc = window.document
    copied = doc.copy(["hidden"])
    edge = doc.graph.edges[0]
    before = snapshot(window)
    said = []
    doc.status.connect(said.append)
    doc.lock("training: wait")
    refused = [
        doc.add_node("Scalar", (0, 0)),
        doc.add_edge(Edge("x", "y", "hidden", "x")),
        doc.move({"hidden": ((0, 0), (50, 50))}),
        doc.set_params("hidden", {"out_features": 3}),
        doc.set_training({"epochs": 3}),
        doc.insert_on_edge("relu", edge),
        doc.paste(copied),
    ]
    doc.remove(["relu"], [])
    doc.auto_layout()
    assert refused == [None, False, False, False, False, False, []]
    assert said == ["training: wait"] * 9
    assert snapshot(window) == before and doc.undo_stack.count() == 0
    assert not window.inspector.form_box.isEnabled() and not window.palette.isEnabled()
    assert not window.scene.node_items["hidden"].flags() & QGraphicsItem.ItemIsMovable
    doc.unlock()
    assert doc.set_training({"epochs": 3}) and doc.graph.training.epochs == 3
    assert window.inspector.form_box.isEnabled() and window.palette.isEnabled()


def test_an_out_of_range_setting_is_refused_by_the_document_with_the_reason(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    said = []
    window.document.status.connect(said.append)
    assert not window.document.set_training({"batch_size": 0})
    assert said == ["training: batch_size must be between 1 and 100000, got 0"]
    assert (
        window.graph.training.batch_size
        == fileformat.load(SAMPLES / "xor.vgraph").training.batch_size
    )
