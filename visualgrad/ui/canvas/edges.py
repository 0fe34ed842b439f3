"""What the canvas draws of an edge: a curve from an output port to an input port, bent
through its reroute points, with its shape label, its playback badge, its gradient colour,
and a highlight and a tooltip of what it carries while the mouse is over it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from ...graph.graph import Edge
from ...graph.reroutes import Point
from ...graph.wiring import wire_summary
from ..theme import Theme
from .badge import EdgeBadge
from .drawing import DETAIL, detail, font
from .reroute_point import ReroutePoint
from .spots import free_spot

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
        self.points: tuple[Point, ...] = ()  # the reroute points it bends through
        self.handles: list[ReroutePoint] = []  # one dot on each, over the wires
        self.hovered = False
        self.doomed = False  # crossed by a cut line being drawn
        # what the pass shown sent along it: "value" forward, "gradient" back (set by playback)
        self.carried: dict[str, np.ndarray] = {}
        # exposedRect then holds the part being repainted, so off-screen labels are skipped.
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemUsesExtendedStyleOption)
        self.setZValue(0)
        self.setToolTip(str(edge))
        self.setAcceptHoverEvents(True)
        source.node_item.edges.append(self)
        target.node_item.edges.append(self)
        self._path = QPainterPath()
        self._shape: QPainterPath | None = None
        self.adjust()

    def detach(self) -> None:
        self.set_badge("", None)
        self._drop_handles()
        for item in (self.source.node_item, self.target.node_item):
            if self in item.edges:
                item.edges.remove(self)

    def adjust(self) -> None:
        self.prepareGeometryChange()
        self._path = curve_through(self.source.center(), self.points, self.target.center())
        self._shape = None
        self._label_at: QPointF | None = None  # found again when next drawn
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
        if self._shape is None:  # asked for at every mouse move over it: made once per path
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self._path)
        return self._shape

    def set_points(self, points: Sequence[Point]) -> None:
        """Bend through ``points`` (scene coordinates), each drawn as a handle to drag."""
        self.points = tuple(points)
        self._drop_handles()
        for index, (x, y) in enumerate(self.points):
            handle = ReroutePoint(self, index)
            handle.setPos(x, y)
            self.handles.append(handle)
            if self.scene() is not None:
                self.scene().addItem(handle)
        self.adjust()

    def _drop_handles(self) -> None:
        for handle in self.handles:
            if handle.scene() is not None:
                handle.scene().removeItem(handle)
        self.handles = []

    def setVisible(self, visible: bool) -> None:
        """Hidden while pulled off its input: its reroute points with it."""
        super().setVisible(visible)
        for handle in self.handles:
            handle.setVisible(visible)

    def hoverEnterEvent(self, event) -> None:
        self.hovered = True
        value, gradient = self.carried.get("value"), self.carried.get("gradient")
        self.setToolTip(wire_summary(str(self.edge), self.shape_text, value, gradient))
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self.hovered = False
        self.update()

    def set_shape(self, text: str) -> None:
        if text != self.shape_text:
            self.shape_text = text
            self._label_at = None
            self.update()

    def label_rect(self) -> QRectF:
        """Where the shape label is drawn (scene coordinates): on the edge, off the nodes."""
        width = QFontMetricsF(font("small")).horizontalAdvance(self.shape_text) + 10
        if self._label_at is None:
            self._label_at = free_spot(self, width, 16)
        return QRectF(self._label_at.x() - width / 2, self._label_at.y() - 8, width, 16)

    def held_label(self) -> QRectF | None:
        """The shape label's box if it is drawn and placed: what another label or badge avoids."""
        if not self.shape_text or self.badge or self._label_at is None:
            return None
        return self.label_rect()

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
            size = self.badge_item.rect.size()
            self.badge_item.setPos(free_spot(self, size.width(), size.height(), 14))

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
        if self.doomed:
            colour, width = theme.error, 2.5
        elif self.isSelected():
            colour, width = theme.selection, 2.5
        elif self.hovered:
            colour, width = theme.selection.lighter(130), 3.0
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
        box = self.label_rect()
        if not option.exposedRect.intersects(box):
            return
        painter.setFont(font("small"))
        painter.setPen(QPen(theme.node_border, 1))
        painter.setBrush(theme.canvas)
        painter.drawRoundedRect(box, 7, 7)
        painter.setPen(theme.muted)
        painter.drawText(box, Qt.AlignCenter, label)


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """The S-curve an edge follows: leaves to the right, arrives from the left."""
    return curve_through(start, (), end)


def curve_through(start: QPointF, points: Sequence[Point], end: QPointF) -> QPainterPath:
    """S-curves from ``start`` through each reroute point to ``end``: each leaves to the
    right and arrives from the left."""
    path = QPainterPath(start)
    anchors = [start, *(QPointF(x, y) for x, y in points), end]
    for a, b in zip(anchors, anchors[1:]):
        reach = max(40.0 if not points else 20.0, abs(b.x() - a.x()) * 0.5)
        path.cubicTo(a + QPointF(reach, 0), b - QPointF(reach, 0), b)
    return path
