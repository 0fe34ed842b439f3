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

from .heatmap import heat_image

TILE = 38  # pixels of a tile in the inspector
COLUMNS = 7


def unit_image(grid: np.ndarray) -> QImage:
    """One unit's grid (x along the first axis) as an image with x to the right and y up."""
    rows, columns = grid.shape[1], grid.shape[0]
    return heat_image(np.asarray(grid).T[::-1], rows, columns)


class UnitTile(QWidget):
    """One unit: its heatmap, and its weights and bias in the tooltip."""

    def __init__(self, unit: int, values: np.ndarray, tip: str, parent=None) -> None:
        super().__init__(parent)
        self.unit, self.values = unit, values
        self.image = unit_image(values)
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
        """Draw the units of ``node_id`` (``grids``: (units, n, n)); None hides the strip."""
        for tile in self.tiles:
            self.grid.removeWidget(tile)
            tile.deleteLater()
        self.tiles = []
        self.setVisible(grids is not None)
        if grids is None:
            return
        self.caption.setText(
            f"<b>{len(grids)} units</b> of {node_id} over the input plane"
            " (x to the right, y up; hover a unit for its weights)"
        )
        for unit, values in enumerate(grids):
            tile = UnitTile(unit, values, tips[unit], self)
            self.grid.addWidget(tile, unit // COLUMNS, unit % COLUMNS)
            self.tiles.append(tile)

    def update_units(self, grids: np.ndarray, tips: list[str]) -> None:
        """New values for the units shown (training moved them): repaint, lay out nothing."""
        if len(grids) != len(self.tiles):
            return
        for tile, values, tip in zip(self.tiles, grids, tips, strict=True):
            tile.values, tile.image = values, unit_image(values)
            tile.setToolTip(tip)
            tile.update()
