"""Compare runs: the last runs of this session and those saved in the project, each with its
settings, and any of them overlaid in one plot of loss and accuracy per epoch.

A run is recorded when a training run in the window ends with at least one finished
epoch; pinning one saves it in the project (an undo step), and the runs a file brings
(pinned earlier, or saved by ``visualgrad train --save``) are listed too.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...graph import runs as runs_model
from ...graph.graph import Graph
from ...graph.runs import Run
from ..document import Document
from ..theme import SERIES, Theme
from .loss_plot import training_plot
from .panel import TrainingPanel


def weights_fingerprint(graph: Graph) -> str:
    """A digest of the graph's learned values: equal when a run starts where one ended."""
    digest = hashlib.sha1()
    for node in graph:
        for name, values in sorted((node.weights or {}).items()):
            digest.update(f"{node.id}.{name}".encode())
            digest.update(np.ascontiguousarray(values, dtype=np.float64).tobytes())
    return digest.hexdigest()


class RunsPanel(QWidget):
    """A list of runs to tick, a Pin button, and the ticked runs' curves with a legend."""

    def __init__(self, document: Document, training: TrainingPanel, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("runsPanel")
        self.document, self.training = document, training
        self.graph: Graph | None = None
        self.session: list[Run] = []  # of this window and project, oldest first
        self._count = 0
        self._started_at = 0
        self._filling = False
        self.list = QListWidget(objectName="runsList")
        self.list.itemChanged.connect(self._ticked)
        self.list.currentItemChanged.connect(lambda *_: self._update_pin())
        self.pin_button = QPushButton("Pin to project", objectName="pinRunButton")
        self.pin_button.setToolTip("Save the selected run in the project, to compare it later")
        self.pin_button.clicked.connect(self._toggle_pin)
        self.hint = QLabel(wordWrap=True)
        self.loss_plot = training_plot("runsPlot", "mean loss", along="epoch")
        self.loss_plot.getPlotItem().legend.setLabelTextSize("8pt")
        # One legend for both plots: a run's colour; dashed is its validation accuracy.
        self.accuracy_plot = training_plot("runsAccuracyPlot", "accuracy", along="epoch")
        self.accuracy_plot.setToolTip("solid: training accuracy, dashed: validation accuracy")
        self.accuracy_plot.setMinimumHeight(90)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setMenuEnabled(False)
        self.accuracy_plot.setXLink(self.loss_plot)
        self.accuracy_plot.setMaximumHeight(150)
        side = QVBoxLayout()
        side.addWidget(self.hint)
        side.addWidget(self.list, 1)
        side.addWidget(self.pin_button)
        plots = QVBoxLayout()
        plots.addWidget(self.loss_plot, 3)
        plots.addWidget(self.accuracy_plot, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(side, 1)
        layout.addLayout(plots, 3)
        training.started.connect(self._started)
        training.finished.connect(lambda _done: self._ended())
        document.graph_replaced.connect(self._follow)
        self._follow(document.graph)

    def set_theme(self, theme: Theme) -> None:
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setBackground(theme.plot)

    # ---- following the document and the training ------------------------------------------
    def _follow(self, graph: Graph) -> None:
        if self.graph is not None:
            self.graph.events.runs_changed.disconnect(self._saved_changed)
        self.graph = graph
        graph.events.runs_changed.connect(self._saved_changed)
        self.session, self._count = [], 0
        self._ended_with: dict[str, str] = {}  # learned weights a run ended with -> its name
        self._continues: str | None = None
        self._fill(ticked=set())

    def _saved_changed(self, _runs: tuple[Run, ...]) -> None:
        self._fill(self.ticked())

    def _started(self) -> None:
        self._started_at = self.training.plots.epoch_count()
        self._continues = self._ended_with.get(weights_fingerprint(self.graph))

    def _ended(self) -> None:
        rows = self.training.plots.epoch_rows(self._started_at)
        if rows.shape[1] == 0:
            return
        self._count += 1
        label = f"run {self._count}"
        if self._continues is not None:
            label += f", continued from {self._continues}"
        run = runs_model.make_run(
            label,
            self.graph.training,
            list(rows[1]),
            [None if math.isnan(v) else v for v in rows[2]],
            [None if math.isnan(v) else v for v in rows[3]],
        )
        self.session = runs_model.kept(self.session, run, runs_model.MAX_SESSION_RUNS)
        self._ended_with[weights_fingerprint(self.graph)] = f"run {self._count}"
        self._fill(self.ticked() | {id(run)})

    # ---- the list -------------------------------------------------------------------------
    def all_runs(self) -> list[Run]:
        """The saved runs, then this session's runs that are not saved."""
        saved = list(self.graph.runs)
        return saved + [r for r in self.session if r not in saved]

    def ticked(self) -> set[int]:
        return {
            self.list.item(i).data(Qt.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.Checked
        }

    def _fill(self, ticked: set[int]) -> None:
        current = self.list.currentItem()
        current_key = None if current is None else current.data(Qt.UserRole)
        self._filling = True
        try:
            self.list.clear()
            self._runs = {id(run): run for run in self.all_runs()}
            for key, run in self._runs.items():
                saved = " (saved)" if run in self.graph.runs else ""
                item = QListWidgetItem(
                    f"{run.label}{saved}: {run.describe()}, loss {run.final_loss():.4g}"
                )
                item.setData(Qt.UserRole, key)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if key in ticked else Qt.Unchecked)
                item.setToolTip(", ".join(f"{k} {v}" for k, v in run.settings.items()))
                self.list.addItem(item)
                if key == current_key:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False
        self.hint.setText(
            "Tick runs to overlay them; dashed lines are validation accuracy."
            if self._runs
            else "Train, then tick runs to compare their curves."
        )
        self._update_pin()
        self._draw()

    def _ticked(self, _item: QListWidgetItem) -> None:
        if not self._filling:
            self._draw()

    def _selected(self) -> Run | None:
        item = self.list.currentItem()
        return None if item is None else self._runs.get(item.data(Qt.UserRole))

    def _update_pin(self) -> None:
        run = self._selected()
        self.pin_button.setEnabled(run is not None)
        saved = run is not None and run in self.graph.runs
        self.pin_button.setText("Unpin" if saved else "Pin to project")

    def _toggle_pin(self) -> None:
        run = self._selected()
        if run is None:
            return
        saved = self.graph.runs
        if run in saved:
            self.document.set_runs(tuple(r for r in saved if r is not run), f"Unpin {run.label}")
        else:
            self.document.set_runs((*saved, run), f"Pin {run.label}")

    # ---- the plot -------------------------------------------------------------------------
    def shown(self) -> list[Run]:
        """The ticked runs, in the list's order: what the plot overlays."""
        ticked = self.ticked()
        return [run for key, run in self._runs.items() if key in ticked]

    def _draw(self) -> None:
        self.loss_plot.getPlotItem().legend.clear()
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.clear()
        any_accuracy = False
        for i, run in enumerate(self.shown()):
            colour = SERIES[i % len(SERIES)]
            epochs = np.array(run.epochs, dtype=np.float64)
            pen = pg.mkPen(colour, width=2)
            self.loss_plot.plot(epochs, np.array(run.loss), pen=pen, name=run.label)
            accuracy = np.array(run.accuracy)
            if np.isfinite(accuracy).any():
                any_accuracy = True
                self.accuracy_plot.plot(epochs, accuracy, pen=pen)
                dashed = pg.mkPen(colour, width=2, style=Qt.DashLine)
                self.accuracy_plot.plot(epochs, np.array(run.val_accuracy), pen=dashed)
        self.accuracy_plot.setVisible(any_accuracy)
