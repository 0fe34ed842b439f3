"""Frames and notes in the window: frame two nodes, drag the frame (its nodes come along,
one undo step), and a note typed in place that is saved and opens again."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from visualgrad.ui.canvas.annotation_items import FrameItem, NoteItem

from .helpers import SAMPLES, drag, on_screen, open_window, snapshot
from .test_arrange import click_nodes


def test_a_frame_round_two_nodes_moves_them_with_it_in_one_undo_step(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    click_nodes(qtbot, window, ["a", "b"])
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_F, Qt.ControlModifier | Qt.AltModifier)
    (frame,) = window.graph.annotations.frames
    item = window.annotations.items[frame.id]
    assert isinstance(item, FrameItem) and item.zValue() < 0  # behind the nodes
    box = item.sceneBoundingRect()
    assert all(box.contains(window.scene.node_items[n].sceneBoundingRect()) for n in "ab")
    assert not box.contains(window.scene.node_items["e"].sceneBoundingRect())
    before = snapshot(window)
    steps = window.document.undo_stack.count()
    others = {n: window.graph.nodes[n].position for n in ("one", "c", "d", "e", "loss")}
    a0, b0 = window.graph.nodes["a"].position, window.graph.nodes["b"].position
    bar = on_screen(window, item.mapToScene(QPointF(item.rect.width() / 2, 12)))
    drag(window, bar, bar + (on_screen(window, QPointF(100, 60)) - on_screen(window, QPointF())))
    (moved,) = window.graph.annotations.frames
    dx, dy = moved.rect[0] - frame.rect[0], moved.rect[1] - frame.rect[1]
    assert abs(dx - 100) < 3 and abs(dy - 60) < 3
    assert window.graph.nodes["a"].position == (a0[0] + dx, a0[1] + dy)
    assert window.graph.nodes["b"].position == (b0[0] + dx, b0[1] + dy)
    assert {n: window.graph.nodes[n].position for n in others} == others
    assert window.scene.node_items["a"].pos() == QPointF(*window.graph.nodes["a"].position)
    assert window.document.undo_stack.count() == steps + 1
    assert window.document.undo_stack.undoText() == "Move frame 'Frame'"
    window.undo_action.trigger()
    assert snapshot(window) == before
    assert item.pos() == QPointF(frame.rect[0], frame.rect[1])
    assert window.scene.node_items["a"].pos() == QPointF(*a0)


def test_the_frames_title_is_renamed_in_place_and_its_swatch_changes_its_colour(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    window.scene.select_nodes(["c", "d"])
    frame_id = window.annotations.frame_selection()
    item = window.annotations.items[frame_id]
    title = on_screen(window, item.mapToScene(QPointF(60, 12)))
    QTest.mouseDClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, title)
    assert item.title.editing()
    qtbot.keyClicks(window.canvas.viewport(), "sums")
    qtbot.keyClick(window.canvas.viewport(), Qt.Key_Return)
    assert window.graph.annotations.get(frame_id).title == "sums"
    colour = window.graph.annotations.get(frame_id).colour
    swatch = on_screen(window, item.mapToScene(item.swatch().center()))
    QTest.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, swatch)
    assert window.graph.annotations.get(frame_id).colour != colour
    window.undo_action.trigger()
    assert window.graph.annotations.get(frame_id).colour == colour
    window.undo_action.trigger()
    assert window.graph.annotations.get(frame_id).title == "Frame"
    assert item.title.toPlainText() == "Frame"


def test_a_note_is_typed_in_place_undone_saved_and_opened_again(qtbot, tmp_path):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_N, Qt.ControlModifier | Qt.AltModifier)
    (note,) = window.graph.annotations.notes
    item = window.annotations.items[note.id]
    assert isinstance(item, NoteItem) and item.text.editing()
    qtbot.keyClicks(window.canvas.viewport(), "e is 6 here")
    assert window.graph.annotations.get(note.id).text == ""  # kept when the editing ends
    empty = QPointF(item.sceneBoundingRect().right() + 400, item.sceneBoundingRect().bottom() + 300)
    QTest.mouseClick(
        window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, on_screen(window, empty)
    )
    assert window.graph.annotations.get(note.id).text == "e is 6 here"
    assert window.document.undo_stack.undoText() == f"Edit {note.id}"
    window.undo_action.trigger()
    assert item.text.toPlainText() == ""
    window.redo_action.trigger()
    assert item.text.toPlainText() == "e is 6 here"
    corner = on_screen(window, item.mapToScene(QPointF(4, 4)))
    drag(
        window, corner, corner + (on_screen(window, QPointF(0, 80)) - on_screen(window, QPointF()))
    )
    moved = window.graph.annotations.get(note.id).position
    assert abs(moved[1] - note.position[1] - 80) < 3
    path = tmp_path / "noted.vgraph"
    assert window.save_file(str(path))
    window.close()
    again = open_window(qtbot, path)
    (reopened,) = again.graph.annotations.notes
    assert reopened.text == "e is 6 here" and reopened.position == moved
    assert again.annotations.items[reopened.id].text.toPlainText() == "e is 6 here"


def test_escape_drops_the_edit_and_delete_removes_a_selected_note(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    note_id = window.annotations.add_note()
    qtbot.keyClicks(window.canvas.viewport(), "draftx")
    qtbot.keyClick(window.canvas.viewport(), Qt.Key_Backspace)  # the text's, not Delete's
    assert window.annotations.items[note_id].text.toPlainText() == "draft"
    assert window.graph.annotations.get(note_id) is not None
    qtbot.keyClick(window.canvas.viewport(), Qt.Key_Escape)
    assert window.annotations.items[note_id].text.toPlainText() == ""
    assert window.graph.annotations.get(note_id).text == ""
    window.annotations.items[note_id].setSelected(True)
    window.delete_action.trigger()
    assert window.graph.annotations.get(note_id) is None and note_id not in window.annotations.items
    window.undo_action.trigger()
    assert window.graph.annotations.get(note_id) is not None
