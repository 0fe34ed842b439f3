"""The canvas: a view on the scene with zoom, pan, drops from the palette, Tab search
and an overview map in its corner."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPainter, QPen, QTransform
from PySide6.QtWidgets import QFrame, QGraphicsTextItem, QGraphicsView

from ...graph import catalog
from .scene import CanvasScene
from .search import NodeSearch

NODE_MIME = "application/x-visualgrad-node"
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0


def dropped_file(data: QMimeData) -> str | None:
    """The local file a drag carries (the first, when it carries several), else None."""
    if not data.hasUrls():
        return None
    paths = [url.toLocalFile() for url in data.urls() if url.isLocalFile()]
    return paths[0] if paths else None


class Overview(QGraphicsView):
    """A small picture of the whole graph with the visible part framed; click to go there."""

    def __init__(self, canvas: CanvasView) -> None:
        super().__init__(canvas.scene(), canvas)
        self.canvas = canvas
        self.setObjectName("overview")
        self.setInteractive(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Box)
        self.setRenderHint(QPainter.Antialiasing, False)
        self.setFixedSize(200, 120)
        self.setToolTip("Overview: click to move the view there")

    def refit(self) -> None:
        rect = self.canvas.scene().items_rect()
        if not rect.isNull():
            self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.KeepAspectRatio)
        self.viewport().update()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        visible = self.canvas.mapToScene(self.canvas.viewport().rect()).boundingRect()
        colour = QColor(self.canvas.scene().theme.selection)
        painter.setPen(QPen(colour, 0))
        colour.setAlpha(40)
        painter.setBrush(colour)
        painter.drawRect(visible)

    def mousePressEvent(self, event) -> None:
        self.canvas.centerOn(self.mapToScene(event.position().toPoint()))


class CanvasView(QGraphicsView):
    """Where a person builds the graph."""

    zoom_changed = Signal(float)
    file_dropped = Signal(str)  # a local file dropped here: the window opens it

    def __init__(self, scene: CanvasScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setObjectName("canvas")
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)  # panels resized: the view stays put
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.DontSavePainterState, True)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setSceneRect(QRectF(-20000, -20000, 40000, 40000))
        self._panning: QPoint | None = None
        self._space = False
        self.search = NodeSearch(self)
        self.search.refused.connect(scene.document.status)
        self.search.closed.connect(scene.wires.clear_pending)
        scene.wires.search_requested.connect(self.open_search)
        self.overview = Overview(self)
        self.overview.hide()
        scene.shapes_refreshed.connect(self._refresh_overview)

    # ---- zoom and pan -----------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(max(self.zoom() * factor, MIN_ZOOM), MAX_ZOOM)
        factor = target / self.zoom()
        if factor != 1.0:
            self.scale(factor, factor)
            self.zoom_changed.emit(self.zoom())
            self.overview.viewport().update()

    def reset_zoom(self) -> None:
        self.zoom_by(1.0 / self.zoom())

    def view_size(self) -> tuple[float, float]:
        """The visible area's width and height in pixels: what auto-layout fits the graph to."""
        size = self.viewport().size()
        return (float(max(size.width(), 1)), float(max(size.height(), 1)))

    def fit_to_view(self) -> None:
        rect = self.scene().items_rect()
        if rect.isNull():
            return
        padded = rect.adjusted(-40, -40, 40, 40)
        width, height = self.view_size()
        scale = min(width / padded.width(), height / padded.height(), 1.5)
        scale = min(max(scale, MIN_ZOOM), MAX_ZOOM)
        self.setTransform(QTransform.fromScale(scale, scale))  # no anchor: not the mouse's
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom())
        self.overview.viewport().update()

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.ShiftModifier:
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.15**steps)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MiddleButton or (self._space and event.button() == Qt.LeftButton):
            self._panning = event.position().toPoint()
            self.setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        self.search.hide()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._panning is not None:
            delta = event.position().toPoint() - self._panning
            self._panning = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            self.overview.viewport().update()
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._panning is not None:
            self._panning = None
            self.unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)
        self._refresh_overview()

    def typing(self) -> bool:
        """True while a note or a frame's title on the canvas is being edited."""
        return isinstance(self.scene().focusItem(), QGraphicsTextItem)

    def keyPressEvent(self, event) -> None:
        if self.typing():  # every key is the text's, Space and Tab included
            super().keyPressEvent(event)
            return
        if event.key() == Qt.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setCursor(Qt.OpenHandCursor)
            return
        if event.key() == Qt.Key_Tab and not self.scene().document.locked:
            self.open_search()
            return
        if event.matches(QKeySequence.ZoomIn) or event.key() == Qt.Key_Equal:
            self.zoom_by(1.25)
            return
        if event.matches(QKeySequence.ZoomOut):
            self.zoom_by(0.8)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key_Space and not event.isAutoRepeat() and not self.typing():
            self._space = False
            self.unsetCursor()
            return
        super().keyReleaseEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # Tab opens the search instead
        return False

    # ---- adding nodes -------------------------------------------------------------------------
    def open_search(
        self,
        scene_pos: QPointF | None = None,
        names: Sequence[str] | None = None,
        chosen: Callable[[str], None] | None = None,
        hint: str = "Add a node: type its name, Enter",
    ) -> None:
        """A search field at ``scene_pos`` (Tab: the cursor) offering ``names`` (every node
        type); the one picked goes to ``chosen``, which by default places it there."""
        if scene_pos is None:
            cursor = self.mapFromGlobal(self.cursor().pos())
            if not self.viewport().rect().contains(cursor):
                cursor = self.viewport().rect().center()
            scene_pos = self.mapToScene(cursor)
        at = QPointF(scene_pos)

        def place_there(type_name: str) -> None:
            self.place(type_name, at)

        def then_focus(type_name: str) -> None:
            (chosen or place_there)(type_name)
            self.setFocus()

        names = list(catalog.CATALOG) if names is None else list(names)
        self.search.open(self.mapFromScene(at), names, then_focus, hint)

    def place(self, type_name: str, scene_pos: QPointF | None = None) -> str | None:
        """Add a node of ``type_name`` centred at ``scene_pos`` (the view's centre by default)."""
        if scene_pos is None:
            scene_pos = self.mapToScene(self.viewport().rect().center())
        position = (round(scene_pos.x() - 84), round(scene_pos.y() - 30))
        node_id = self.scene().document.add_node(type_name, position)
        if node_id is not None:
            self.scene().insert_if_on_edge(node_id)
            self.scene().select_nodes([node_id])
        return node_id

    def _wanted(self, data) -> bool:
        return data.hasFormat(NODE_MIME) or dropped_file(data) is not None

    def dragEnterEvent(self, event) -> None:
        if self._wanted(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:
        if self._wanted(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:
        path = None if event.mimeData().hasFormat(NODE_MIME) else dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.file_dropped.emit(path)
            return
        if not event.mimeData().hasFormat(NODE_MIME):
            super().dropEvent(event)
            return
        type_name = bytes(event.mimeData().data(NODE_MIME)).decode()
        if type_name in catalog.CATALOG:
            self.place(type_name, self.mapToScene(event.position().toPoint()))
            event.acceptProposedAction()

    # ---- the overview -----------------------------------------------------------------------
    def set_overview_visible(self, visible: bool) -> None:
        self.overview.setVisible(visible)
        self._place_overview()
        self._refresh_overview()

    def _place_overview(self) -> None:
        self.overview.move(self.width() - self.overview.width() - 18, self.height() - 138)

    def _refresh_overview(self) -> None:
        if self.overview.isVisible():
            self.overview.refit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if hasattr(self, "overview"):
            self._place_overview()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        overview = getattr(self, "overview", None)  # absent while the view is being built
        if overview is not None and overview.isVisible():
            self.overview.viewport().update()
