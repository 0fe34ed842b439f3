"""The gradient-health plot beside the loss: one curve per layer of the figure a combo box picks.

The figures are measured in the training process (graph/health.py) at the plot's rate and
arrive with the loss; this view only draws them. Gradient norms and update ratios span
orders of magnitude, so they are drawn on a log scale; the fractions of dead or saturated
units on a linear one from 0 to 1. The latest point's warnings go to the canvas's badges.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...graph.events import Connections
from ...graph.graph import Graph, GraphError
from ...graph.health import FIGURES, Health, HealthHistory, figure_nodes, warnings
from ..theme import SERIES

LOG_FIGURES = ("grad_norm", "update_ratio")
SMALLEST = 1e-30  # drawn where a log-scaled figure is 0


class HealthPlot(QWidget):
    """Per layer and over the steps: gradient norm, update/weight, dead ReLUs or saturation."""

    warnings_changed = Signal(object)  # node id -> one line, for the nodes that need a badge

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = HealthHistory()
        self.graph: Graph | None = None
        self._connections = Connections()
        self.figure = QComboBox(objectName="healthFigureBox")
        for key, title in FIGURES.items():
            self.figure.addItem(title, key)
        self.figure.setToolTip("Which figure of gradient health to draw for each layer")
        self.figure.currentIndexChanged.connect(lambda _: self._figure_chosen())
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("healthPlot")
        self.plot.setLabel("bottom", "step")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setDownsampling(auto=True, mode="peak")  # a long run stays cheap to draw
        self.plot.setClipToView(True)
        self.plot.setMinimumHeight(130)
        # The layers' names under the plot, not over it: a deep network has many.
        self.legend = QLabel(objectName="healthLegend", wordWrap=True)
        self.legend.setStyleSheet("font-size: 8pt;")
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._drawn = 0  # points drawn so far
        self._warned: dict[str, str] = {}
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Gradient health"))
        top.addWidget(self.figure, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.legend)
        self._figure_chosen()

    @property
    def key(self) -> str:
        """The figure drawn: a key of graph.health.FIGURES."""
        return self.figure.currentData()

    def clear(self, graph: Graph | None = None) -> None:
        """Forget every point (a new document, or Train again); badges go too. The curves
        are made now, one per layer of the graph, so that training only feeds them."""
        if graph is not None and graph is not self.graph:
            self.graph = graph
            self._connections.disconnect_all()
            events = graph.events
            for signal in (
                events.node_added,
                events.node_removed,
                events.edge_added,
                events.edge_removed,
            ):
                self._connections.connect(signal, self._graph_edited)
        self.history.clear()
        self._drawn = 0
        self._build()
        self._draw()
        self._warn({})

    def _graph_edited(self, _what: object) -> None:
        """Nodes or edges came or went: the curves follow the layers (before the next run)."""
        self._build()
        self._draw()

    def append(self, points: list[Health]) -> None:
        """Keep newly measured points; the next redraw shows them."""
        self.history.extend(points)

    def redraw(self) -> None:
        """Draw the points that arrived since the last redraw, and update the badges."""
        if len(self.history.points) == self._drawn:
            return
        self._drawn = len(self.history.points)
        self._draw()
        if self.graph is not None:
            self._warn(warnings(self.graph, self.history.points[-1]))

    def _figure_chosen(self) -> None:
        log = self.key in LOG_FIGURES
        self.plot.setLogMode(y=log)
        self.plot.setLabel("left", FIGURES[self.key])
        if not log:
            self.plot.setYRange(0.0, 1.0)
        self._build()
        self._draw()

    def _layers(self) -> list[str]:
        """The nodes the figure shown is measured on: the graph's, and any a run sent."""
        try:
            layers = figure_nodes(self.graph)[self.key] if self.graph is not None else []
        except GraphError:  # a cycle: nothing trains
            layers = []
        return layers + [n for n in self.history.series(self.key) if n not in layers]

    def _build(self) -> None:
        """A curve and a legend entry for each layer of the figure shown."""
        self.plot.clear()
        self.curves, names = {}, []
        for i, node_id in enumerate(self._layers()):
            colour = SERIES[i % len(SERIES)]
            dashed = (i // len(SERIES)) % 2 == 1  # the colours come round again dashed
            style = Qt.DashLine if dashed else Qt.SolidLine
            self.curves[node_id] = self.plot.plot(pen=pg.mkPen(colour, width=2, style=style))
            mark = "┅" if dashed else "■"
            hex_colour = "#{:02x}{:02x}{:02x}".format(*colour[:3])
            names.append(f"<span style='color:{hex_colour}'>{mark}</span>&nbsp;{node_id}")
        self.legend.setText(" &nbsp; ".join(names) or "<i>no layer to measure</i>")

    def _draw(self) -> None:
        series = self.history.series(self.key)
        if any(node_id not in self.curves for node_id in series):  # the graph changed
            self._build()
        log = self.key in LOG_FIGURES
        for node_id, curve in self.curves.items():
            steps, values = series.get(node_id, (np.empty(0), np.empty(0)))
            curve.setData(steps, np.maximum(values, SMALLEST) if log else values)
        if log and series:
            self.plot.enableAutoRange(y=True)

    def _warn(self, found: dict[str, str]) -> None:
        if found != self._warned:
            self._warned = found
            self.warnings_changed.emit(dict(found))
