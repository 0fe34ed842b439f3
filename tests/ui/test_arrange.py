"""Edit > Arrange in the window: align and distribute the selected nodes (one undo step
each), and snap to grid, a toggle the next window remembers."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from visualgrad.graph.arrange import GRID
from visualgrad.ui.canvas.spots import card_rect

from .helpers import SAMPLES, drag, on_screen, open_window, snapshot


def header(window, node_id: str):
    """Where a hand grabs a node: the middle of its header, on the screen."""
    return on_screen(window, window.scene.node_items[node_id].scenePos() + QPointF(84, 12))


def click_nodes(qtbot, window, node_ids: list[str]) -> None:
    """Click the first node, Ctrl-click the others."""
    viewport = window.canvas.viewport()
    for i, node_id in enumerate(node_ids):
        modifier = Qt.ControlModifier if i else Qt.NoModifier
        QTest.mouseClick(viewport, Qt.LeftButton, modifier, header(window, node_id))
    assert sorted(window.scene.selected_node_ids()) == sorted(node_ids)


def press(qtbot, window, key, modifiers=Qt.ControlModifier | Qt.AltModifier) -> None:
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, key, modifiers)


def test_align_left_by_its_shortcut_is_one_undo_step(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    ids = ["c", "e", "loss"]
    click_nodes(qtbot, window, ids)
    before, steps = snapshot(window), window.document.undo_stack.count()
    lefts = {n: window.graph.nodes[n].position[0] for n in ids}
    press(qtbot, window, Qt.Key_Left)
    assert {window.graph.nodes[n].position[0] for n in ids} == {min(lefts.values())}
    assert {window.scene.node_items[n].x() for n in ids} == {min(lefts.values())}
    assert window.document.undo_stack.count() == steps + 1
    assert window.document.undo_stack.undoText() == "Align left"
    window.undo_action.trigger()
    assert snapshot(window) == before


def test_align_bottom_and_centres_in_a_row_line_up_the_cards(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    ids = ["a", "b", "d"]
    click_nodes(qtbot, window, ids)
    bottoms = [card_rect(window.scene.node_items[n]).bottom() for n in ids]
    window.arrange.align_actions["bottom"].trigger()
    assert {card_rect(window.scene.node_items[n]).bottom() for n in ids} == {max(bottoms)}
    tops = [card_rect(window.scene.node_items[n]).top() for n in ids]
    assert len(set(tops)) == 2  # d (two inputs) is taller than the scalars
    window.arrange.align_actions["row"].trigger()
    middles = {card_rect(window.scene.node_items[n]).center().y() for n in ids}
    assert middles == {(min(tops) + max(bottoms)) / 2}


def test_distribute_vertically_leaves_equal_gaps(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    ids = ["a", "b", "one"]
    click_nodes(qtbot, window, ids)
    window.graph.move_node("b", (window.graph.nodes["b"].position[0], -500.0))
    window.arrange.align_actions["left"].trigger()
    window.graph.move_node("b", (window.graph.nodes["b"].position[0], 900.0))
    first = card_rect(window.scene.node_items["a"]).top()
    last = card_rect(window.scene.node_items["b"]).bottom()
    press(qtbot, window, Qt.Key_V)
    rects = sorted((card_rect(window.scene.node_items[n]) for n in ids), key=lambda r: r.top())
    assert rects[0].top() == first and rects[-1].bottom() == last
    gaps = [b.top() - a.bottom() for a, b in zip(rects, rects[1:], strict=False)]
    assert abs(gaps[0] - gaps[1]) < 1e-6 and gaps[0] > 0
    assert window.document.undo_stack.undoText() == "Distribute vertically"


def test_align_needs_two_nodes_and_distribute_three(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    click_nodes(qtbot, window, ["a"])
    assert not window.arrange.align_actions["left"].isEnabled()
    click_nodes(qtbot, window, ["a", "b"])
    assert window.arrange.align_actions["left"].isEnabled()
    assert not window.arrange.distribute_actions["horizontal"].isEnabled()
    click_nodes(qtbot, window, ["a", "b", "one"])
    assert window.arrange.distribute_actions["horizontal"].isEnabled()


def test_snap_to_grid_lands_a_dragged_node_on_the_grid_and_is_remembered(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.canvas.fit_to_view()
    press(qtbot, window, Qt.Key_G)
    assert window.arrange.snap_action.isChecked()
    start = header(window, "e")
    drag(window, start, start + (header(window, "loss") - start) * 0.37)
    x, y = window.graph.nodes["e"].position
    assert (x % GRID, y % GRID) == (0.0, 0.0)
    assert (window.scene.node_items["e"].x(), window.scene.node_items["e"].y()) == (x, y)
    window.close()
    again = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    assert again.arrange.snap_action.isChecked()
    again.arrange.snap_action.trigger()
    again.canvas.fit_to_view()
    start = header(again, "e")
    drag(again, start, start + (header(again, "loss") - start) * 0.37)
    x, y = again.graph.nodes["e"].position
    assert (x % GRID, y % GRID) != (0.0, 0.0)
    again.close()
    assert not open_window(qtbot).arrange.snap_action.isChecked()
