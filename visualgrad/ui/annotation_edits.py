"""Frame nodes, move a frame with its nodes, add, edit, move and delete notes and frames:
each one undo step that changes the graph's annotations (and, for a frame's move, its
nodes' positions), refused while the document is locked."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QUndoCommand

from ..graph.annotations import COLOURS, Annotation, AnnotationError, Frame, Note, check
from ..graph.arrange import frame_rect
from ..graph.graph import Graph
from .commands import MoveNodes
from .document import Document


class PutAnnotation(QUndoCommand):
    """A frame or note added or changed (``old`` None: added)."""

    def __init__(self, graph: Graph, new: Annotation, text: str) -> None:
        super().__init__(text)
        self.graph, self.new, self.old = graph, new, graph.annotations.get(new.id)

    def redo(self) -> None:
        self.graph.annotations.put(self.new)

    def undo(self) -> None:
        if self.old is None:
            self.graph.annotations.take(self.new.id)
        else:
            self.graph.annotations.put(self.old)


class TakeAnnotations(QUndoCommand):
    """Frames and notes deleted."""

    def __init__(self, graph: Graph, items: list[Annotation], text: str) -> None:
        super().__init__(text)
        self.graph, self.items = graph, items

    def redo(self) -> None:
        for item in self.items:
            self.graph.annotations.take(item.id)

    def undo(self) -> None:
        for item in self.items:
            self.graph.annotations.put(item)


def _push(document: Document, command: QUndoCommand) -> bool:
    if not document.editable():
        return False
    document.undo_stack.push(command)
    return True


def _checked(document: Document, item: Annotation) -> bool:
    try:
        check(item, "frame" if isinstance(item, Frame) else "note")
    except AnnotationError as error:
        document.status.emit(str(error))
        return False
    return True


def frame_nodes(document: Document, node_ids: list[str], title: str = "Frame") -> str | None:
    """A frame round ``node_ids``, in the next colour; its id, or None when refused."""
    if not node_ids:
        document.status.emit("Select the nodes to frame first")
        return None
    graph = document.graph
    colour = COLOURS[len(graph.annotations.frames) % len(COLOURS)]
    frame = Frame(graph.annotations.fresh_id("frame"), title, colour, frame_rect(graph, node_ids))
    if _checked(document, frame) and _push(document, PutAnnotation(graph, frame, "Add frame")):
        return frame.id
    return None


def move_frame(
    document: Document, frame_id: str, delta: tuple[float, float], node_ids: Iterable[str]
) -> bool:
    """Move the frame by ``delta`` and ``node_ids`` (its nodes) with it, as one undo step."""
    graph = document.graph
    frame = graph.annotations.get(frame_id)
    dx, dy = delta
    if not isinstance(frame, Frame) or (dx, dy) == (0.0, 0.0):
        return False
    moved = frame.moved(dx, dy)
    if not _checked(document, moved) or not document.editable():
        return False
    moves = {}
    for n in node_ids:
        x, y = graph.nodes[n].position
        moves[n] = ((x, y), (x + dx, y + dy))
    return _push(document, MoveFrame(graph, moved, moves))


class MoveFrame(QUndoCommand):
    """A frame dragged, and the nodes inside it with it: one step."""

    def __init__(self, graph: Graph, moved: Frame, moves: dict) -> None:
        super().__init__(f"Move frame {moved.title!r}")
        self.frame = PutAnnotation(graph, moved, "")
        self.nodes = MoveNodes(graph, moves) if moves else None

    def redo(self) -> None:
        self.frame.redo()
        if self.nodes is not None:
            self.nodes.redo()

    def undo(self) -> None:
        if self.nodes is not None:
            self.nodes.undo()
        self.frame.undo()


def change(document: Document, item: Annotation, text: str) -> bool:
    """Replace the frame or note with ``item`` (retitled, recoloured, moved, edited)."""
    old = document.graph.annotations.get(item.id)
    if old is None or old == item or not _checked(document, item):
        return False
    return _push(document, PutAnnotation(document.graph, item, text))


def add_note(document: Document, position: tuple[float, float], text: str = "") -> str | None:
    """A note at ``position``; its id, or None when refused."""
    graph = document.graph
    note = Note(graph.annotations.fresh_id("note"), text, position)
    if _checked(document, note) and _push(document, PutAnnotation(graph, note, "Add note")):
        return note.id
    return None


def delete(document: Document, ids: list[str]) -> bool:
    """Delete the frames and notes ``ids`` (the nodes in a frame stay)."""
    items = [i for i in map(document.graph.annotations.get, ids) if i is not None]
    if not items:
        return False
    kinds = {type(i).__name__.lower() for i in items}
    noun = kinds.pop() if len(kinds) == 1 else "annotation"
    text = f"Delete {len(items)} {noun}s" if len(items) > 1 else f"Delete {items[0].id}"
    return _push(document, TakeAnnotations(document.graph, items, text))
