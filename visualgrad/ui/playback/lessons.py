"""The Lessons panel: the current step of the project's lesson (its text, what it waits
for, the node or edge it points at on the canvas), Back and Next, the progress, and
"Record lesson step" for writing one. It follows the step-through's own event stream (the
steps shown, the predictions settled), the inspector and the training's loss, and moves on
when the awaited action happens. The lesson and its checks are graph/lessons.py's."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPainterPath, QPen, QUndoCommand
from PySide6.QtWidgets import (
    QComboBox,
    QGraphicsPathItem,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ...graph.events import Connections
from ...graph.graph import Edge, Graph
from ...graph.lessons import (
    Action,
    Happening,
    Lesson,
    LessonError,
    LessonRun,
    LessonStep,
    action_for,
    check_text,
    missing,
    predicted,
    stepped,
)
from ..canvas import CanvasScene
from ..document import Document
from .panel import PlaybackPanel

LOSS_POLL_MS = 250  # how often the training's epoch loss is read while it runs
RECENT = 6  # the latest things done that "Record lesson step" offers as its action


class SetLesson(QUndoCommand):
    """A lesson written or changed in the window; undo puts the previous one back."""

    def __init__(self, graph: Graph, lesson: Lesson | None, text: str) -> None:
        super().__init__(text)
        self.graph, self.lesson, self.previous = graph, lesson, graph.lesson

    def redo(self) -> None:
        self.graph.set_lesson(self.lesson)

    def undo(self) -> None:
        self.graph.set_lesson(self.previous)


class LessonsPanel(QWidget):
    """One lesson being played, or written."""

    def __init__(
        self, document: Document, scene: CanvasScene, playback: PlaybackPanel, training
    ) -> None:
        """``training`` is the window's training panel: its started and finished signals,
        and its loss plot, which a "train until" step reads."""
        super().__init__()
        self.setObjectName("lessons")
        self.document, self.scene, self.training = document, scene, training
        self.run: LessonRun | None = None
        self.recent: list[Happening] = []  # what was done, newest first
        self.halo: QGraphicsPathItem | None = None
        self._build()
        self._connections = Connections()
        self._loss_timer = QTimer(self)
        self._loss_timer.setInterval(LOSS_POLL_MS)
        self._loss_timer.timeout.connect(self._read_loss)
        playback.stepped.connect(lambda step: self.happened(stepped(step)))
        playback.cleared.connect(self._pass_cleared)
        playback.predictor.answered.connect(
            lambda attempt: self.happened(predicted(self.document.graph, attempt.question))
        )
        scene.selectionChanged.connect(self._selection_changed)
        training.started.connect(self._loss_timer.start)
        training.finished.connect(self._training_finished)
        document.graph_replaced.connect(self._follow)
        self._follow(document.graph)

    # ---- widgets -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel("", objectName="lessonTitle")
        self.title.setStyleSheet("font-weight: bold")
        self.progress = QLabel("", objectName="lessonProgress")
        self.text = QTextBrowser(objectName="lessonText")
        self.text.setMinimumHeight(70)
        self.text.setMaximumHeight(150)
        self.waiting = QLabel("", objectName="lessonWaiting")
        self.waiting.setWordWrap(True)
        self.back_button = QPushButton("◀ Back", objectName="lessonBackButton")
        self.next_button = QPushButton("Next ▶", objectName="lessonNextButton")
        self.back_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(+1))
        moves = QHBoxLayout()
        moves.addWidget(self.back_button)
        moves.addWidget(self.progress, 1, Qt.AlignCenter)
        moves.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.waiting)
        layout.addLayout(moves)
        layout.addWidget(self._recorder())
        layout.addStretch(1)

    def _recorder(self) -> QWidget:
        """Writing a lesson: a step's text, what it waits for, Record and Remove."""
        self.step_text = QLineEdit(objectName="lessonStepText")
        self.step_text.setPlaceholderText("A new step's text: one to three sentences")
        self.action_choice = QComboBox(objectName="lessonActionChoice")
        self.action_choice.setToolTip("What the new step waits for: one of the latest actions")
        self.record_button = QPushButton("Record lesson step", objectName="recordLessonButton")
        self.record_button.setToolTip(
            "Add a step: this text, the selected node or edge as its highlight, and the chosen "
            "action to wait for"
        )
        self.record_button.clicked.connect(self.record)
        self.remove_button = QPushButton("Remove step", objectName="removeLessonStepButton")
        self.remove_button.clicked.connect(self.remove_step)
        self.action_choice.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.action_choice.setMinimumContentsLength(20)
        waits = QHBoxLayout()
        waits.addWidget(QLabel("waits for"))
        waits.addWidget(self.action_choice, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.remove_button)
        box = QWidget(objectName="lessonRecorder")
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.step_text)
        column.addLayout(waits)
        column.addLayout(buttons)
        self._fill_actions()
        return box

    # ---- following the document ----------------------------------------------------------------
    def _follow(self, graph: Graph) -> None:
        self._connections.disconnect_all()
        self._connections.connect(graph.events.lesson_changed, self._lesson_changed)
        self._connections.connect(graph.events.node_moved, lambda _node: self._draw_halo())
        events = graph.events
        for signal in (
            events.node_removed,
            events.node_added,
            events.edge_removed,
            events.edge_added,
        ):
            self._connections.connect(signal, lambda _what: self._show())
        self.recent = []
        self._fill_actions()
        self.run = LessonRun(graph.lesson) if graph.lesson is not None else None
        self._show()

    def _lesson_changed(self, lesson: Lesson | None) -> None:
        if lesson is None:
            self.run = None
        elif self.run is None:
            self.run = LessonRun(lesson)
        else:
            self.run.lesson = lesson
            self.run.done = {i for i in self.run.done if i < len(lesson.steps)}
            self.run.go(self.run.index)
        self._show()

    # ---- what the learner does -------------------------------------------------------------
    def happened(self, happening: Happening) -> None:
        """Something was done: keep it for recording, and move on if the step waited for it."""
        same = (lambda h: h.kind == "train") if happening.kind == "train" else happening.__eq__
        self.recent = [h for h in self.recent if not same(h)][: RECENT - 1]  # the latest loss
        self.recent.insert(0, happening)
        self._fill_actions()
        if self.run is not None and self.run.note(happening):
            self._show()

    def _pass_cleared(self) -> None:
        if self.run is not None:
            self.run.pass_reset()

    def _selection_changed(self) -> None:
        if not isValid(self.scene) or self.scene.graph is None:  # a window deleted unclosed
            return
        ids = self.scene.selected_node_ids()
        if len(ids) == 1:
            self.happened(Happening("inspect", ids[0]))

    def _read_loss(self) -> None:
        """The mean loss of the latest finished epoch, as ``visualgrad train`` reports it."""
        plots = self.training.plots
        epochs = plots.epoch_count()
        if epochs:
            loss = float(plots.epoch_rows(epochs - 1)[1][-1])
            latest = self.recent[0] if self.recent else None
            if latest is None or latest.kind != "train" or latest.loss != loss:
                self.happened(Happening("train", loss=loss))

    def _training_finished(self, _completed: bool) -> None:
        self._loss_timer.stop()
        self._read_loss()

    # ---- showing the step ------------------------------------------------------------------
    def _go(self, by: int) -> None:
        if self.run is not None:
            self.run.go(self.run.index + by)
            self._show()

    def _show(self) -> None:
        run = self.run
        has_lesson = run is not None
        for widget in (self.back_button, self.next_button):
            widget.setEnabled(has_lesson)
        self.remove_button.setEnabled(has_lesson)
        if run is None:
            self.title.setText("No lesson")
            self.progress.setText("")
            self.text.setHtml(
                "This project has no lesson. To write one, select a node or an edge, do what "
                "the learner should do (step, predict, inspect, train), type the step's text "
                "below and press <b>Record lesson step</b>."
            )
            self.waiting.setText("")
            self._draw_halo()
            return
        step = run.step
        self.title.setText(run.lesson.title or "Lesson")
        self.progress.setText(run.progress())
        self.text.setHtml(step.text)
        self.back_button.setEnabled(run.index > 0)
        self.next_button.setEnabled(run.index < len(run.lesson.steps) - 1)
        self.waiting.setText(self._waiting_text(run))
        self._draw_halo()

    def _waiting_text(self, run: LessonRun) -> str:
        action = run.step.action
        gone = " and ".join(missing(run.step, self.document.graph))
        if gone:
            return f"{gone[0].upper()}{gone[1:]} of this step is not in the graph: press Next."
        if run.finished:
            return "✔ Lesson complete."
        if action.kind == "read":
            return "Press Next when you are ready."
        if run.index in run.done:
            return f"✔ Done: {action.describe()}. Press Next."
        return f"Your turn: {action.describe()}."

    # ---- the highlight on the canvas --------------------------------------------------------
    def _draw_halo(self) -> None:
        if self.halo is not None and isValid(self.halo) and self.halo.scene() is self.scene:
            self.scene.removeItem(self.halo)  # (a new graph's scene has dropped it already)
        self.halo = None
        target = self.run.step.highlight if self.run is not None else None
        path = self._outline(target)
        if path is None:
            return
        colour = QColor(self.scene.theme.selection)
        colour.setAlpha(150)
        pen = QPen(colour, 7 if isinstance(target, Edge) else 4)
        pen.setStyle(Qt.DashLine if isinstance(target, str) else Qt.SolidLine)
        self.halo = QGraphicsPathItem(path)
        self.halo.setPen(pen)
        self.halo.setZValue(-1)
        self.halo.setAcceptedMouseButtons(Qt.NoButton)
        self.scene.addItem(self.halo)

    def _outline(self, target: str | Edge | None) -> QPainterPath | None:
        if isinstance(target, Edge):
            item = self.scene.edge_items.get(target)
            return None if item is None else item.path()
        item = self.scene.node_items.get(target) if target is not None else None
        if item is None:
            return None
        path = QPainterPath()
        path.addRoundedRect(item.sceneBoundingRect().adjusted(-8, -8, 8, 8), 10, 10)
        return path

    @property
    def highlighted(self) -> str | Edge | None:
        """What the halo is drawn around now (None: nothing)."""
        return self.run.step.highlight if self.halo is not None and self.run else None

    # ---- writing a lesson ----------------------------------------------------------------------
    def _fill_actions(self) -> None:
        self.action_choice.clear()
        self.action_choice.addItem("press Next", Action())
        for happening in self.recent:
            action = action_for(happening)
            self.action_choice.addItem(action.describe(), action)
        self.action_choice.setCurrentIndex(1 if self.recent else 0)

    def _selected_target(self) -> str | Edge | None:
        nodes = self.scene.selected_node_ids()
        if len(nodes) == 1:
            return nodes[0]
        edges = self.scene.selected_edges()
        return edges[0] if len(edges) == 1 else None

    def record(self) -> None:
        """Add a step after the last: the text typed, the selected node or edge, the action
        chosen (undoable)."""
        try:
            text = check_text(self.step_text.text(), "the new step")
        except LessonError as error:
            self.document.status.emit(str(error))
            return
        if not self.document.editable():
            return
        graph = self.document.graph
        step = LessonStep(text, self._selected_target(), self.action_choice.currentData())
        lesson = graph.lesson.inserted(step) if graph.lesson is not None else Lesson((step,))
        self.document.undo_stack.push(SetLesson(graph, lesson, "Record lesson step"))
        self.step_text.clear()
        self.run.go(len(lesson.steps) - 1)
        self._show()

    def remove_step(self) -> None:
        """Remove the step shown (undoable); removing the only step removes the lesson."""
        graph = self.document.graph
        if self.run is None or graph.lesson is None or not self.document.editable():
            return
        lesson = graph.lesson
        smaller = lesson.removed(self.run.index) if len(lesson.steps) > 1 else None
        self.document.undo_stack.push(SetLesson(graph, smaller, "Remove lesson step"))
