"""Canvas edits on a group's members, done as a person does them: a rename keeps the node in
its group (and undo puts everything back as it was); an insert or a reconnected wire that
would open a closed group is refused with the group's message and leaves no undo step."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from visualgrad.graph.graph import Edge
from visualgrad.ui import canvas_edits
from visualgrad.ui.canvas.nodes import NODE_WIDTH

from .helpers import SAMPLES, on_screen, open_window, snapshot
from .test_context_menus import node_header, pick, right_click


def _card_point(window, name):
    item = window.scene.scope.group_items[name]
    return on_screen(window, item.scenePos() + QPointF(NODE_WIDTH / 2, 12))


def _group(qtbot, window, members):
    """Click the first member, Ctrl-click the rest, Ctrl+G: the group's name."""
    viewport = window.canvas.viewport()
    for i, node_id in enumerate(members):
        item = window.scene.node_items[node_id]
        at = on_screen(window, item.scenePos() + QPointF(NODE_WIDTH / 2, 12))
        qtbot.mouseClick(viewport, Qt.LeftButton, Qt.ControlModifier if i else Qt.NoModifier, at)
    QTest.keyClick(viewport, Qt.Key_G, Qt.ControlModifier)
    (name,) = [g.name for g in window.graph.groups]
    return name


def _open(window, name):
    """Double-click the group's card: the canvas shows its members."""
    QTest.mouseDClick(
        window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, _card_point(window, name)
    )
    window.canvas.fit_to_view()
    QApplication.processEvents()


def _rename(qtbot, window, node_id, new):
    pick(right_click(window, node_header(window, node_id)), "Rename...")
    editor = window.canvas_menus.name_editor
    qtbot.waitUntil(lambda: window.focusWidget() is editor, timeout=2000)
    qtbot.keyClicks(editor, new)
    qtbot.keyClick(editor, Qt.Key_Return)


def _xor(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.canvas.fit_to_view()
    QApplication.processEvents()
    return window


def test_a_renamed_member_stays_in_its_group_and_undo_restores_it_exactly(qtbot):
    window = _xor(qtbot)
    name = _group(qtbot, window, ["hidden", "relu"])
    before = snapshot(window)
    _open(window, name)
    _rename(qtbot, window, "relu", "act")
    assert "act" in window.graph.nodes
    assert window.graph.groups[name].members == ("hidden", "act")
    assert sorted(window.scene.node_items) == ["act", "hidden"]  # still shown inside
    window.document.undo_stack.undo()
    assert window.graph.groups[name].members == ("hidden", "relu")
    assert snapshot(window) == before


def test_renaming_a_groups_only_member_keeps_the_group(qtbot):
    window = _xor(qtbot)
    name = _group(qtbot, window, ["relu"])
    position = window.graph.groups[name].position
    before = snapshot(window)
    _open(window, name)
    _rename(qtbot, window, "relu", "act")
    assert [(g.name, g.members, g.position) for g in window.graph.groups] == [
        (name, ("act",), position)
    ]
    window.group_actions.breadcrumbs.buttons[0].click()
    assert name in window.scene.scope.group_items and "act" not in window.scene.node_items
    window.document.undo_stack.undo()
    assert snapshot(window) == before


def test_inserting_a_node_into_a_wire_inside_a_group_is_refused(qtbot):
    window = _xor(qtbot)
    said = []
    window.document.status.connect(said.append)
    name = _group(qtbot, window, ["hidden", "relu"])
    _open(window, name)
    before, steps = snapshot(window), window.document.undo_stack.count()
    edge = Edge("hidden", "y", "relu", "x")
    pick(
        right_click(window, on_screen(window, window.scene.edge_items[edge].point_at(0.5))),
        "Insert node...",
    )
    qtbot.keyClicks(window.canvas.search, "Tanh")
    qtbot.keyClick(window.canvas.search, Qt.Key_Return)
    assert snapshot(window) == before and window.document.undo_stack.count() == steps
    assert said[-1].startswith(f"group {name!r} is not closed: a path leaves it and comes back")
    assert window.graph.groups[name].members == ("hidden", "relu")


def test_a_wire_reconnected_onto_a_path_back_into_its_group_is_refused(qtbot):
    # Pulling a wire off by hand needs its source's own card; a closed group's output is
    # not one yet, so the edit the gesture makes is called as the scene calls it.
    window = open_window(qtbot)
    doc, said = window.document, []
    doc.status.connect(said.append)
    for position in [(0, 0), (300, 0), (600, 0), (300, 250)]:
        doc.add_node("Add", position)  # add, add_2 (the group), add_3, add_4
    for edge in [("add", "add_2", "a"), ("add", "add_3", "a"), ("add_4", "add_2", "b")]:
        assert doc.add_edge(Edge(edge[0], "y", edge[1], edge[2]))
    window.canvas.fit_to_view()
    QApplication.processEvents()
    name = _group(qtbot, window, ["add", "add_2"])
    before, steps = snapshot(window), doc.undo_stack.count()
    pulled = Edge("add", "y", "add_3", "a")  # onto add_4, whose output goes back in
    assert not canvas_edits.reconnect(doc, pulled, Edge("add", "y", "add_4", "a"))
    assert snapshot(window) == before and doc.undo_stack.count() == steps
    assert said[-1].startswith(f"group {name!r} is not closed: a path leaves it and comes back")
    assert canvas_edits.reconnect(doc, pulled, Edge("add", "y", "add_3", "b"))  # still fine
