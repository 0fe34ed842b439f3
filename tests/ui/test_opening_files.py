"""A file that cannot be opened, from File > Open, Open Recent or a drop: one sentence in a
message box, no question asked, nothing hangs, and the open project stays as it was."""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from visualgrad.graph import fileformat
from visualgrad.ui.files import store
from visualgrad.ui.files.autosave import Autosave

from .helpers import SAMPLES, open_window, snapshot


@pytest.fixture
def boxes(monkeypatch) -> list[tuple[str, str]]:
    """The (title, text) of each warning box the window shows, which then closes at once."""
    shown: list[tuple[str, str]] = []

    def warning(_parent, title, text, *_buttons):
        shown.append((title, text))
        return QMessageBox.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def window(qtbot, tmp_path):
    """A window on a copy of xor with an unsaved edit; it asks nothing of its own."""
    path = tmp_path / "work.vgraph"
    fileformat.save(fileformat.load(SAMPLES / "xor.vgraph"), path)
    window = open_window(qtbot, path)
    del window.files.show_error  # the real message box (see ``boxes``), not the helpers' list
    window.document.add_node("Tanh", (0, 300))
    window.asked = []
    window.files.ask_unsaved = lambda: window.asked.append("unsaved") or "discard"
    return window


@contextlib.contextmanager
def fifo(path: Path):
    """A named pipe at ``path``. A reader still blocked on it after 3 s is let go (with
    end-of-file) so that a regression fails the test instead of hanging it."""
    os.mkfifo(path)
    done, blocked = threading.Event(), []

    def release() -> None:
        if done.wait(3):
            return
        while not done.is_set():
            try:
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                blocked.append(True)
            except OSError as error:
                if error.errno != errno.ENXIO:  # ENXIO: nobody is reading
                    raise
            done.wait(0.05)

    guard = threading.Thread(target=release, daemon=True)
    guard.start()
    try:
        yield blocked
    finally:
        done.set()
        guard.join()


def refused(window, boxes, before: str, path: Path, reason: str) -> None:
    """One box saying, in one sentence, why ``path`` did not open; nothing else changed."""
    assert boxes == [("Cannot open the file", f"{path}: {reason}")]
    assert "\n" not in boxes[0][1]
    assert snapshot(window) == before and window.isWindowModified()
    assert window.document.path.endswith("work.vgraph")
    assert window.asked == []  # a file that cannot be read asks nothing first


HOSTILE = {
    "damaged": (
        lambda p: p.write_text('{"format": "visualgrad", "nodes": [', encoding="utf-8"),
        "damaged JSON at line 1, column 36: Expecting value",
    ),
    "binary": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00"),
        "not UTF-8 text (byte 0x89 at offset 0)",
    ),
    "folder": (lambda p: p.mkdir(), "cannot read the file: it is a folder, not a regular file"),
    "gone": (lambda p: None, "cannot read the file: No such file or directory"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_file_open_refuses_a_bad_file_in_one_sentence(window, boxes, tmp_path, kind):
    make, reason = HOSTILE[kind]
    path = tmp_path / "bad.vgraph"
    make(path)
    before = snapshot(window)
    window.files.ask_open_path = lambda: str(path)
    window.files.open_dialog()
    refused(window, boxes, before, path, reason)


def test_file_open_refuses_a_named_pipe_without_waiting_on_it(window, boxes, tmp_path):
    path = tmp_path / "pipe.vgraph"
    before = snapshot(window)
    with fifo(path) as blocked:
        window.files.ask_open_path = lambda: str(path)
        window.files.open_dialog()
    assert not blocked
    refused(
        window, boxes, before, path, "cannot read the file: it is a named pipe, not a regular file"
    )


def test_file_open_refuses_a_device(window, boxes):
    before = snapshot(window)
    window.files.ask_open_path = lambda: os.devnull
    window.files.open_dialog()
    refused(
        window,
        boxes,
        before,
        Path(os.devnull),
        "cannot read the file: it is a device, not a regular file",
    )


def recent_action(window, path: Path):
    window.files.fill_recent()
    return next(a for a in window.files.recent_menu.actions() if a.toolTip() == str(path))


def recent_then_deleted(window, folder: Path):
    """A project put on the Open Recent menu, then deleted: its path and its menu action."""
    path = folder / "old.vgraph"
    fileformat.save(fileformat.load(SAMPLES / "split.vgraph"), path)
    store.remember(str(path))
    action = recent_action(window, path)
    path.unlink()
    return path, action


def test_open_recent_of_a_file_deleted_since_says_so(window, boxes, tmp_path):
    path, action = recent_then_deleted(window, tmp_path)
    before = snapshot(window)
    action.trigger()
    refused(window, boxes, before, path, "cannot read the file: No such file or directory")


def test_open_recent_of_a_file_replaced_by_a_pipe_neither_lists_nor_waits(window, boxes, tmp_path):
    path, action = recent_then_deleted(window, tmp_path)
    before = snapshot(window)
    with fifo(path) as blocked:
        action.trigger()  # chosen from a menu filled while it was still a file
        window.files.fill_recent()  # the menu filled again: only a stat, and it is left out
        listed = [a.toolTip() for a in window.files.recent_menu.actions()]
    assert not blocked and str(path) not in listed
    refused(
        window, boxes, before, path, "cannot read the file: it is a named pipe, not a regular file"
    )


def drop(target, path: Path) -> bool:
    """Drag ``path`` from a file manager onto ``target`` and let go; True if it was taken."""
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(60, 60), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, enter)
    event = QDropEvent(QPointF(60, 60), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, event)
    return enter.isAccepted() and event.isAccepted()


@pytest.mark.parametrize("onto", ["canvas", "window"])
def test_a_damaged_file_dropped_onto_the_window_says_why(qtbot, window, boxes, tmp_path, onto):
    path = tmp_path / "dropped.vgraph"
    path.write_text("{", encoding="utf-8")
    before = snapshot(window)
    target = window.canvas.viewport() if onto == "canvas" else window
    assert drop(target, path)
    qtbot.waitUntil(lambda: bool(boxes), timeout=2000)
    refused(
        window,
        boxes,
        before,
        path,
        "damaged JSON at line 1, column 2: Expecting property name enclosed in double quotes",
    )


def test_a_project_dropped_onto_the_canvas_opens_after_asking(qtbot, window, boxes, tmp_path):
    path = tmp_path / "split.vgraph"
    fileformat.save(fileformat.load(SAMPLES / "split.vgraph"), path)
    assert drop(window.canvas.viewport(), path)
    qtbot.waitUntil(lambda: window.document.path == str(path), timeout=2000)
    assert window.asked == ["unsaved"] and boxes == []
    assert snapshot(window) == fileformat.to_json(fileformat.load(path))


def test_a_drop_that_carries_no_local_file_opens_nothing(qtbot, window, boxes):
    data = QMimeData()
    data.setUrls([QUrl("https://example.org/x.vgraph")])
    before = snapshot(window)
    for target in (window.canvas.viewport(), window):
        event = QDropEvent(QPointF(60, 60), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(target, event)
    qtbot.wait(50)
    assert snapshot(window) == before and window.asked == [] and boxes == []


def test_a_bad_file_leaves_the_autosave_of_unsaved_work_in_place(window, boxes, tmp_path):
    window.files.autosave()
    slot = Autosave.for_path(window.document.path)
    assert slot.file.is_file()
    window.files.open_path(str(tmp_path / "missing.vgraph"))
    assert len(boxes) == 1 and slot.file.is_file()
