"""The editor, driven like a person: drop nodes, wire ports, undo, copy, save, reopen."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QSpinBox

from visualgrad.graph import fileformat
from visualgrad.graph.graph import Edge
from visualgrad.graph.layout import COLUMN, TIGHT_COLUMN
from visualgrad.ui import MainWindow
from visualgrad.ui.files import FileActions
from visualgrad.ui.files.autosave import Autosave
from visualgrad.ui.files.gallery import Gallery

from .helpers import SAMPLES, autosaved_edit, drag, on_screen, open_window, port_point, snapshot


def drop_from_palette(window: MainWindow, type_name: str, at: QPoint) -> None:
    """What a drag from the palette delivers: the entry's mime data, dropped on the canvas."""
    tree = window.palette.tree
    data: QMimeData = tree.mimeData([tree.entries[type_name]])
    viewport = window.canvas.viewport()
    actions = Qt.CopyAction | Qt.MoveAction
    for event in (
        QDragEnterEvent(at, actions, data, Qt.LeftButton, Qt.NoModifier),
        QDragMoveEvent(at, actions, data, Qt.LeftButton, Qt.NoModifier),
        QDropEvent(QPointF(at), actions, data, Qt.LeftButton, Qt.NoModifier),
    ):
        QApplication.sendEvent(viewport, event)


def two_nodes(window: MainWindow, first: str = "Scalar", second: str = "Negate") -> tuple[str, str]:
    a = window.document.add_node(first, (0, 0))
    b = window.document.add_node(second, (300, 40))
    window.canvas.centerOn(200, 60)
    QApplication.processEvents()
    return a, b


def test_dragging_a_palette_entry_onto_the_canvas_places_that_node(qtbot):
    window = open_window(qtbot)
    at = QPoint(300, 200)
    drop_from_palette(window, "Linear", at)
    assert [n.type for n in window.graph] == ["Linear"]
    node = next(iter(window.graph))
    where = on_screen(window, QPointF(node.position[0] + 84, node.position[1] + 30))
    assert abs(where.x() - at.x()) <= 2 and abs(where.y() - at.y()) <= 2
    assert node.id in window.scene.node_items


def test_palette_search_and_enter_place_a_node_at_the_centre(qtbot):
    window = open_window(qtbot)
    qtbot.keyClicks(window.palette.search, "sigm")
    visible = [n for n, e in window.palette.tree.entries.items() if not e.isHidden()]
    assert visible == ["Sigmoid"]
    qtbot.keyClick(window.palette.search, Qt.Key_Return)
    assert [n.type for n in window.graph] == ["Sigmoid"]


def test_tab_on_the_canvas_searches_and_places_at_the_cursor(qtbot):
    window = open_window(qtbot)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Tab)
    assert window.canvas.search.isVisible()
    qtbot.keyClicks(window.canvas.search, "ReLU")
    qtbot.keyClick(window.canvas.search, Qt.Key_Return)
    assert [n.type for n in window.graph] == ["ReLU"]
    assert not window.canvas.search.isVisible()


def test_dragging_from_an_output_to_an_input_connects_them(qtbot):
    window = open_window(qtbot)
    a, b = two_nodes(window)
    drag(window, port_point(window, a, "y", True), port_point(window, b, "x", False))
    assert window.graph.edges == (Edge(a, "y", b, "x"),)
    assert Edge(a, "y", b, "x") in window.scene.edge_items
    window.document.undo_stack.undo()
    assert window.graph.edges == () and not window.scene.edge_items


def test_a_connection_that_would_make_a_cycle_is_refused_with_a_message(qtbot):
    window = open_window(qtbot)
    a, b = two_nodes(window, "Negate", "Negate")
    window.document.add_edge(Edge(a, "y", b, "x"))
    drag(window, port_point(window, b, "y", True), port_point(window, a, "x", False))
    assert window.graph.edges == (Edge(a, "y", b, "x"),)
    assert "cycle" in window.statusBar().currentMessage()


def test_while_dragging_compatible_ports_light_up_and_others_dim(qtbot):
    window = open_window(qtbot)
    a, b = two_nodes(window, "Scalar", "Add")
    start = port_point(window, a, "y", True)
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    QTest.mouseMove(viewport, start + QPoint(40, 10))
    target = window.scene.node_items[b]
    assert target.inputs["a"].state == "compatible"
    assert window.scene.node_items[a].outputs["y"].state == "normal"  # where the drag began
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, start + QPoint(40, 10))
    assert target.inputs["a"].state == "normal" and not window.graph.edges


