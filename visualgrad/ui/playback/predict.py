"""Predict, then reveal, in Step through: the Predict toggle, the answer field or grid, the
hint, and the pass's score. The questions, the checks and the hints are graph/predict.py's;
this module holds a step back until it is answered, then lets the panel show it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...graph.predict import REVEALED, RIGHT, TRIES, Attempt, Score, question_for, read_answer
from ...graph.summaries import number

if TYPE_CHECKING:
    from .panel import PlaybackPanel


class AnswerGrid(QTableWidget):
    """A small tensor to fill in, a row per row; Enter (outside a cell being edited) checks."""

    submitted = Signal()

    def keyPressEvent(self, event) -> None:
        editing = self.state() == QTableWidget.EditingState
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and not editing:
            self.submitted.emit()
            return
        super().keyPressEvent(event)

    def texts(self) -> list[str]:
        cells = []
        for row in range(self.rowCount()):
            for column in range(self.columnCount()):
                item = self.item(row, column)
                cells.append(item.text() if item is not None else "")
        return cells


class PredictCard(QWidget):
    """Below the chain rule: the answer (a field or a grid), Check and Reveal, what the check
    said, and the score of the pass."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("predictCard")
        self.field = QLineEdit(objectName="predictAnswer")
        self.field.setPlaceholderText("your answer, e.g. 0.25 or -1/16")
        self.grid = AnswerGrid(objectName="predictGrid")
        self.grid.setMaximumHeight(120)
        self.check_button = QPushButton("Check", objectName="predictCheckButton")
        self.reveal_button = QPushButton("Reveal", objectName="predictRevealButton")
        self.feedback = QLabel("", objectName="predictFeedback")
        self.feedback.setWordWrap(True)
        self.feedback.setTextFormat(Qt.RichText)
        self.score = QLabel("", objectName="predictScore")
        self.scalar = True  # whether the question asked is one number (else a grid)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(QLabel("Your answer:"))
        buttons.addWidget(self.field, 1)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.reveal_button)
        self.answer_row = QWidget()
        column = QVBoxLayout(self.answer_row)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(buttons)
        column.addWidget(self.grid)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.answer_row)
        layout.addWidget(self.feedback)
        layout.addWidget(self.score)
        layout.addStretch(1)
        self.answer_row.hide()

    def ask(self, shape: tuple[int, ...]) -> None:
        """An empty field for a number, or an empty grid of ``shape``."""
        scalar = self.scalar = int(np.prod(shape)) == 1
        self.field.setVisible(scalar)
        self.grid.setVisible(not scalar)
        self.field.clear()
        if not scalar:
            rows, columns = (shape[0], shape[1]) if len(shape) == 2 else (1, shape[0])
            self.grid.clear()
            self.grid.setRowCount(rows)
            self.grid.setColumnCount(columns)
            for r in range(rows):
                for c in range(columns):
                    self.grid.setItem(r, c, QTableWidgetItem(""))
            self.grid.resizeColumnsToContents()
        self.answer_row.show()
        (self.field if scalar else self.grid).setFocus()

    def texts(self) -> list[str]:
        return [self.field.text()] if self.scalar else self.grid.texts()

    def say(self, html: str) -> None:
        self.feedback.setText(html)


