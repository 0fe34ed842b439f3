"""A wire whose source is inside a closed group cannot be pulled off its input from outside:
the window says to open the group, and nothing changes (it raised a KeyError)."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from .helpers import drag, port_point, snapshot
from .test_groups import _grouped_xor


def test_pulling_a_wire_that_comes_out_of_a_closed_group_says_to_open_it(qtbot, capsys):
    window = _grouped_xor(qtbot)  # hidden and relu in one group; relu feeds out
    said = []
    window.document.status.connect(said.append)
    before, steps = snapshot(window), window.document.undo_stack.count()
    start = port_point(window, "out", "x", output=False)
    with qtbot.captureExceptions() as raised:
        drag(window, start, start + QPoint(0, 160))
    assert raised == []
    assert snapshot(window) == before and window.document.undo_stack.count() == steps
    assert said[-1] == "this wire comes out of a group: open the group to pull it off out.x"
