"""The frames and notes on the canvas, kept in step with the document's annotations, and
the actions that make them: Frame Selected Nodes, Add Note, and deleting the selected ones."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, QPointF
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ...graph.annotations import Frame
from ...graph.events import Connections
from ...graph.graph import Graph
from .. import annotation_edits
from ..document import Document
from .annotation_items import FrameItem, NoteItem
from .scene import CanvasScene
from .view import CanvasView


class AnnotationLayer(QObject):
    """One FrameItem or NoteItem per frame or note of the document's graph."""

    def __init__(self, document: Document, view: CanvasView, window: QWidget) -> None:
        super().__init__(window)
        self.document, self.view = document, view
        self.scene: CanvasScene = view.scene()
        self.items: dict[str, FrameItem | NoteItem] = {}
        self._connections = Connections()
        self.frame_action = self._action(
            window, "&Frame Selected Nodes", "Ctrl+Alt+F", self.frame_selection
        )
        self.frame_action.setStatusTip("A titled backdrop behind the selected nodes")
        self.note_action = self._action(window, "Add &Note", "Ctrl+Alt+N", self.add_note)
        self.note_action.setStatusTip("A box of text on the canvas, where the view is")
        # After the scene's own handler, which clears the scene of the old graph's items.
        document.graph_replaced.connect(self._follow)
        document.locked_changed.connect(self._locked)
        self._follow(document.graph)

    def _action(self, window: QWidget, text: str, keys: str, slot) -> QAction:
        action = QAction(text, window)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        window.addAction(action)
        return action

    def actions(self) -> list[QAction]:
        return [self.frame_action, self.note_action]

    # ---- following the document --------------------------------------------------------------
    def _follow(self, graph: Graph) -> None:
        self._connections.disconnect_all()
        for item in self.items.values():  # the scene has cleared them if it showed a new graph
            if shiboken6.isValid(item) and item.scene() is self.scene:
                self.scene.removeItem(item)
        self.items = {}
        for annotation in graph.annotations:
            self._changed(annotation.id)
        self._connections.connect(graph.events.annotations_changed, self._changed)

    def _changed(self, item_id: str) -> None:
        annotation = self.document.graph.annotations.get(item_id)
        item = self.items.get(item_id)
        if annotation is None:
            if item is not None:
                self.items.pop(item_id)
                self.scene.removeItem(item)
            return
        if item is None:
            kind = FrameItem if isinstance(annotation, Frame) else NoteItem
            item = self.items[item_id] = kind(annotation, self.document, self.scene.theme)
            self.scene.addItem(item)
        elif isinstance(item, FrameItem):
            item.set_frame(annotation)
        else:
            item.set_note(annotation)

    def _locked(self, locked: bool) -> None:
        for action in self.actions():
            action.setEnabled(not locked)

    def set_theme(self) -> None:
        """Redraw in the scene's theme."""
        for item in self.items.values():
            item.theme = self.scene.theme
            if isinstance(item, FrameItem):
                item.set_frame(item.frame)
            else:
                item.set_note(item.note)

    # ---- the actions -------------------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        return [i for i, item in self.items.items() if item.isSelected()]

    def frame_selection(self) -> str | None:
        """A frame round the selected nodes; its id."""
        return annotation_edits.frame_nodes(self.document, self.scene.selected_node_ids())

    def add_note(self, at: QPointF | None = None) -> str | None:
        """A note at ``at`` (the view's centre by default), at once open for typing."""
        if not isinstance(at, QPointF):
            at = self.view.mapToScene(self.view.viewport().rect().center())
        note_id = annotation_edits.add_note(self.document, (round(at.x()), round(at.y())))
        if note_id is not None:
            self.scene.clearSelection()
            item = self.items[note_id]
            item.setSelected(True)
            self.view.setFocus()
            item.text.start()
        return note_id

    def delete_selected(self) -> bool:
        """Delete the selected frames and notes (one undo step); False when none is."""
        ids = self.selected_ids()
        return bool(ids) and annotation_edits.delete(self.document, ids)
