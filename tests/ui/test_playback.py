"""Stepping through a pass in the window: e = (a + b) * (b + 1) at a = 2, b = 1."""

from __future__ import annotations

from PySide6.QtCore import Qt

from visualgrad.graph.graph import Edge

from .helpers import SAMPLES, open_window


def chain_rule_window(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    window.playback.speed.setValue(10)
    return window


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.LeftButton)


def settle(qtbot, window) -> None:
    """Wait for the step's pulse to arrive."""
    qtbot.waitUntil(lambda: not window.playback.flow.pulses, timeout=3000)


def test_forward_steps_light_each_node_and_show_e_is_6(qtbot):
    window = chain_rule_window(qtbot)
    panel = window.playback
    for _ in range(len(window.graph.nodes) - 1):
        click(qtbot, panel.forward_button)
        settle(qtbot, window)
    assert "e = 6" in panel.chain.toPlainText()
    assert window.scene.node_items["e"].value_text == "6"
    assert window.scene.node_items["e"].state == "forward"
    assert window.scene.node_items["c"].value_text == "3"
    badge = window.scene.edge_items[Edge("c", "y", "e", "a")].badge
    assert badge == "3"
    assert panel.counter.text() == "forward 6/7"


def test_backward_steps_write_the_chain_rule_with_numbers(qtbot):
    window = chain_rule_window(qtbot)
    panel = window.playback
    texts = []
    click(qtbot, panel.backward_button)  # completes the forward pass, then dL/dL = 1
    texts.append(panel.chain.toPlainText())
    while panel.backward_button.isEnabled():
        click(qtbot, panel.backward_button)
        settle(qtbot, window)
        texts.append(panel.chain.toPlainText())
    assert "dL/dL = 1" in texts[0]
    joined = "\n".join(texts)
    assert "dL/dc = dL/de · de/da = 1 × 2 = 2" in joined
    assert "dL/da = dL/dc · dc/da = 2 × 1 = 2" in joined
    assert "dL/db = 2 (via c) + 3 (via d) = 5" in joined
    assert window.scene.node_items["b"].value_text == "dL/db = 5"
    gradient_badge = window.scene.edge_items[Edge("a", "y", "c", "a")].badge
    assert gradient_badge == "2"
    assert window.scene.edge_items[Edge("a", "y", "c", "a")].colour is not None
    assert panel.legend.low is not None


def test_a_pulse_travels_along_the_edge_at_animation_speed(qtbot):
    window = chain_rule_window(qtbot)
    panel = window.playback
    panel.speed.setValue(3)
    panel.step_forward()  # a: a source with one outgoing edge
    assert len(panel.flow.pulses) == 1
    start = panel.flow.pulses[0].pos()
    qtbot.wait(150)
    assert panel.flow.pulses[0].pos() != start
    settle(qtbot, window)
    assert panel.flow.frames >= 5


def test_play_runs_the_whole_pass_and_the_toggle_shows_gradients(qtbot):
    window = chain_rule_window(qtbot)
    panel = window.playback
    click(qtbot, panel.play_button)
    qtbot.waitUntil(lambda: panel.position == len(panel.steps), timeout=20000)
    qtbot.waitUntil(lambda: not panel.play_button.isChecked(), timeout=3000)
    edge = Edge("b", "y", "d", "a")
    assert panel.grad_radio.isChecked()  # the backward pass switched the edges to gradients
    assert window.scene.edge_items[edge].badge == "3"
    panel.value_radio.setChecked(True)
    assert window.scene.edge_items[edge].badge == "1"


def test_the_inspector_shows_the_selected_nodes_value_and_gradient(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    panel = window.playback
    while panel.backward_button.isEnabled():
        panel.step_backward()
    panel.flow.finish()
    window.scene.select_nodes(["hidden"])
    text = window.inspector.values.text()
    assert "value" in text and "gradient" in text and "shape (32, 16)" in text
    assert window.inspector.value_map.isVisible()


def test_gradient_check_marks_every_parameter_green(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    click(qtbot, window.playback.check_button)
    assert [c.ok for c in window.playback.last_checks] == [True] * 4
    assert window.scene.node_items["hidden"].value_text.startswith("✔")
    assert "hidden.weight" in window.playback.chain.toPlainText()


def test_an_edit_resets_the_pass(qtbot):
    window = chain_rule_window(qtbot)
    window.playback.step_backward()
    assert window.playback.steps
    window.document.set_params("one", {"value": 2.0})
    assert not window.playback.steps
    assert all(i.state == "idle" for i in window.scene.node_items.values())
    window.playback.step_backward()  # the new numbers: d = b + 2 = 3, e = 9
    assert "= 9" in window.playback.steps[5].text


def test_a_graph_that_cannot_run_says_why_instead_of_stepping(qtbot):
    window = open_window(qtbot)
    window.document.add_node("Negate", (0, 0))
    window.document.add_node("Loss", (300, 0))
    click(qtbot, window.playback.forward_button)
    message = window.playback.chain.toPlainText()
    assert "negate" in message and "not connected" in message
    assert window.scene.selected_node_ids() == ["negate"]
