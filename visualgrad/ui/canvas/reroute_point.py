"""A handle on a wire where it bends: the scene drags it, removes it on Alt-click or Delete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

if TYPE_CHECKING:
    from .edges import EdgeItem

RADIUS = 5.0


class ReroutePoint(QGraphicsItem):
    """The ``index``-th reroute point of a wire, drawn as a dot on it."""

    def __init__(self, edge_item: EdgeItem, index: int) -> None:
        super().__init__()
        self.edge_item, self.index = edge_item, index
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setZValue(0.5)  # over every wire and its label, under the nodes
        self.setCursor(Qt.SizeAllCursor)
        self.setToolTip("Reroute point: drag to move it; Alt-click or Delete removes it")

    def boundingRect(self) -> QRectF:
        r = RADIUS + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.edge_item.theme
        selected = self.isSelected()
        painter.setPen(QPen(theme.selection if selected else theme.node_border, 1.5))
        painter.setBrush(theme.selection if selected else theme.edge)
        painter.drawEllipse(QPointF(0, 0), RADIUS, RADIUS)
