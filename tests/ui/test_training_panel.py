"""The training panel, driven like a person: type settings, click Train, Pause, Stop."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPushButton, QSpinBox

from visualgrad.graph import fileformat
from visualgrad.graph.data import dataset_for
from visualgrad.graph.graph import Graph
from visualgrad.ui.document import Document
from visualgrad.ui.training import TrainingPanel

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MANY_EPOCHS = 100_000  # more than any test waits for: only Stop ends such a run


def training_threads() -> list:
    """The listening threads and the training processes still alive."""
    threads = [t for t in threading.enumerate() if t.name == "training" and t.is_alive()]
    children = [p for p in multiprocessing.active_children() if p.name == "visualgrad training"]
    return threads + children


@pytest.fixture
def panel(qtbot):
    panel = TrainingPanel(Document())
    qtbot.addWidget(panel)
    panel.resize(1400, 560)  # wide enough for its plots side by side (narrower, they are tabs)
    panel.show()
    yield panel
    panel.shut_down()
    assert not training_threads()


def open_sample(panel: TrainingPanel, name: str) -> Graph:
    graph = fileformat.load(SAMPLES / f"{name}.vgraph")
    panel.document.replace(graph, None)
    return graph


def type_number(qtbot, box: QSpinBox, text: str) -> None:
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)


def type_text(qtbot, edit: QLineEdit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)


def button(panel: TrainingPanel, name: str) -> QPushButton:
    return panel.findChild(QPushButton, name)


def set_epochs(panel: TrainingPanel, epochs: int) -> None:
    panel.findChild(QSpinBox, "epochsBox").setValue(epochs)


def loss_curve_x(panel: TrainingPanel):
    plot = panel.findChild(pg.PlotWidget, "lossPlot")
    return plot.getPlotItem().listDataItems()[1].xData  # all points, not the drawn sample


def test_typed_epochs_are_one_undoable_command(qtbot, panel):
    graph = open_sample(panel, "xor")
    box = panel.findChild(QSpinBox, "epochsBox")
    assert box.value() == graph.training.epochs == 100
    type_number(qtbot, box, "3")
    assert graph.training.epochs == 3
    assert panel.document.undo_stack.count() == 1
    panel.document.undo_stack.undo()
    assert graph.training.epochs == 100
    assert box.value() == 100  # the form follows the graph
    panel.document.undo_stack.redo()
    assert box.value() == 3


def test_each_setting_edits_the_graph_and_an_unchanged_value_pushes_nothing(qtbot, panel):
    graph = open_sample(panel, "xor")
    panel.findChild(QComboBox, "optimizerBox").setCurrentText("sgd")
    panel.findChild(QComboBox, "datasetBox").setCurrentText("circle")
    type_text(qtbot, panel.findChild(QLineEdit, "learningRateEdit"), "1e-4")
    type_number(qtbot, panel.findChild(QSpinBox, "batchSizeBox"), "16")
    type_number(qtbot, panel.findChild(QSpinBox, "datasetSizeBox"), "300")
    s = graph.training
    assert (s.optimizer, s.dataset, s.learning_rate, s.batch_size, s.dataset_size) == (
        "sgd",
        "circle",
        1e-4,
        16,
        300,
    )
    assert panel.document.undo_stack.count() == 5
    type_number(qtbot, panel.findChild(QSpinBox, "batchSizeBox"), "16")
    assert panel.document.undo_stack.count() == 5


@pytest.mark.parametrize(
    "text, expected",
    [("5000", "learning_rate must be between 0.0 and 1000.0, got 5000.0"), ("fast", "'fast'")],
)
def test_an_invalid_learning_rate_says_why_and_changes_nothing(qtbot, panel, text, expected):
    graph = open_sample(panel, "xor")
    edit = panel.findChild(QLineEdit, "learningRateEdit")
    with qtbot.waitSignal(panel.status) as status:
        type_text(qtbot, edit, text)
    assert expected in status.args[0]
    assert expected in panel.error_label.text() and panel.error_label.isVisible()
    assert graph.training.learning_rate == 0.02
    assert edit.text() == "0.02"
    assert panel.document.undo_stack.count() == 0


def test_training_to_the_last_epoch_plots_every_step_and_stores_the_weights(qtbot, panel):
    graph = open_sample(panel, "xor")
    set_epochs(panel, 3)
    with (
        qtbot.waitSignal(panel.weights_changed),
        qtbot.waitSignal(panel.finished, timeout=10_000) as finished,
    ):
        qtbot.mouseClick(button(panel, "trainButton"), Qt.LeftButton)
    assert finished.args == [True]
    assert panel.loss_points() == 3 * 5  # 160 training points in batches of 32
    assert panel.progress_bar.value() == panel.progress_bar.maximum()
    assert "epoch 3/3" in panel.metrics.text() and "accuracy" in panel.metrics.text()
    assert panel.findChild(pg.PlotWidget, "accuracyPlot").isVisible()
    assert graph.nodes["hidden"].weights is not None
    assert not panel.is_training()


def test_the_log_scale_box_puts_the_loss_on_a_log_axis(qtbot, panel):
    open_sample(panel, "xor")
    set_epochs(panel, 2)
    with qtbot.waitSignal(panel.finished, timeout=10_000):
        qtbot.mouseClick(button(panel, "trainButton"), Qt.LeftButton)
    axis = panel.findChild(pg.PlotWidget, "lossPlot").getPlotItem().getAxis("left")
    log_scale = panel.findChild(QCheckBox, "logScaleBox")
    qtbot.mouseClick(log_scale, Qt.LeftButton)
    assert log_scale.isChecked() and axis.logMode
    qtbot.mouseClick(log_scale, Qt.LeftButton)
    assert not axis.logMode


def test_stop_ends_the_run_and_train_continues_from_the_learned_weights(qtbot, panel):
    graph = open_sample(panel, "xor")
    set_epochs(panel, MANY_EPOCHS)
    train, pause, stop = (button(panel, n) for n in ("trainButton", "pauseButton", "stopButton"))
    with qtbot.waitSignal(panel.started):
        qtbot.mouseClick(train, Qt.LeftButton)
    assert panel.is_training()
    assert not train.isEnabled() and pause.isEnabled() and stop.isEnabled()
    assert not panel.findChild(QSpinBox, "epochsBox").isEnabled()
    qtbot.waitUntil(lambda: panel.loss_points() > 20 and panel.progress_bar.value() > 0)
    with qtbot.waitSignal(panel.finished) as finished:
        qtbot.mouseClick(stop, Qt.LeftButton)
    assert finished.args == [False]
    assert not panel.is_training() and train.isEnabled() and not stop.isEnabled()
    learned = graph.nodes["hidden"].weights["weight"].copy()
    before = panel.loss_points()

    qtbot.mouseClick(train, Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.loss_points() > before + 20)
    panel.stop()
    assert not panel.is_training()
    x = loss_curve_x(panel)
    assert len(x) == panel.loss_points() and x[-1] == panel.loss_points()  # steps in all
    assert (graph.nodes["hidden"].weights["weight"] != learned).any()


def test_pause_holds_the_training_until_resume(qtbot, panel):
    open_sample(panel, "xor")
    set_epochs(panel, MANY_EPOCHS)
    pause = button(panel, "pauseButton")
    qtbot.mouseClick(button(panel, "trainButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.loss_points() > 5)
    qtbot.mouseClick(pause, Qt.LeftButton)
    assert pause.text() == "Resume"
    qtbot.wait(150)  # lets the last batch before the pause arrive
    held = panel.loss_points()
    qtbot.wait(150)
    assert panel.loss_points() == held
    qtbot.mouseClick(pause, Qt.LeftButton)
    assert pause.text() == "Pause"
    qtbot.waitUntil(lambda: panel.loss_points() > held)
    with qtbot.waitSignal(panel.finished) as finished:
        qtbot.mouseClick(button(panel, "stopButton"), Qt.LeftButton)
    assert finished.args == [False]


def test_a_diverging_run_names_the_node_where_inf_appears(qtbot, panel):
    graph = open_sample(panel, "polynomial_sin")
    panel.findChild(QComboBox, "optimizerBox").setCurrentText("sgd")
    type_text(qtbot, panel.findChild(QLineEdit, "learningRateEdit"), "1000")
    set_epochs(panel, 10)
    assert graph.training.learning_rate == 1000.0
    weights_changed = []
    panel.weights_changed.connect(lambda: weights_changed.append(True))
    with (
        qtbot.waitSignal(panel.failed, timeout=10_000) as failed,
        qtbot.waitSignal(panel.finished) as finished,
    ):
        qtbot.mouseClick(button(panel, "trainButton"), Qt.LeftButton)
    node_id, message = failed.args
    assert node_id == "mse"
    assert "Inf" in message or "NaN" in message
    assert finished.args == [False]
    assert message in panel.error_label.text() and panel.error_label.isVisible()
    assert not weights_changed
    assert not panel.is_training()


def test_the_decision_boundary_shows_for_2d_classes_only(qtbot, panel):
    graph = open_sample(panel, "xor")
    assert panel.findChild(pg.PlotWidget, "boundaryPlot").isVisible()
    set_epochs(panel, 150)
    with qtbot.waitSignal(panel.finished, timeout=20_000):
        qtbot.mouseClick(button(panel, "trainButton"), Qt.LeftButton)
    images = [i for i in panel.boundary_plot.getPlotItem().items if isinstance(i, pg.ImageItem)]
    probability = images[0].image.reshape(-1)  # of class 1 at each grid point
    data = dataset_for(graph.training)
    grid = panel.boundary_plot.grid
    nearest = ((data.x[:, None, :] - grid[None, :, :]) ** 2).sum(axis=-1).argmin(axis=1)
    agree = (probability[nearest] > 0.5) == (data.y[:, 0] > 0.5)
    assert agree.mean() > 0.85  # the map shows what the trained model predicts

    open_sample(panel, "polynomial_sin")
    assert not panel.findChild(pg.PlotWidget, "boundaryPlot").isVisible()
    open_sample(panel, "spiral")
    assert panel.boundary_plot.isVisible()
    panel.findChild(QComboBox, "datasetBox").setCurrentText("sin_regression")
    assert not panel.boundary_plot.isVisible()


def test_a_graph_with_nothing_to_learn_gives_a_message(qtbot, panel):
    panel.document.new()
    with qtbot.waitSignal(panel.failed) as failed:
        qtbot.mouseClick(button(panel, "trainButton"), Qt.LeftButton)
    assert failed.args[0] == ""
    assert "nothing to learn" in failed.args[1]
    assert "nothing to learn" in panel.error_label.text()
    assert not panel.is_training()
    assert button(panel, "trainButton").isEnabled()


def test_a_new_graph_starts_a_fresh_plot_and_stops_the_old_run(qtbot, panel):
    old = open_sample(panel, "xor")
    set_epochs(panel, MANY_EPOCHS)
    qtbot.mouseClick(button(panel, "trainButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: panel.loss_points() > 5)
    with qtbot.waitSignal(panel.finished) as finished:
        new = open_sample(panel, "spiral")
    assert finished.args == [False]
    assert not panel.is_training() and panel.loss_points() == 0
    assert panel.graph is new
    old.set_training(epochs=7)
    assert panel.findChild(QSpinBox, "epochsBox").value() == new.training.epochs
