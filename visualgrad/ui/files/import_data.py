"""File > Import data...: a CSV (the user picks the input columns and the target) or an
``.npy``/``.npz``, read and checked by ``graph.imported_data``, kept in the project as one
undo step. A file that cannot be used says why in one line and changes nothing."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...graph import imported_data
from ...graph.imported_data import DataError, ImportedData
from ..document import Document

FILTER = "Data (*.csv *.npy *.npz);;CSV (*.csv);;NumPy (*.npy *.npz)"
Choice = tuple[list[str], str, str]  # input columns, target column, "class" or "value"
Asker = Callable[[str, "list[str] | None", QWidget], "Choice | None"]


class ColumnsDialog(QDialog):
    """Which columns of a CSV are the inputs, which is the target, and what the target is;
    for a numpy file (``columns`` None), only what the target is."""

    def __init__(self, path: str, columns: list[str] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDataDialog")
        self.setWindowTitle("Import data")
        self.inputs = QListWidget(objectName="inputColumns")
        self.target = QComboBox(objectName="targetColumn")
        self.target.addItems(columns or ["y"])
        self.target.setCurrentIndex(self.target.count() - 1)
        for name in columns or []:
            item = QListWidgetItem(name, self.inputs)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
        self.target.currentTextChanged.connect(self._target_changed)
        self._target_changed(self.target.currentText())
        self.as_class = QRadioButton("a class (classification)", objectName="targetIsClass")
        self.as_value = QRadioButton("a value (regression)", objectName="targetIsValue")
        self.as_class.setChecked(True)
        kinds = QButtonGroup(self)
        kinds.addButton(self.as_class)
        kinds.addButton(self.as_value)
        form = QFormLayout()
        if columns is not None:
            form.addRow("Inputs", self.inputs)
            form.addRow("Target", self.target)
        form.addRow("The target is", self.as_class)
        form.addRow("", self.as_value)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        name = os.path.basename(path)
        layout.addWidget(
            QLabel(f"Columns of {name}:" if columns else f"The arrays x and y of {name}:")
        )
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _target_changed(self, target: str) -> None:
        """Every other column is an input until the user says otherwise."""
        for row in range(self.inputs.count()):
            item = self.inputs.item(row)
            is_target = item.text() == target
            item.setCheckState(Qt.Unchecked if is_target else Qt.Checked)
            item.setHidden(is_target)

    def choice(self) -> tuple[list[str], str, str]:
        """The input columns, the target column and its kind ("class" or "value")."""
        items = [self.inputs.item(row) for row in range(self.inputs.count())]
        inputs = [i.text() for i in items if i.checkState() == Qt.Checked and not i.isHidden()]
        return inputs, self.target.currentText(), "class" if self.as_class.isChecked() else "value"


def read(path: str, parent: QWidget, ask: Asker | None = None) -> ImportedData | None:
    """The data in ``path``; None if the user cancelled. ``ask(path, columns, parent)`` picks
    a CSV's columns and the target's kind (for a numpy file, columns is None and only the
    kind counts); the dialog by default. DataError says what is wrong with the file."""
    ask = ask or _ask
    if path.lower().endswith(".csv"):
        choice = ask(path, imported_data.csv_columns(path), parent)
        return None if choice is None else imported_data.from_csv(path, *choice)
    choice = ask(path, None, parent)
    return None if choice is None else imported_data.from_numpy_file(path, choice[2])


def _ask(path: str, columns: list[str] | None, parent: QWidget) -> Choice | None:
    dialog = ColumnsDialog(path, columns, parent)
    return dialog.choice() if dialog.exec() == QDialog.Accepted else None


def import_file(document: Document, path: str, parent: QWidget, ask: Asker | None = None) -> bool:
    """Import ``path`` into the document (one undo step) and train on it; a problem is shown
    in a message box, and nothing changes."""
    try:
        data = read(path, parent, ask)
    except DataError as error:
        QMessageBox.warning(parent, "Cannot import the data", str(error))
        document.status.emit(str(error))
        return False
    if data is None:
        return False
    if document.set_data(data, f"Import {os.path.basename(path)}"):
        unread = (
            ""
            if any(n.spec.batch == "x" for n in document.graph)
            else ("; this graph has no Input node, so nothing reads it yet")
        )
        document.status.emit(f"imported {data.describe()}{unread}")
        return True
    return False


def import_dialog(document: Document, parent: QWidget) -> None:
    """Ask for a file, then import it."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import data", "", FILTER)
    if path:
        import_file(document, path, parent)
