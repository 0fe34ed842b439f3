"""The right-click menus of the canvas, used as a person would: right-click, pick an entry,
then check the graph, the canvas and the undo stack."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from visualgrad.graph.catalog import TENSOR, Port
from visualgrad.graph.graph import Edge
from visualgrad.graph.wiring import types_between

from .helpers import SAMPLES, on_screen, open_window, snapshot


def right_click(window, at: QPoint, modifiers=Qt.NoModifier) -> QMenu | None:
    """Press, the context-menu event the platform sends with it, release; the menu shown."""
    viewport = window.canvas.viewport()
    before = window.canvas_menus.menu
    QTest.mousePress(viewport, Qt.RightButton, modifiers, at)
    event = QContextMenuEvent(QContextMenuEvent.Mouse, at, viewport.mapToGlobal(at), modifiers)
    QApplication.sendEvent(viewport, event)
    QTest.mouseRelease(viewport, Qt.RightButton, modifiers, at)
    menu = window.canvas_menus.menu
    return None if menu is before else menu


def entries(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def pick(menu: QMenu, text: str) -> None:
    """Click the entry called ``text``."""
    action = next(a for a in menu.actions() if a.text() == text)
    assert action.isEnabled(), text
    QTest.mouseClick(menu, Qt.LeftButton, Qt.NoModifier, menu.actionGeometry(action).center())
    QApplication.processEvents()


def xor(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.fit_action.trigger()
    QApplication.processEvents()
    return window


def empty_spot(window) -> QPoint:
    rect = window.scene.items_rect()
    return on_screen(window, QPointF(rect.center().x(), rect.bottom() + 60))


def node_header(window, node_id: str) -> QPoint:
    item = window.scene.node_items[node_id]
    return on_screen(window, item.mapToScene(QPointF(60, 8)))


def test_the_canvas_menu_adds_a_node_at_the_point_clicked(qtbot):
    window = xor(qtbot)
    at = empty_spot(window)
    menu = right_click(window, at)
    assert menu.isVisible()
    assert entries(menu) == ["Add node here...", "Paste here", "Select &All", "&Fit to View"]
    pick(menu, "Add node here...")
    assert window.canvas.search.isVisible()
    qtbot.keyClicks(window.canvas.search, "Tanh")
    qtbot.keyClick(window.canvas.search, Qt.Key_Return)
    node = window.graph.nodes["tanh"]
    centre = on_screen(window, QPointF(node.position[0] + 84, node.position[1] + 30))
    assert (centre - at).manhattanLength() <= 3


def test_paste_here_puts_the_copied_nodes_at_the_point_in_one_step(qtbot):
    window = xor(qtbot)
    window.scene.select_nodes(["hidden", "relu"])
    window.copy()
    steps = window.document.undo_stack.count()
    at = empty_spot(window)
    pick(right_click(window, at), "Paste here")
    pasted = window.scene.selected_node_ids()
    assert len(pasted) == 2 and set(pasted).isdisjoint({"hidden", "relu"})
    corner = QPointF(*(min(window.graph.nodes[i].position[k] for i in pasted) for k in (0, 1)))
    assert (on_screen(window, corner) - at).manhattanLength() <= 3
    linear, relu = sorted(pasted, key=lambda i: window.graph.nodes[i].type != "Linear")
    assert Edge(linear, "y", relu, "x") in window.graph.edges
    assert window.document.undo_stack.count() == steps + 1


def test_select_all_and_fit_in_the_canvas_menu_are_the_windows_own(qtbot):
    window = xor(qtbot)
    window.canvas.reset_zoom()
    window.canvas.zoom_by(3.0)
    pick(right_click(window, QPoint(5, 5)), "Select &All")
    assert len(window.scene.selected_node_ids()) == len(window.graph.nodes)
    pick(right_click(window, QPoint(5, 5)), "&Fit to View")
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.items_rect())


def test_rename_from_a_nodes_menu_keeps_its_wires_and_undoes(qtbot):
    window = xor(qtbot)
    edge = Edge("hidden", "y", "relu", "x")
    window.graph.reroutes.set(edge, [(500.0, 200.0)])  # as an Alt-click leaves one
    before = snapshot(window)
    menu = right_click(window, node_header(window, "relu"))
    assert window.scene.selected_node_ids() == ["relu"]
    assert entries(menu)[:4] == ["Rename...", "D&uplicate", "&Delete", "Disconnect all"]
    assert entries(menu)[-1] == "Help: ReLU"
    pick(menu, "Rename...")
    editor = window.canvas_menus.name_editor
    qtbot.waitUntil(lambda: window.focusWidget() is editor, timeout=2000)
    assert editor.isVisible() and editor.text() == "relu"
    qtbot.keyClicks(editor, "act")  # typed over the selected name
    qtbot.keyClick(editor, Qt.Key_Return)
    assert "act" in window.graph.nodes and "relu" not in window.graph.nodes
    assert list(window.graph.nodes).index("act") == 2  # in its place in the file
    renamed = Edge("hidden", "y", "act", "x")
    assert renamed in window.graph.edges and Edge("act", "y", "out", "x") in window.graph.edges
    assert window.graph.reroutes.points(renamed) == ((500.0, 200.0),)
    assert set(window.scene.edge_items) == set(window.graph.edges)
    assert window.scene.selected_node_ids() == ["act"]
    assert window.document.undo_stack.undoText() == "Rename relu to act"
    window.document.undo_stack.undo()
    assert snapshot(window) == before


def test_a_name_taken_or_not_a_name_is_refused_and_escape_leaves_it(qtbot):
    window = xor(qtbot)
    before = snapshot(window)
    editor = window.canvas_menus.name_editor
    for typed in ("hidden", "2 words"):
        pick(right_click(window, node_header(window, "relu")), "Rename...")
        qtbot.waitUntil(lambda: window.focusWidget() is editor, timeout=2000)
        qtbot.keyClicks(editor, typed)
        qtbot.keyClick(editor, Qt.Key_Return)
        assert snapshot(window) == before
    assert "letters, digits" in window.statusBar().currentMessage()
    pick(right_click(window, node_header(window, "relu")), "Rename...")
    qtbot.waitUntil(lambda: window.focusWidget() is window.canvas_menus.name_editor, timeout=2000)
    qtbot.keyClicks(window.canvas_menus.name_editor, "gone")
    qtbot.keyClick(window.canvas_menus.name_editor, Qt.Key_Escape)
    assert not window.canvas_menus.name_editor.isVisible() and snapshot(window) == before


def test_duplicate_delete_and_disconnect_all_from_a_nodes_menu(qtbot):
    window = xor(qtbot)
    doc = window.document
    count = len(window.graph.nodes)
    pick(right_click(window, node_header(window, "hidden")), "D&uplicate")
    assert len(window.graph.nodes) == count + 1
    copy = window.scene.selected_node_ids()[0]
    assert window.graph.nodes[copy].type == "Linear"
    wires = [e for e in window.graph.edges if "relu" in (e.source, e.target)]
    assert len(wires) == 2
    steps = doc.undo_stack.count()
    pick(right_click(window, node_header(window, "relu")), "Disconnect all")
    assert not [e for e in window.graph.edges if "relu" in (e.source, e.target)]
    assert "relu" in window.graph.nodes and doc.undo_stack.count() == steps + 1
    doc.undo_stack.undo()
    assert all(e in window.graph.edges for e in wires)
    pick(right_click(window, node_header(window, copy)), "&Delete")
    assert copy not in window.graph.nodes and copy not in window.scene.node_items


def test_group_from_a_nodes_menu_groups_the_selection_it_belongs_to(qtbot):
    window = xor(qtbot)
    window.scene.select_nodes(["hidden", "relu"])
    steps = window.document.undo_stack.count()
    menu = right_click(window, node_header(window, "relu"))
    assert set(window.scene.selected_node_ids()) == {"hidden", "relu"}  # kept: relu is in it
    pick(menu, "&Group")
    (group,) = list(window.graph.groups)
    assert window.graph.groups.group_of("hidden") == window.graph.groups.group_of("relu")
    assert window.graph.groups.group_of("out") is None and group is not None
    assert window.document.undo_stack.count() == steps + 1


def test_a_group_cards_menu_opens_renames_and_ungroups_it(qtbot):
    window = xor(qtbot)
    window.scene.select_nodes(["hidden", "relu"])
    window.group_actions.group_action.trigger()
    (name,) = [g.name for g in window.graph.groups]
    card = window.scene.scope.group_items[name]
    window.scene.clearSelection()
    at = on_screen(window, card.mapToScene(QPointF(60, 8)))
    menu = right_click(window, at)
    assert entries(menu) == ["&Open Inside", "&Rename Group...", "U&ngroup"]
    assert card.isSelected()
    pick(menu, "U&ngroup")
    assert len(window.graph.groups) == 0
    assert {"hidden", "relu"} <= set(window.scene.node_items)


def test_a_nodes_help_shows_its_catalog_entry(qtbot):
    window = xor(qtbot)
    pick(right_click(window, node_header(window, "hidden")), "Help: Linear")
    box = window.canvas_menus.help_box
    assert box.isVisible()
    spec = window.graph.nodes["hidden"].spec
    for fact in (spec.description, spec.forward, "in_features", "out_features"):
        assert fact in box.text()


def test_an_edges_menu_deletes_it_or_bends_it_at_the_point_clicked(qtbot):
    window = xor(qtbot)
    edge = Edge("relu", "y", "out", "x")
    where = window.scene.edge_items[edge].point_at(0.5)
    menu = right_click(window, on_screen(window, where))
    assert entries(menu) == ["Delete wire", "Insert node...", "Add reroute point"]
    pick(menu, "Add reroute point")
    ((x, y),) = window.graph.reroutes.points(edge)
    assert abs(x - where.x()) <= 2 and abs(y - where.y()) <= 2
    menu = right_click(window, on_screen(window, QPointF(x, y)))
    assert entries(menu) == ["Remove reroute point"]
    pick(menu, "Remove reroute point")
    assert window.graph.reroutes.points(edge) == ()
    pick(right_click(window, on_screen(window, where)), "Delete wire")
    assert edge not in window.graph.edges and edge not in window.scene.edge_items


def test_insert_node_on_an_edge_offers_what_fits_and_splices_it_in_one_step(qtbot):
    window = xor(qtbot)
    edge = Edge("relu", "y", "out", "x")
    where = window.scene.edge_items[edge].point_at(0.5)
    steps = window.document.undo_stack.count()
    pick(right_click(window, on_screen(window, where)), "Insert node...")
    search = window.canvas.search
    assert search.isVisible()
    assert search.names == types_between(Port("y", TENSOR), Port("x", TENSOR))
    qtbot.keyClicks(search, "Dropout")
    qtbot.keyClick(search, Qt.Key_Return)
    assert edge not in window.graph.edges
    assert Edge("relu", "y", "dropout", "x") in window.graph.edges
    assert Edge("dropout", "y", "out", "x") in window.graph.edges
    assert window.document.undo_stack.count() == steps + 1
    window.document.undo_stack.undo()
    assert edge in window.graph.edges and "dropout" not in window.graph.nodes


def test_while_training_locks_the_document_the_menus_edit_nothing(qtbot):
    window = xor(qtbot)
    window.document.lock("Training is running")
    menu = right_click(window, node_header(window, "relu"))
    enabled = {a.text(): a.isEnabled() for a in menu.actions() if not a.isSeparator()}
    assert {text: on for text, on in enabled.items() if text != "&Group"} == {
        "Rename...": False,
        "D&uplicate": False,
        "&Delete": False,
        "Disconnect all": False,
        "Help: ReLU": True,
    }
    window.document.unlock()


def test_ctrl_right_click_is_the_cut_not_a_menu(qtbot):
    window = xor(qtbot)
    assert right_click(window, empty_spot(window), Qt.ControlModifier) is None
