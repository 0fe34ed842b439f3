"""Every sample, fitted to the canvas of a 1440x900 window, reads at 60% zoom or more, and
no node, edge label or playback badge covers a node."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from visualgrad.ui.canvas.spots import card_rect
from visualgrad.ui.dock_sizes import KEY
from visualgrad.ui.files.store import settings

from .helpers import SAMPLES, open_window

NAMES = sorted(path.stem for path in SAMPLES.glob("*.vgraph"))
SMALLEST_FIT = 0.6


def forget_the_layout() -> None:
    """No panel height dragged and no window layout kept by an earlier window test: the
    settings are shared by the session's window tests."""
    store = settings()
    store.remove(KEY.rstrip("/"))
    store.remove("windowState")
    store.sync()


def fitted_window(qtbot, name: str):
    forget_the_layout()
    window = open_window(qtbot, SAMPLES / f"{name}.vgraph")
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: window.size().width() == 1440, timeout=2000)
    qtbot.wait(50)  # the panels under the canvas take their heights
    window.canvas.fit_to_view()
    return window


def overlaps(window, rects: dict[str, object]) -> list[tuple[str, str]]:
    """The (what, node) pairs where one of ``rects`` covers a node's card."""
    cards = {node_id: card_rect(item) for node_id, item in window.scene.node_items.items()}
    return [
        (what, node_id)
        for what, rect in rects.items()
        for node_id, card in cards.items()
        if rect.intersects(card)
    ]


def edge_label_rects(window) -> dict[str, object]:
    return {
        f"label of {item.edge}": item.label_rect()
        for item in window.scene.edge_items.values()
        if item.shape_text
    }


def badge_rects(window) -> dict[str, object]:
    return {
        f"badge of {item.edge}": item.badge_item.mapRectToScene(item.badge_item.rect)
        for item in window.scene.edge_items.values()
        if item.badge_item is not None
    }


def test_a_panel_height_dragged_in_an_earlier_window_does_not_change_the_fit(qtbot):
    window = fitted_window(qtbot, "vanishing_gradients")
    canvas_height, zoom = window.canvas.viewport().height(), window.canvas.zoom()
    dock = window.playback_dock
    between = (window.canvas.geometry().bottom() + dock.geometry().top()) // 2
    separator = QPoint(window.width() // 3, between)  # the bar between canvas and panel
    QTest.mousePress(window, Qt.LeftButton, Qt.NoModifier, separator)
    for step in range(1, 6):
        QTest.mouseMove(window, separator - QPoint(0, 30 * step))
        qtbot.wait(5)
    QTest.mouseRelease(window, Qt.LeftButton, Qt.NoModifier, separator - QPoint(0, 150))
    qtbot.waitUntil(lambda: window.canvas.viewport().height() < canvas_height - 100)
    window.close()
    again = fitted_window(qtbot, "vanishing_gradients")
    assert again.canvas.viewport().height() == canvas_height
    assert again.canvas.zoom() == pytest.approx(zoom)


@pytest.mark.parametrize("name", NAMES)
def test_the_sample_fits_at_sixty_percent_with_nothing_on_a_node(qtbot, name):
    window = fitted_window(qtbot, name)
    assert window.canvas.zoom() >= SMALLEST_FIT, f"{name} fits at {window.canvas.zoom():.0%}"
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    cards = {node_id: card_rect(item) for node_id, item in window.scene.node_items.items()}
    assert all(visible.contains(card) for card in cards.values())
    for (a, ra), (b, rb) in itertools.combinations(cards.items(), 2):
        assert not ra.intersects(rb), f"{a} overlaps {b}"
    labels = edge_label_rects(window)
    assert len(labels) == len(window.graph.edges)
    assert overlaps(window, labels) == []
    panel = window.playback
    while panel.backward_button.isEnabled():
        panel.step_backward()
    panel.flow.finish()
    for radio in (panel.value_radio, panel.grad_radio):
        radio.setChecked(True)
        badges = badge_rects(window)
        assert len(badges) == len(window.graph.edges)
        assert overlaps(window, badges) == []


def shown_labels(window) -> dict[str, object]:
    """The shape labels still drawn: those of the edges that carry no badge."""
    return {
        f"label of {item.edge}": item.label_rect()
        for item in window.scene.edge_items.values()
        if item.shape_text and not item.badge
    }


def crossings(rects: dict[str, object]) -> list[tuple[str, str]]:
    """The pairs among ``rects`` that overlap each other."""
    return [
        (a, b) for (a, ra), (b, rb) in itertools.combinations(rects.items(), 2) if ra.intersects(rb)
    ]


@pytest.mark.parametrize("name", NAMES)
def test_no_label_or_badge_covers_another_or_a_card_at_any_step_back(qtbot, name):
    window = fitted_window(qtbot, name)
    assert crossings(edge_label_rects(window)) == []
    panel = window.playback
    panel.grad_radio.setChecked(True)
    steps = 0
    while panel.backward_button.isEnabled():
        panel.step_backward()
        panel.flow.finish()
        steps += 1
        badges = badge_rects(window)
        assert overlaps(window, badges) == [], f"{name}, step {steps}"
        assert crossings({**badges, **shown_labels(window)}) == [], f"{name}, step {steps}"
    assert steps > 0
