"""Edit > Arrange: auto-layout's neighbours. Snap to grid (a toggle the settings keep),
and align or distribute the selected nodes, each one undo step."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget
from shiboken6 import isValid

from ...graph import arrange
from ..document import Document
from .scene import CanvasScene

SNAP_KEY = "snapToGrid"
# (text, how, shortcut): align needs two nodes, distribute three
ALIGN = [
    ("Align &Left", "left", "Ctrl+Alt+Left"),
    ("Align &Right", "right", "Ctrl+Alt+Right"),
    ("Align &Top", "top", "Ctrl+Alt+Up"),
    ("Align &Bottom", "bottom", "Ctrl+Alt+Down"),
    ("Align Centres in a &Column", "column", "Ctrl+Alt+C"),
    ("Align Centres in a Ro&w", "row", "Ctrl+Alt+R"),
]
DISTRIBUTE = [
    ("Distribute &Horizontally", "horizontal", "Ctrl+Alt+H"),
    ("Distribute &Vertically", "vertical", "Ctrl+Alt+V"),
]


class ArrangeActions(QObject):
    """The Arrange menu's actions, added to ``window`` so that their shortcuts work there."""

    def __init__(
        self, document: Document, scene: CanvasScene, store: QSettings, window: QWidget
    ) -> None:
        super().__init__(window)
        self.document, self.scene, self.store = document, scene, store
        self.snap_action = QAction("&Snap to Grid", window, checkable=True)
        self.snap_action.setShortcut(QKeySequence("Ctrl+Alt+G"))
        self.snap_action.setStatusTip("Dragged nodes land on the grid")
        self.snap_action.toggled.connect(self.set_snap)
        self.align_actions = {how: self._action(window, text, keys) for text, how, keys in ALIGN}
        self.distribute_actions = {
            axis: self._action(window, text, keys) for text, axis, keys in DISTRIBUTE
        }
        for how, action in self.align_actions.items():
            action.triggered.connect(lambda _=False, h=how: self.align(h))
        for axis, action in self.distribute_actions.items():
            action.triggered.connect(lambda _=False, a=axis: self.distribute(a))
        window.addAction(self.snap_action)
        self.snap_action.setChecked(store.value(SNAP_KEY, False, type=bool))
        self.set_snap(self.snap_action.isChecked())
        scene.selectionChanged.connect(self._update)
        document.locked_changed.connect(self._update)
        self._update()

    def _action(self, window: QWidget, text: str, keys: str) -> QAction:
        action = QAction(text, window)
        action.setShortcut(QKeySequence(keys))
        window.addAction(action)
        return action

    def menu(self, parent: QWidget) -> QMenu:
        """Arrange: snap, then align, then distribute."""
        menu = QMenu("A&rrange", parent)
        menu.addAction(self.snap_action)
        menu.addSeparator()
        for action in self.align_actions.values():
            menu.addAction(action)
        menu.addSeparator()
        for action in self.distribute_actions.values():
            menu.addAction(action)
        return menu

    def set_snap(self, on: bool) -> None:
        """Snap dragged nodes to the grid (or not); the settings remember it."""
        self.scene.snap_grid = arrange.GRID if on else None
        self.store.setValue(SNAP_KEY, on)
        if self.snap_action.isChecked() != on:
            self.snap_action.setChecked(on)

    def align(self, how: str) -> None:
        """Line the selected nodes up (see graph/arrange.py), as one undo step."""
        self._move(arrange.align(self._cards(), how), f"Align {how}")

    def distribute(self, axis: str) -> None:
        """Equal gaps between the selected nodes along ``axis``, as one undo step."""
        self._move(arrange.distribute(self._cards(), axis), f"Distribute {axis}ly")

    def _cards(self) -> dict[str, arrange.Box]:
        return arrange.cards(self.document.graph, self.scene.selected_node_ids())

    def _move(self, targets: dict[str, tuple[float, float]], text: str) -> None:
        graph = self.document.graph
        moves = {n: (graph.nodes[n].position, xy) for n, xy in targets.items()}
        if moves:
            self.document.move(moves, text)

    def _update(self, *_changed) -> None:
        if not isValid(self.scene):  # a window deleted unclosed: its scene empties as it goes
            return
        count = len(self.scene.selected_node_ids()) if self.scene.graph is not None else 0
        editable = not self.document.locked
        for action in self.align_actions.values():
            action.setEnabled(editable and count >= 2)
        for action in self.distribute_actions.values():
            action.setEnabled(editable and count >= 3)
