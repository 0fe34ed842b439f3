"""The way back from an open group or layer: ``Graph › block › hidden (primitive ops)``,
one button per level, over the canvas's top-left corner; hidden at the top level."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from .scope import Scope


class Breadcrumbs(QFrame):
    """One button per level of ``scope``'s path; a click goes back to that level."""

    def __init__(self, scope: Scope, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("breadcrumbs")
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        self.scope = scope
        self.buttons: list[QToolButton] = []
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 2, 6, 2)
        self._layout.setSpacing(2)
        scope.path_changed.connect(self.show_path)
        self.show_path(scope.path)

    def show_path(self, labels: list[str]) -> None:
        while self._layout.count():
            widget = self._layout.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.buttons = []
        for level, label in enumerate(labels):
            if level:
                self._layout.addWidget(QLabel("›"))
            button = QToolButton()
            button.setText(label)
            button.setAutoRaise(True)
            last = level == len(labels) - 1
            button.setEnabled(not last)
            button.setToolTip("You are here" if last else f"Back to {label}")
            button.clicked.connect(lambda _=False, at=level: self.scope.go_to(at))
            self._layout.addWidget(button)
            self.buttons.append(button)
        if self.scope.read_only:
            note = QLabel("read-only: the same tensors as the layer")
            note.setEnabled(False)
            self._layout.addWidget(note)
        self.adjustSize()
        self.move(10, 10)
        self.setVisible(len(labels) > 1)
        self.raise_()
