"""Fit to view (Ctrl+1) centres the graph in the canvas wherever the mouse is, and caps
its zoom at 150% for a small graph."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest

from .helpers import SAMPLES, open_window


@pytest.mark.parametrize("corner", [(5, 5), (0.9, 0.85)])
def test_a_small_graph_is_centred_with_the_mouse_in_a_corner(qtbot, corner):
    window = open_window(qtbot, SAMPLES / "quadratic_form.vgraph")
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: window.size().width() == 1440, timeout=2000)
    canvas = window.canvas
    size = canvas.viewport().size()
    x, y = corner
    spot = QPoint(int(x if x > 1 else x * size.width()), int(y if y > 1 else y * size.height()))
    QTest.mouseMove(canvas.viewport(), spot)
    qtbot.wait(20)
    canvas.fit_to_view()
    assert canvas.zoom() == pytest.approx(1.5)
    items = window.scene.items_rect()
    seen = canvas.mapFromScene(items.center())
    middle = canvas.viewport().rect().center()
    assert abs(seen.x() - middle.x()) <= 2 and abs(seen.y() - middle.y()) <= 2
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(items)


def test_a_group_opened_with_the_mouse_in_a_corner_shows_its_nodes_in_the_middle(qtbot):
    from visualgrad.ui.group_edits import group

    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: window.size().width() == 1440, timeout=2000)
    name = group(window.document, ["c", "d"])
    canvas = window.canvas
    QTest.mouseMove(canvas.viewport(), QPoint(8, canvas.viewport().height() - 8))
    qtbot.wait(20)
    window.scene.scope.open_group(name)
    assert set(window.scene.node_items) >= {"c", "d"}
    items = window.scene.items_rect()
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(items)
    seen, middle = canvas.mapFromScene(items.center()), canvas.viewport().rect().center()
    assert abs(seen.x() - middle.x()) <= 2 and abs(seen.y() - middle.y()) <= 2