def test_moving_a_node_by_dragging_is_one_undoable_edit(qtbot):
    window = open_window(qtbot)
    a, _ = two_nodes(window)
    before = window.graph.nodes[a].position
    header = on_screen(window, QPointF(before[0] + 40, before[1] + 8))
    drag(window, header, header + QPoint(80, 50))
    after = window.graph.nodes[a].position
    assert after != before
    assert window.document.undo_stack.undoText().startswith("Move")
    window.document.undo_stack.undo()
    assert window.graph.nodes[a].position == before
    assert (window.scene.node_items[a].x(), window.scene.node_items[a].y()) == before


def test_every_kind_of_edit_undoes_and_redoes_to_the_same_document(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    doc = window.document
    edits = [
        lambda: doc.add_node("Tanh", (50, 300)),
        lambda: doc.remove(["relu"], []),
        lambda: doc.add_edge(Edge("x", "x", "tanh", "x")),
        lambda: doc.remove([], [Edge("x", "x", "tanh", "x")]),
        lambda: doc.move({"out": (doc.graph.nodes["out"].position, (700.0, 90.0))}),
        lambda: doc.set_params("hidden", {"out_features": 12}),
        lambda: doc.paste(doc.copy(["out", "prob"])),
        lambda: doc.set_training({"learning_rate": 0.5}),
        doc.auto_layout,
    ]
    states = [snapshot(window)]
    for edit in edits:
        edit()
        states.append(snapshot(window))
        assert states[-1] != states[-2]
    for expected in reversed(states[:-1]):
        doc.undo_stack.undo()
        assert snapshot(window) == expected
    for expected in states[1:]:
        doc.undo_stack.redo()
        assert snapshot(window) == expected
    assert len(window.scene.node_items) == len(window.graph.nodes)
    assert set(window.scene.edge_items) == set(window.graph.edges)


def test_delete_key_removes_the_selection_with_its_edges(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.scene.select_nodes(["relu"])
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Delete)
    assert "relu" not in window.graph.nodes
    assert not [e for e in window.graph.edges if "relu" in (e.source, e.target)]
    qtbot.keyClick(window.canvas, Qt.Key_Z, Qt.ControlModifier)
    assert "relu" in window.graph.nodes and len(window.graph.edges) == 7


def test_copy_in_one_window_and_paste_in_another_through_the_clipboard(qtbot):
    first = open_window(qtbot, SAMPLES / "xor.vgraph")
    second = open_window(qtbot)
    first.scene.select_nodes(["hidden", "relu", "out"])
    first.copy()
    assert "visualgrad" in QGuiApplication.clipboard().text()
    second.paste()
    assert sorted(second.graph.nodes) == ["hidden", "out", "relu"]
    assert len(second.graph.edges) == 2
    assert second.graph.nodes["hidden"].weights is None
    second.paste()  # again: fresh ids, shifted
    assert len(second.graph.nodes) == 6 and len(second.graph.edges) == 4
    second.document.undo_stack.undo()
    assert len(second.graph.nodes) == 3


def test_dropping_a_node_onto_an_edge_inserts_it(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    edge = Edge("relu", "y", "out", "x")
    middle = window.scene.edge_items[edge].point_at(0.5)
    drop_from_palette(window, "Tanh", on_screen(window, middle))
    assert edge not in window.graph.edges
    assert Edge("relu", "y", "tanh", "x") in window.graph.edges
    assert Edge("tanh", "y", "out", "x") in window.graph.edges
    window.document.undo_stack.undo()
    assert edge in window.graph.edges


def test_the_inspector_edits_parameters_with_validation_and_undo(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.scene.select_nodes(["hidden"])
    assert "hidden" in window.inspector.title.text()
    assert "y = x W^T + b" in window.inspector.formulas.text()
    assert "dy/dx = W" in window.inspector.formulas.text()
    assert window.inspector.shape.text() == "output shape (*, 16)"
    spin = window.inspector.editors["out_features"]
    assert isinstance(spin, QSpinBox)
    spin.setValue(5)
    assert window.graph.nodes["hidden"].params["out_features"] == 5
    window.document.undo_stack.undo()
    assert window.graph.nodes["hidden"].params["out_features"] != 5
    assert spin.value() == window.graph.nodes["hidden"].params["out_features"]


def test_a_wrong_value_in_the_inspector_says_why_and_changes_nothing(qtbot):
    window = open_window(qtbot, SAMPLES / "polynomial_sin.vgraph")
    node_id = next(n.id for n in window.graph if n.type == "Power")
    window.scene.select_nodes([node_id])
    before = snapshot(window)
    line = window.inspector.editors["exponent"]
    assert isinstance(line, QLineEdit)
    line.setText("two")
    line.editingFinished.emit()
    assert "exponent" in window.inspector.error.text()
    assert snapshot(window) == before


def test_edges_carry_shapes_and_a_misfit_node_shows_an_error_badge(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    labels = {str(e): item.shape_text for e, item in window.scene.edge_items.items()}
    assert labels["x.x -> hidden.x"] == "(*, 2)"
    window.document.set_params("out", {"in_features": 3})
    window.scene.refresh_shapes()
    item = window.scene.node_items["out"]
    assert item.error and "out" in item.error
    assert window.scene.node_items["hidden"].error is None


def test_save_and_reopen_gives_the_same_document(qtbot, tmp_path):
    window = open_window(qtbot, SAMPLES / "spiral.vgraph")
    window.document.move({"x": ((0.0, 0.0), (10.0, 20.0))})
    assert window.isWindowModified()
    path = tmp_path / "copy.vgraph"
    assert window.save_file(str(path))
    assert not window.isWindowModified() and "copy.vgraph" in window.windowTitle()
    again = open_window(qtbot, path)
    assert snapshot(again) == snapshot(window)


def test_unsaved_changes_are_asked_about_before_they_go(qtbot, tmp_path):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.document.add_node("Tanh", (0, 300))
    asked = []
    window.files.ask_unsaved = lambda: asked.append(1) or "cancel"
    window.files.new_file()
    assert "tanh" in window.graph.nodes and asked
    window.close()
    assert window.isVisible()  # Cancel keeps the window and its work
    window.files.ask_unsaved = lambda: "save"
    window.files.ask_save_path = lambda *a: str(tmp_path / "kept.vgraph")
    window.document.path = None
    window.files.new_file()
    assert not window.graph.nodes
    assert "tanh" in fileformat.load(tmp_path / "kept.vgraph").nodes


def test_an_autosave_left_by_a_crash_is_offered_back(qtbot, tmp_path, monkeypatch):
    window, path, slot = autosaved_edit(qtbot, tmp_path)
    assert slot.file.exists()
    assert slot.folder == Path(os.environ["XDG_STATE_HOME"]) / "visualgrad" / "autosave"
    window.document.undo_stack.setClean()  # the "crash": the window goes without asking
    window.scene.detach()
    offered = []
    monkeypatch.setattr(FileActions, "ask_recover", lambda self, when: offered.append(when) or True)
    again = open_window(qtbot, path)
    assert offered and "tanh" in again.graph.nodes
    assert again.isWindowModified()
    assert again.save_file(str(path))
    assert not slot.file.exists()


def test_a_damaged_file_is_refused_with_a_message_and_the_open_project_stays(qtbot, tmp_path):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    bad = tmp_path / "bad.vgraph"
    bad.write_text('{"format": "visualgrad", "version": 1, "nodes": [', encoding="utf-8")
    before = snapshot(window)
    assert not window.open_file(str(bad))
    assert window.errors and "bad.vgraph" in window.errors[0]
    assert snapshot(window) == before


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*.vgraph")), ids=lambda p: p.stem)
def test_every_sample_opens_with_its_shapes_and_no_errors(qtbot, path):
    window = open_window(qtbot)
    assert window.open_file(str(path))
    graph = window.graph
    assert set(window.scene.node_items) == set(graph.nodes)
    assert set(window.scene.edge_items) == set(graph.edges)
    assert not [i.node.id for i in window.scene.node_items.values() if i.error]
    assert all(item.shape_text for item in window.scene.edge_items.values())


def test_the_gallery_shows_every_sample_with_a_picture_and_opens_one(qtbot):
    window = open_window(qtbot)
    gallery = Gallery(window.theme, window)
    qtbot.addWidget(gallery)
    assert gallery.list.count() == len(list(SAMPLES.glob("*.vgraph")))
    assert all(not gallery.list.item(i).icon().isNull() for i in range(gallery.list.count()))
    row = next(i for i, s in enumerate(gallery.samples) if s.path.stem == "digits_cnn")
    gallery.list.setCurrentRow(row)
    assert "convolutional" in gallery.about.text()
    gallery.chosen.connect(window.files.open_path)
    gallery._open()
    assert window.document.path.endswith("digits_cnn.vgraph")


def test_recent_files_remember_what_was_opened(qtbot):
    window = open_window(qtbot, SAMPLES / "split.vgraph")
    window.files.open_path(str(SAMPLES / "xor.vgraph"))
    window.files.fill_recent()
    names = [a.text() for a in window.files.recent_menu.actions()]
    assert names[:2] == ["xor.vgraph", "split.vgraph"]


def test_export_writes_png_svg_and_a_pytorch_script(qtbot, tmp_path):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.files.write_image(str(tmp_path / "g.png"))
    window.files.write_image(str(tmp_path / "g.svg"))
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "g.svg").read_text(encoding="utf-8")
    window.files.ask_save_path = lambda *a: str(tmp_path / "model.py")
    window.torch_action.trigger()
    script = (tmp_path / "model.py").read_text(encoding="utf-8")
    assert "nn.Module" in script and "hidden" in script


def test_zoom_fit_layout_overview_and_theme(qtbot):
    window = open_window(qtbot, SAMPLES / "digits_cnn.vgraph")
    window.canvas.reset_zoom()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Equal)
    assert window.canvas.zoom() == pytest.approx(1.25)
    window.fit_action.trigger()
    rect = window.scene.items_rect()
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert visible.contains(rect)
    window.overview_action.trigger()
    assert window.canvas.overview.isVisible()
    window.set_theme("dark")
    assert window.scene.theme.dark
    window.set_theme("light")
    laid_out = window.graph.nodes["conv"].position
    window.document.move({"conv": (laid_out, (laid_out[0] + 777.0, laid_out[1] + 333.0))})
    window.layout_action.trigger()
    xs = [n.position[0] for n in window.graph]
    assert min(xs) == 0.0 and window.document.undo_stack.undoText() == "Auto-layout"
    columns = {i * step for step in (COLUMN, TIGHT_COLUMN) for i in range(len(xs))}
    assert window.graph.nodes["conv"].position[0] in columns  # back in a column


def test_select_all_and_clipboard_json_is_a_vgraph(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.select_all_action.trigger()
    assert len(window.scene.selected_node_ids()) == 7
    window.copy()
    document = json.loads(QGuiApplication.clipboard().text())
    assert document["format"] == "visualgrad" and len(document["nodes"]) == 7


def test_a_layer_too_large_is_refused_without_an_undo_step(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    before = snapshot(window)
    assert not window.document.set_params("hidden", {"in_features": 5000, "out_features": 5000})
    assert "hidden" in window.statusBar().currentMessage()
    assert window.document.undo_stack.count() == 0 and not window.isWindowModified()
    assert snapshot(window) == before


def test_save_as_clears_the_old_names_autosave_and_keeps_an_untitled_one(qtbot, tmp_path):
    untitled = Autosave.for_path(None)
    untitled.write('{"format": "visualgrad", "version": 1, "nodes": [], "edges": []}', None)
    first = tmp_path / "a.vgraph"
    fileformat.save(fileformat.load(SAMPLES / "xor.vgraph"), first)
    window = open_window(qtbot, first)
    window.document.add_node("Tanh", (0, 300))
    window.files.autosave()
    assert Autosave.for_path(str(first)).file.exists()
    assert window.save_file(str(tmp_path / "b.vgraph"))
    assert not Autosave.for_path(str(first)).file.exists()
    assert untitled.file.exists()  # another session's work, still offered back later
    untitled.remove()


def test_undo_and_redo_keep_what_training_learned(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    doc = window.document
    doc.set_params("hidden", {"out_features": 4})
    doc.set_params("out", {"in_features": 4})
    learned = {"weight": np.full((4, 2), 0.25), "bias": np.full(4, 0.5)}
    window.graph.set_weights("hidden", learned)  # as a training run leaves them
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    doc.undo_stack.redo()
    np.testing.assert_array_equal(window.graph.nodes["hidden"].weights["weight"], learned["weight"])
    node_id = doc.add_node("Linear", (0, 300))
    trained = {"weight": np.ones((1, 2)), "bias": np.zeros(1)}
    window.graph.set_weights(node_id, trained)
    doc.undo_stack.undo()
    doc.undo_stack.redo()
    np.testing.assert_array_equal(window.graph.nodes[node_id].weights["weight"], np.ones((1, 2)))
