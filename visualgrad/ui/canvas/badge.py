"""The badge an edge carries during playback: a number for a scalar; for a tensor its
shape, its mean and a small heatmap. It floats above the nodes, so it stays readable
where edges are short."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from .drawing import DETAIL, detail, font

MAP_W, MAP_H = 30.0, 16.0


def heat_image(array: np.ndarray, columns: int = 24, rows: int = 12) -> QImage:
    """A tensor as a picture: rows by columns (sampled), blue below zero, red above."""
    grid = np.asarray(array, dtype=float)
    grid = grid.reshape(-1, grid.shape[-1]) if grid.ndim > 1 else grid.reshape(1, -1)
    rows_at = np.linspace(0, grid.shape[0] - 1, min(rows, grid.shape[0])).astype(int)
    cols_at = np.linspace(0, grid.shape[1] - 1, min(columns, grid.shape[1])).astype(int)
    grid = np.nan_to_num(grid[np.ix_(rows_at, cols_at)])
    bound = float(np.abs(grid).max()) or 1.0
    t = grid / bound  # -1 .. 1
    red = np.where(t > 0, 255, 255 * (1 + t))
    blue = np.where(t < 0, 255, 255 * (1 - t))
    green = 255 * (1 - np.abs(t))
    rgba = np.stack([red, green, blue, np.full_like(t, 255)], axis=-1).astype(np.uint8)
    rgba = np.ascontiguousarray(rgba)
    height, width = rgba.shape[:2]
    return QImage(rgba.data, width, height, 4 * width, QImage.Format_RGBA8888).copy()


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
        self.image = heat_image(array) if wide else None
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
