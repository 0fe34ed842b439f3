"""Help > Keyboard shortcuts lists what the window's own actions and the canvas's gesture
table say, so it cannot drift from them; Help > About names the program and its licence."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

import visualgrad
from visualgrad.ui.canvas import GESTURES
from visualgrad.ui.help_menu import CANVAS

from .helpers import open_window


def help_entry(window, text: str) -> QAction:
    bar = window.menuBar()
    menu = next(a.menu() for a in bar.actions() if a.text() == "&Help")
    return next(a for a in menu.actions() if a.text() == text)


def test_every_action_with_a_shortcut_and_every_canvas_gesture_is_listed(qtbot):
    window = open_window(qtbot)
    qtbot.keyClick(window, Qt.Key_Slash, Qt.ControlModifier)
    dialog = window.shortcuts_dialog
    assert dialog.isVisible()
    listed = dialog.listed()
    shown = {(what, keys) for _, what, keys in listed}
    with_keys = [a for a in window.findChildren(QAction) if a.shortcuts() and a.text()]
    assert len(with_keys) > 20
    for action in with_keys:
        keys = ", ".join(s.toString(QKeySequence.NativeText) for s in action.shortcuts())
        assert (action.text().replace("&", ""), keys) in shown, action.text()
    gestures = [(what, keys) for section, what, keys in listed if section == CANVAS]
    assert gestures == [(what, how) for how, what in GESTURES]
    sections = {section: [] for section, _, _ in listed}
    for section, what, keys in listed:
        sections[section].append((what, keys))
    assert ("Undo", QKeySequence(QKeySequence.Undo).toString(QKeySequence.NativeText)) in sections[
        "Edit"
    ]
    assert ("Keyboard shortcuts", "Ctrl+/") in sections["Help"]


def test_an_action_added_later_is_listed_the_next_time(qtbot):
    window = open_window(qtbot)
    extra = QAction("Frobnicate", window)
    extra.setShortcut(QKeySequence("Ctrl+Alt+Shift+F9"))
    window.addAction(extra)
    help_entry(window, "&Keyboard shortcuts").trigger()
    assert any(what == "Frobnicate" for _, what, _ in window.shortcuts_dialog.listed())


def test_about_names_the_version_what_it_is_and_the_licence(qtbot):
    window = open_window(qtbot)
    help_entry(window, "&About visualgrad").trigger()
    box = window.about_box
    assert box.isVisible() and box.windowTitle() == "About visualgrad"
    text = box.text()
    assert f"visualgrad {visualgrad.__version__}" in text
    assert "backpropagation" in text.lower()
    assert "MIT" in text
    box.close()


def test_undo_and_redo_are_listed_by_name_not_by_what_they_would_undo(qtbot):
    window = open_window(qtbot)
    window.document.add_node("Tanh", (0, 300))
    window.document.add_node("Exp", (200, 300))
    window.document.undo_stack.undo()
    assert window.undo_action.text() != "&Undo" and window.redo_action.text() != "&Redo"
    qtbot.keyClick(window, Qt.Key_Slash, Qt.ControlModifier)
    edit = [
        (what, keys)
        for section, what, keys in window.shortcuts_dialog.listed()
        if section == "Edit"
    ]
    native = QKeySequence.NativeText
    assert ("Undo", QKeySequence(QKeySequence.Undo).toString(native)) in edit
    assert ("Redo", QKeySequence(QKeySequence.Redo).toString(native)) in edit
    assert not [what for what, _ in edit if what.startswith(("Undo ", "Redo "))]
