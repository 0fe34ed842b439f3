"""What the canvas draws of an edge: a curve from an output port to an input port, with its
shape label, its playback badge and its gradient colour."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from ...graph.graph import Edge
from ..theme import Theme
from .badge import EdgeBadge
from .drawing import DETAIL, detail, font

if TYPE_CHECKING:
    from .nodes import PortItem


class EdgeItem(QGraphicsItem):
    """A curve from an output port to an input port, labelled with the tensor's shape."""

    def __init__(self, edge: Edge, source: PortItem, target: PortItem, theme: Theme) -> None:
        super().__init__()
        self.edge, self.source, self.target, self.theme = edge, source, target, theme
        self.shape_text = ""
        self.badge = ""  # playback: the value or gradient carried, as text
        self.colour: QColor | None = None  # gradient magnitude colouring; None: the theme's
        self.badge_item = None
        # exposedRect then holds the part being repainted, so off-screen labels are skipped.
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemUsesExtendedStyleOption)
        self.setZValue(0)
        self.setToolTip(str(edge))
        source.node_item.edges.append(self)
        target.node_item.edges.append(self)
        self._path = QPainterPath()
        self.adjust()

    def detach(self) -> None:
        self.set_badge("", None)
        for item in (self.source.node_item, self.target.node_item):
            if self in item.edges:
                item.edges.remove(self)

    def adjust(self) -> None:
        self.prepareGeometryChange()
        self._path = curve(self.source.center(), self.target.center())
        self._bounds = self._path.boundingRect().adjusted(-60, -24, 60, 24)
        if getattr(self, "badge_item", None) is not None:
            self._place_badge()

    def path(self) -> QPainterPath:
        return self._path

    def point_at(self, fraction: float) -> QPointF:
        return self._path.pointAtPercent(min(max(fraction, 0.0), 1.0))

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self._path)

    def set_shape(self, text: str) -> None:
        if text != self.shape_text:
            self.shape_text = text
            self.update()

    def set_badge(self, text: str, colour: QColor | None, array=None) -> None:
        """Show what flowed along the edge (``text``, and ``array`` as a heatmap); "" hides it."""
        self.badge = text
        if not text:
            if self.badge_item is not None and self.badge_item.scene() is not None:
                self.badge_item.scene().removeItem(self.badge_item)
            self.badge_item = None
        elif self.badge_item is None:
            self.badge_item = EdgeBadge(text, colour, array, self.theme.on_accent)
            if self.scene() is not None:
                self.scene().addItem(self.badge_item)
        else:
            self.badge_item.set(text, colour, array)
        self._place_badge()
        self.update()

    def _place_badge(self) -> None:
        if self.badge_item is not None:
            self.badge_item.setPos(self.point_at(0.5) - QPointF(0, 14))

    def set_colour(self, colour: QColor | None) -> None:
        self.colour = colour
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.theme
        colour = self.colour or theme.edge
        # One pixel, whatever the zoom: antialiased hairlines are five times cheaper to draw
        # than wider curves, which keeps a graph of hundreds of edges at 60 frames a second.
        # Edges that matter (selected, coloured by gradient) are drawn wider.
        width = 1.0
        if self.isSelected():
            colour, width = theme.selection, 2.5
        elif self.colour is not None:
            width = 2.5
        pen = QPen(colour, width)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self._path)
        label = self.shape_text
        if not label or self.badge or detail(painter) < DETAIL:
            return
        mid = self.point_at(0.5)
        if not option.exposedRect.adjusted(-80, -10, 80, 10).contains(mid):
            return
        painter.setFont(font("small"))
        metrics = QFontMetricsF(font("small"))
        w = metrics.horizontalAdvance(label) + 10
        box = QRectF(mid.x() - w / 2, mid.y() - 8, w, 16)
        painter.setPen(QPen(theme.node_border, 1))
        painter.setBrush(theme.canvas)
        painter.drawRoundedRect(box, 7, 7)
        painter.setPen(theme.muted)
        painter.drawText(box, Qt.AlignCenter, label)


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """The S-curve an edge follows: leaves to the right, arrives from the left."""
    path = QPainterPath(start)
    reach = max(40.0, abs(end.x() - start.x()) * 0.5)
    path.cubicTo(start + QPointF(reach, 0), end - QPointF(reach, 0), end)
    return path
