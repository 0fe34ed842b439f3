"""The window's files: New, Open, Open Sample, Save, recent files, drops, export, autosave.

A component of the window, given what it works on: the document, the training panel
(a training still running is stopped before a save, and counts as unsaved work) and
the canvas (fitted to a project that opens, drawn into an exported image). The
questions it asks a person are methods, which tests replace. A project is read before
anything else happens, whether it comes from File > Open, Open Recent or a drop: a
file that cannot be opened (gone, damaged, a pipe or a device) is one sentence in a
message box, no question is asked, and the open project stays as it was.
"""

from __future__ import annotations

import datetime
import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRectF, QSize, QTimer, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from ...graph import fileformat, safe_files
from ...graph.export import to_torch
from ...graph.graph import Graph, GraphError
from ..document import Document
from . import store
from .autosave import Autosave
from .gallery import Gallery

if TYPE_CHECKING:
    from ..canvas import CanvasView
    from ..training import TrainingPanel

AUTOSAVE_MS = 30_000
FILTER = "visualgrad projects (*.vgraph);;All files (*)"


def file_problem(path: str, error: Exception) -> str:
    """One line for a file that could not be read or written; a FileFormatError already
    names the file, an OSError is given its path."""
    if isinstance(error, OSError):
        return f"{path}: {error.strerror or error}"
    return str(error)


