"""A window deleted without being closed (a script's window at interpreter exit) goes quietly:
the panels that follow the canvas's selection do not reach into the scene as it is destroyed."""

from __future__ import annotations

import shiboken6

from visualgrad.ui import MainWindow

from .helpers import SAMPLES


def test_a_window_deleted_unclosed_with_a_node_selected_raises_nothing(qtbot, caplog):
    window = MainWindow(str(SAMPLES / "spiral.vgraph"))
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)  # what the window queued on showing itself has run
    first = next(iter(window.graph.nodes))
    window.scene.select_nodes([first])
    assert window.scene.selected_node_ids() == [first]
    window.document.undo_stack.clear()
    with qtbot.captureExceptions() as caught:
        window.deleteLater()
        qtbot.wait(50)
    assert not shiboken6.isValid(window)
    assert [str(error) for _type, error, _tb in caught] == []
    assert [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []
