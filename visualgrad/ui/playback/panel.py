"""Step through a pass: forward node by node, backward edge by edge, the chain rule
written out, the nodes lit as they compute; what travels along the edges is flow.py's."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSlider,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ...graph.data import pass_batch
from ...graph.events import Connections
from ...graph.execute import NodeError, Program
from ...graph.gradcheck import TOLERANCE, gradient_check
from ...graph.graph import Graph, GraphError
from ...graph.snapshots import load
from ...graph.steps import Step, build_steps, over_text, span_end
from ...graph.summaries import number, short
from ..canvas import CanvasScene, Inspector
from ..document import Document
from ..flow_layout import wrapping
from .flow import EdgeFlow
from .gradient_scale import Legend
from .inside import ExampleChoice, open_inside
from .predict import Predictor

BACKEND = "simple"  # playback's small passes need no kernel compilation


class PlaybackPanel(QWidget):
    """The controls and the chain-rule panel; the pass's steps and where it has got to."""

    status = Signal(str)
    stepped = Signal(object)  # each Step as it is shown: what lessons follow
    cleared = Signal()  # the pass shown was reset

    def __init__(self, document: Document, scene: CanvasScene, inspector: Inspector) -> None:
        super().__init__()
        self.setObjectName("playback")
        self.document, self.scene, self.inspector = document, scene, inspector
        self.steps: list[Step] = []
        self.forward_count = 0
        self.position = 0  # steps shown so far
        self.trace = None
        self.program: Program | None = None
        self.weights = None  # a snapshot's tensors to step through instead of the document's
        self.play_timer = QTimer(self)
        self.play_timer.setSingleShot(True)
        self.play_timer.timeout.connect(self._play_next)
        self._build()
        self.flow = EdgeFlow(scene, self.legend, self)
        self._connections = Connections()
        document.graph_replaced.connect(self._follow)
        self._follow(document.graph)

    # ---- widgets -------------------------------------------------------------------------------
    def _button(self, text: str, name: str, tip: str, slot) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.predictor = Predictor(self)
        self.predictor.released.connect(self._show)
        layout.addWidget(wrapping(self._controls()))  # two rows where the window is narrow
        card_row = QHBoxLayout()  # the prediction beside the chain rule, never scrolled away
        card_row.addWidget(self._chain_panel(), 3)
        card_row.addWidget(self.predictor.card, 2)
        layout.addLayout(card_row, 1)
        self._actions = self._menu_actions()
        self._update_buttons()

    def _controls(self) -> QHBoxLayout:
        """The row above the chain rule: the step buttons, the speed, what the edges show,
        the step counter and the gradient check."""
        self.reset_button = self._button(
            "⟲ Reset", "resetButton", "Clear the pass (Ctrl+R)", self.reset
        )
        self.forward_button = self._button(
            "Forward ▶", "stepForwardButton", "Compute the next node (F10)", self.step_forward
        )
        self.backward_button = self._button(
            "◀ Backward",
            "stepBackwardButton",
            "Send the gradient back along the next edge (F11)",
            self.step_backward,
        )
        self.play_button = self._button(
            "Play", "playButton", "Play the whole pass (F5)", self.toggle_play
        )
        self.play_button.setCheckable(True)
        self.check_button = self._button(
            "Check gradients",
            "gradCheckButton",
            "Compare every Parameter's gradient with a central difference",
            self.check_gradients,
        )
        self.speed = QSlider(Qt.Horizontal)
        self.speed.setObjectName("speedSlider")
        self.speed.setRange(1, 10)
        self.speed.setValue(5)
        self.speed.setFixedWidth(110)
        self.speed.setToolTip("Animation speed")
        self.counter = QLabel("")
        self.counter.setObjectName("stepCounter")
        self.counter.setMinimumWidth(110)
        controls = QHBoxLayout()
        for w in (self.reset_button, self.forward_button, self.backward_button, self.play_button):
            controls.addWidget(w)
        controls.addWidget(QLabel("speed"))
        controls.addWidget(self.speed)
        controls.addSpacing(12)
        self._add_view_choice(controls)
        controls.addStretch(1)
        controls.addWidget(self.counter)
        self.example = ExampleChoice()  # a step written for the batch or for one example
        self.example.changed.connect(self._rewrite)
        controls.addWidget(self.example)
        controls.addWidget(self.predictor.toggle)
        controls.addWidget(self.predictor.forward_box)
        controls.addWidget(self.check_button)
        return controls

    def _add_view_choice(self, controls: QHBoxLayout) -> None:
        """Whether the edges show values or gradients, and the scale of their colours."""
        self.value_radio, self.grad_radio = QRadioButton("values"), QRadioButton("gradients")
        self.value_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.value_radio)
        group.addButton(self.grad_radio)
        self.grad_radio.toggled.connect(
            lambda on: self.flow.set_view("gradient" if on else "value")
        )
        self.legend = Legend()
        controls.addWidget(QLabel("edges show"))
        controls.addWidget(self.value_radio)
        controls.addWidget(self.grad_radio)
        controls.addWidget(self.legend)

    def _chain_panel(self) -> QTextBrowser:
        self.chain = QTextBrowser()
        self.chain.setObjectName("chainRule")
        self.chain.setMinimumHeight(60)
        self.chain.setPlaceholderText(
            "Press Forward to compute the graph node by node, then Backward to send the "
            "gradient back edge by edge. The chain rule of each step is written here."
        )
        return self.chain

    def _menu_actions(self) -> list[QAction]:
        """The Run menu's entries, with their shortcuts."""
        actions = []
        for text, key, slot in (
            ("Step &Forward", "F10", self.step_forward),
            ("Step &Backward", "F11", self.step_backward),
            ("&Play / Pause", "F5", self.play_button.click),
            ("&Reset Pass", "Ctrl+R", self.reset),
            ("&Check Gradients", "F9", self.check_gradients),  # Ctrl+G groups
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            actions.append(action)
        return actions

    def actions(self) -> list[QAction]:
        return list(self._actions)

    # ---- following the document ------------------------------------------------------------
    def _follow(self, graph: Graph) -> None:
        """Listen to ``graph`` alone: a pass shown is out of date after any edit but a move."""
        self._connections.disconnect_all()
        for signal in graph.events.structural():
            self._connections.connect(signal, self._graph_edited)
        self.reset()

    def _graph_edited(self, _what: object) -> None:
        if self.steps or self.trace is not None:
            self.reset()

    # ---- running the pass ----------------------------------------------------------------------
    def show_weights(self, weights) -> None:
        """Step through the model with a snapshot's tensors (None: the document's own)."""
        self.weights = weights
        self.reset()

    def _prepare(self) -> bool:
        if self.steps:
            return True
        graph = self.document.graph
        try:
            program = Program(graph, BACKEND)
            if self.weights is not None:
                load(program, self.weights)
            batch = pass_batch(graph, BACKEND)
            trace = program.trace(batch)
        except NodeError as error:
            self._refuse(str(error), error.node_id)
            return False
        except (GraphError, ValueError, TypeError) as error:
            self._refuse(str(error), None)
            return False
        self.program, self.batch, self.trace = program, batch, trace
        self.steps, self.forward_count = build_steps(graph, trace, program.loss_node)
        self.flow.set_scale(trace.gradients.values())
        return True

    def _refuse(self, message: str, node_id: str | None) -> None:
        self.chain.setHtml(f"<span style='color:{self.scene.theme.error.name()}'>{message}</span>")
        self.status.emit(message)
        if node_id and node_id in self.scene.node_items:
            self.scene.select_nodes([node_id])

    def step_forward(self) -> None:
        """Compute the next node; after the last one, the pass continues backward."""
        if not self._prepare():
            return
        self.flow.finish()
        if self.position < len(self.steps):
            self._show(self.position)

    def step_backward(self) -> None:
        """Send the gradient along the next edge (the forward pass completes first)."""
        if not self._prepare():
            return
        self.flow.finish()
        while self.position < self.forward_count:
            if not self._show(self.position, animate=False):
                return  # a forward value to predict first
        if self.position < len(self.steps):
            self._show(self.position)

    def toggle_play(self) -> None:
        if self.play_button.isChecked():
            if not self._prepare():
                self.play_button.setChecked(False)
                return
            if self.position >= len(self.steps):
                self.reset()
                self._prepare()
                self.play_button.setChecked(True)
            self.play_button.setText("Pause")
            self._play_next()
        else:
            self.play_button.setText("Play")
            self.play_timer.stop()

    def _duration(self) -> int:
        return int(1400 / self.speed.value())

    def _play_next(self) -> None:
        if not self.play_button.isChecked():
            return
        if self.flow.moving():
            self.play_timer.start(30)
            return
        if self.position >= len(self.steps):
            self.play_button.setChecked(False)
            self.play_button.setText("Play")
            return
        if not self._show(self.position):
            self.play_button.setChecked(False)  # paused for a prediction
            self.play_button.setText("Play")
            return
        self.play_timer.start(self._duration() + 150)

    def stop(self) -> None:
        self.play_timer.stop()
        self.play_button.setChecked(False)
        self.flow.finish()

    def reset(self) -> None:
        """Forget the pass: no lit nodes, no badges, no colours."""
        self.stop()
        self.steps, self.trace, self.program, self.position = [], None, None, 0
        for item in self.scene.scope.lit_items():
            item.set_state("idle")
        self.example.follow(None)
        self.flow.clear()
        self.chain.clear()
        self.inspector.set_values(None, None)
        self.play_button.setText("Play")
        self.value_radio.setChecked(True)
        self.predictor.reset()
        self._update_buttons()
        self.cleared.emit()

    # ---- showing one step ---------------------------------------------------------------------
    def _show(self, index: int, animate: bool = True) -> bool:
        """Show step ``index``; False where it first waits for a prediction."""
        if self.predictor.holds(index, animate):
            return False
        end = span_end(self.steps, index, self.scene.scope.steps_over(self.steps[index].group))
        step, text = self.steps[end], self.example.text_for(self.steps[end])
        if end > index:  # a closed group: one step for the whole of it
            text = over_text(self.steps[index : end + 1])
        self.position = end + 1
        for item in self.scene.scope.lit_items():
            if item.state in ("forward", "backward"):
                item.set_state("done", item.value_text)
        node_item = self.scene.scope.item_of(step.node)
        direction = "forward" if step.kind == "forward" else "backward"
        prefix = "" if step.kind == "forward" else f"dL/d{step.node} = "
        if node_item is not None:
            node_item.set_state(direction, prefix + short(step.value))
        if step.kind != "forward" and self.flow.view == "value":
            self.grad_radio.setChecked(True)  # the backward pass shows what flows back
        self.chain.setHtml(text)
        self.example.follow(step)
        self.counter.setText(self._counter_text())
        self.flow.show(step, self._duration() if animate else None)
        if self.inspector.node_id is not None:
            self.show_selected(self.inspector.node_id)
        self._update_buttons()
        self.stepped.emit(step)
        return True

    def open_inside(self, node_id: str) -> bool:
        """Open a layer as its primitive ops on the canvas, and step through those."""
        return open_inside(self, node_id)

    def _rewrite(self) -> None:
        """The batch-or-example toggle changed: write the step shown again."""
        if 0 < self.position <= len(self.steps):
            self.chain.setHtml(self.example.text_for(self.steps[self.position - 1]))

    def _counter_text(self) -> str:
        if self.position <= self.forward_count:
            return f"forward {self.position}/{self.forward_count}"
        return (
            f"backward {self.position - self.forward_count}/{len(self.steps) - self.forward_count}"
        )

    def show_selected(self, node_id: str | None) -> None:
        """The inspector shows the node's value and gradient once the pass has reached them."""
        if node_id is None or self.trace is None:
            self.inspector.set_values(None, None)
            return
        order = [s.node for s in self.steps[: self.forward_count]]
        value = None
        if node_id in order and order.index(node_id) < self.position:
            value = self.trace.forward[order.index(node_id)].value
        reached = any(s.node == node_id for s in self.steps[self.forward_count : self.position])
        gradient = None
        if reached:
            gradient = self.trace.gradients.get(node_id)
            weights = self.trace.weight_gradients.get(node_id, {})
            if gradient is None and weights:
                gradient = next(iter(weights.values()))
        self.inspector.set_values(value, gradient)

    def _update_buttons(self) -> None:
        total = len(self.steps)
        done = total and self.position >= total
        self.forward_button.setEnabled(not done)
        self.backward_button.setEnabled(not done)

    # ---- the gradient check --------------------------------------------------------------------
    def check_gradients(self) -> None:
        """Mark each Parameter green or red by how its gradient agrees with a central difference."""
        if not self._prepare():
            return
        try:
            checks = gradient_check(self.program, self.batch)
        except (GraphError, NodeError, ValueError) as error:
            self._refuse(str(error), None)
            return
        if not checks:
            self.chain.setHtml("The graph has no Parameter or layer to check.")
            return
        theme, lines = self.scene.theme, []
        for c in checks:
            mark = "✔" if c.ok else "✘"
            colour = (theme.forward if c.ok else theme.error).name()
            lines.append(
                f"<span style='color:{colour}'>{mark} {c.node}.{c.weight}</span>: relative error "
                f"{number(c.relative_error)} over {c.elements} element{'s' * (c.elements > 1)}"
            )
        worst = {}
        for c in checks:
            worst[c.node] = max(worst.get(c.node, 0.0), c.relative_error)
        for node_id, error in worst.items():
            item = self.scene.node_items.get(node_id)
            if item is not None:
                item.set_state(
                    "done", f"{'✔' if error <= TOLERANCE else '✘'} grad check {number(error)}"
                )
        self.chain.setHtml(
            f"Gradient check (central differences, tolerance {TOLERANCE:g}):<br>"
            + "<br>".join(lines)
        )
        self.last_checks = checks
