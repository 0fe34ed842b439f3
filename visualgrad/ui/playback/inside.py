"""Step through inside a layer: open its expansion with the pass the panel shows, and the
toggle between the whole batch and one example for the steps that read both ways."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QRadioButton, QSpinBox, QWidget

from ...graph.execute import NodeError
from ...graph.expansion import ExampleStep, expand
from ...graph.graph import GraphError
from ...graph.steps import Step

if TYPE_CHECKING:
    from .panel import PlaybackPanel


class ExampleChoice(QWidget):
    """``batch sum`` or ``one example [i]``: which text a batch-or-example step shows."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("exampleChoice")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.batch = QRadioButton("batch sum")
        self.batch.setObjectName("batchSumRadio")
        self.one = QRadioButton("one example")
        self.one.setObjectName("oneExampleRadio")
        self.batch.setChecked(True)
        self.example = QSpinBox()
        self.example.setObjectName("exampleSpin")
        self.example.setToolTip("Which example of the batch")
        for widget in (self.batch, self.one, self.example):
            layout.addWidget(widget)
        self.one.toggled.connect(lambda _on: self.changed.emit())
        self.example.valueChanged.connect(lambda _i: self.changed.emit())
        self.hide()

    def follow(self, step: Step | None) -> None:
        """Shown only for a step that reads for the batch or for one example."""
        has_examples = isinstance(step, ExampleStep) and bool(step.examples)
        if has_examples:
            self.example.setRange(0, len(step.examples) - 1)
        self.setVisible(has_examples)

    def text_for(self, step: Step) -> str:
        if isinstance(step, ExampleStep) and step.examples and self.one.isChecked():
            return step.examples[min(self.example.value(), len(step.examples) - 1)]
        return step.text


def open_inside(panel: PlaybackPanel, node_id: str) -> bool:
    """Show ``node_id``'s primitive ops on the canvas and make their steps the panel's."""
    panel.reset()
    if not panel._prepare():
        return False
    try:
        expansion = expand(panel.program, panel.trace, node_id)
    except (GraphError, NodeError, ValueError) as error:
        panel._refuse(str(error), node_id)
        return False
    panel.scene.scope.show_expansion(expansion)
    panel.steps, panel.forward_count = expansion.steps, expansion.forward_count
    panel.trace, panel.program, panel.position = expansion.trace, expansion.program, 0
    panel.flow.set_scale(expansion.trace.gradients.values())
    panel.chain.setHtml(
        f"Inside <b>{node_id}</b>: its primitive ops over the same tensors. Press Forward, "
        "then Backward, to see what the layer does in one piece."
    )
    panel._update_buttons()
    return True
