"""Tensors as heatmaps, blue below zero, white at zero and red above: the small one on a
playback badge and the inspector's, drawn alike from graph.summaries.heat_grid."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

from ...graph.summaries import heat_grid


def heat_image(array: np.ndarray, rows: int, columns: int) -> QImage:
    """One pixel per value of ``heat_grid(array, rows, columns)``."""
    t = heat_grid(array, rows, columns)
    red = np.where(t > 0, 255, 255 * (1 + t))
    blue = np.where(t < 0, 255, 255 * (1 - t))
    green = 255 * (1 - np.abs(t))
    rgba = np.stack([red, green, blue, np.full_like(t, 255)], axis=-1).astype(np.uint8)
    rgba = np.ascontiguousarray(rgba)
    height, width = rgba.shape[:2]
    return QImage(rgba.data, width, height, 4 * width, QImage.Format_RGBA8888).copy()


class Heatmap(QWidget):
    """A tensor's heatmap stretched over the widget, a block of colour per value."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(110)
        self.image: QImage | None = None

    def show_array(self, array: np.ndarray) -> None:
        self.image = heat_image(array, 64, 64)
        self.update()

    def paintEvent(self, event) -> None:
        if self.image is not None:
            painter = QPainter(self)
            painter.drawImage(self.rect(), self.image)
