"""Compare runs in the window: two trainings with different learning rates, overlaid and pinned."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from visualgrad.cli import main
from visualgrad.graph import fileformat

from .helpers import SAMPLES, open_window


@pytest.fixture
def window(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    yield window
    window.training.shut_down()


def train(qtbot, window, **settings) -> None:
    window.document.set_training(settings)
    with qtbot.waitSignal(window.training.finished, timeout=30_000) as finished:
        window.training.train_button.click()
    assert finished.args == [True]


def curves(plot) -> list[tuple[str, list[float]]]:
    """What a plot shows: each curve's legend name and its y values."""
    legend = {item.opts.get("name"): item for item in plot.getPlotItem().listDataItems()}
    return [(name, list(item.getData()[1])) for name, item in legend.items()]


def test_two_runs_are_listed_with_their_settings_and_overlaid(qtbot, window):
    train(qtbot, window, epochs=3, learning_rate=0.1, optimizer="sgd")
    train(qtbot, window, epochs=2, learning_rate=0.01)
    panel = window.runs
    texts = [panel.list.item(i).text() for i in range(panel.list.count())]
    assert texts[0].startswith("run 1: sgd lr 0.1, batch 32, 3 epochs, seed 0, loss ")
    # the second run starts from the weights the first one learned, and says so
    assert texts[1].startswith(
        "run 2, continued from run 1: sgd lr 0.01, batch 32, 2 epochs, seed 0, loss "
    )
    shown = curves(panel.loss_plot)
    assert [name for name, _ in shown] == ["run 1", "run 2, continued from run 1"]
    assert panel.loss_plot.getAxis("left").autoSIPrefixScale == 1.0  # no "(x0.001)"
    first, second = panel.session
    assert shown[0][1] == pytest.approx(list(first.loss)) and len(shown[1][1]) == 2
    assert len(first.accuracy) == 3 and 0.0 <= first.accuracy[-1] <= 1.0
    panel.list.item(0).setCheckState(Qt.Unchecked)  # untick run 1: only run 2 is left
    assert [name for name, _ in curves(panel.loss_plot)] == [shown[1][0]]
    assert len(panel.accuracy_plot.getPlotItem().listDataItems()) == 2  # training, validation


def test_a_pinned_run_is_saved_in_the_project_and_undo_unpins_it(qtbot, window, tmp_path):
    train(qtbot, window, epochs=2)
    panel = window.runs
    panel.list.setCurrentRow(0)
    qtbot.mouseClick(panel.pin_button, Qt.LeftButton)
    assert panel.list.item(0).text().startswith("run 1 (saved): ")
    assert panel.pin_button.text() == "Unpin"
    path = tmp_path / "pinned.vgraph"
    window.save_file(str(path))
    saved = fileformat.load(path).runs
    assert [r.label for r in saved] == ["run 1"] and list(saved[0].loss) == list(
        panel.session[0].loss
    )
    window.document.undo_stack.undo()
    assert window.graph.runs == () and not panel.list.item(0).text().startswith("run 1 (saved)")


def test_a_run_saved_by_the_command_line_shows_in_the_list(qtbot, tmp_path):
    out = tmp_path / "xor.vgraph"
    assert (
        main(["train", str(SAMPLES / "xor.vgraph"), "--epochs", "2", "--quiet", "--save", str(out)])
        == 0
    )
    window = open_window(qtbot, out)
    try:
        item = window.runs.list.item(0)
        assert item.text().startswith("command line, ") and "(saved)" in item.text()
        item.setCheckState(Qt.Checked)
        assert len(curves(window.runs.loss_plot)) == 1
    finally:
        window.training.shut_down()
