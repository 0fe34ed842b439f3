"""Playing a lesson in the window as a person would: reading, pressing Forward and Backward,
typing predictions (a wrong one first where the lesson asks for it, then the right one),
clicking a node to open the inspector on it, and training."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from visualgrad.graph.lessons import Action, predicted

from .helpers import on_screen

MAX_PRESSES = 300


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton)


def type_cells(qtbot, window, values: np.ndarray) -> None:
    """Type ``values`` into the card's field (a number) or grid (a small tensor), then Enter."""
    card = window.playback.predictor.card
    texts = [repr(float(v)) for v in np.asarray(values, dtype=float).reshape(-1)]
    if card.scalar:
        card.field.clear()
        qtbot.keyClicks(card.field, texts[0])
        qtbot.keyClick(card.field, Qt.Key_Return)
        return
    columns = card.grid.columnCount()
    for index, text in enumerate(texts):
        card.grid.item(index // columns, index % columns).setText(text)
    card.grid.setFocus()
    qtbot.keyClick(card.grid, Qt.Key_Return)


def answer(qtbot, window, awaited: bool) -> None:
    """Answer the question on the card: right, or (where the lesson waits for it) wrong first,
    which must bring a hint, then right."""
    predictor = window.playback.predictor
    question = predictor.pending[2].question
    if awaited:
        wrong = question.expected + 1 + np.abs(question.expected)
        type_cells(qtbot, window, wrong)
        assert "Hint:" in predictor.card.feedback.text()
        assert predictor.pending is not None  # not revealed yet
    type_cells(qtbot, window, question.expected)
    assert predictor.pending is None
    assert "Right" in predictor.card.feedback.text()


def click_node(qtbot, window, node_id: str) -> None:
    item = window.scene.node_items[node_id]
    window.canvas.centerOn(item)
    point = on_screen(window, item.mapToScene(item.boundingRect().center()))
    qtbot.mouseClick(window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, point)


def play_step(qtbot, window, action: Action, moved) -> None:
    """Do what ``action`` waits for until the lesson moves on (``moved()``)."""
    panel, predictor = window.playback, window.playback.predictor
    if action.kind == "read":
        click(qtbot, window.lessons.next_button)
        return
    if action.kind == "inspect":
        window.inspector_dock.raise_()
        click_node(qtbot, window, action.node)
        assert window.inspector.node_id == action.node
        return
    if action.kind == "train":
        window.training_dock.raise_()
        click(qtbot, window.training.train_button)
        qtbot.waitUntil(moved, timeout=120_000)
        if window.training.is_training():
            with qtbot.waitSignal(window.training.finished, timeout=30_000):
                click(qtbot, window.training.stop_button)
        return
    window.playback_dock.raise_()
    wants_prediction = action.kind in ("predict", "predict_value")
    if predictor.toggle.isChecked() != wants_prediction:
        click(qtbot, predictor.toggle)
    if action.kind == "predict_value" and not predictor.forward_box.isChecked():
        click(qtbot, predictor.forward_box)
    forward = action.kind in ("step_forward", "predict_value")
    button = panel.forward_button if forward else panel.backward_button
    for _ in range(MAX_PRESSES):
        if predictor.pending is not None:
            question = predictor.pending[2].question
            answer(qtbot, window, action.met_by(predicted(window.graph, question)))
        elif button.isEnabled() and not (forward and panel.forward_count <= panel.position > 0):
            click(qtbot, button)
        else:
            click(qtbot, panel.reset_button)  # the pass went past it: start it again
        if moved():
            return
    raise AssertionError(f"the lesson did not move on: {action.describe()}")


def play_to_end(qtbot, window) -> list[str]:
    """Play the window's lesson from its first step to its end; the texts of the steps seen."""
    lessons = window.lessons
    run = lessons.run
    seen = []
    while True:
        seen.append(lessons.text.toPlainText())
        index, action = run.index, run.step.action
        shown = lessons.waiting.text()
        assert action.describe() in shown or action.kind == "read" or run.finished, shown
        if run.finished:
            break

        def moved(index=index):
            return run.index != index or run.finished

        if index in run.done:  # done before the step came up: it says so
            assert "Press Next" in lessons.waiting.text()
            click(qtbot, lessons.next_button)
            continue
        play_step(qtbot, window, action, moved)
        assert moved(), f"step {index + 1} did not move on after {action.describe()}"
        if run.finished and run.index == index:
            break
    assert run.finished
    assert "Lesson complete" in lessons.waiting.text()
    return seen
