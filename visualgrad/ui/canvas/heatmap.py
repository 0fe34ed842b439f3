"""Tensors as heatmaps, blue below zero, white at zero and red above: the small one on a
playback badge and the inspector's, drawn alike from graph.summaries.heat_grid.

The inspector's can be clicked (``clicked`` names the element under the mouse), can
outline one element, and can dim every element but those ``mark`` lights up."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QWidget

from ...graph.summaries import heat_cell, heat_grid, heat_index

CELLS = 64  # rows and columns a heatmap shows at most
FAINT = 110  # the veil over connected elements whose derivative is 0 here (225: not connected)


def heat_rgba(t: np.ndarray) -> np.ndarray:
    """Values scaled into [-1, 1] as RGBA bytes (an extra last axis of 4)."""
    red = np.where(t > 0, 255, 255 * (1 + t))
    blue = np.where(t < 0, 255, 255 * (1 - t))
    green = 255 * (1 - np.abs(t))
    return np.stack([red, green, blue, np.full_like(t, 255)], axis=-1).astype(np.uint8)


def rgba_image(rgba: np.ndarray) -> QImage:
    """An image of (height, width, 4) RGBA bytes."""
    rgba = np.ascontiguousarray(rgba)
    height, width = rgba.shape[:2]
    return QImage(rgba.data, width, height, 4 * width, QImage.Format_RGBA8888).copy()


def heat_image(array: np.ndarray, rows: int, columns: int) -> QImage:
    """One pixel per value of ``heat_grid(array, rows, columns)``."""
    return rgba_image(heat_rgba(heat_grid(array, rows, columns)))


class Heatmap(QWidget):
    """A tensor's heatmap stretched over the widget, a block of colour per value."""

    clicked = Signal(tuple)  # the index of the element clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(110)
        self.image: QImage | None = None
        self.shape: tuple[int, ...] = ()
        self.cells = (0, 0)  # rows and columns drawn
        self.dimmed: QImage | None = None  # over the elements not lit up
        self.chosen: tuple[int, int] | None = None  # the cell outlined

    def show_array(
        self, array: np.ndarray, lit: np.ndarray | None = None, faint: np.ndarray | None = None
    ) -> None:
        """Draw ``array``; with ``lit`` (a mask of its shape) the other elements are dimmed,
        those of ``faint`` (a second mask) half as much."""
        self.image = heat_image(array, CELLS, CELLS)
        self.shape = tuple(np.shape(array))
        self.cells = (self.image.height(), self.image.width())
        self.chosen = None
        self.dimmed = None
        if lit is not None:
            shown = heat_grid(np.asarray(lit, dtype=float), CELLS, CELLS) > 0
            alpha = np.where(shown, 0, 225).astype(np.uint8)
            if faint is not None:
                half = heat_grid(np.asarray(faint, dtype=float), CELLS, CELLS) > 0
                alpha[half & ~shown] = FAINT
            rgba = np.zeros(shown.shape + (4,), dtype=np.uint8)
            rgba[..., :3], rgba[..., 3] = 205, alpha  # grey over what is not lit
            self.dimmed = rgba_image(rgba)
        self.update()

    def choose(self, index: tuple[int, ...] | None) -> None:
        """Outline the cell that shows element ``index`` (None: none)."""
        self.chosen = None
        if index is not None and self.image is not None:
            self.chosen = heat_cell(self.shape, CELLS, CELLS, index)
        self.update()

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        rows, columns = self.cells
        if not rows or not (0 <= x < self.width() and 0 <= y < self.height()):
            return None
        return int(y * rows / self.height()), int(x * columns / self.width())

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is not None and event.button() == Qt.LeftButton:
            self.clicked.emit(heat_index(self.shape, CELLS, CELLS, *cell))

    def paintEvent(self, event) -> None:
        if self.image is None:
            return
        painter = QPainter(self)
        painter.drawImage(self.rect(), self.image)
        if self.dimmed is not None:
            painter.drawImage(self.rect(), self.dimmed)
        if self.chosen is not None:
            rows, columns = self.cells
            h, w = self.height() / rows, self.width() / columns
            row, column = self.chosen
            painter.setPen(QPen(QColor(20, 20, 20), 2))
            painter.drawRect(QRectF(column * w, row * h, w, h).adjusted(1, 1, -1, -1))
