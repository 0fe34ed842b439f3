"""The wire gestures, done with the mouse: pull a wire off, drop one in empty space, cut,
reroute, hover. Each is one undo step, and the canvas shows what the graph holds."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from visualgrad.graph import fileformat
from visualgrad.graph.catalog import TENSOR, Port
from visualgrad.graph.graph import Edge
from visualgrad.graph.wiring import types_accepting
from visualgrad.ui.canvas.edges import curve
from visualgrad.ui.canvas.reroute_point import ReroutePoint
from visualgrad.ui.canvas.wires import crossed

from .helpers import SAMPLES, drag, on_screen, open_window, port_point, snapshot


def wired(qtbot):
    """A window with a -> b.a and c -> b.b's free input beside: Scalar, Add, Scalar."""
    window = open_window(qtbot)
    doc = window.document
    doc.add_node("Scalar", (0, 0))
    doc.add_node("Add", (320, 20))
    doc.add_node("Scalar", (0, 200))
    doc.add_edge(Edge("scalar", "y", "add", "a"))
    window.canvas.centerOn(250, 120)
    QApplication.processEvents()
    return window, Edge("scalar", "y", "add", "a")


def test_a_wire_pulled_off_its_input_follows_the_mouse_and_reconnects_in_one_step(qtbot):
    window, edge = wired(qtbot)
    window.graph.reroutes.set(edge, [(240.0, -40.0)])  # as an Alt-click leaves one
    steps = window.document.undo_stack.count()
    viewport = window.canvas.viewport()
    start = port_point(window, "add", "a", False)
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    middle = start + QPoint(-60, 90)
    QTest.mouseMove(viewport, middle)
    item = window.scene.edge_items[edge]
    assert not item.isVisible() and not item.handles[0].isVisible()  # off its input...
    line = window.scene._drag_line.path()  # ...hanging from its source, to the mouse
    source = window.scene.node_items["scalar"].outputs["y"].scenePos()
    assert (line.pointAtPercent(0) - source).manhattanLength() < 1
    assert (on_screen(window, line.pointAtPercent(1)) - middle).manhattanLength() <= 2
    end = port_point(window, "add", "b", False)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, end)
    moved = Edge("scalar", "y", "add", "b")
    assert window.graph.edges == (moved,)
    assert set(window.scene.edge_items) == {moved} and window.scene.edge_items[moved].isVisible()
    assert window.graph.reroutes.points(moved) == () and len(window.graph.reroutes) == 0
    assert window.document.undo_stack.count() == steps + 1
    window.document.undo_stack.undo()
    assert window.graph.edges == (edge,) and set(window.scene.edge_items) == {edge}
    assert window.graph.reroutes.points(edge) == ((240.0, -40.0),)  # back with its wire
    assert window.scene.edge_items[edge].handles[0].isVisible()


def test_a_wire_pulled_off_and_dropped_in_empty_space_is_deleted(qtbot):
    window, edge = wired(qtbot)
    before = snapshot(window)
    start = port_point(window, "add", "a", False)
    drag(window, start, start + QPoint(-40, 160))
    assert window.graph.edges == () and not window.scene.edge_items
    assert not window.canvas.search.isVisible()
    window.document.undo_stack.undo()
    assert snapshot(window) == before and window.scene.edge_items[edge].isVisible()


def test_a_wire_pulled_off_onto_an_input_of_another_kind_stays_and_says_why(qtbot):
    window, edge = wired(qtbot)
    window.document.add_node("Embedding", (320, 220))
    QApplication.processEvents()
    before = snapshot(window)
    start = port_point(window, "add", "a", False)
    drag(window, start, start)  # a click on a connected input changes nothing
    assert snapshot(window) == before
    drag(window, start, port_point(window, "embedding", "ids", False))
    assert snapshot(window) == before and window.scene.edge_items[edge].isVisible()
    assert "Cannot connect" in window.statusBar().currentMessage()


def test_a_wire_dropped_in_empty_space_offers_the_types_that_take_it_and_connects_one(qtbot):
    window, _ = wired(qtbot)
    steps = window.document.undo_stack.count()
    start = port_point(window, "add", "y", True)
    drop = start + QPoint(150, 40)
    drag(window, start, drop)
    search = window.canvas.search
    assert search.isVisible()
    assert search.names == types_accepting(Port("y", TENSOR))
    assert "Scalar" not in search.names and "Embedding" not in search.names
    assert window.scene.wires.pending is not None  # the wire waits at the drop point
    qtbot.keyClicks(search, "Sigmoid")
    qtbot.keyClick(search, Qt.Key_Return)
    assert Edge("add", "y", "sigmoid", "x") in window.graph.edges
    port = window.scene.node_items["sigmoid"].inputs["x"]
    assert (on_screen(window, port.scenePos()) - drop).manhattanLength() <= 3
    assert window.scene.selected_node_ids() == ["sigmoid"]
    assert window.scene.wires.pending is None and not search.isVisible()
    assert window.document.undo_stack.count() == steps + 1
    window.document.undo_stack.undo()
    assert "sigmoid" not in window.graph.nodes and "sigmoid" not in window.scene.node_items