class Predictor(QObject):
    """Holds each step that asks a question until it is answered right or revealed."""

    answered = Signal(object)  # the settled Attempt
    released = Signal(int, bool)  # a step answered, to be shown now (its index, animated)

    def __init__(self, panel: PlaybackPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.toggle = QPushButton("Predict", objectName="predictButton")
        self.toggle.setCheckable(True)
        self.toggle.setToolTip("Before each step, predict its result; then it is revealed")
        self.toggle.toggled.connect(self._toggled)
        self.forward_box = QCheckBox("forward too", objectName="predictForwardBox")
        self.forward_box.setToolTip("Predict the forward values as well as the gradients")
        self.forward_box.setEnabled(False)
        self.card = PredictCard()
        self.card.hide()
        self.card.field.returnPressed.connect(self.check)
        self.card.grid.submitted.connect(self.check)
        self.card.check_button.clicked.connect(self.check)
        self.card.reveal_button.clicked.connect(self.reveal)
        self.score = Score()
        self.pending: tuple[int, bool, Attempt] | None = None  # step index, animate, attempt
        self.settled: dict[int, Attempt] = {}

    @property
    def active(self) -> bool:
        return self.toggle.isChecked()

    def _toggled(self, on: bool) -> None:
        self.forward_box.setEnabled(on)
        self.card.setVisible(on)
        if not on and self.pending is not None:
            self.pending = None
            self.card.answer_row.hide()
            self.panel.chain.clear()
        self._show_score()

    def reset(self) -> None:
        """A new pass: nothing asked yet, and a fresh score."""
        self.pending, self.settled, self.score = None, {}, Score()
        self.card.answer_row.hide()
        self.card.say("")
        self._show_score()

    def holds(self, index: int, animate: bool) -> bool:
        """Whether step ``index`` waits for an answer before it is shown (it asks now)."""
        if not self.active or index in self.settled:
            return False
        if self.pending is not None:
            if self.pending[0] == index:
                self.card.say("Answer first, or press Reveal.")
                return True
            self.pending = None
        step = self.panel.steps[index]
        if step.kind == "forward" and not self.forward_box.isChecked():
            return False
        question = question_for(self.panel.document.graph, self.panel.trace, step)
        if question is None:
            return False
        self.pending = (index, animate, Attempt(question))
        item = self.panel.scene.node_items.get(question.node)
        if item is not None:
            item.set_state("forward" if step.kind == "forward" else "backward", "?")
        self.panel.chain.setHtml(question.prompt)
        shape = question.shape
        what = "a number" if int(np.prod(shape)) == 1 else f"the {shape} grid"
        self.card.say(f"Type {what}, then press Enter.")
        self.card.ask(shape)
        return True

    def check(self) -> None:
        """Check the answer typed in: right, a hint, or (the second time wrong) the reveal."""
        if self.pending is None:
            return
        attempt = self.pending[2]
        try:
            answer = read_answer(self.card.texts(), attempt.question.shape)
        except ValueError as error:
            self.card.say(self._coloured(str(error), self.panel.scene.theme.error))
            return
        outcome = attempt.answer(answer)
        if outcome in (RIGHT, REVEALED):
            self._settle()
            return
        self.card.field.selectAll()
        left = TRIES - attempt.wrong
        more = "one more try" if left == 1 else f"{left} more tries"
        self.card.say(
            self._coloured("✘ Not quite.", self.panel.scene.theme.error)
            + f" Hint: {attempt.hint.text}. You have {more} before the answer is shown."
        )

    def reveal(self) -> None:
        if self.pending is not None:
            self.pending[2].give_up()
            self._settle()

    def _settle(self) -> None:
        index, animate, attempt = self.pending
        self.pending = None
        self.settled[index] = attempt
        self.score.record(attempt)
        self.card.answer_row.hide()
        self.released.emit(index, animate)
        q, theme = attempt.question, self.panel.scene.theme
        result = f"{q.label} = {_written(q.expected)}"
        if attempt.outcome == RIGHT:
            after = "" if attempt.wrong == 0 else " (after a hint)"
            text = self._coloured(f"✔ Right{after}:", theme.forward) + f" {result}"
        else:
            rule = (attempt.hint or q.hint).text
            text = self._coloured("Revealed:", theme.backward) + f" {result}. The rule: {rule}."
        self.card.say(text)
        self._show_score()
        self.answered.emit(attempt)

    def _show_score(self) -> None:
        self.card.score.setText(self.score.text() if self.active else "")

    @staticmethod
    def _coloured(text: str, colour) -> str:
        return f"<span style='color:{colour.name()}'><b>{text}</b></span>"


def _written(value: np.ndarray) -> str:
    """A number, or a small tensor's values in brackets."""
    array = np.asarray(value)
    if array.size == 1:
        return number(array.reshape(()))
    if array.ndim == 1:
        return "[" + ", ".join(number(v) for v in array) + "]"
    return "[" + ", ".join(_written(row) for row in array) + "]"
