"""The palette: the catalog's node types by category, with a search field.

Drag an entry onto the canvas, or activate it (double-click, Enter) to place
it at the centre of the view.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...graph import catalog
from ..theme import Theme
from .view import NODE_MIME

TYPE_ROLE = Qt.UserRole + 1


def _swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setBrush(colour)
    painter.setPen(colour.darker(130))
    painter.drawRoundedRect(1, 1, 10, 10, 3, 3)
    painter.end()
    return QIcon(pixmap)


def tooltip(spec: catalog.NodeType) -> str:
    inputs = ", ".join(p.name for p in spec.inputs) or "none"
    outputs = ", ".join(p.name for p in spec.outputs) or "none"
    return (
        f"<b>{spec.name}</b> <span style='color:gray'>({spec.category})</span><br>"
        f"{spec.description}<br><br><b>forward</b>: {spec.forward}<br>"
        f"<b>local derivative</b>: {spec.derivative}<br>"
        f"<span style='color:gray'>inputs: {inputs}; outputs: {outputs}</span>"
    )


class PaletteTree(QTreeWidget):
    """The list itself: entries drag out as node types."""

    type_activated = Signal(str)

    def __init__(self, theme: Theme, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("palette")
        self.setHeaderHidden(True)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setIndentation(12)
        self.setUniformRowHeights(True)
        self.entries: dict[str, QTreeWidgetItem] = {}
        for category, specs in catalog.categories().items():
            group = QTreeWidgetItem(self, [category])
            group.setFlags(Qt.ItemIsEnabled)
            group.setIcon(0, _swatch(theme.category(category)))
            for spec in specs:
                entry = QTreeWidgetItem(group, [spec.name])
                entry.setData(0, TYPE_ROLE, spec.name)
                entry.setToolTip(0, tooltip(spec))
                entry.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
                self.entries[spec.name] = entry
        self.expandAll()
        self.itemActivated.connect(self._activated)

    def mimeTypes(self) -> list[str]:
        return [NODE_MIME]

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        names = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if names:
            data.setData(NODE_MIME, names[0].encode())
            data.setText(names[0])
        return data

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        name = item.data(0, TYPE_ROLE)
        if name:
            self.type_activated.emit(name)

    def filter(self, text: str) -> None:
        """Show only the entries whose name, category or description contains ``text``."""
        text = text.strip().lower()
        for i in range(self.topLevelItemCount()):
            group = self.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                entry = group.child(j)
                spec = catalog.get(entry.data(0, TYPE_ROLE))
                hay = f"{spec.name} {spec.category} {spec.description}".lower()
                entry.setHidden(bool(text) and text not in hay)
                shown += not entry.isHidden()
            group.setHidden(shown == 0)
        visible = [e for e in self.entries.values() if not e.isHidden()]
        if text and visible:
            self.setCurrentItem(visible[0])


class Palette(QWidget):
    """The search field above the list."""

    def __init__(self, theme: Theme, parent=None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setObjectName("paletteSearch")
        self.search.setPlaceholderText("Search nodes")
        self.search.setClearButtonEnabled(True)
        self.tree = PaletteTree(theme, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.search.textChanged.connect(self.tree.filter)
        self.search.returnPressed.connect(self._enter)

    def _enter(self) -> None:
        item = self.tree.currentItem()
        if item is not None and not item.isHidden() and item.data(0, TYPE_ROLE):
            self.tree.type_activated.emit(item.data(0, TYPE_ROLE))
