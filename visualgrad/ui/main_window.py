"""The main window: canvas in the middle, palette on the left, inspector and training on
the right, playback below; menus, shortcuts, files, autosave and themes."""

from __future__ import annotations

import os

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QUndoView,
)

from ..graph.events import Connections
from ..graph.graph import Graph, Node
from . import help_menu, theme
from .app import app_icon
from .canvas import (
    AnnotationLayer,
    ArrangeActions,
    CanvasScene,
    CanvasView,
    ContextMenus,
    GroupActions,
    HealthBadges,
    Inspector,
    NeuronView,
    Palette,
    dropped_file,
)
from .dock_sizes import DockSizes, Scrolled
from .document import Document
from .files import FileActions, import_dialog, settings
from .playback import ElementInspector, LessonsPanel, PlaybackPanel
from .time_travel import TimeTravel
from .training import RunsPanel, TrainingPanel

LAYOUT_VERSION = 3  # of the docks' arrangement: a saved state of another is not restored
TRAINING_LOCK = "Training is running: stop it to edit the graph"  # why an edit is refused


class MainWindow(QMainWindow):
    """One project in one window."""

    def __init__(self, path: str | None = None, show_gallery: bool = False) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)  # a project dropped anywhere on the window opens
        self.store = settings()
        self.theme = theme.THEMES.get(self.store.value("theme", "light"), theme.LIGHT)
        app = QApplication.instance()
        if app is not None:
            theme.apply(app, self.theme)
        self.document = Document(self)
        self.scene = CanvasScene(self.document, self.theme, self)
        self.canvas = CanvasView(self.scene, self)
        self.setCentralWidget(self.canvas)
        self.palette = Palette(self.theme)
        self.inspector = Inspector(self.document, self.theme)
        self.training = TrainingPanel(self.document, self.theme)
        self.runs = RunsPanel(self.document, self.training)
        self.runs.set_theme(self.theme)
        self.playback = PlaybackPanel(self.document, self.scene, self.inspector)
        self.lessons = LessonsPanel(self.document, self.scene, self.playback, self.training)
        self.neurons = NeuronView(self.scene, self.inspector, self.training.watch)
        self.element = ElementInspector(self.playback, self.inspector)
        self.history = QUndoView(self.document.undo_stack)
        self.history.setObjectName("history")
        self.history.setEmptyLabel("<opened>")
        self.files = FileActions(self.document, self.training, self.canvas, self)
        self._docks()
        self._actions()
        self._menus()
        self.canvas_menus = ContextMenus(
            self.canvas,
            {
                "select_all": self.select_all_action,
                "fit": self.fit_action,
                "duplicate": self.duplicate_action,
                "delete": self.delete_action,
                "group": self.group_actions.group_action,
                "open_group": self.group_actions.open_action,
                "rename_group": self.group_actions.rename_action,
                "ungroup": self.group_actions.ungroup_action,
            },
        )
        self._status_bar()
        self._wire()
        self._paste_count = 0
        self._graph_connections = Connections()  # to the graph shown, for the inspector
        self.resize(1400, 860)
        geometry = self.store.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.store.value("windowState")
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)
        self._graph_replaced(self.document.graph)
        self._update_title()
        if path is not None:
            self.open_file(path)
        else:
            self.files.offer_recovery(None)
            if show_gallery:
                QTimer.singleShot(0, self.files.open_sample)

    # ---- the public face ----------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self.document.graph

    def open_file(self, path: str) -> bool:
        """Load ``path`` into the window; a bad file says why and changes nothing."""
        return self.files.open_file(path)

    def save_file(self, path: str) -> bool:
        """Write the project to ``path``; False once a message box has said why not."""
        return self.files.save_file(path)

    # ---- building the window ---------------------------------------------------------------
    def _dock(self, title: str, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        # Under the canvas a panel may be shorter than its content: it scrolls, never cuts.
        dock.setWidget(Scrolled(widget) if area == Qt.BottomDockWidgetArea else widget)
        self.addDockWidget(area, dock)
        return dock

    def _docks(self) -> None:
        self.palette_dock = self._dock(
            "Palette", "paletteDock", self.palette, Qt.LeftDockWidgetArea
        )
        self.inspector_dock = self._dock(
            "Inspector", "inspectorDock", self.inspector, Qt.RightDockWidgetArea
        )
        self.training_dock = self._dock(
            "Training", "trainingDock", self.training, Qt.BottomDockWidgetArea
        )
        self.history_dock = self._dock(
            "History", "historyDock", self.history, Qt.RightDockWidgetArea
        )
        self.runs_dock = self._dock("Runs", "runsDock", self.runs, Qt.BottomDockWidgetArea)
        self.playback_dock = self._dock(
            "Step through", "playbackDock", self.playback, Qt.BottomDockWidgetArea
        )
        self.lessons_dock = self._dock(
            "Lessons", "lessonsDock", self.lessons, Qt.RightDockWidgetArea
        )
        self.tabifyDockWidget(self.inspector_dock, self.history_dock)
        self.tabifyDockWidget(self.inspector_dock, self.lessons_dock)  # raised for a lesson
        self.tabifyDockWidget(self.playback_dock, self.training_dock)
        self.tabifyDockWidget(self.playback_dock, self.runs_dock)
        self.inspector_dock.raise_()
        self.playback_dock.raise_()
        self.resizeDocks([self.palette_dock], [190], Qt.Horizontal)
        self.resizeDocks([self.inspector_dock], [300], Qt.Horizontal)
        bottom = [self.playback_dock, self.training_dock, self.runs_dock]
        self.dock_sizes = DockSizes(self, bottom, self.store)
        self.resizeDocks(
            [self.playback_dock], [self.dock_sizes.height_for(self.playback_dock)], Qt.Vertical
        )

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _actions(self) -> None:
        a, K, f = self._action, QKeySequence, self.files
        self.new_action = a("&New", f.new_file, K.New, "Start an empty project")
        self.open_action = a("&Open...", f.open_dialog, K.Open, "Open a .vgraph project")
        self.sample_action = a(
            "Open &Sample...", f.open_sample, "Ctrl+Shift+O", "Open one of the sample projects"
        )
        self.save_action = a("&Save", f.save, K.Save, "Save the project")
        self.save_as_action = a("Save &As...", f.save_as, K.SaveAs, "Save under a new name")
        self.import_data_action = a(
            "&Import data...",
            lambda: import_dialog(self.document, self),
            "Ctrl+I",
            "Train on your own data: a CSV, or an .npy/.npz with x and y",
        )
        self.png_action = a("Image (&PNG)...", lambda: f.export_image("png"))
        self.svg_action = a("Image (S&VG)...", lambda: f.export_image("svg"))
        self.torch_action = a(
            "&PyTorch script...",
            f.export_torch,
            tip="Write a standalone PyTorch training script",
        )
        self.quit_action = a("&Quit", self.close, K.Quit)
        self.undo_action = self.document.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(K.Undo)
        self.redo_action = self.document.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcut(K.Redo)
        self.cut_action = a("Cu&t", self.cut, K.Cut)
        self.copy_action = a("&Copy", self.copy, K.Copy)
        self.paste_action = a("&Paste", self.paste, K.Paste)
        self.duplicate_action = a("D&uplicate", self.duplicate, "Ctrl+D")
        self.delete_action = a("&Delete", self.delete_selection, K.Delete, "Delete the selection")
        self.delete_action.setShortcuts([K(K.Delete), K(Qt.Key_Backspace)])
        self.select_all_action = a("Select &All", self.select_all, K.SelectAll)
        self.layout_action = a(
            "Auto-&layout",
            lambda: self.document.auto_layout(self.canvas.view_size()),
            "Ctrl+L",
            "Arrange the graph in layers that fit the view",
        )
        self.zoom_in_action = a("Zoom &In", lambda: self.canvas.zoom_by(1.25), K.ZoomIn)
        self.zoom_out_action = a("Zoom &Out", lambda: self.canvas.zoom_by(0.8), K.ZoomOut)
        self.zoom_reset_action = a("&Actual Size", self.canvas.reset_zoom, "Ctrl+0")
        self.fit_action = a("&Fit to View", self.canvas.fit_to_view, "Ctrl+1")
        self.overview_action = a("O&verview", self.canvas.set_overview_visible, "Ctrl+M")
        self.overview_action.setCheckable(True)
        self.theme_group = QActionGroup(self)
        self.theme_actions = {}
        for name in theme.THEMES:
            action = a(f"{name.capitalize()} theme", lambda _=False, n=name: self.set_theme(n))
            action.setCheckable(True)
            action.setChecked(name == self.theme.name)
            self.theme_group.addAction(action)
            self.theme_actions[name] = action
        self.edit_actions = [
            self.cut_action,
            self.paste_action,
            self.duplicate_action,
            self.delete_action,
            self.layout_action,
            self.new_action,
            self.open_action,
            self.sample_action,
            self.import_data_action,
        ]
        self.arrange = ArrangeActions(self.document, self.scene, self.store, self)
        self.annotations = AnnotationLayer(self.document, self.canvas, self)
        self.group_actions = GroupActions(
            self.document, self.scene, self.canvas, self.playback, self
        )

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for action in (self.new_action, self.open_action, self.sample_action):
            file_menu.addAction(action)
        file_menu.addMenu(self.files.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.save_action)
        file_menu.addAction(self.save_as_action)
        file_menu.addAction(self.import_data_action)
        export = file_menu.addMenu("&Export")
        export.addAction(self.png_action)
        export.addAction(self.svg_action)
        export.addAction(self.torch_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        for action in (self.cut_action, self.copy_action, self.paste_action, self.duplicate_action):
            edit.addAction(action)
        edit.addAction(self.delete_action)
        edit.addSeparator()
        edit.addAction(self.select_all_action)
        edit.addAction(self.layout_action)
        edit.addMenu(self.arrange.menu(edit))
        for action in self.annotations.actions():
            edit.addAction(action)
        edit.addMenu(self.group_actions.menu(edit))
        view = bar.addMenu("&View")
        for action in (self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action):
            view.addAction(action)
        view.addAction(self.fit_action)
        view.addAction(self.overview_action)
        view.addSeparator()
        for action in self.theme_actions.values():
            view.addAction(action)
        view.addSeparator()
        for dock in (
            self.palette_dock,
            self.inspector_dock,
            self.training_dock,
            self.runs_dock,
            self.history_dock,
            self.lessons_dock,
            self.playback_dock,
        ):
            view.addAction(dock.toggleViewAction())
        run = bar.addMenu("&Run")
        for action in self.playback.actions():
            run.addAction(action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(
            self._action("&Keyboard shortcuts", self.show_shortcuts, "Ctrl+/", "Every shortcut")
        )
        help_menu.addAction(self._action("&About visualgrad", self.about))

    def _status_bar(self) -> None:
        self.zoom_label = QLabel("100%")
        self.zoom_label.setObjectName("zoomLabel")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.statusBar().showMessage(
            "Drag a node from the palette, or press Tab on the canvas. "
            "Drag from an output to an input to connect."
        )

    def _wire(self) -> None:
        d = self.document
        d.status.connect(self._say)
        d.graph_replaced.connect(self._graph_replaced)
        d.modified_changed.connect(self._update_title)
        d.path_changed.connect(self._update_title)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.scene.shapes_refreshed.connect(self._show_shape)
        self.palette.tree.type_activated.connect(lambda name: self.canvas.place(name))
        self.canvas.zoom_changed.connect(self._show_zoom)
        self.canvas.file_dropped.connect(self.files.open_dropped)
        self.files.message.connect(self.statusBar().showMessage)
        d.locked_changed.connect(self._show_locked)
        self.training.started.connect(lambda: self.document.lock(TRAINING_LOCK))
        self.training.finished.connect(self._training_finished)
        self.training.status.connect(self._say)
        self.training.failed.connect(self._training_failed)
        self.training.weights_changed.connect(self.document.mark_weights_changed)
        self.training.neurons_arrived.connect(self.neurons.show_neurons)
        self.health_badges = HealthBadges(self.scene)
        self.training.health_plot.warnings_changed.connect(self.health_badges.show)
        self.time_travel = TimeTravel(self.training, self.playback, self.neurons)
        self.training.started.connect(lambda: self.neurons.set_training(True))
        self.training.finished.connect(lambda _done: self.neurons.set_training(False))
        self.playback.status.connect(self._say)

    def _say(self, message: str) -> None:
        self.statusBar().showMessage(message, 10000)

    def _show_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom:.0%}")

    def _graph_replaced(self, graph: Graph) -> None:
        self._graph_connections.disconnect_all()
        self._graph_connections.connect(graph.events.params_changed, self._params_changed)
        self._graph_connections.connect(graph.events.node_removed, self._node_removed)
        self.inspector.show_node(None)
        self._paste_count = 0
        if graph.lesson is not None:  # a project with a lesson opens on it
            self.lessons_dock.show()
            self.lessons_dock.raise_()
        elif not self.lessons_dock.isFloating():  # and one without, on its nodes
            self.inspector_dock.raise_()

    def _params_changed(self, node: Node) -> None:
        if node.id == self.inspector.node_id:
            self.inspector.refresh()

    def _node_removed(self, node: Node) -> None:
        if node.id == self.inspector.node_id:
            self.inspector.show_node(None)

    def _selection_changed(self) -> None:
        if self.scene.graph is None:
            return
        ids = self.scene.selected_node_ids()
        node_id = ids[0] if len(ids) == 1 else None
        if node_id != self.inspector.node_id:
            self.inspector.show_node(node_id)
            self._show_shape()
            self.playback.show_selected(node_id)
            self.neurons.show_selected()

    def _show_shape(self) -> None:
        node_id = self.inspector.node_id
        item = self.scene.node_items.get(node_id) if node_id else None
        if item is not None:
            self.inspector.set_shape(item.shape_text, item.error)

    def _update_title(self, *_changed) -> None:
        name = os.path.basename(self.document.path) if self.document.path else "Untitled"
        self.setWindowTitle(f"{name}[*] — visualgrad")
        self.setWindowModified(self.document.modified)

    # ---- edit ---------------------------------------------------------------------------------
    def copy(self) -> None:
        ids = self.scene.selected_node_ids()
        if not ids:
            return
        # Plain text, so the nodes paste into another window or a text editor alike (and a
        # QMimeData made here would be freed twice when the program ends).
        QGuiApplication.clipboard().setText(self.document.copy(ids))
        self._paste_count = 0
        self.statusBar().showMessage(f"Copied {len(ids)} node{'s' if len(ids) > 1 else ''}", 3000)

    def cut(self) -> None:
        if not self.document.editable():
            return
        self.copy()
        self.delete_selection()

    def paste(self) -> None:
        text = QGuiApplication.clipboard().text()
        if '"visualgrad"' not in text:
            self.statusBar().showMessage("The clipboard holds no visualgrad nodes", 4000)
            return
        shift = 30.0 * (self._paste_count + 1)
        ids = self.document.paste(text, (shift, shift))
        self._paste_count += bool(ids)
        self.scene.select_nodes(ids)

    def duplicate(self) -> None:
        ids = self.scene.selected_node_ids()
        if ids:
            pasted = self.document.paste(self.document.copy(ids), (30.0, 30.0))
            self.scene.select_nodes(pasted)

    def delete_selection(self) -> None:
        self.annotations.delete_selected()  # frames and notes: a step of their own
        nodes, edges = self.scene.selected_node_ids(), self.scene.selected_edges()
        if nodes or edges:
            self.document.remove(nodes, edges)
        elif self.document.editable():
            self.scene.wires.remove_selected_points()

    def select_all(self) -> None:
        for item in self.scene.node_items.values():
            item.setSelected(True)

    def set_theme(self, name: str) -> None:
        self.theme = theme.THEMES[name]
        app = QApplication.instance()
        theme.apply(app, self.theme)
        self.scene.set_theme(self.theme)
        self.annotations.set_theme()
        self.inspector.set_theme(self.theme)
        self.training.set_theme(self.theme)
        self.runs.set_theme(self.theme)
        self.store.setValue("theme", name)
        self.theme_actions[name].setChecked(True)

    def about(self) -> None:
        self.about_box = help_menu.about(self)

    def show_shortcuts(self) -> None:
        self.shortcuts_dialog = help_menu.ShortcutsDialog(self)
        self.shortcuts_dialog.show()

    # ---- training locks editing ----------------------------------------------------------------
    def _show_locked(self, locked: bool) -> None:
        """The window's edit controls are off while the document refuses edits."""
        for action in self.edit_actions:
            action.setEnabled(not locked)
        self.files.recent_menu.setEnabled(not locked)
        self.undo_action.setEnabled(not locked and self.document.undo_stack.canUndo())
        self.redo_action.setEnabled(not locked and self.document.undo_stack.canRedo())
        self.history.setEnabled(not locked)
        self.palette.setEnabled(not locked)
        self.playback.setEnabled(not locked)
        if locked:
            self.statusBar().showMessage("Training: editing is locked until it stops", 4000)

    def _training_finished(self, _completed: bool) -> None:
        self.document.unlock()
        self.playback.reset()

    def _training_failed(self, node_id: str, message: str) -> None:
        self.document.unlock()
        self.statusBar().showMessage(message, 15000)
        if node_id and node_id in self.scene.node_items:
            self.scene.select_nodes([node_id])
            item = self.scene.node_items[node_id]
            item.set_shape(item.shape_text, message)
            self.canvas.centerOn(item)

    # ---- a file dropped anywhere on the window opens ------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        path = dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.files.open_dropped(path)

    def closeEvent(self, event) -> None:
        if not self.files.may_close():
            event.ignore()
            return
        self.training.shut_down()
        self.store.setValue("geometry", self.saveGeometry())
        self.store.setValue("windowState", self.saveState(LAYOUT_VERSION))
        self.playback.stop()
        self.scene.detach()
        self._graph_connections.disconnect_all()
        event.accept()