def test_escape_closes_the_search_for_a_dropped_wire_and_leaves_nothing(qtbot):
    window, _ = wired(qtbot)
    before, steps = snapshot(window), window.document.undo_stack.count()
    start = port_point(window, "add", "y", True)
    drag(window, start, start + QPoint(150, 40))
    qtbot.keyClicks(window.canvas.search, "Tan")
    qtbot.keyClick(window.canvas.search, Qt.Key_Escape)
    assert not window.canvas.search.isVisible()
    assert window.scene.wires.pending is None
    assert snapshot(window) == before and window.document.undo_stack.count() == steps
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Tab)  # the Tab search offers every type again
    assert len(window.canvas.search.names) > len(types_accepting(Port("y", TENSOR)))


def cut_along(window, waypoints: list[QPoint]) -> None:
    """Ctrl + right-drag through ``waypoints``."""
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.RightButton, Qt.ControlModifier, waypoints[0])
    for start, end in zip(waypoints, waypoints[1:]):
        for i in range(1, 9):
            QTest.mouseMove(viewport, start + (end - start) * (i / 8))
    QTest.mouseRelease(viewport, Qt.RightButton, Qt.ControlModifier, waypoints[-1])


def test_ctrl_right_drag_cuts_every_wire_the_line_crosses_in_one_step(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.fit_action.trigger()
    QApplication.processEvents()
    items = window.scene.edge_items
    relu_out, hidden_relu = Edge("relu", "y", "out", "x"), Edge("hidden", "y", "relu", "x")
    a, b = items[hidden_relu].point_at(0.5), items[relu_out].point_at(0.5)
    top, bottom = min(a.y(), b.y()) - 20, max(a.y(), b.y()) + 20
    # down across the one wire, along under the node, up across the other
    route = [QPointF(a.x(), top), QPointF(a.x(), bottom), QPointF(b.x(), bottom)]
    route.append(QPointF(b.x(), top))
    waypoints = [on_screen(window, p) for p in route]
    line = [window.canvas.mapToScene(p) for p in waypoints]
    before = set(window.graph.edges)
    expected = {e for e, item in items.items() if crossed(item.path(), line)}
    assert {relu_out, hidden_relu} <= expected and len(expected) < len(before)
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.RightButton, Qt.ControlModifier, waypoints[0])
    QTest.mouseMove(viewport, waypoints[1])  # down: the wires crossed so far turn red
    first_leg = {e for e, item in items.items() if crossed(item.path(), line[:2])}
    assert hidden_relu in first_leg
    assert {e for e, item in items.items() if item.doomed} == first_leg
    QTest.mouseRelease(viewport, Qt.RightButton, Qt.ControlModifier, waypoints[1])
    window.document.undo_stack.undo()
    cut_along(window, waypoints)
    assert set(window.graph.edges) == before - expected
    assert set(window.scene.edge_items) == before - expected
    assert window.document.undo_stack.undoText() == f"Cut {len(expected)} wires"
    assert window.scene.wires.cut_line is None
    window.document.undo_stack.undo()
    assert set(window.graph.edges) == before


def test_the_cut_test_finds_a_crossing_and_misses_a_near_pass(qtbot):
    path = curve(QPointF(0, 0), QPointF(200, 100))
    assert crossed(path, [QPointF(100, -50), QPointF(100, 150)])
    assert not crossed(path, [QPointF(-50, 50), QPointF(-10, 50)])
    assert not crossed(path, [QPointF(100, -50)])


def test_a_cut_line_that_crosses_nothing_changes_nothing(qtbot):
    window, _ = wired(qtbot)
    steps = window.document.undo_stack.count()
    far = on_screen(window, QPointF(-300, -300))
    cut_along(window, [far, far + QPoint(40, 40)])
    assert len(window.graph.edges) == 1 and window.document.undo_stack.count() == steps


def alt_click(window, at: QPoint) -> None:
    QTest.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.AltModifier, at)


def points_drawn(window, edge: Edge) -> list[tuple[float, float]]:
    item = window.scene.edge_items[edge]
    handles = [i for i in window.scene.items() if isinstance(i, ReroutePoint)]
    assert sorted(handles, key=lambda h: h.index) == item.handles
    return [(h.x(), h.y()) for h in item.handles]


