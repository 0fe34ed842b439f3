"""The warning badge of a node whose units are dead or saturated during training.

It sits on the node's top-left corner (the error mark has the top-right one), and its
tooltip says in one line what is wrong and why it matters, as graph/health.py words it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem
from shiboken6 import isValid

from .drawing import font
from .nodes import NodeItem

AMBER = QColor("#e8a317")
SIZE = 18.0


class HealthBadge(QGraphicsItem):
    """A small amber triangle with "!", explained by its tooltip."""

    def __init__(self, parent: NodeItem, text: str) -> None:
        super().__init__(parent)
        self.setPos(-4, -10)
        self.setZValue(3)
        self.setAcceptHoverEvents(True)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.text = text
        self.setToolTip(text)

    def boundingRect(self) -> QRectF:
        return QRectF(-1, -1, SIZE + 2, SIZE + 2)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        triangle = QPainterPath(QPointF(SIZE / 2, 0))
        triangle.lineTo(SIZE, SIZE)
        triangle.lineTo(0, SIZE)
        triangle.closeSubpath()
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(QPen(AMBER.darker(140), 1))
        painter.setBrush(AMBER)
        painter.drawPath(triangle)
        painter.setPen(Qt.black)
        painter.setFont(font("title"))
        painter.drawText(QRectF(0, 3, SIZE, SIZE - 3), Qt.AlignCenter, "!")


class HealthBadges:
    """The badges on a scene's nodes, following the latest warnings of the health plot."""

    def __init__(self, scene) -> None:
        self.scene = scene
        self.badges: dict[str, HealthBadge] = {}

    def show(self, found: dict[str, str]) -> None:
        """Badge exactly the nodes of ``found`` (node id -> one line), with those lines."""
        for node_id in list(self.badges):
            badge = self.badges[node_id]
            item = self.scene.node_items.get(node_id)
            if not isValid(badge):  # went with its node when the scene was rebuilt
                self.badges.pop(node_id)
            elif node_id not in found or item is None or badge.parentItem() is not item:
                self.badges.pop(node_id)
                if badge.scene() is not None:
                    badge.scene().removeItem(badge)
        for node_id, text in found.items():
            item = self.scene.node_items.get(node_id)
            if item is None:
                continue
            if node_id in self.badges:
                self.badges[node_id].set_text(text)
            else:
                self.badges[node_id] = HealthBadge(item, text)
