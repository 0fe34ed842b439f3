"""In the inspector, under a learnable node's settings: change one of its weights by hand.

Pick the tensor, type the element's index, and the current value is shown; type another
and press Enter: one undo step (``Document.set_weights`` with a ``HandEdit``), after which
playback runs the pass again with the new weight. The node's edits by hand are listed
below, so the document says its weights are not only what training made.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...graph import hand_edits
from ...graph.events import Connections
from ...graph.graph import Graph
from ..document import Document


class WeightEditor(QWidget):
    """One element of a learnable node's tensors, shown and edited."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightEditor")
        self.document = document
        self.node_id: str | None = None
        self.tensor = QComboBox(objectName="weightNameBox")
        self.tensor.currentTextChanged.connect(lambda _: self._show_value())
        self.index = QLineEdit(objectName="weightIndexEdit", placeholderText="e.g. 0, 1")
        self.index.setToolTip("The element's index: one whole number per dimension, from 0")
        self.index.textChanged.connect(lambda _: self._show_value())
        self.value = QLineEdit(objectName="weightValueEdit")
        self.value.setToolTip("Type a new value and press Enter: an undoable edit")
        self.value.returnPressed.connect(self._commit)
        self.message = QLabel(objectName="weightEditMessage", wordWrap=True)
        self.record = QLabel(objectName="handEditsLabel", wordWrap=True)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("tensor", self.tensor)
        form.addRow("index", self.index)
        form.addRow("value", self.value)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(QLabel("<b>Change one weight by hand</b>"))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.record)
        self._connections = Connections()
        document.graph_replaced.connect(self._follow)
        document.locked_changed.connect(lambda locked: self.value.setReadOnly(locked))
        self._follow(document.graph)

    def _follow(self, graph: Graph) -> None:
        self._connections.disconnect_all()
        self._connections.connect(graph.events.weights_changed, self._weights_changed)
        self._connections.connect(graph.events.params_changed, self._weights_changed)
        self.show_node(None)

    def _weights_changed(self, node) -> None:
        if self.node_id is not None and self.node_id in self.document.graph.nodes:
            self._show_value()
            self._show_record()

    def show_node(self, node_id: str | None) -> None:
        """Edit ``node_id``'s weights (hidden for a node that has none)."""
        node = self.document.graph.nodes.get(node_id) if node_id else None
        learnable = node is not None and node.spec.learnable
        self.node_id = node_id if learnable else None
        self.setVisible(learnable)
        if not learnable:
            return
        self.tensor.blockSignals(True)
        self.tensor.clear()
        self.tensor.addItems(list(node.spec.weight_shapes(node.params)))
        self.tensor.blockSignals(False)
        self.index.setText(", ".join("0" * self._dims()))
        self._show_value()
        self._show_record()

    def _dims(self) -> int:
        node = self.document.graph.nodes[self.node_id]
        return len(node.spec.weight_shapes(node.params).get(self.tensor.currentText(), ()))

    def _where(self) -> tuple[str, tuple[int, ...]]:
        return self.tensor.currentText(), hand_edits.parse_index(self.index.text())

    def _show_value(self) -> None:
        """The element's current value, or why the index does not name one."""
        if self.node_id is None:
            return
        try:
            name, index = self._where()
            self.value.setText(
                f"{hand_edits.element(self.document.graph, self.node_id, name, index):.6g}"
            )
            self.message.clear()
        except ValueError as error:
            self.value.clear()
            self.message.setText(str(error))

    def _show_record(self) -> None:
        edits = hand_edits.current(self.document.graph, self.node_id)
        lines = [f"<i>changed by hand:</i> {e.describe()}" for e in edits]
        self.record.setText("<br>".join(lines))
        self.record.setVisible(bool(lines))

    def _commit(self) -> None:
        """Set the element to the value typed: one undo step, or a message saying why not."""
        if self.node_id is None:
            return
        text = self.value.text().strip()
        try:
            value = float(text)
        except ValueError:
            self.message.setText(f"value: expected a number such as 0.5, got {text!r}")
            return
        try:
            name, index = self._where()
            weights, edit = hand_edits.edit(self.document.graph, self.node_id, name, index, value)
        except ValueError as error:
            self.message.setText(str(error))
            return
        where = ", ".join(str(i) for i in index)
        if self.document.set_weights(
            weights, f"Change {self.node_id}.{name}[{where}] by hand", edit
        ):
            self.message.clear()
