"""A layer's units as small heatmaps over the input plane: the inspector's strip of them.

Each tile is one unit's activation over the plane of the decision boundary (x to the
right, y up), blue below zero, white at zero, red above, scaled by its largest magnitude.
The grids come from graph.neurons; this only draws them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from .heatmap import heat_rgba, rgba_image

TILE = 38  # pixels of a tile in the inspector
COLUMNS = 7


def unit_images(grids: np.ndarray) -> list[QImage]:
    """Each unit's grid of (units, n, n), x along the first axis, as an image with x to
    the right and y up, scaled by the unit's own largest magnitude."""
    grids = np.nan_to_num(np.asarray(grids, dtype=float))
    scale = np.abs(grids).max(axis=(1, 2), keepdims=True)
    t = grids / np.where(scale > 0, scale, 1.0)
    rgba = heat_rgba(t.transpose(0, 2, 1)[:, ::-1])
    return [rgba_image(unit) for unit in rgba]


class UnitTile(QWidget):
    """One unit: its heatmap, and its weights and bias in the tooltip."""

    def __init__(self, unit: int, values: np.ndarray, image: QImage, tip: str, parent=None):
        super().__init__(parent)
        self.unit, self.values, self.image = unit, values, image
        self.setFixedSize(TILE, TILE)
        self.setToolTip(tip)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.drawImage(self.rect().adjusted(1, 1, -1, -1), self.image)
        painter.setPen(QPen(Qt.gray, 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))


class NeuronStrip(QWidget):
    """The selected layer's units, a tile each, wrapped into rows."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("neuronStrip")
        self.tiles: list[UnitTile] = []
        self.node_id: str | None = None  # the layer shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.grid = QGridLayout()
        self.grid.setSpacing(2)
        self.grid.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        layout.addWidget(self.caption)
        layout.addLayout(self.grid)
        self.setVisible(False)

    def show_units(self, node_id: str | None, grids: np.ndarray | None, tips: list[str]) -> None:
        """Draw the units of ``node_id`` (``grids``: (units, n, n)); None hides the strip.
        The same layer again (training moved it) is repainted in place."""
        if grids is not None and node_id == self.node_id and len(grids) == len(self.tiles):
            for tile, values, image, tip in zip(
                self.tiles, grids, unit_images(grids), tips, strict=True
            ):
                tile.values, tile.image = values, image
                tile.setToolTip(tip)
                tile.update()
            return
        for tile in self.tiles:
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles, self.node_id = [], node_id if grids is not None else None
        self.setVisible(grids is not None)
        if grids is None:
            return
        self.caption.setText(
            f"<b>{len(grids)} units</b> of {node_id} over the input plane"
            " (x to the right, y up; hover a unit for its weights)"
        )
        for unit, (values, image) in enumerate(zip(grids, unit_images(grids), strict=True)):
            tile = UnitTile(unit, values, image, tips[unit], self)
            self.grid.addWidget(tile, unit // COLUMNS, unit % COLUMNS)
            self.tiles.append(tile)
