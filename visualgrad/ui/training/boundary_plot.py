"""The decision boundary of a 2-D classifier: its prediction on a grid under the training points.

The grid is chosen here, from the data; the training worker runs the model on it
between steps and hands back the ``prediction_image`` of the output, drawn
as a probability (binary) or as the predicted class (several classes).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QWidget

from ...engine.datasets import Dataset
from ...graph.training_worker import GRID
from ..theme import SERIES

MARGIN = 0.1  # share of the data's extent added on each side
MAX_POINTS = 2000  # training points drawn; more would make the scatter slow

PROBABILITY_LUT = pg.ColorMap(
    [0.0, 0.5, 1.0], [SERIES[0], (255, 255, 255), SERIES[1]]
).getLookupTable(0.0, 1.0, 256)


def shows_boundary(data: Dataset) -> bool:
    """Whether a dataset has a decision boundary to draw: two features and classes."""
    return data.x.ndim == 2 and data.x.shape[1] == 2 and data.task in ("binary", "multiclass")


def _colour(index: int) -> tuple[int, int, int]:
    return SERIES[index % len(SERIES)]


class BoundaryPlot(pg.PlotWidget):
    """The training points coloured by class over the model's prediction on a grid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("boundaryPlot")
        self.setAspectLocked(True)  # a circle in the data looks like one
        self.setMenuEnabled(False)
        self.grid = np.empty((0, 2))
        self._rect = QRectF()
        self._classes = 2
        self._image = pg.ImageItem(axisOrder="col-major")
        self._image.setOpacity(0.6)
        self._points = pg.ScatterPlotItem(size=6, pen=pg.mkPen(255, 255, 255, 160))
        self.addItem(self._image)
        self.addItem(self._points)

    def set_data(self, data: Dataset) -> None:
        """Show the training points and lay the grid over them; clears the prediction."""
        x = data.x[:MAX_POINTS]
        labels = data.y[:MAX_POINTS].reshape(len(x), -1)[:, 0].astype(np.int64)
        self._classes = max(data.num_classes or 2, 2)
        brushes = [pg.mkBrush(*_colour(c)) for c in range(self._classes)]
        self._points.setData(x[:, 0], x[:, 1], brush=[brushes[c] for c in labels])
        low, high = data.x.min(axis=0), data.x.max(axis=0)
        pad = (high - low) * MARGIN + 1e-6
        low, high = low - pad, high + pad
        xs, ys = np.meshgrid(
            np.linspace(low[0], high[0], GRID), np.linspace(low[1], high[1], GRID), indexing="ij"
        )
        self.grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        half = (high - low) / (GRID - 1) / 2  # each grid point is the centre of its pixel
        size = high - low + 2 * half
        self._rect = QRectF(low[0] - half[0], low[1] - half[1], size[0], size[1])
        self._image.clear()
        self.enableAutoRange()

    def show_prediction(self, image: np.ndarray, kind: str) -> None:
        """Draw a prediction image: a diverging map for "binary", class colours otherwise."""
        if kind == "binary":
            self._image.setImage(image, lut=PROBABILITY_LUT, levels=(0.0, 1.0))
        else:
            lut = np.array([_colour(c) for c in range(self._classes)], dtype=np.ubyte)
            self._image.setImage(image, lut=lut, levels=(0.0, float(self._classes)))
        self._image.setRect(self._rect)
