"""A new group's card lands where its members were, clear of the cards beside it and of
the label on the wire that feeds it, and its header names it once."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtTest import QTest

from visualgrad.ui import group_edits
from visualgrad.ui.canvas.nodes import NODE_WIDTH

from .helpers import SAMPLES, on_screen, open_window


def body(item) -> QRectF:
    """A node's or a group's card as drawn, in scene coordinates."""
    return QRectF(item.scenePos(), QRectF(0, 0, NODE_WIDTH, item.height()).size())


def click(qtbot, window, item, modifier=Qt.NoModifier) -> None:
    point = on_screen(window, item.scenePos() + QPointF(NODE_WIDTH / 2, 12))
    qtbot.mouseClick(window.canvas.viewport(), Qt.LeftButton, modifier, point)


def test_grouping_two_nodes_of_xor_puts_the_card_on_free_ground(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.canvas.fit_to_view()
    click(qtbot, window, window.scene.node_items["hidden"])
    click(qtbot, window, window.scene.node_items["relu"], Qt.ControlModifier)
    QTest.keyClick(window.canvas.viewport(), Qt.Key_G, Qt.ControlModifier)
    (group,) = window.graph.groups
    card = window.scene.scope.group_items[group.name]
    assert group.position == (310.0, 0.0)  # where hidden was: x, at the corner, is in the way
    others = {n: body(item) for n, item in window.scene.node_items.items()}
    assert sorted(others) == ["bce", "label", "loss", "out", "prob", "x"]
    assert [n for n, rect in others.items() if rect.intersects(body(card))] == []
    feed = next(e for e in window.scene.edge_items.values() if e.target is card.inputs["hidden.x"])
    label = feed.label_rect()
    assert not label.intersects(body(card)) and not label.intersects(others["x"])
    assert card.kind() == ""  # "group" is its name: the header does not say it twice


def test_a_second_group_keeps_clear_of_the_first(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    assert group_edits.group(window.document, ["hidden", "relu"], "layer")
    assert group_edits.group(window.document, ["prob", "label"], "head")
    cards = window.scene.scope.group_items
    assert cards["layer"].kind() == "group"
    shown = [body(i) for i in (*window.scene.node_items.values(), *cards.values())]
    assert len(shown) == 6
    assert [(a, b) for i, a in enumerate(shown) for b in shown[i + 1 :] if a.intersects(b)] == []
