"""The live loss plot: every step's loss, raw and smoothed, each epoch's mean, and accuracy.

Points are kept in growing numpy arrays that the curves view without copying, and
pyqtgraph draws only the visible part, downsampled to peaks, so a million steps
stay smooth. The view widens only when the data leaves it, by a margin: moving
the view redraws both axes, the costliest part of a redraw, so it moves seldom.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QVBoxLayout, QWidget

from ..theme import SERIES

GROWTH = 1.5  # the step axis grows to this many times the last step when the data reaches its end
MARGIN = 0.25  # of the loss's range, added beyond the data when the loss axis grows
SMALLEST = 1e-12  # the loss shown where the log scale meets a loss of zero


class _Series:
    """Columns of floats in a buffer that doubles when full: appending is cheap, plots get views."""

    def __init__(self, columns: int) -> None:
        self._data = np.empty((columns, 1024))
        self.size = 0

    def extend(self, rows: np.ndarray) -> None:
        """Append ``rows``, shaped (columns, n)."""
        end = self.size + rows.shape[1]
        if end > self._data.shape[1]:
            grown = np.empty((len(self._data), max(2 * self._data.shape[1], end)))
            grown[:, : self.size] = self._data[:, : self.size]
            self._data = grown
        self._data[:, self.size : end] = rows
        self.size = end

    def __getitem__(self, column: int) -> np.ndarray:
        return self._data[column, : self.size]


def training_plot(name: str, label: str, along: str = "step") -> pg.PlotWidget:
    """A plot of ``label`` along ``along`` whose axes, grid and legend are drawn once and
    then copied until they change."""
    plot = pg.PlotWidget()
    plot.setObjectName(name)
    plot.setLabel("bottom", along)
    plot.setLabel("left", label)
    plot.showGrid(x=True, y=True, alpha=0.2)
    plot.setDownsampling(auto=True, mode="peak")
    plot.setClipToView(True)
    plot.addLegend(offset=(-10, 10))
    plot.getAxis("left").enableAutoSIPrefix(False)  # a loss reads 0.5, not 500 (x0.001)
    for item in (plot.getAxis("left"), plot.getAxis("bottom"), plot.getPlotItem().legend):
        item.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
    return plot


class LossPlot(QWidget):
    """The loss per step and per epoch over the steps of all runs, and the accuracy below it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loss = training_plot("lossPlot", "loss")
        self.loss.setMinimumHeight(100)
        self._raw = self.loss.plot(pen=pg.mkPen(150, 150, 150, 90))
        self._smoothed = self.loss.plot(pen=pg.mkPen(SERIES[0], width=2), name="loss")
        self._epoch_means = self.loss.plot(
            pen=None, symbol="o", symbolSize=5, symbolBrush=SERIES[3], name="epoch mean"
        )
        self.loss.getViewBox().sigRangeChangedManually.connect(self._left_alone)
        self.accuracy = training_plot("accuracyPlot", "accuracy")
        self.accuracy.setMinimumHeight(64)
        self.accuracy.getPlotItem().legend.setColumnCount(2)  # one line: it fits a short plot
        self.accuracy.setMaximumHeight(160)
        self.accuracy.setXLink(self.loss)
        self.accuracy.setYRange(0.0, 1.0)
        self.accuracy.enableAutoRange(x=False)
        self._accuracy = self.accuracy.plot(pen=pg.mkPen(SERIES[2], width=2), name="training")
        self._val_accuracy = self.accuracy.plot(
            pen=pg.mkPen(SERIES[4], width=2, style=Qt.DashLine), name="validation"
        )
        self._log = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss, 3)
        layout.addWidget(self.accuracy, 1)
        self.clear()

    def clear(self) -> None:
        """Forget every point: a new document starts a new plot."""
        self._steps = _Series(3)  # step, loss, smoothed loss
        self._epochs = _Series(4)  # step, mean loss, accuracy, validation accuracy
        self._bounds = (np.inf, -np.inf)  # of the raw loss
        self.follow()
        self.redraw()
        self.accuracy.hide()

    @property
    def points(self) -> int:
        """Steps received; the next redraw shows them."""
        return self._steps.size

    def epoch_count(self) -> int:
        """Finished epochs received, over all runs."""
        return self._epochs.size

    def epoch_rows(self, since: int) -> np.ndarray:
        """The finished epochs after the first ``since`` (rows: step, mean loss, accuracy,
        validation accuracy), a copy."""
        return np.array([self._epochs[row][since:] for row in range(4)])

    def last_smoothed(self) -> float | None:
        return float(self._steps[2][-1]) if self._steps.size else None

    def append(self, losses: np.ndarray, epochs: np.ndarray) -> None:
        """Add steps (rows: loss, smoothed loss) and finished epochs (rows: step, mean
        loss, accuracy, validation accuracy; NaN where there is none)."""
        if losses.shape[1]:
            first = self._steps.size + 1
            steps = np.arange(first, first + losses.shape[1], dtype=np.float64)
            self._steps.extend(np.vstack([steps, losses]))
            low, high = self._bounds
            self._bounds = (min(low, losses[0].min()), max(high, losses[0].max()))
        self._epochs.extend(epochs)

    def follow(self) -> None:
        """Fit the view to the data at the next redraw, and keep it there as the data grows."""
        self._following, self._fitted = True, False

    def set_log(self, on: bool) -> None:
        """Show the loss on a log scale (or not), fitted again."""
        self._log = on
        self.loss.setLogMode(y=on)
        self.follow()
        self.redraw()

    def redraw(self) -> None:
        steps, epochs = self._steps, self._epochs
        self._raw.setData(steps[0], steps[1])
        self._smoothed.setData(steps[0], steps[2])
        self._epoch_means.setData(epochs[0], epochs[1])
        if epochs.size and np.isfinite(epochs[2][-1]):
            self.accuracy.show()
            self._accuracy.setData(epochs[0], epochs[2])
            self._val_accuracy.setData(epochs[0], epochs[3])
        if self._following and steps.size:
            self._widen()

    def _left_alone(self) -> None:
        """The user moved the view: it stays where they put it until the next run."""
        self._following = False

    def _widen(self) -> None:
        view = self.loss.getViewBox()
        low, high = self._bounds
        if self._log:
            low, high = np.log10(max(low, SMALLEST)), np.log10(max(high, SMALLEST))
        margin = MARGIN * max(high - low, abs(high) * 1e-3, SMALLEST)
        last = self._steps[0][-1]
        (_, x_high), (y_low, y_high) = view.viewRange()
        if not self._fitted:
            x_high, y_low, y_high = 0.0, np.inf, -np.inf
            self._fitted = True
        if last > x_high:
            view.setXRange(0.0, GROWTH * last, padding=0.0)
        if low < y_low or high > y_high:
            view.setYRange(min(low - margin, y_low), max(high + margin, y_high), padding=0.0)
