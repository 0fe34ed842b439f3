"""Your own data in the window: import a CSV or an .npz, and draw points on the boundary plot."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QDialogButtonBox, QSpinBox

from visualgrad.graph import fileformat
from visualgrad.graph.data import dataset_for
from visualgrad.ui.files import import_data

from .helpers import SAMPLES, open_window, snapshot

CSV = "a,b,label\n" + "".join(
    f"{x:.3f},{y:.3f},{int(x * y > 0)}\n"
    for x, y in np.random.default_rng(0).uniform(-1, 1, size=(40, 2))
)


def answer_dialog(qtbot, uncheck: tuple[str, ...] = (), target: str | None = None) -> list:
    """Fill in the import dialog as a person would, once it opens; returns what it saw."""
    seen = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, fill)
            return
        seen.append([dialog.inputs.item(r).text() for r in range(dialog.inputs.count())])
        if target is not None:
            dialog.findChild(QComboBox, "targetColumn").setCurrentText(target)
        for r in range(dialog.inputs.count()):
            if dialog.inputs.item(r).text() in uncheck:
                dialog.inputs.item(r).setCheckState(Qt.Unchecked)
        dialog.buttons.button(QDialogButtonBox.Ok).click()

    QTimer.singleShot(0, fill)
    return seen


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.warnings = []
    monkeypatch.setattr(
        import_data.QMessageBox, "warning", lambda _p, _t, text: window.warnings.append(text)
    )
    yield window
    window.training.shut_down()


def choose_file(monkeypatch, path) -> None:
    monkeypatch.setattr(import_data.QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))


def test_importing_a_csv_trains_on_its_rows_and_undo_takes_it_back(
    qtbot, window, tmp_path, monkeypatch
):
    path = tmp_path / "quadrants.csv"
    path.write_text(CSV, encoding="utf-8")
    before = snapshot(window)
    choose_file(monkeypatch, path)
    seen = answer_dialog(qtbot)
    window.import_data_action.trigger()
    assert seen == [["a", "b", "label"]]
    graph = window.graph
    assert graph.training.dataset == "imported" and graph.data.columns == ("a", "b")
    np.testing.assert_allclose(
        graph.data.x[:, 0], np.loadtxt(path, delimiter=",", skiprows=1)[:, 0]
    )
    box = window.training.findChild(QComboBox, "datasetBox")
    assert box.currentText() == "imported"
    assert (
        box.itemData(box.currentIndex(), Qt.ToolTipRole)
        == "quadrants: 40 rows, 2 inputs, target 2 classes"
    )
    window.document.undo_stack.undo()
    assert snapshot(window) == before and box.findText("imported") == -1


def test_a_csv_with_a_bad_cell_is_refused_naming_its_row_and_nothing_changes(
    qtbot, window, tmp_path, monkeypatch
):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,label\n1,2,0\n3,four,1\n", encoding="utf-8")
    before, undo_steps = snapshot(window), window.document.undo_stack.count()
    choose_file(monkeypatch, path)
    answer_dialog(qtbot)
    window.import_data_action.trigger()
    assert window.warnings == [f"{path}: row 3, column 'b': 'four' is not a number"]
    assert snapshot(window) == before and window.document.undo_stack.count() == undo_steps


def test_an_npz_with_x_and_y_is_imported(qtbot, window, tmp_path, monkeypatch):
    x = np.random.default_rng(1).normal(size=(30, 2))
    np.savez(tmp_path / "d.npz", x=x, y=(x[:, 0] > 0).astype(float))
    choose_file(monkeypatch, tmp_path / "d.npz")
    answer_dialog(qtbot)
    window.import_data_action.trigger()
    np.testing.assert_array_equal(window.graph.data.x, x)
    assert window.graph.data.task == "binary"


def click_plot(qtbot, window, at: tuple[float, float], button=Qt.LeftButton) -> None:
    plot = window.training.boundary_plot
    scene = plot.getPlotItem().getViewBox().mapViewToScene(QPointF(*at))
    qtbot.mouseClick(plot.viewport(), button, pos=plot.mapFromScene(scene))


def test_drawn_points_are_added_removed_undone_and_trained_on(qtbot, window, tmp_path):
    plot = window.training.boundary_plot
    window.resize(1440, 900)
    window.training_dock.raise_()  # the Training tab, where the boundary is drawn
    qtbot.waitUntil(plot.isVisible)
    xor = dataset_for(window.graph.training)
    before = snapshot(window)
    window.training.findChild(type(window.training.drawer.button), "drawPointsButton").click()
    window.training.drawer.class_box.setValue(1)
    click_plot(qtbot, window, (0.25, -0.3))
    data = window.graph.data
    assert window.graph.training.dataset == "imported" and data.name == "xor + drawn points"
    size_box = window.training.findChild(QSpinBox, "datasetSizeBox")
    assert not size_box.isEnabled() and f"the {len(data.x)} rows" in size_box.toolTip()
    assert len(data.x) == len(xor.x) + len(xor.x_val) + 1
    np.testing.assert_allclose(data.x[-1], (0.25, -0.3), atol=0.02)
    assert data.y[-1] == 1
    click_plot(qtbot, window, tuple(data.x[-1]), Qt.RightButton)
    assert len(window.graph.data.x) == len(data.x) - 1
    window.document.undo_stack.undo()
    assert len(window.graph.data.x) == len(data.x)
    window.document.undo_stack.undo()
    assert snapshot(window) == before
    window.document.undo_stack.redo()
    window.document.set_training({"epochs": 3})
    with qtbot.waitSignal(window.training.finished, timeout=20_000) as finished:
        window.training.train_button.click()
    assert finished.args == [True]
    saved = tmp_path / "drawn.vgraph"
    window.save_file(str(saved))
    assert len(fileformat.load(saved).data.x) == len(data.x)


def test_data_imported_into_a_graph_with_no_input_says_nothing_reads_it(
    qtbot, tmp_path, monkeypatch
):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    said = []
    window.document.status.connect(said.append)
    path = tmp_path / "q.csv"
    path.write_text(CSV, encoding="utf-8")
    choose_file(monkeypatch, path)
    answer_dialog(qtbot)
    window.import_data_action.trigger()
    assert said[-1] == (
        "imported q: 40 rows, 2 inputs, target 2 classes; "
        "this graph has no Input node, so nothing reads it yet"
    )
