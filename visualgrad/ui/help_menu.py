"""The Help menu's windows: every keyboard shortcut, read from the window's own actions and
from the canvas's table of gestures so that the list cannot drift; and About."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

import visualgrad

from .canvas import GESTURES

CANVAS = "On the canvas"
OTHER = "Elsewhere in the window"


def keys(action: QAction) -> str:
    """An action's shortcuts as the menus write them: ``Ctrl+Z``, or ``Del, Backspace``."""
    return ", ".join(s.toString(QKeySequence.NativeText) for s in action.shortcuts())


FIXED_NAMES = {QKeySequence.Undo: "Undo", QKeySequence.Redo: "Redo"}


def name(action: QAction) -> str:
    """An action's name in the list: Undo and Redo by those names, not by what they would
    undo or redo now (their text follows the undo stack)."""
    for standard, fixed in FIXED_NAMES.items():
        if action.shortcut() in QKeySequence.keyBindings(standard):
            return fixed
    return action.text().replace("&", "")


def _menus(menu: QMenu, path: str, found: dict[QAction, str]) -> None:
    for action in menu.actions():
        if action.menu() is not None:
            _menus(action.menu(), f"{path} > {action.menu().title().replace('&', '')}", found)
        elif not action.isSeparator():
            found.setdefault(action, path)


def shortcuts(window: QMainWindow) -> dict[str, list[tuple[str, str]]]:
    """Each menu's actions that have a shortcut, as (name, keys); then those outside the
    menus; then the canvas's gestures."""
    where: dict[QAction, str] = {}
    for action in window.menuBar().actions():
        if action.menu() is not None:
            _menus(action.menu(), action.menu().title().replace("&", ""), where)
    table: dict[str, list[tuple[str, str]]] = {}
    for action in [*where, *window.findChildren(QAction)]:
        if action.shortcuts() and action.text():
            row = (name(action), keys(action))
            rows = table.setdefault(where.get(action, OTHER), [])
            if row not in rows:
                rows.append(row)
    table[CANVAS] = list(GESTURES)
    return table


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: the shortcuts by menu, then the gestures on the canvas."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["What", "Keys or gesture"])
        self.tree.setRootIsDecorated(False)
        for section, rows in shortcuts(window).items():
            head = QTreeWidgetItem(self.tree, [section])
            head.setFirstColumnSpanned(True)
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            head.setFlags(Qt.ItemIsEnabled)
            for name, how in rows:
                if section == CANVAS:
                    name, how = how, name  # the gesture is the "key"
                QTreeWidgetItem(head, [name, how])
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.resizeColumnToContents(1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)
        width = self.tree.columnWidth(0) + self.tree.columnWidth(1) + 60
        self.resize(min(max(width, 480), 900), 620)

    def listed(self) -> list[tuple[str, str, str]]:
        """What the dialog shows: (section, what, keys) for each row."""
        rows = []
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            for j in range(head.childCount()):
                child = head.child(j)
                rows.append((head.text(0), child.text(0), child.text(1)))
        return rows


def about_text() -> str:
    """Name, version, what it is in a line, and its licence, as the package declares them."""
    try:
        data = metadata.metadata("visualgrad")
        summary = data.get("Summary")
        licence = data.get("License-Expression") or data.get("License")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        summary = licence = None
    summary = summary or visualgrad.__doc__.splitlines()[0]
    licence = licence or "see the LICENSE file"
    return (
        f"<h3>visualgrad {visualgrad.__version__}</h3><p>{summary}</p>"
        f"<p>Licence: {licence}. Its own autodiff engine runs on numpy and numba; the window "
        "is PySide6 (Qt) and pyqtgraph.</p>"
    )


def about(parent: QWidget) -> QMessageBox:
    """Help > About, open beside the window (not blocking it)."""
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle("About visualgrad")
    box.setTextFormat(Qt.RichText)
    box.setText(about_text())
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.open()
    return box
