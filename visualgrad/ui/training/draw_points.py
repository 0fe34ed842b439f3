"""Draw points: a mode of the decision-boundary plot where a click adds a training point of
the chosen class and a right-click removes the nearest one. Each is one undo step that
keeps the points as the project's own data; the first one copies a built-in 2-D dataset
into it, so the user draws on top of what they see."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from ...engine.datasets import Dataset
from ...graph.imported_data import IMPORTED, ImportedData
from ..document import Document
from .boundary_plot import BoundaryPlot

REACH = 12.0  # pixels: a right-click removes the nearest point at most this far away


def as_own_data(data: Dataset) -> ImportedData:
    """A dataset's examples, training and validation, as data the user can edit."""
    x = np.vstack([data.x, data.x_val]).astype(np.float64)
    y = np.concatenate([data.y.reshape(len(data.x), -1)[:, 0], data.y_val.reshape(-1)])
    columns = tuple(f"x{i + 1}" for i in range(x.shape[1]))
    name = f"{data.name} + drawn points"
    return ImportedData(name, columns, "y", "class", x, y.astype(np.float64))


def own_data_item(box: QComboBox, data: ImportedData | None) -> None:
    """The dataset choice "imported" is offered while the project holds its own data."""
    index = box.findText(IMPORTED)
    if data is None and index >= 0:
        box.removeItem(index)
    elif data is not None:
        if index < 0:
            box.addItem(IMPORTED)
            index = box.count() - 1
        box.setItemData(index, data.describe(), Qt.ToolTipRole)


def own_data_size(box: QSpinBox, dataset: str, data: ImportedData | None) -> None:
    """The project's own data trains on all its rows: the size box says so instead."""
    own = dataset == IMPORTED and data is not None
    box.setEnabled(not own)
    box.setToolTip(
        f"every one of the {len(data.x)} rows of the project's own data is used"
        if own
        else "how many examples the dataset makes"
    )


class PointDrawer(QObject):
    """The Draw points toggle and class choice, laid over the top left of ``plot``."""

    def __init__(
        self,
        plot: BoundaryPlot,
        document: Document,
        current: Callable[[], tuple[ImportedData | None, Dataset | None]],
    ) -> None:
        super().__init__(plot)
        self.plot, self.document, self.current = plot, document, current
        self.bar = QWidget(plot, objectName="drawPointsBar")
        self.button = QPushButton("Draw points", self.bar, objectName="drawPointsButton")
        self.button.setCheckable(True)
        self.button.setToolTip(
            "Click to add a point of the chosen class; right-click to remove the nearest one"
        )
        self.class_box = QSpinBox(self.bar, objectName="drawClassBox")
        self.class_box.setRange(0, 1)
        self.class_box.setToolTip("The class of the points you add")
        layout = QHBoxLayout(self.bar)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.button)
        layout.addWidget(QLabel("class", self.bar))
        layout.addWidget(self.class_box)
        self.bar.adjustSize()
        self.bar.move(4, 2)
        # The plot's axes start below the bar, so the bar covers none of them.
        plot.getPlotItem().setContentsMargins(0, self.bar.height() + 2, 0, 0)
        self.button.toggled.connect(self._toggled)
        plot.scene().sigMouseClicked.connect(self._clicked)

    def set_classes(self, classes: int) -> None:
        self.class_box.setRange(0, max(classes, 2) - 1)

    def _toggled(self, on: bool) -> None:
        self.plot.viewport().setCursor(Qt.CrossCursor if on else Qt.ArrowCursor)
        if on:
            self.document.status.emit(
                "Draw points: click to add a point of the chosen class, right-click to remove one"
            )

    def _data(self) -> ImportedData | None:
        own, shown = self.current()
        if own is not None and own.kind == "class" and own.x.shape[1] == 2:
            return own
        return as_own_data(shown) if shown is not None else None

    def _clicked(self, event) -> None:
        if not self.button.isChecked():
            return
        data = self._data()
        if data is None:
            return
        at = self.plot.getPlotItem().getViewBox().mapSceneToView(event.scenePos())
        if event.button() == Qt.LeftButton:
            label = self.class_box.value()
            changed = data.with_point((at.x(), at.y()), label)
            text = f"Draw a point of class {label}"
        elif event.button() == Qt.RightButton:
            index = self._nearest(data, event.scenePos())
            if index is None:
                return
            changed, text = data.without(index), "Remove a drawn point"
        else:
            return
        event.accept()
        self.document.set_data(changed, text)

    def _nearest(self, data: ImportedData, scene_at: QPointF) -> int | None:
        """The point nearest ``scene_at`` on screen, if within REACH pixels."""
        view = self.plot.getPlotItem().getViewBox()
        best, index = REACH, None
        for i, (x, y) in enumerate(data.x):
            on_screen = view.mapViewToScene(QPointF(float(x), float(y)))
            distance = np.hypot(on_screen.x() - scene_at.x(), on_screen.y() - scene_at.y())
            if distance <= best:
                best, index = distance, i
        return index
