"""The badge an edge carries during playback: a number for a scalar; for a tensor its
shape, its mean and a small heatmap. It floats above the nodes, so it stays readable
where edges are short."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from .drawing import DETAIL, detail, font
from .heatmap import heat_image

MAP_W, MAP_H = 30.0, 16.0


class EdgeBadge(QGraphicsItem):
    """What flowed along one edge in the last step: shown above the edge's middle."""

    def __init__(self, text: str, colour: QColor, array: np.ndarray | None, ink: QColor) -> None:
        super().__init__()
        self.ink = ink  # the colour of the text
        self.setZValue(4)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.set(text, colour, array)

    def set(self, text: str, colour: QColor, array: np.ndarray | None) -> None:
        self.prepareGeometryChange()
        self.text, self.colour = text, colour
        wide = array is not None and np.size(array) > 1
        self.image = heat_image(array, 12, 24) if wide else None
        metrics = QFontMetricsF(font("small"))
        width = metrics.horizontalAdvance(text) + 12 + (MAP_W + 4 if wide else 0)
        self.rect = QRectF(-width / 2, -9, width, 18)
        self.setToolTip(text)
        self.update()

    def boundingRect(self) -> QRectF:
        return self.rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if detail(painter) < DETAIL:
            return
        painter.setPen(QPen(self.colour.darker(120), 1))
        painter.setBrush(self.colour)
        painter.drawRoundedRect(self.rect, 8, 8)
        text_rect = QRectF(self.rect)
        if self.image is not None:
            target = QRectF(self.rect.right() - MAP_W - 3, -MAP_H / 2 + 1, MAP_W, MAP_H - 2)
            painter.drawImage(target, self.image)
            text_rect.setRight(target.left() - 2)
        painter.setPen(self.ink)
        painter.setFont(font("small"))
        painter.drawText(text_rect, Qt.AlignCenter, self.text)
