"""The node search on the canvas: a field with completions of the node types offered (all of
them for Tab; those that fit for a wire dropped in empty space). Enter places the one
named; Escape, or a click elsewhere, closes it and leaves nothing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from ...graph import catalog


class NodeSearch(QLineEdit):
    """Type a node type's name, Enter: ``chosen`` hears it; ``closed`` when it goes away."""

    closed = Signal()
    refused = Signal(str)  # a name that matches no node type offered

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("nodeSearch")
        self.setFixedWidth(260)
        self.hide()
        self.names: list[str] = list(catalog.CATALOG)
        self._model = QStringListModel(self.names, self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setFilterMode(Qt.MatchContains)
        completer.popup().installEventFilter(self)
        self.setCompleter(completer)
        self.returnPressed.connect(self._choose)
        completer.activated.connect(lambda _text: self._choose())
        self._chosen: Callable[[str], None] | None = None

    def open(
        self, at: QPoint, names: Sequence[str], chosen: Callable[[str], None], hint: str
    ) -> None:
        """Show the field at ``at`` (in the parent), offering ``names``."""
        self.names = list(names)
        self._model.setStringList(self.names)
        self._chosen = chosen
        self.setPlaceholderText(hint)
        parent = self.parentWidget()
        self.move(
            max(min(at.x(), parent.width() - self.width() - 4), 0),
            max(min(at.y(), parent.height() - 30), 0),
        )
        self.clear()
        self.show()
        self.raise_()
        self.setFocus()

    def match(self, text: str) -> str | None:
        """The offered type called ``text``, or the only one whose name contains it."""
        text = text.strip().lower()
        exact = next((n for n in self.names if n.lower() == text), None)
        if exact is not None or not text:
            return exact
        options = [n for n in self.names if text in n.lower()]
        return options[0] if len(options) == 1 else None

    def _choose(self) -> None:
        if not self.isVisible():
            return
        match = self.match(self.text())
        if match is None:
            self.refused.emit(f"No node type called {self.text().strip()!r} fits here")
            return
        chosen, self._chosen = self._chosen, None
        self.hide()
        if chosen is not None:
            chosen(match)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Escape in the list of completions closes the search too, not only the list."""
        if event.type() == QEvent.KeyPress and event.key() == Qt.Key_Escape:
            watched.hide()
            self.hide()
            return True
        return super().eventFilter(watched, event)

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._chosen = None
        self.closed.emit()
