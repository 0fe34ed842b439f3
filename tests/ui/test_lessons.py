"""Lessons in the window: every sample's lesson played to its end as a person would, and a
lesson written with "Record lesson step", undone, saved and played."""

from __future__ import annotations

import pytest

from visualgrad.graph import fileformat, samples
from visualgrad.graph.graph import Edge
from visualgrad.graph.lessons import Action, LessonStep

from ..graph.builders import chain_rule
from .helpers import open_window
from .lesson_player import click, click_node, play_to_end


def lesson_samples() -> list[str]:
    """The bundled samples that carry a lesson, read from the sample list."""
    return [s.name for s in samples.samples() if fileformat.load(s.path).lesson is not None]


@pytest.mark.parametrize("name", lesson_samples())
def test_each_samples_lesson_plays_to_its_end(qtbot, name):
    window = open_window(qtbot, samples.find(name))
    window.playback.speed.setValue(10)
    lesson = window.graph.lesson
    assert window.lessons.progress.text() == f"Step 1 of {len(lesson.steps)}"
    seen = play_to_end(qtbot, window)
    assert [t.strip() for t in seen[: len(lesson.steps)]] == [s.text for s in lesson.steps]
    assert window.lessons.run.done >= {
        i for i, s in enumerate(lesson.steps) if s.action.kind != "read"
    }


PLACES = {"a": (0, 0), "b": (0, 1), "one": (0, 2), "c": (1, 0.5), "d": (1, 1.5), "e": (2, 1)}


def test_a_project_with_a_lesson_opens_on_the_lessons_panel(qtbot):
    window = open_window(qtbot)
    window.lessons_dock.close()
    assert window.open_file(str(samples.find("chain_rule")))
    assert window.lessons_dock.isVisible()
    assert window.lessons.title.text() == "The fan-out sum"


def lesson_free_window(qtbot, tmp_path):
    """A window on e = (a + b) * (b + 1), laid out in columns, with no lesson."""
    graph = chain_rule()
    for node_id in graph.nodes:
        column, row = PLACES.get(node_id, (3, 1))
        graph.move_node(node_id, (260.0 * column, 140.0 * row))
    path = tmp_path / "chain.vgraph"
    fileformat.save(graph, path)
    window = open_window(qtbot, path)
    window.playback.speed.setValue(10)
    return window, path


def choose_action(window, text: str) -> None:
    choice = window.lessons.action_choice
    index = choice.findText(text)
    assert index >= 0, [choice.itemText(i) for i in range(choice.count())]
    choice.setCurrentIndex(index)


def test_record_lesson_step_adds_the_highlight_and_the_action_and_undoes(qtbot, tmp_path):
    window, path = lesson_free_window(qtbot, tmp_path)
    lessons = window.lessons
    assert lessons.title.text() == "No lesson" and window.graph.lesson is None
    click(qtbot, window.playback.backward_button)  # the forward pass, then dL/dL = 1
    click(qtbot, window.playback.backward_button)  # e -> loss
    click_node(qtbot, window, "b")
    assert lessons.action_choice.currentText() == "open the inspector on b"
    choose_action(window, "step backward to e")
    qtbot.keyClicks(lessons.step_text, "Watch the gradient reach e. Then look at b.")
    click(qtbot, lessons.record_button)
    step = LessonStep(
        "Watch the gradient reach e. Then look at b.", "b", Action("step_backward", "e")
    )
    assert window.graph.lesson.steps == (step,)
    assert lessons.progress.text() == "Step 1 of 1"
    assert lessons.highlighted == "b"
    halo = lessons.halo.sceneBoundingRect()
    assert halo.contains(window.scene.node_items["b"].sceneBoundingRect())
    assert window.isWindowModified()
    window.undo_action.trigger()
    assert window.graph.lesson is None and lessons.title.text() == "No lesson"
    assert lessons.halo is None
    window.redo_action.trigger()
    assert window.graph.lesson.steps == (step,)
    assert window.save_file(str(path))
    assert fileformat.load(path).lesson.steps == (step,)


