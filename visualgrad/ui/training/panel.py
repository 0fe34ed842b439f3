"""The training panel: settings, train/pause/stop, progress, the live loss plot, the boundary.

Training runs in a child process (run.py) that hands over every step's
loss in batches; the panel appends them to growing arrays that the plots view
without copying, and redraws them 10 to 20 times a second. A settings edit is an
undo command, so Edit > Undo reverts it like any other edit.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...engine import datasets
from ...engine.datasets import Dataset
from ...graph.data import dataset_for
from ...graph.graph import Graph, TrainingSettings
from ...graph.time_travel import fitting, restore
from ...graph.train import Progress
from ..document import Document
from ..theme import LIGHT, Theme
from .boundary_plot import BoundaryPlot, shows_boundary
from .draw_points import PointDrawer, own_data_item, own_data_size
from .health_plot import HealthPlot
from .loss_plot import LossPlot
from .plot_strip import PlotStrip
from .run import TrainingRun, Worker
from .scrubber import Scrubber

DRAWING_SHARE = 0.3  # of the time, what the window may spend on drawing while training runs
REDRAW_INTERVAL = (0.05, 0.1)  # seconds between redraws: at least, at most


class TrainingPanel(QWidget):
    """Trains the window's graph and shows how the loss, the accuracy and the boundary move."""

    started = Signal()
    finished = Signal(bool)  # True: all epochs done; False: stopped or failed
    status = Signal(str)  # a message for the status bar
    failed = Signal(str, str)  # the node to blame ("" when none) and the message
    weights_changed = Signal()  # a run stored learned weights in the graph's nodes
    neurons_arrived = Signal(object)  # the watched nodes' units (a graph.neurons.Neurons)
    _handed_over = Signal(object)  # a TrainingRun with batches to take (from its worker)

    def __init__(
        self, document: Document, theme: Theme = LIGHT, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.graph: Graph | None = None
        self._run: TrainingRun | None = None
        self._process: Worker | None = None
        self._refreshing = False
        self._boundary_data: Dataset | None = None
        self._handed_over.connect(self._drain, Qt.QueuedConnection)
        self._progress: Progress | None = None  # the latest, not drawn yet
        self._boundary_image: tuple[np.ndarray, str] | None = None  # the latest, not drawn yet
        self._neurons = None  # the latest units, not drawn yet
        self._watched: list[str] = []  # the nodes whose units the window shows
        self._redraw_timer = QTimer(self, singleShot=True)
        self._redraw_timer.timeout.connect(self._redraw)
        self._next_redraw = self._drawing_since = 0.0
        self.plots = LossPlot(self)
        self.boundary_plot = BoundaryPlot(self)
        self.health_plot = HealthPlot(self)
        self.scrubber = Scrubber(self.boundary_plot, lambda: self.graph, self.plots.loss, self)
        self.scrubber.train_again_requested.connect(self.train_again)
        self.scrubber.keep_requested.connect(self._keep_snapshot)
        self.drawer = PointDrawer(
            self.boundary_plot, document, lambda: (self.graph.data, self._boundary_data)
        )
        self.boundary_plot.setMinimumSize(220, 200)
        self._lay_out(self._settings_form(), self._buttons(), self._readout())
        self.set_theme(theme)
        self._set_running(False)
        document.graph_replaced.connect(self._follow)
        self._follow(document.graph)

    # ---- building the panel ---------------------------------------------------------------
    def _settings_form(self) -> QWidget:
        """The training settings, each edited as one undo command."""
        self._form = QWidget(self)
        form = QGridLayout(self._form)
        form.setContentsMargins(0, 0, 0, 0)
        self._dataset = QComboBox(objectName="datasetBox")
        self._dataset.addItems(list(datasets.DATASETS))
        self._dataset.currentTextChanged.connect(lambda name: self._edit("dataset", name))
        self._optimizer = QComboBox(objectName="optimizerBox")
        self._optimizer.addItems(list(TrainingSettings.OPTIMIZERS))
        self._optimizer.currentTextChanged.connect(lambda name: self._edit("optimizer", name))
        self._learning_rate = QLineEdit(objectName="learningRateEdit")
        self._learning_rate.setToolTip("a number such as 0.01 or 1e-3")
        self._learning_rate.editingFinished.connect(self._edit_learning_rate)
        low, high = TrainingSettings.LIMITS["momentum"]
        self._momentum = QDoubleSpinBox(objectName="momentumBox", decimals=3, singleStep=0.1)
        self._momentum.setRange(low, high)
        self._momentum.setKeyboardTracking(False)
        self._momentum.valueChanged.connect(lambda value: self._edit("momentum", value))
        self._dtype = QComboBox(objectName="dtypeBox")
        self._dtype.addItems(list(TrainingSettings.DTYPES))
        self._dtype.setToolTip("float32: half the memory and faster; float64: more precise")
        self._dtype.currentTextChanged.connect(lambda name: self._edit("dtype", name))
        self._whole = {
            name: self._whole_number_box(name) for name in ("dataset_size", "batch_size", "epochs")
        }
        rows = [
            ("Dataset", self._dataset),
            ("Dataset size", self._whole["dataset_size"]),
            ("Optimizer", self._optimizer),
            ("Learning rate", self._learning_rate),
            ("Momentum", self._momentum),
            ("Batch size", self._whole["batch_size"]),
            ("Epochs", self._whole["epochs"]),
            ("Precision", self._dtype),
        ]
        # Two columns of settings: the panel sits under the canvas, which wants the height.
        half = (len(rows) + 1) // 2
        for i, (text, field) in enumerate(rows):
            label = QLabel(text)
            label.setBuddy(field)
            form.addWidget(label, i % half, 2 * (i // half))
            form.addWidget(field, i % half, 2 * (i // half) + 1)
        form.setColumnStretch(1, 1)
        form.setColumnStretch(3, 1)
        return self._form

    def _buttons(self) -> QHBoxLayout:
        """Train, Pause, Stop, and the log scale of the loss."""
        self.train_button = QPushButton("Train", objectName="trainButton")
        self.pause_button = QPushButton("Pause", objectName="pauseButton", checkable=True)
        self.stop_button = QPushButton("Stop", objectName="stopButton")
        self.train_button.clicked.connect(self.train)
        self.pause_button.toggled.connect(self._pause)
        self.stop_button.clicked.connect(lambda: self.stop(wait=False))
        log_scale = QCheckBox("log", objectName="logScaleBox")
        log_scale.setToolTip("The loss on a logarithmic scale")
        log_scale.toggled.connect(self.plots.set_log)
        buttons = QHBoxLayout()
        for widget in (self.train_button, self.pause_button, self.stop_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        buttons.addWidget(log_scale)
        return buttons

    def _readout(self) -> list[QWidget]:
        """The progress bar, the latest numbers, and what went wrong."""
        self.progress_bar = QProgressBar(objectName="trainProgress")
        self.progress_bar.setRange(0, 1000)
        # A label of fixed size: a new text then repaints it without laying out the panel again.
        self.metrics = QLabel(objectName="trainingMetrics", wordWrap=True)
        self.metrics.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.metrics.setFixedHeight(2 * self.metrics.fontMetrics().lineSpacing() + 4)
        self.error_label = QLabel(objectName="trainingError", wordWrap=True, visible=False)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        return [self.progress_bar, self.metrics, self.error_label]

    def _lay_out(self, form: QWidget, buttons: QHBoxLayout, readout: list[QWidget]) -> None:
        """Settings and controls on the left, the plots side by side: the panel sits under
        the canvas, where the window is widest."""
        controls = QVBoxLayout()
        controls.addWidget(form)
        controls.addLayout(buttons)
        for widget in readout:
            controls.addWidget(widget)
        controls.addStretch(1)
        side = QWidget(self)
        side.setLayout(controls)
        side.setFixedWidth(max(440, side.sizeHint().width()))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(side)
        loss = QWidget(self)  # the loss plot, and the scrubber over its snapshots
        under = QVBoxLayout(loss)
        under.setContentsMargins(0, 0, 0, 0)
        under.addWidget(self.plots, 1)
        under.addWidget(self.scrubber)
        parts = [("Loss", loss, 3), ("Gradient health", self.health_plot, 2)]
        self.strip = PlotStrip([*parts, ("Boundary", self.boundary_plot, 2)], self)
        layout.addWidget(self.strip, 1)

    def _whole_number_box(self, name: str) -> QSpinBox:
        low, high = TrainingSettings.LIMITS[name]
        first, *rest = name.split("_")
        box = QSpinBox(objectName=first + "".join(w.title() for w in rest) + "Box")
        box.setRange(low, high)
        box.setKeyboardTracking(False)
        box.valueChanged.connect(lambda value: self._edit(name, value))
        return box

    def set_theme(self, theme: Theme) -> None:
        self.error_label.setStyleSheet(f"color: {theme.error.name()}")
        plots = (self.plots.loss, self.plots.accuracy, self.boundary_plot, self.health_plot.plot)
        for plot in plots:
            plot.setBackground(theme.plot)

    # ---- the document -----------------------------------------------------------------
    def _follow(self, graph: Graph) -> None:
        """Show the document's new graph's settings on a fresh plot; a training of the old
        one still running is stopped."""
        self.stop()
        if self.graph is not None:
            self.graph.events.training_changed.disconnect(self._settings_changed)
            self.graph.events.data_changed.disconnect(self._settings_changed)
        self.graph = graph
        graph.events.training_changed.connect(self._settings_changed)
        graph.events.data_changed.connect(self._settings_changed)
        self._progress = self._boundary_image = None
        self.plots.clear()
        self.health_plot.clear(graph)
        self.scrubber.clear()
        self.progress_bar.setValue(0)
        self.metrics.clear()
        self._complain("")
        self._boundary_data = None
        self.strip.set_shown(self.boundary_plot, False)
        self._show_settings()

    def _settings_changed(self, _settings: TrainingSettings) -> None:
        self._show_settings()

    def _show_settings(self) -> None:
        """Put the graph's training settings in the form, and its dataset in the boundary plot."""
        s = self.graph.training
        self._refreshing = True
        try:
            own_data_item(self._dataset, self.graph.data)
            self._dataset.setCurrentText(s.dataset)
            self._optimizer.setCurrentText(s.optimizer)
            self._learning_rate.setText(f"{s.learning_rate:g}")
            self._momentum.setValue(s.momentum)
            self._dtype.setCurrentText(s.dtype)
            for name, box in self._whole.items():
                box.setValue(getattr(s, name))
        finally:
            self._refreshing = False
        self._momentum.setEnabled(s.optimizer == "sgd")
        own_data_size(self._whole["dataset_size"], s.dataset, self.graph.data)
        try:
            data = dataset_for(s, self.graph.data)
        except ValueError:  # these settings make no dataset; training will say why
            data = None
        if data is not None and not shows_boundary(data):
            data = None
        if data is not self._boundary_data:
            self._boundary_data = data
            self.strip.set_shown(self.boundary_plot, data is not None)
            if data is not None:
                self.boundary_plot.set_data(data)
                self.drawer.set_classes(data.num_classes or 2)

    def _edit(self, name: str, value: object) -> None:
        """One document edit per changed setting; an invalid value says why, changing nothing."""
        if self._refreshing or value == getattr(self.graph.training, name):
            return
        try:
            dataclasses.replace(self.graph.training, **{name: value}).check()
        except ValueError as error:
            self._complain(str(error))
            self._show_settings()
            return
        self._complain("")
        if not self.document.set_training({name: value}):
            self._show_settings()

    def _edit_learning_rate(self) -> None:
        text = self._learning_rate.text().strip()
        try:
            value = float(text)
        except ValueError:
            self._complain(f"learning rate: expected a number such as 0.01 or 1e-3, got {text!r}")
            self._show_settings()
            return
        self._edit("learning_rate", value)

    def _complain(self, message: str) -> None:
        """Show ``message`` in red in the panel and on the status bar; "" clears it."""
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        if message:
            self.status.emit(message)

    # ---- training ---------------------------------------------------------------------
    def is_training(self) -> bool:
        return self._run is not None

    def loss_points(self) -> int:
        """How many steps' losses the plot holds (drawn at the latest at the next redraw)."""
        return self.plots.points

    def train(self) -> None:
        """Train the graph in a child process from its stored weights; the plot carries on."""
        if self._run is not None:
            return
        self._complain("")
        grid = self.boundary_plot.grid if self._boundary_data is not None else None
        first, smoothed = self.plots.points, self.plots.last_smoothed()
        try:
            every = self.scrubber.snapshots.every
            run = TrainingRun(
                self._worker(), self.graph, self._handed_over.emit, first, smoothed, grid, every
            )
        except (ValueError, TypeError) as error:  # nothing to learn, a bad parameter...
            self._complain(str(error))
            self.failed.emit("", str(error))
            return
        self._run = run
        self._set_running(True)
        self.status.emit("training...")
        self.started.emit()
        self.plots.follow()
        self._next_redraw, self._drawing_since = time.perf_counter(), time.thread_time()
        run.start()

    def train_again(self) -> None:
        """Start a new plot from the weights the first run started from, and train."""
        first = self.scrubber.first()
        if self._run is not None or first is None or not self.document.editable():
            return
        restore(self.graph, first.weights)
        self.plots.clear()
        self.health_plot.clear()
        self.scrubber.clear()
        self.weights_changed.emit()
        self.train()

    def _keep_snapshot(self, snapshot) -> None:
        """The document takes the snapshot's weights: one undo step."""
        weights = fitting(self.graph, snapshot.weights)
        text = f"Keep the weights of step {snapshot.step}"
        if weights and self.document.set_weights(weights, text):
            self.scrubber.go_to_now()

    def _worker(self) -> Worker:
        """The training process, started on first need (or when it has died)."""
        if self._process is not None and not self._process.alive():
            self._process.shut_down()  # collect the one that died before starting another
            self._process = None
        if self._process is None:
            self._process = Worker()
        self.watch(self._watched)
        return self._process

    def watch(self, node_ids: list[str]) -> None:
        """Have training send the units of ``node_ids`` (the nodes the window shows)."""
        self._watched = list(node_ids)
        if self._process is not None and self.graph is not None:
            places = list(self.graph.nodes)
            self._process.watch.set([places.index(n) for n in node_ids if n in self.graph.nodes])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._process is None:  # start the process now, while the settings are read
            self._worker()

    def shut_down(self) -> None:
        """Stop any training and end the training process (the window is closing)."""
        self.stop(wait=True)
        if self._process is not None:
            self._process.shut_down()
            self._process = None

    def stop(self, wait: bool = True) -> None:
        """Stop the training after its current step; with ``wait``, join the worker and finish."""
        run = self._run
        if run is None:
            return
        run.stop()
        if wait:
            run.join()
            self._drain(run)
        else:
            self.status.emit("stopping...")

    def _pause(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        if self._run is None:
            return
        if paused:
            self._run.pause()
            self.status.emit("training paused")
        else:
            self._run.resume()
            self.status.emit("training...")

    def _set_running(self, running: bool) -> None:
        self.scrubber.set_running(running)
        self._form.setEnabled(not running)
        self.train_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        if not running:
            self.pause_button.setChecked(False)

    def _drain(self, run: TrainingRun) -> None:
        """Keep what ``run`` handed over and redraw when it is time; finish when it has ended."""
        batches, done = run.take()
        for batch in batches:
            self.plots.append(batch.losses, batch.epochs)
            self.health_plot.append(batch.health)
            self.scrubber.add(batch.snapshots)
            self._progress = batch.progress or self._progress
            if batch.boundary is not None:
                self._boundary_image = (batch.boundary, run.prediction_kind)
            self._neurons = batch.neurons or self._neurons
        if done and run is self._run:
            self._redraw()
            self._finish(run)
        elif batches and not self._redraw_timer.isActive():
            wait = max(self._next_redraw - time.perf_counter(), 0.0)
            self._redraw_timer.start(round(1000 * wait))

    def _redraw(self) -> None:
        """Draw what has arrived; the next redraw waits until the GUI thread's time since this
        one (drawing, painting and the rest) is at most DRAWING_SHARE of the time."""
        self._redraw_timer.stop()
        self.plots.redraw()
        self.health_plot.redraw()
        self.scrubber.refresh()
        if self._progress is not None:
            self._show_progress(self._progress)
            self._progress = None
        if self._boundary_image is not None:
            self.boundary_plot.show_prediction(*self._boundary_image)
            self._boundary_image = None
        if self._neurons is not None:
            self.neurons_arrived.emit(self._neurons)
            self._neurons = None
        now, busy = time.perf_counter(), time.thread_time()
        low, high = REDRAW_INTERVAL
        wait = (busy - self._drawing_since) / DRAWING_SHARE
        self._next_redraw = now + min(max(wait, low), high)
        self._drawing_since = busy

    def _show_progress(self, p: Progress) -> None:
        self.progress_bar.setValue(round(1000 * p.step / max(p.total_steps, 1)))
        parts = [f"epoch {p.epoch}/{p.epochs}", f"step {p.step}/{p.total_steps}"]
        parts.append(f"loss {p.loss:.4g}")
        if p.accuracy is not None:
            parts.append(f"accuracy {p.accuracy:.1%}")
        if p.val_accuracy is not None:
            parts.append(f"validation {p.val_accuracy:.1%}")
        self.metrics.setText("  ".join(parts))

    def _finish(self, run: TrainingRun) -> None:
        self._run = None
        self._set_running(False)
        if run.result is not None:
            run.store_weights()
            self.weights_changed.emit()
        if run.error is not None:
            node_id, message = run.error
            self._complain(message)
            self.failed.emit(node_id, message)
            self.finished.emit(False)
            return
        done = not run.result.stopped
        verb = "finished" if done else "stopped"
        loss = f", last epoch's mean loss {run.result.loss[-1]:.4g}" if run.result.loss else ""
        self.status.emit(f"training {verb} after {self.plots.points} steps in all{loss}")
        self.finished.emit(done)
