"""One element clicked in the inspector's heatmap: its value or gradient, the elements it
depends on lit up in every upstream tensor, and its row of the Jacobian as a list.

The row comes from graph.jacobian (one backward pass from the element); this only
draws it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from ...graph.jacobian import JacobianRow, index_text
from ...graph.summaries import number
from .heatmap import Heatmap

LISTED = 200  # rows of the Jacobian the list holds at most


class ElementView(QWidget):
    """The clicked element, what it depends on, and d out[i, j] / d in[k, l] for each."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("elementView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.heading = QLabel(objectName="elementValue", wordWrap=True)
        self.list = QListWidget(objectName="jacobianList")
        self.list.setMinimumHeight(120)
        self.maps = QVBoxLayout()
        layout.addWidget(self.heading)
        layout.addWidget(self.list)
        layout.addLayout(self.maps)
        self.upstream: dict[str, Heatmap] = {}  # by tensor label, the lit-up heatmaps
        self.clear()

    def clear(self) -> None:
        self.list.clear()
        self.heading.clear()
        while self.maps.count():
            widget = self.maps.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self.upstream = {}
        self.setVisible(False)

    def show_row(self, row: JacobianRow) -> None:
        self.clear()
        self.setVisible(True)
        entries = row.entries()
        name = f"{row.node}{index_text(row.index)}"
        if row.kind == "value":
            self.heading.setText(
                f"<b>{name} = {number(row.value)}</b> depends on {len(entries)} upstream "
                f"elements, lit below. Its row of the Jacobian, d {name} / d in[k,l]:"
            )
        else:
            self.heading.setText(
                f"<b>dL/d{name} = {number(row.value)}</b> flows back to the {len(entries)} "
                f"elements {name} depends on, each getting dL/d{name} · d {name} / d in[k,l]:"
            )
        for up, at, derivative in entries[:LISTED]:
            self.list.addItem(row.entry_text(up, at, derivative))
        if len(entries) > LISTED:
            self.list.addItem(f"... and {len(entries) - LISTED} more")
        for up in row.upstream:
            lit, flat = int(up.depends.sum()), int(up.flat.sum())
            if not lit:
                continue
            caption = f"{up.label} {tuple(up.value.shape)}: {lit} of {up.value.size} connected"
            if flat:
                caption += f", {flat} with derivative 0 (half lit)"
            heatmap = Heatmap()
            heatmap.setFixedHeight(70)
            heatmap.show_array(up.value, lit=up.depends & ~up.flat, faint=up.flat)
            caption = QLabel(caption, wordWrap=True)
            self.maps.addWidget(caption)
            self.maps.addWidget(heatmap)
            self.upstream[up.label] = heatmap
