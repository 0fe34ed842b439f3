"""What the canvas draws of frames and notes: a frame is a coloured backdrop with a title
bar (drag it to move the frame and the nodes inside; click its swatch for the next colour;
double-click the title to rename it); a note is a box of text (drag it; double-click to
edit it in place, click away to keep the edit, Escape to drop it).

The items only draw the document; a gesture that ends calls ``annotation_edits``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QTextCursor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QGraphicsTextItem

from ...graph.annotations import COLOURS, Frame, Note
from ...graph.arrange import FRAME_TITLE, frame_members, snap
from .. import annotation_edits
from ..document import Document
from ..theme import Theme

SWATCH = 14.0  # the colour swatch at the left of a frame's title bar
NOTE_PAD = 8.0


class InPlaceText(QGraphicsTextItem):
    """Text edited where it is drawn: double-click starts, focus leaving ends with
    ``commit(text)``, Escape ends leaving the text as it was (Enter too, on one line)."""

    def __init__(self, parent: QGraphicsItem, commit: Callable[[str], None], one_line: bool):
        super().__init__(parent)
        self.commit, self.one_line = commit, one_line
        self._before: str | None = None

    def editing(self) -> bool:
        return self._before is not None

    def start(self) -> None:
        self._before = self.toPlainText()
        self.setTextInteractionFlags(Qt.TextEditorInteraction)
        self.setFocus(Qt.MouseFocusReason)
        cursor = self.textCursor()
        cursor.select(QTextCursor.Document)
        self.setTextCursor(cursor)

    def _end(self, keep: bool) -> None:
        before, self._before = self._before, None
        self.setTextInteractionFlags(Qt.NoTextInteraction)
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)
        if not keep:
            self.setPlainText(before or "")
        elif before is not None and self.toPlainText() != before:
            self.commit(self.toPlainText())

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            self._end(keep=False)
            self.clearFocus()
            return
        if self.one_line and event.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.clearFocus()  # focusOutEvent keeps the edit
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if self.editing():
            self._end(keep=True)


class FrameItem(QGraphicsObject):
    """A frame behind its nodes; only its title bar takes the mouse."""

    def __init__(self, frame: Frame, document: Document, theme: Theme) -> None:
        super().__init__()
        self.document, self.theme = document, theme
        self.setZValue(-1)
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setCursor(Qt.OpenHandCursor)
        self.title = InPlaceText(self, self._retitle, one_line=True)
        font = QFont()
        font.setBold(True)
        self.title.setFont(font)
        self.title.setPos(SWATCH + 10, 2)
        self._drag: tuple[QPointF, dict[str, QPointF], QPointF] | None = None
        self.set_frame(frame)

    def set_frame(self, frame: Frame) -> None:
        """Show ``frame`` (the document's, after a change)."""
        self.prepareGeometryChange()
        self.frame = frame
        x, y, w, h = frame.rect
        self.setPos(x, y)
        self.rect = QRectF(0, 0, w, h)
        if not self.title.editing():
            self.title.setPlainText(frame.title)
        self.title.setDefaultTextColor(self.theme.text)
        self.setToolTip(f"{frame.title}: drag the bar to move the frame and its nodes")
        self.update()

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-2, -2, 2, 2)

    def bar(self) -> QRectF:
        return QRectF(0, 0, self.rect.width(), FRAME_TITLE)

    def swatch(self) -> QRectF:
        return QRectF(8, (FRAME_TITLE - SWATCH) / 2, SWATCH, SWATCH)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.bar())
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        colour = QColor(self.frame.colour)
        body = QColor(colour)
        body.setAlpha(70 if self.theme.dark else 45)
        bar = QColor(colour)
        bar.setAlpha(150 if self.theme.dark else 110)
        border = self.theme.selection if self.isSelected() else colour
        painter.setPen(QPen(border, 2 if self.isSelected() else 1))
        painter.setBrush(body)
        painter.drawRoundedRect(self.rect, 10, 10)
        path = QPainterPath()
        path.addRoundedRect(self.rect, 10, 10)
        painter.fillPath(path.intersected(self.shape()), bar)
        painter.setPen(QPen(self.theme.node_border, 1))
        painter.setBrush(colour)
        painter.drawEllipse(self.swatch())

    # ---- gestures ---------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.LeftButton or self.document.locked:
            event.ignore()
            return
        if self.swatch().adjusted(-3, -3, 3, 3).contains(event.pos()):
            following = COLOURS[(_index(self.frame.colour) + 1) % len(COLOURS)]
            frame = Frame(self.frame.id, self.frame.title, following, self.frame.rect)
            annotation_edits.change(self.document, frame, f"Colour frame {frame.title!r}")
            return
        if not event.modifiers() & Qt.ControlModifier:
            self.scene().clearSelection()
        self.setSelected(True)
        nodes = self.scene().node_items
        members = frame_members(self.document.graph, self.frame)
        self._drag = (event.scenePos(), {n: nodes[n].pos() for n in members}, self.pos())
        self.setCursor(Qt.ClosedHandCursor)

    def _delta(self, event) -> QPointF:
        press, _, start = self._drag
        delta = event.scenePos() - press
        grid = getattr(self.scene(), "snap_grid", None)
        if grid:
            x, y = snap((start.x() + delta.x(), start.y() + delta.y()), grid)
            delta = QPointF(x, y) - start
        return delta

    def mouseMoveEvent(self, event) -> None:
        if self._drag is None:
            return
        _, starts, start = self._drag
        delta = self._delta(event)
        self.setPos(start + delta)
        for node_id, position in starts.items():
            item = self.scene().node_items[node_id]
            item.setPos(position + delta)
            item.adjust_edges()

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is None:
            return
        _, starts, start = self._drag
        delta = self._delta(event)
        self._drag = None
        self.setCursor(Qt.OpenHandCursor)
        moved = annotation_edits.move_frame(
            self.document, self.frame.id, (delta.x(), delta.y()), list(starts)
        )
        if not moved:  # refused or not moved: everything back where the document has it
            self.setPos(start)
            for node_id, position in starts.items():
                item = self.scene().node_items[node_id]
                item.setPos(position)
                item.adjust_edges()

    def mouseDoubleClickEvent(self, event) -> None:
        if not self.document.locked:
            self.title.start()

    def _retitle(self, text: str) -> None:
        frame = Frame(self.frame.id, text.strip(), self.frame.colour, self.frame.rect)
        if not annotation_edits.change(self.document, frame, f"Rename frame to {text!r}"):
            self.title.setPlainText(self.frame.title)


