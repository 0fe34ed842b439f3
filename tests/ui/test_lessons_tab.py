"""The Lessons panel shares the right-hand column's tabs with the Inspector and History: a
project without a lesson shows the Inspector at the column's full height, one with a
lesson opens on the Lessons tab, and Record lesson step is a tab click away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTabBar

from visualgrad.ui.files.store import settings

from .helpers import SAMPLES, open_window


def column_window(qtbot, name: str):
    store = settings()  # the column as a new user gets it, not as an earlier test left it
    store.remove("windowState")
    store.sync()
    window = open_window(qtbot, SAMPLES / f"{name}.vgraph")
    window.resize(1440, 900)
    qtbot.waitUntil(lambda: window.size().width() == 1440, timeout=2000)
    qtbot.wait(50)
    return window


def right_tabs(window) -> QTabBar:
    return next(
        bar
        for bar in window.findChildren(QTabBar)
        if bar.isVisible() and "Inspector" in [bar.tabText(i) for i in range(bar.count())]
    )


def test_without_a_lesson_the_inspector_takes_the_column_and_lessons_is_a_tab(qtbot):
    window = column_window(qtbot, "spiral")
    bar = right_tabs(window)
    assert [bar.tabText(i) for i in range(bar.count())] == ["Inspector", "History", "Lessons"]
    assert bar.tabText(bar.currentIndex()) == "Inspector"
    assert window.lessons_dock.visibleRegion().isEmpty()
    assert window.inspector_dock.height() > 0.8 * window.centralWidget().height()
    index = [bar.tabText(i) for i in range(bar.count())].index("Lessons")
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(index).center())
    assert window.lessons.title.text() == "No lesson"
    assert window.lessons.record_button.isVisible()  # writing a lesson stays a click away


def test_a_project_with_a_lesson_raises_the_tab_and_one_without_lowers_it(qtbot):
    window = column_window(qtbot, "spiral")
    window.files.ask_open_path = lambda: str(SAMPLES / "chain_rule.vgraph")
    QTest.keySequence(window, "Ctrl+O")
    bar = right_tabs(window)
    assert bar.tabText(bar.currentIndex()) == "Lessons"
    assert window.lessons.title.text() == "The fan-out sum" and window.lessons.isVisible()
    assert window.lessons_dock.height() > 0.8 * window.centralWidget().height()
    window.files.ask_open_path = lambda: str(SAMPLES / "spiral.vgraph")
    QTest.keySequence(window, "Ctrl+O")
    assert bar.tabText(bar.currentIndex()) == "Inspector" and window.inspector.isVisible()


def test_a_window_opened_after_one_closed_on_its_lesson_shows_the_inspector(qtbot):
    window = column_window(qtbot, "chain_rule")
    window.close()  # the window's layout is kept with the Lessons tab raised
    again = open_window(qtbot, SAMPLES / "spiral.vgraph")
    qtbot.wait(50)
    bar = right_tabs(again)
    assert bar.tabText(bar.currentIndex()) == "Inspector" and again.inspector.isVisible()
