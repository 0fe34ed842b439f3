"""A pulse still moving along an edge when the canvas's items are replaced (another file
opened) is stopped and forgotten; stepping the new file then moves its own pulse."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from .helpers import SAMPLES, open_window


def test_opening_a_file_while_a_pulse_moves_stops_it_and_stepping_goes_on(qtbot):
    window = open_window(qtbot, SAMPLES / "chain_rule.vgraph")
    panel = window.playback
    panel.speed.setValue(1)  # slow: the pulse is still on its way when the file changes
    qtbot.mouseClick(panel.forward_button, Qt.LeftButton)
    assert panel.flow.moving() and len(panel.flow.pulses) == 1
    window.files.ask_open_path = lambda: str(SAMPLES / "xor.vgraph")
    QTest.keySequence(window, "Ctrl+O")
    assert window.graph.nodes.keys() >= {"hidden", "relu"}
    assert not panel.flow.moving() and panel.flow.pulses == []
    qtbot.wait(100)  # frames that would have moved the old pulse
    assert not any(e.badge for e in window.scene.edge_items.values())
    panel.speed.setValue(10)
    qtbot.mouseClick(panel.forward_button, Qt.LeftButton)
    (pulse,) = panel.flow.pulses
    assert pulse.scene() is window.scene and panel.flow.moving()
    qtbot.waitUntil(lambda: not panel.flow.pulses, timeout=3000)
    edge = next(e for e in window.scene.edge_items if e.source == "x")
    assert window.scene.edge_items[edge].badge  # the step arrived on the new file's edge
