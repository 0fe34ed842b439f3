"""What the window tests share: opening a window, and doing what a hand does."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from visualgrad.graph import fileformat
from visualgrad.ui import MainWindow

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def open_window(qtbot, path: str | Path | None = None) -> MainWindow:
    """A shown window whose questions are answered 'discard' unless a test says otherwise."""
    window = MainWindow(None if path is None else str(path))
    window.files.ask_unsaved = lambda: "discard"
    window.files.show_error = lambda title, message: window.errors.append(message)
    window.errors = []
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # shortcuts reach the active window only
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


def autosaved_edit(qtbot, folder: Path):
    """A window on a copy of xor in ``folder`` with one unsaved node, autosaved: the window,
    the project's path and its autosave slot."""
    from visualgrad.ui.files.autosave import Autosave

    path = folder / "work.vgraph"
    fileformat.save(fileformat.load(SAMPLES / "xor.vgraph"), path)
    window = open_window(qtbot, path)
    window.document.add_node("Tanh", (0, 300))
    window.files.autosave()
    return window, path, Autosave.for_path(str(path))


def snapshot(window: MainWindow) -> str:
    """The document as its file would hold it: what undo must restore exactly."""
    return fileformat.to_json(window.graph)


def on_screen(window: MainWindow, scene_point: QPointF) -> QPoint:
    return window.canvas.mapFromScene(scene_point)


def port_point(window: MainWindow, node_id: str, port: str, output: bool) -> QPoint:
    item = window.scene.node_items[node_id]
    ports = item.outputs if output else item.inputs
    return on_screen(window, ports[port].scenePos())


def drag(window: MainWindow, start: QPoint, end: QPoint, steps: int = 6) -> None:
    """Press at ``start``, move in a few steps, release at ``end`` (left button)."""
    viewport = window.canvas.viewport()
    QTest.mousePress(viewport, Qt.LeftButton, Qt.NoModifier, start)
    for i in range(1, steps + 1):
        point = start + (end - start) * (i / steps)
        QTest.mouseMove(viewport, point)
    QTest.mouseRelease(viewport, Qt.LeftButton, Qt.NoModifier, end)