class FileActions(QObject):
    """Opening, saving, exporting and recovering the project of one window."""

    message = Signal(str, int)  # for the status bar: the text, and how many ms it stays

    def __init__(
        self, document: Document, training: TrainingPanel, canvas: CanvasView, window: QWidget
    ) -> None:
        super().__init__(window)
        self.document, self.training, self.canvas = document, training, canvas
        self.window = window  # what the message boxes and file dialogs belong to
        self.gallery: Gallery | None = None
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.aboutToShow.connect(self.fill_recent)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        self.autosave_timer.start()

    def open_file(self, path: str) -> bool:
        """Load ``path`` into the window; a bad file leaves the open project as it was."""
        project = self._read(path)
        if project is None:
            return False
        self._show(path, *project)
        return True

    def _read(self, path: str) -> tuple[Graph, str | None] | None:
        """The project in ``path``, or None once a message box has said why not."""
        try:
            return fileformat.load_with_description(path)
        except (ValueError, OSError) as error:  # a FileFormatError is a ValueError
            self.show_error("Cannot open the file", file_problem(path, error))
            return None

    def _show(self, path: str, graph: Graph, description: str | None) -> None:
        self.document.replace(graph, os.path.abspath(path), description)
        self._remember(path)
        self.offer_recovery(self.document.path)
        QTimer.singleShot(0, self.canvas.fit_to_view)
        self.message.emit(f"Opened {os.path.basename(path)}", 4000)

    def save_file(self, path: str) -> bool:
        if self.training.is_training():  # save what it has learned so far
            self.training.stop(wait=True)
            self.message.emit("Training stopped to save what it has learned", 6000)
        before = self._autosave_slot()  # the project's slot under its old name (or untitled)
        try:
            self.document.save(path)
        except (OSError, fileformat.FileFormatError) as error:
            self.show_error("Cannot save the file", file_problem(path, error))
            return False
        before.remove()
        self._autosave_slot().remove()
        self._remember(path)
        self.message.emit(f"Saved {os.path.basename(path)}", 4000)
        return True

    # ---- questions (tests replace these) -----------------------------------------------------
    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel' for the unsaved changes of the open project."""
        name = os.path.basename(self.document.path or "Untitled")
        answer = QMessageBox.question(
            self.window,
            "Unsaved changes",
            f"{name} has changes that are not saved. Save them first?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Save,
        )
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def ask_recover(self, when: str) -> bool:
        answer = QMessageBox.question(
            self.window,
            "Recover unsaved work",
            f"visualgrad ended without saving this project. Recover the changes autosaved at "
            f"{when}?",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.Yes,
        )
        return answer == QMessageBox.Yes

    def ask_open_path(self) -> str:
        return QFileDialog.getOpenFileName(self.window, "Open project", self._folder(), FILTER)[0]

    def ask_save_path(self, title: str = "Save project", filter_: str = FILTER) -> str:
        return QFileDialog.getSaveFileName(self.window, title, self._folder(), filter_)[0]

    def show_error(self, title: str, message: str) -> None:
        self.message.emit(message, 10000)
        QMessageBox.warning(self.window, title, message)

    # ---- files ------------------------------------------------------------------------------
    def _folder(self) -> str:
        return os.path.dirname(self.document.path) if self.document.path else os.getcwd()

    def _remember(self, path: str) -> None:
        store.remember(path)

    def fill_recent(self) -> None:
        self.recent_menu.clear()
        paths = store.recent_files()
        for path in paths:
            action = self.recent_menu.addAction(os.path.basename(path))
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if not paths:
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def maybe_save(self) -> bool:
        """True when the open project may be replaced: it is saved, or its changes go.

        A training still running counts as a change: what it has learned is not saved.
        """
        if not self.document.modified and not self.training.is_training():
            return True
        answer = self.ask_unsaved()
        if answer == "save":
            return self.save()
        if answer == "discard":
            self._autosave_slot().remove()
            return True
        return False

    def may_close(self) -> bool:
        """Whether the window may close: its changes are saved or let go (Cancel leaves a
        training running, too); the autosave of a project closed on purpose goes."""
        if not self.maybe_save():
            return False
        self._autosave_slot().remove()
        return True

    def new_file(self) -> None:
        if self.maybe_save():
            self.document.new()

    def open_dialog(self) -> None:
        path = self.ask_open_path()
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> bool:
        """Open ``path`` in place of the open project, once it has been read and the open
        project's changes are saved or let go."""
        project = self._read(path)
        if project is None or not self.maybe_save():
            return False
        self._show(path, *project)
        return True

    # ---- a file dropped onto the window or the canvas ---------------------------------------
    def open_dropped(self, path: str) -> None:
        """Open a dropped file once the drop has ended: the program it was dragged from
        waits for the drop, and opening may ask a question."""
        if self.document.locked:
            self.message.emit("Training is running: stop it to open a project", 6000)
            return
        QTimer.singleShot(0, lambda: self.open_path(path))

    def open_sample(self) -> None:
        gallery = Gallery(self.canvas.scene().theme, self.window)
        gallery.chosen.connect(self.open_path)
        gallery.open()
        self.gallery = gallery

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_file(self.document.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        if not path:
            return False
        if not path.endswith(".vgraph"):
            path += ".vgraph"
        return self.save_file(path)

    def export_image(self, kind: str) -> None:
        filter_ = "PNG image (*.png)" if kind == "png" else "SVG drawing (*.svg)"
        path = self.ask_save_path("Export image", filter_)
        if path:
            self.write_image(path if path.endswith(f".{kind}") else f"{path}.{kind}")

    def write_image(self, path: str) -> None:
        """The whole graph as a PNG (twice the screen's resolution) or an SVG drawing."""
        scene = self.canvas.scene()
        scene.clearSelection()
        source = scene.items_rect().adjusted(-40, -40, 40, 40)
        if source.isNull():
            source = QRectF(0, 0, 400, 300)
        target = QRectF(0, 0, source.width(), source.height())
        if path.endswith(".svg"):
            device = QSvgGenerator()
            device.setFileName(path)
            device.setSize(QSize(int(source.width()), int(source.height())))
            device.setViewBox(target)
            device.setTitle(os.path.basename(self.document.path or "visualgrad graph"))
        else:
            device = QImage(int(source.width() * 2), int(source.height() * 2), QImage.Format_ARGB32)
            device.setDevicePixelRatio(2)
            device.fill(scene.theme.canvas)
        painter = QPainter(device)
        painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        scene.render(painter, target, source)
        painter.end()
        if isinstance(device, QImage) and not device.save(path):
            self.show_error("Cannot export the image", f"{path}: could not write the file")
            return
        self.message.emit(f"Exported {os.path.basename(path)}", 4000)

    def export_torch(self) -> None:
        path = self.ask_save_path("Export PyTorch script", "Python script (*.py)")
        if not path:
            return
        try:
            script = to_torch(self.document.graph)
            target = path if path.endswith(".py") else f"{path}.py"
            safe_files.write_atomically(target, script.encode("utf-8"))
        except (GraphError, ValueError, OSError) as error:
            self.show_error("Cannot export the script", str(error))
            return
        self.message.emit(f"Wrote {os.path.basename(path)}: run it with python", 6000)

    # ---- autosave --------------------------------------------------------------------------
    def _autosave_slot(self) -> Autosave:
        return Autosave.for_path(self.document.path)

    def autosave(self) -> None:
        if not self.document.modified:
            return
        try:
            text = fileformat.to_json(self.document.graph, self.document.description)
            self._autosave_slot().write(text, self.document.path)
        except (OSError, fileformat.FileFormatError) as error:
            reason = error.strerror if isinstance(error, OSError) else None
            self.message.emit(f"Autosave failed: {reason or error}", 8000)

    def offer_recovery(self, path: str | None) -> None:
        """Offer back the work an autosave of ``path`` holds, when the program ended without
        saving it."""
        slot = Autosave.for_path(path)
        written = slot.pending(path)
        if written is None:
            return
        when = datetime.datetime.fromtimestamp(written).strftime("%Y-%m-%d %H:%M")
        if not self.ask_recover(when):
            slot.remove()
            return
        try:
            graph, description = fileformat.from_json_with_description(slot.read(), "the autosave")
        except (ValueError, OSError) as error:
            self.show_error("Cannot recover the autosave", file_problem(str(slot.file), error))
            return
        self.document.replace(graph, path, description)
        self.document.mark_weights_changed()
        self.message.emit("Recovered the autosaved changes: save them to keep them", 8000)
