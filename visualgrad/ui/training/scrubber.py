"""The scrubber under the loss plot: back to any snapshot of the parameters, and forward again.

The slider's last position is "now", the weights the document holds; every other one is a
snapshot training took (graph/snapshots.py keeps them within its bound). Moving to a
snapshot shows the model as it was then, in the boundary plot here and, through
``chosen``, in playback, without changing the document; "Keep these weights" asks for the
document edit (an undo step), "Train again" for a new start from the first snapshot.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from ...graph.graph import Graph
from ...graph.snapshots import Snapshot, Snapshots
from ...graph.time_travel import prediction_at
from .boundary_plot import BoundaryPlot

SETTLE_MS = 60  # the boundary is predicted again once the slider rests this long


class Scrubber(QWidget):
    """A slider over the snapshots, what it shows, and the two buttons that act on it."""

    chosen = Signal(object)  # the Snapshot shown, or None: the document's own weights
    keep_requested = Signal(object)  # the Snapshot whose weights the document should take
    train_again_requested = Signal()

    def __init__(
        self,
        boundary_plot: BoundaryPlot,
        graph: Callable[[], Graph | None],
        loss_plot: pg.PlotWidget,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.snapshots = Snapshots()
        self.boundary_plot, self._graph = boundary_plot, graph
        # Where the snapshot shown sits on the loss curve.
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(120, 120, 120, 200, width=1.5))
        self.marker.setVisible(False)
        loss_plot.addItem(self.marker, ignoreBounds=True)
        self.slider = QSlider(Qt.Horizontal, objectName="snapshotSlider")
        self.slider.setToolTip("Drag back to any snapshot of the weights taken while training")
        self.slider.valueChanged.connect(self._moved)
        self.label = QLabel(objectName="snapshotLabel")
        self.label.setMinimumWidth(self.label.fontMetrics().horizontalAdvance("step 00000"))
        self.keep_button = QPushButton("Keep these weights", objectName="keepSnapshotButton")
        self.keep_button.setToolTip("Make the snapshot shown the document's weights (undoable)")
        self.keep_button.clicked.connect(lambda: self.keep_requested.emit(self.current()))
        self.again_button = QPushButton("Train again", objectName="trainAgainButton")
        self.again_button.setToolTip("Start again from the weights the first run started from")
        self.again_button.clicked.connect(self.train_again_requested.emit)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._show_boundary)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("snapshots"))
        layout.addWidget(self.slider, 3)
        layout.addWidget(self.label)
        layout.addWidget(self.keep_button)
        layout.addWidget(self.again_button)
        self.clear()

    def current(self) -> Snapshot | None:
        """The snapshot shown, or None at "now"."""
        index = self.slider.value()
        return self.snapshots[index] if index < len(self.snapshots) else None

    def first(self) -> Snapshot | None:
        """The weights the plot's first run started from."""
        return self.snapshots[0] if len(self.snapshots) else None

    def clear(self) -> None:
        """No snapshots (a new document, or Train again): back to the document's weights."""
        shown = self.current()
        self.snapshots.clear()
        self.slider.blockSignals(True)
        self.slider.setValue(0)
        self.slider.blockSignals(False)
        self.refresh()
        if shown is not None:
            self.chosen.emit(None)

    def add(self, snapshots: list[Snapshot]) -> None:
        for snapshot in snapshots:
            self.snapshots.add(snapshot)

    def refresh(self) -> None:
        """Fit the slider to the snapshots kept; at "now" it stays at "now"."""
        count = len(self.snapshots)
        at_now = self.slider.value() >= self.slider.maximum()
        self.slider.blockSignals(True)
        self.slider.setRange(0, count)
        if at_now:
            self.slider.setValue(count)
        self.slider.blockSignals(False)
        self._describe()

    def go_to_now(self) -> None:
        """Back to the document's weights (training starts)."""
        if self.slider.value() != self.slider.maximum():
            self.slider.setValue(self.slider.maximum())

    def set_running(self, running: bool) -> None:
        """While training runs the scrubber rests at "now"."""
        if running:
            self.go_to_now()
        self.slider.setEnabled(not running)
        self.again_button.setEnabled(not running and self.first() is not None)
        self._describe()

    def _moved(self, _index: int) -> None:
        self._describe()
        self.chosen.emit(self.current())
        self._settle.start()

    def _describe(self) -> None:
        snapshot = self.current()
        if not len(self.snapshots):
            self.label.setText("none yet")
        elif snapshot is None:
            self.label.setText("now")
        else:
            self.label.setText(f"step {snapshot.step}")
        shown = "the weights now" if snapshot is None else "the model as it was then"
        kept = f"{len(self.snapshots)} snapshots kept, one every {self.snapshots.every} steps"
        self.label.setToolTip(f"{shown}; {kept}")
        self.marker.setVisible(snapshot is not None)
        if snapshot is not None:
            self.marker.setValue(snapshot.step)
        self.keep_button.setEnabled(snapshot is not None and self.slider.isEnabled())
        self.again_button.setEnabled(self.first() is not None and self.slider.isEnabled())

    def _show_boundary(self) -> None:
        """Predict the boundary again with the weights shown (also under a tab not raised:
        it is right when raised)."""
        graph = self._graph()
        if graph is None or not len(self.boundary_plot.grid):
            return
        snapshot = self.current()
        try:
            shown = prediction_at(
                graph, None if snapshot is None else snapshot.weights, self.boundary_plot.grid
            )
        except (ValueError, TypeError):  # the graph changed so that it no longer computes
            return
        if shown is not None:
            self.boundary_plot.show_prediction(*shown)
