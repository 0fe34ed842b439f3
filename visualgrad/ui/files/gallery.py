"""Open Sample: a gallery of the bundled sample projects, each with a picture and its story."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from ...graph import samples as bundled
from ..canvas import CanvasScene
from ..document import Document
from ..theme import Theme

THUMB = QSize(272, 140)


def thumbnail(path: Path, theme: Theme, size: QSize = THUMB) -> QImage:
    """A picture of the project's graph, drawn by the canvas's own scene."""
    document = Document()
    document.open(str(path))
    scene = CanvasScene(document, theme)
    image = QImage(size * 2, QImage.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(2)
    image.fill(theme.canvas)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    source = scene.items_rect().adjusted(-30, -30, 30, 30)
    scene.render(painter, QRectF(0, 0, size.width(), size.height()), source, Qt.KeepAspectRatio)
    painter.end()
    scene.detach()
    return image


class Gallery(QDialog):
    """Pick a sample; Open (or a double-click) emits its path."""

    chosen = Signal(str)

    def __init__(self, theme: Theme, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("gallery")
        self.setWindowTitle("Open Sample")
        self.resize(960, 680)
        self.list = QListWidget()
        self.list.setObjectName("sampleList")
        self.list.setViewMode(QListWidget.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setGridSize(QSize(THUMB.width() + 16, THUMB.height() + 36))
        self.list.setResizeMode(QListWidget.Adjust)
        self.list.setMovement(QListWidget.Static)
        self.list.setWordWrap(True)
        self.about = QLabel()
        self.about.setObjectName("sampleDescription")
        self.about.setWordWrap(True)
        self.about.setMinimumHeight(70)
        self.about.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.samples = bundled.samples()
        for sample in self.samples:
            icon = QIcon(QPixmap.fromImage(thumbnail(sample.path, theme)))
            item = QListWidgetItem(icon, sample.title)
            item.setData(Qt.UserRole, str(sample.path))
            item.setToolTip(sample.description)
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.Open | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self._open)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self._open())
        self.list.currentRowChanged.connect(self._describe)
        heading = QLabel("<h2>Open a sample project</h2>Each one opens, steps and trains.")
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.about, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        if self.samples:
            self.list.setCurrentRow(0)

    def _describe(self, row: int) -> None:
        if 0 <= row < len(self.samples):
            s = self.samples[row]
            self.about.setText(f"<b>{s.title}</b> ({s.nodes} nodes)<br>{s.description}")

    def _open(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.chosen.emit(item.data(Qt.UserRole))
            self.accept()