def _index(colour: str) -> int:
    return COLOURS.index(colour) if colour in COLOURS else -1


class NoteItem(QGraphicsObject):
    """A note: its text on a paper-coloured card."""

    def __init__(self, note: Note, document: Document, theme: Theme) -> None:
        super().__init__()
        self.document, self.theme = document, theme
        self.setZValue(0.5)
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemIsMovable)
        self.text = InPlaceText(self, self._edited, one_line=False)
        self.text.setPos(NOTE_PAD, NOTE_PAD)
        self.text.document().contentsChanged.connect(self._resized)
        self._pressed_at: QPointF | None = None
        self.setToolTip("A note: double-click to edit it")
        self.set_note(note)

    def set_note(self, note: Note) -> None:
        self.note = note
        self.setPos(*note.position)
        self.text.setTextWidth(note.width - 2 * NOTE_PAD)
        if not self.text.editing():
            self.text.setPlainText(note.text)
        self.text.setDefaultTextColor(QColor("#3b3320"))
        self._resized()

    def _resized(self) -> None:
        self.prepareGeometryChange()
        height = max(self.text.boundingRect().height(), 20) + 2 * NOTE_PAD
        self.rect = QRectF(0, 0, self.note.width, height)
        self.update()

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        paper = QColor("#f3e6a3" if self.theme.dark else "#fff4b8")
        painter.setPen(QPen(self.theme.selection if self.isSelected() else paper.darker(130), 1))
        painter.setBrush(paper)
        painter.drawRoundedRect(self.rect, 6, 6)

    def mousePressEvent(self, event) -> None:
        if self.document.locked:
            event.ignore()
            return
        self._pressed_at = self.pos()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        grid = getattr(self.scene(), "snap_grid", None)
        if grid:
            self.setPos(*snap((self.x(), self.y()), grid))

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        start, self._pressed_at = self._pressed_at, None
        if start is None or start == self.pos():
            return
        note = Note(self.note.id, self.note.text, (self.x(), self.y()), self.note.width)
        if not annotation_edits.change(self.document, note, f"Move {note.id}"):
            self.setPos(start)

    def mouseDoubleClickEvent(self, event) -> None:
        if not self.document.locked:
            self.text.start()

    def _edited(self, text: str) -> None:
        note = Note(self.note.id, text, self.note.position, self.note.width)
        if not annotation_edits.change(self.document, note, f"Edit {note.id}"):
            self.text.setPlainText(self.note.text)