def test_alt_click_adds_a_reroute_point_the_wire_bends_through(qtbot, tmp_path):
    window, edge = wired(qtbot)
    item = window.scene.edge_items[edge]
    where = item.point_at(0.3)
    alt_click(window, on_screen(window, where))
    (point,) = window.graph.reroutes.points(edge)
    assert abs(point[0] - where.x()) <= 2 and abs(point[1] - where.y()) <= 2
    assert points_drawn(window, edge) == [point]
    assert window.document.undo_stack.undoText() == "Add reroute point"
    # drag the point down: the wire now bends through where it was dropped
    handle = on_screen(window, QPointF(*point))
    drag(window, handle, handle + QPoint(0, 120))
    (moved,) = window.graph.reroutes.points(edge)
    assert moved[1] > point[1] + 80
    path = window.scene.edge_items[edge].path()
    nearest = min(
        (path.pointAtPercent(i / 400) - QPointF(*moved)).manhattanLength() for i in range(401)
    )
    assert nearest < 3
    assert window.document.undo_stack.undoText() == "Move reroute point"
    saved = tmp_path / "rerouted.vgraph"
    assert window.save_file(str(saved))
    assert fileformat.load(saved).reroutes.points(edge) == (moved,)
    window.document.undo_stack.undo()
    assert window.graph.reroutes.points(edge) == (point,) and points_drawn(window, edge) == [point]


def test_a_second_point_goes_where_it_was_clicked_along_the_wire(qtbot):
    window, edge = wired(qtbot)
    item = window.scene.edge_items[edge]
    late, early = item.point_at(0.8), item.point_at(0.2)
    alt_click(window, on_screen(window, late))
    alt_click(window, on_screen(window, early))
    first, second = window.graph.reroutes.points(edge)
    assert first[0] < second[0]  # in order from the source


def test_a_reroute_point_is_removed_by_delete_by_alt_click_and_with_its_wire(qtbot):
    window, edge = wired(qtbot)
    item = window.scene.edge_items[edge]
    for fraction in (0.3, 0.7):
        alt_click(window, on_screen(window, item.point_at(fraction)))
    first, second = window.graph.reroutes.points(edge)
    QTest.mouseClick(
        window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, on_screen(window, QPointF(*first))
    )
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Delete)
    assert window.graph.reroutes.points(edge) == (second,)
    assert edge in window.graph.edges  # the wire stays
    alt_click(window, on_screen(window, QPointF(*second)))
    assert window.graph.reroutes.points(edge) == () and points_drawn(window, edge) == []
    window.document.undo_stack.undo()
    assert window.graph.reroutes.points(edge) == (second,)
    window.document.remove(["add"], [])
    assert len(window.graph.reroutes) == 0
    window.document.undo_stack.undo()  # the wire comes back bent as it was
    assert window.graph.reroutes.points(edge) == (second,)
    assert points_drawn(window, edge) == [second]


def test_hovering_a_wire_highlights_it_and_tells_its_shape_then_what_it_carried(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.fit_action.trigger()
    QApplication.processEvents()
    edge, item = next(iter(window.scene.edge_items.items()))
    viewport = window.canvas.viewport()
    at = on_screen(window, item.point_at(0.5))

    def tooltip() -> str:
        QTest.mouseMove(viewport, at + QPoint(0, 200))
        QTest.mouseMove(viewport, at)
        assert item.hovered
        event = QHelpEvent(QEvent.ToolTip, at, viewport.mapToGlobal(at))
        QApplication.sendEvent(viewport, event)
        qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
        return QToolTip.text()

    text = tooltip()
    assert str(edge) in text and f"shape {item.shape_text}" in text and "step through" in text
    QTest.mouseMove(viewport, at + QPoint(0, 200))
    assert not item.hovered
    panel = window.playback
    while edge not in panel.flow._carried["gradient"]:
        panel.step_forward() if panel.position < panel.forward_count else panel.step_backward()
        panel.flow.finish()
    value = item.carried["value"]
    text = tooltip()
    assert "value: " in text and "gradient: " in text
    from visualgrad.graph.summaries import describe_array

    assert f"value: {describe_array(value)}" in text


def test_a_wires_shape_label_moves_off_its_reroute_point(qtbot):
    window, edge = wired(qtbot)
    item = window.scene.edge_items[edge]
    middle = item.point_at(0.5)
    alt_click(window, on_screen(window, middle))
    QApplication.processEvents()
    (point,) = window.graph.reroutes.points(edge)
    assert not window.scene.edge_items[edge].label_rect().contains(QPointF(*point))
