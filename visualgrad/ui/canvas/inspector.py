"""The inspector: the selected node's parameters (edited with undo), formulas and shape,
and during playback its value and gradient as numbers and heatmaps."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...graph.catalog import Param
from ...graph.summaries import describe_array
from ..document import Document
from ..theme import LIGHT, Theme
from .element_view import ElementView
from .heatmap import Heatmap
from .neuron_strip import NeuronStrip
from .weight_editor import WeightEditor


class Inspector(QScrollArea):
    """What the selected node is, and its settings."""

    element_clicked = Signal(str, tuple)  # "value" or "gradient", and the element's index

    def __init__(self, document: Document, theme: Theme = LIGHT, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.document = document
        self.node_id: str | None = None
        self.editors: dict[str, QWidget] = {}
        body = QWidget()
        self.layout_ = QVBoxLayout(body)
        self.title = QLabel("Nothing selected")
        self.title.setObjectName("inspectorTitle")
        self.title.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.about = QLabel("Select a node on the canvas to see and change its settings.")
        self.about.setWordWrap(True)
        self.formulas = QLabel()
        self.formulas.setObjectName("formulas")
        self.formulas.setWordWrap(True)
        self.formulas.setTextFormat(Qt.RichText)
        self.form_box = QWidget()  # the parameters' editors, off while the document is locked
        document.locked_changed.connect(lambda locked: self.form_box.setEnabled(not locked))
        self.form = QFormLayout(self.form_box)
        self.form.setContentsMargins(0, 4, 0, 4)
        self.shape = QLabel()
        self.shape.setObjectName("outputShape")
        self.error = QLabel()
        self.error.setObjectName("inspectorError")
        self.error.setWordWrap(True)
        self.set_theme(theme)
        self.values = QLabel()
        self.values.setObjectName("nodeValues")
        self.values.setWordWrap(True)
        self.values.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.value_map, self.grad_map = Heatmap(), Heatmap()
        self.value_caption, self.grad_caption = QLabel("value"), QLabel("gradient dL/d(output)")
        self.neuron_strip = NeuronStrip()  # a layer's units, filled by the NeuronView
        self.element = ElementView()  # one clicked element and its row of the Jacobian
        self._chosen: tuple[str, tuple] | None = None
        self.value_map.clicked.connect(lambda at: self.element_clicked.emit("value", at))
        self.grad_map.clicked.connect(lambda at: self.element_clicked.emit("gradient", at))
        for w in (self.title, self.about, self.formulas, self.form_box, self.shape, self.error):
            self.layout_.addWidget(w)
        self.weight_editor = WeightEditor(document)  # one weight changed by hand, with undo
        self.layout_.addWidget(self.weight_editor)
        self.layout_.addWidget(self.neuron_strip)
        for w in (
            self.values,
            self.value_caption,
            self.value_map,
            self.grad_caption,
            self.grad_map,
            self.element,
        ):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        self.setWidget(body)
        self.setMinimumWidth(260)
        self.show_node(None)

    def set_theme(self, theme: Theme) -> None:
        self.error.setStyleSheet(f"color: {theme.error.name()};")

    def show_node(self, node_id: str | None) -> None:
        """Fill the inspector for ``node_id`` (None: nothing selected)."""
        self.node_id = node_id
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors.clear()
        self.error.clear()
        node = self.document.graph.nodes.get(node_id) if node_id else None
        self.set_values(None, None)
        self.neuron_strip.show_units(None, None, [])
        self.weight_editor.show_node(node_id)
        if node is None:
            self.title.setText("Nothing selected")
            self.about.setText("Select a node on the canvas to see and change its settings.")
            self.formulas.clear()
            self.shape.clear()
            return
        spec = node.spec
        self.title.setText(f"{node.id}  ·  {spec.name}")
        self.about.setText(spec.description)
        self.formulas.setText(
            f"<b>forward</b>&nbsp; {spec.forward}<br>"
            f"<b>local derivative</b>&nbsp; {spec.derivative}"
        )
        for param in spec.params:
            editor = self._editor(param, node.params[param.name])
            editor.setToolTip(param.doc or param.name)
            self.editors[param.name] = editor
            self.form.addRow(param.name.replace("_", " "), editor)
        if not spec.params:
            self.form.addRow(QLabel("<i>no settings</i>"))

    def set_shape(self, shape_text: str, error: str | None) -> None:
        """The node's inferred output shape (as the canvas writes it) and its error, if any."""
        self.shape.setText(f"output shape {shape_text}" if shape_text else "")
        self.error.setText(error or "")

    def set_values(self, value: np.ndarray | None, gradient: np.ndarray | None) -> None:
        """The node's value and gradient from the last pass (None hides them)."""
        lines = []
        if value is not None:
            lines.append(f"<b>value</b> {describe_array(value)}")
        if gradient is not None:
            lines.append(f"<b>gradient</b> {describe_array(gradient)}")
        self.values.setText("<br>".join(lines))
        self.values.setVisible(bool(lines))
        for array, caption, heatmap in (
            (value, self.value_caption, self.value_map),
            (gradient, self.grad_caption, self.grad_map),
        ):
            wide = array is not None and array.size > 1
            caption.setVisible(wide)
            heatmap.setVisible(wide)
            if wide:
                heatmap.show_array(np.asarray(array, dtype=float))
        if value is None and gradient is None:
            self.show_element(None)
        elif self._chosen is not None:
            kind, index = self._chosen
            (self.value_map if kind == "value" else self.grad_map).choose(index)

    def show_element(self, row) -> None:
        """One element's row of the Jacobian (a graph.jacobian.JacobianRow; None hides it)."""
        self._chosen = None if row is None else (row.kind, row.index)
        self.value_map.choose(row.index if row is not None and row.kind == "value" else None)
        self.grad_map.choose(row.index if row is not None and row.kind == "gradient" else None)
        if row is None:
            self.element.clear()
        else:
            self.element.show_row(row)

    def _editor(self, param: Param, value: Any) -> QWidget:
        editor = param.kind.editor
        if editor == "check":
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda on, p=param: self._commit(p, on))
            return box
        if editor == "choice":
            combo = QComboBox()
            combo.addItems(list(param.choices))
            combo.setCurrentText(value)
            combo.currentTextChanged.connect(lambda text, p=param: self._commit(p, text))
            return combo
        if editor == "spin":
            spin = QSpinBox()
            spin.setRange(
                int(param.low if param.low is not None else -(10**9)),
                int(param.high if param.high is not None else 10**9),
            )
            spin.setValue(value)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v, p=param: self._commit(p, v))
            return spin
        line = QLineEdit(param.show(value))
        line.setPlaceholderText(param.kind.hint)
        line.editingFinished.connect(lambda p=param, e=line: self._typed(p, e))
        return line

    def _typed(self, param: Param, editor: QLineEdit) -> None:
        try:
            value = param.parse(editor.text())
        except ValueError as error:
            self.error.setText(str(error))
            return
        self._commit(param, value)

    def _commit(self, param: Param, value: Any) -> None:
        if self.node_id is None:
            return
        node_id = self.node_id
        if self.document.set_params(node_id, {param.name: value}):
            self.error.clear()
        else:
            node = self.document.graph.nodes[node_id]
            self.error.setText(
                f"{param.name}: not changed; it stays {param.show(node.params[param.name])}"
            )
            self._reset_editor(param, node.params[param.name])

    def _reset_editor(self, param: Param, value: Any) -> None:
        editor = self.editors.get(param.name)
        if isinstance(editor, QLineEdit):
            editor.setText(param.show(value))
        elif isinstance(editor, QSpinBox):
            editor.blockSignals(True)
            editor.setValue(value)
            editor.blockSignals(False)

    def refresh(self) -> None:
        """The node changed under the inspector (an undo): show its current settings."""
        if self.node_id not in self.document.graph.nodes:
            self.show_node(None)
            return
        node = self.document.graph.nodes[self.node_id]
        for param in node.spec.params:
            editor = self.editors.get(param.name)
            value = node.params[param.name]
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentText(value)
            elif isinstance(editor, QSpinBox):
                editor.setValue(value)
            else:
                editor.setText(param.show(value))
            editor.blockSignals(False)