def test_a_recorded_lesson_plays_back_and_moves_on_by_itself(qtbot, tmp_path):
    window, path = lesson_free_window(qtbot, tmp_path)
    lessons, panel = window.lessons, window.playback
    edge = Edge("b", "y", "d", "a")
    click(qtbot, panel.backward_button)
    qtbot.keyClicks(lessons.step_text, "Start the backward pass.")
    click(qtbot, lessons.record_button)  # waits for: step backward to loss
    panel.predictor.toggle.setChecked(True)
    while panel.predictor.pending is None or panel.predictor.pending[2].question.edge != edge:
        if panel.predictor.pending is not None:
            panel.predictor.reveal()
        click(qtbot, panel.backward_button)
    panel.predictor.reveal()
    window.scene.clearSelection()
    window.scene.edge_items[edge].setSelected(True)
    assert lessons.action_choice.currentText() == "predict the gradient along b.y -> d.a"
    qtbot.keyClicks(lessons.step_text, "What flows back along this edge?")
    click(qtbot, lessons.record_button)
    assert window.graph.lesson.steps[1] == LessonStep(
        "What flows back along this edge?", edge, Action("predict", edge=edge)
    )
    assert window.save_file(str(path))
    qtbot.waitUntil(lambda: not panel.flow.pulses, timeout=3000)
    assert window.open_file(str(path))  # a learner opens it afresh
    lessons, panel = window.lessons, window.playback
    assert lessons.progress.text() == "Step 1 of 2" and lessons.run.done == set()
    assert "Your turn: step backward to loss." in lessons.waiting.text()
    assert lessons.highlighted is None
    assert play_to_end(qtbot, window)[1] == "What flows back along this edge?"
    assert lessons.highlighted == edge
    assert panel.predictor.pending is None and panel.predictor.score.counts["after_hint"] == 1


def test_a_text_of_four_sentences_is_refused_with_a_message(qtbot, tmp_path):
    window, _ = lesson_free_window(qtbot, tmp_path)
    lessons = window.lessons
    qtbot.keyClicks(lessons.step_text, "One. Two. Three. Four.")
    click(qtbot, lessons.record_button)
    assert window.graph.lesson is None
    assert "at most 3" in window.statusBar().currentMessage()
    assert not window.document.undo_stack.canUndo()


def test_remove_step_is_undoable(qtbot, tmp_path):
    window, _ = lesson_free_window(qtbot, tmp_path)
    lessons = window.lessons
    for text in ("First.", "Second."):
        qtbot.keyClicks(lessons.step_text, text)
        click(qtbot, lessons.record_button)
    assert [s.text for s in window.graph.lesson.steps] == ["First.", "Second."]
    click(qtbot, lessons.remove_button)
    assert [s.text for s in window.graph.lesson.steps] == ["First."]
    assert lessons.progress.text() == "Step 1 of 1"
    window.undo_action.trigger()
    assert [s.text for s in window.graph.lesson.steps] == ["First.", "Second."]


def test_a_step_naming_a_deleted_node_says_so_and_the_project_still_saves(qtbot, tmp_path):
    window, path = lesson_free_window(qtbot, tmp_path)
    lessons = window.lessons
    click_node(qtbot, window, "c")
    qtbot.keyClicks(lessons.step_text, "Look at c.")
    click(qtbot, lessons.record_button)
    assert lessons.highlighted == "c"
    window.delete_selection()
    assert "c" not in window.graph.nodes and lessons.halo is None
    assert lessons.waiting.text() == ("The node 'c' of this step is not in the graph: press Next.")
    assert window.save_file(str(path))
    assert fileformat.load(path).lesson == window.graph.lesson
    window.undo_action.trigger()
    assert lessons.highlighted == "c" and "Your turn" in lessons.waiting.text()


def test_recording_after_training_offers_the_latest_epoch_loss_once(qtbot):
    window = open_window(qtbot, samples.find("chain_rule"))  # a and b are Parameters
    window.training_dock.raise_()
    with qtbot.waitSignal(window.training.finished, timeout=60_000):
        click(qtbot, window.training.train_button)
    choice = window.lessons.action_choice
    offered = [choice.itemText(i) for i in range(choice.count())]
    trains = [text for text in offered if text.startswith("train until the loss is below")]
    assert len(trains) == 1 and choice.currentText() == trains[0]
    last_epoch = float(window.training.plots.epoch_rows(0)[1][-1])
    threshold = choice.currentData().loss_below
    assert last_epoch < threshold <= last_epoch * 1.1
