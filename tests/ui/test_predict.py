"""Predict, then reveal, in the window: e = (a + b) * (b + 1) at a = 2, b = 1, where
de/da = 2 and de/db = 2 + 3 = 5."""

from __future__ import annotations

from PySide6.QtCore import Qt

from .helpers import SAMPLES, open_window


def predicting_window(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.playback.speed.setValue(10)
    qtbot.mouseClick(window.playback.predictor.toggle, Qt.LeftButton)
    return window


def type_answer(qtbot, window, text: str) -> None:
    field = window.playback.predictor.card.field
    field.clear()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key_Return)


def step_to_question(qtbot, window, label: str) -> None:
    """Press Backward until the card asks for ``label``, answering the questions on the way
    right (from the trace's own numbers, which the graph tests check against torch)."""
    panel = window.playback
    for _ in range(30):
        qtbot.mouseClick(panel.backward_button, Qt.LeftButton)
        pending = panel.predictor.pending
        if pending is None:
            continue
        question = pending[2].question
        if question.label == label and (question.kind == "sum" or label != "dL/db"):
            return
        type_answer(qtbot, window, repr(float(question.expected.reshape(-1)[0])))
    raise AssertionError(f"no question for {label}")


def test_a_right_answer_reveals_the_card_and_counts_first_time(qtbot):
    window = predicting_window(qtbot)
    panel = window.playback
    step_to_question(qtbot, window, "dL/da")
    assert "dL/da = ?" in panel.chain.toPlainText()
    assert "= 2" not in panel.chain.toPlainText().split("?")[0][-8:]
    assert window.scene.node_items["a"].value_text == "?"
    type_answer(qtbot, window, "2")
    assert "dL/da = dL/dc · dc/da = 2 × 1 = 2" in panel.chain.toPlainText()
    assert "Right" in panel.predictor.card.feedback.text()
    assert window.scene.node_items["a"].value_text == "dL/da = 2"
    assert panel.predictor.score.counts["first_try"] >= 1
    assert panel.predictor.score.counts["revealed"] == 0


def test_a_wrong_fan_out_sum_gets_the_add_both_paths_hint_then_a_reveal(qtbot):
    window = predicting_window(qtbot)
    panel = window.playback
    step_to_question(qtbot, window, "dL/db")
    assert panel.predictor.pending[2].question.kind == "sum"
    right_before = panel.predictor.score.counts["first_try"]
    type_answer(qtbot, window, "3")  # one path only
    feedback = panel.predictor.card.feedback.text()
    assert "b feeds two nodes (c, d): add both paths" in feedback
    assert "dL/db = 2 (via c)" not in panel.chain.toPlainText()  # still hidden
    type_answer(qtbot, window, "2")
    assert "dL/db = 2 (via c) + 3 (via d) = 5" in panel.chain.toPlainText()
    assert "Revealed" in panel.predictor.card.feedback.text()
    score = panel.predictor.score.counts
    assert score == {"first_try": right_before, "after_hint": 0, "revealed": 1}
    assert f"{right_before} right first time, 0 after a hint, 1 revealed" in (
        panel.predictor.card.score.text()
    )
    assert not panel.backward_button.isEnabled()  # the pass is done


def test_a_right_answer_after_a_hint_counts_as_after_a_hint(qtbot):
    window = predicting_window(qtbot)
    panel = window.playback
    step_to_question(qtbot, window, "dL/dc")
    type_answer(qtbot, window, "3")
    assert "multiply swaps its inputs: dL/dc = dL/de · d" in panel.predictor.card.feedback.text()
    type_answer(qtbot, window, "2")
    assert panel.predictor.score.counts["after_hint"] == 1
    assert "after a hint" in panel.predictor.card.feedback.text()


def test_text_that_is_no_number_says_so_and_costs_no_try(qtbot):
    window = predicting_window(qtbot)
    panel = window.playback
    step_to_question(qtbot, window, "dL/dc")
    type_answer(qtbot, window, "two")
    assert "'two' is not a number" in panel.predictor.card.feedback.text()
    assert panel.predictor.pending[2].wrong == 0
    type_answer(qtbot, window, "4/2")
    assert panel.predictor.score.counts["first_try"] >= 1


def test_forward_values_are_asked_when_forward_too_is_on(qtbot):
    window = predicting_window(qtbot)
    panel = window.playback
    panel.predictor.forward_box.setChecked(True)
    for _ in range(4):  # a, b, one are sources: nothing to predict; c is asked
        qtbot.mouseClick(panel.forward_button, Qt.LeftButton)
    assert panel.predictor.pending[2].question.label == "c"
    assert "c = ?" in panel.chain.toPlainText()
    type_answer(qtbot, window, "3")
    assert "c = 3" in panel.chain.toPlainText()
    assert window.scene.node_items["c"].value_text == "3"


def test_a_tensor_is_filled_in_a_grid(qtbot):
    window = open_window(qtbot, SAMPLES / "quadratic_form.vgraph")
    panel = window.playback
    qtbot.mouseClick(panel.predictor.toggle, Qt.LeftButton)
    for _ in range(10):
        qtbot.mouseClick(panel.backward_button, Qt.LeftButton)
        pending = panel.predictor.pending
        if pending is not None and pending[2].question.kind == "sum":
            break
        if pending is not None:
            panel.predictor.reveal()
    grid = panel.predictor.card.grid
    assert grid.isVisible() and (grid.rowCount(), grid.columnCount()) == (1, 3)
    for column, text in enumerate(["2", "0", "2"]):  # 2 A x with A x = (1, 0, 1)
        grid.item(0, column).setText(text)
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key_Return)
    assert "Right" in panel.predictor.card.feedback.text()
    assert "dL/dx = [2, 0, 2]" in panel.predictor.card.feedback.text()


def test_the_score_belongs_to_the_pass_and_is_not_saved(qtbot, tmp_path):
    window = predicting_window(qtbot)
    panel = window.playback
    step_to_question(qtbot, window, "dL/dc")
    type_answer(qtbot, window, "2")
    assert panel.predictor.score.asked == 2
    path = tmp_path / "saved.vgraph"
    window.save_file(str(path))
    assert "first_try" not in path.read_text() and "score" not in path.read_text()
    qtbot.mouseClick(panel.reset_button, Qt.LeftButton)
    assert panel.predictor.score.asked == 0
    assert "0 right first time" in panel.predictor.card.score.text()


def test_reveal_without_an_answer_shows_the_result_and_the_rule(qtbot):
    window = predicting_window(qtbot)
    panel = window.playback
    step_to_question(qtbot, window, "dL/dd")
    qtbot.mouseClick(panel.predictor.card.reveal_button, Qt.LeftButton)
    feedback = panel.predictor.card.feedback.text()
    assert "Revealed" in feedback and "dL/dd = 3" in feedback
    assert "multiply swaps its inputs: dL/dd = dL/de · c" in feedback
    assert "dL/dd = dL/de · de/db = 1 × 3 = 3" in panel.chain.toPlainText()
    assert panel.predictor.score.counts["revealed"] == 1
