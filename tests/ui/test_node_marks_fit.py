"""The text under a node during playback, and a zoomed-out node's large id, fit the box
they are drawn in, and that box lies inside what the item tells the scene it covers."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF, QImage, QPainter

from .helpers import SAMPLES, open_window


class RecordingPainter(QPainter):
    """A painter that notes each (rect, text, font) it is asked to draw."""

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        self.texts: list[tuple[QRectF, str, object]] = []

    def drawText(self, *args) -> None:  # noqa: N802 (Qt's name)
        if len(args) == 3 and isinstance(args[0], QRectF):
            self.texts.append((QRectF(args[0]), args[2], self.font()))
        super().drawText(*args)


def drawn_texts(item, zoom: float) -> list[tuple[QRectF, str, object]]:
    image = QImage(400, 300, QImage.Format_ARGB32_Premultiplied)
    painter = RecordingPainter(image)
    painter.scale(zoom, zoom)
    item.paint(painter, None)
    painter.end()
    return painter.texts


def test_the_text_under_each_node_fits_after_a_backward_pass(qtbot):
    window = open_window(qtbot, SAMPLES / "spiral.vgraph")
    panel = window.playback
    while panel.backward_button.isEnabled():
        panel.step_backward()
    items = [i for i in window.scene.node_items.values() if i.value_text]
    assert any(i.value_text.startswith("dL/drelu1 = (32, 64)") for i in items)
    for item in items:
        marks = [t for t in drawn_texts(item, 1.0) if t[1].startswith("dL/d")]
        assert len(marks) == 1, item.value_text
        rect, text, font = marks[0]
        assert QFontMetricsF(font).horizontalAdvance(text) <= rect.width(), text
        assert item.boundingRect().contains(rect), text
        assert text == item.value_text or text.endswith("…")


def test_a_zoomed_out_node_shortens_its_large_id_on_the_right(qtbot):
    window = open_window(qtbot, SAMPLES / "perceptron.vgraph")
    item = window.scene.node_items["perceptron_scores"]
    texts = drawn_texts(item, 0.3)
    assert len(texts) == 1
    rect, text, font = texts[0]
    assert QFontMetricsF(font).horizontalAdvance(text) <= rect.width()
    assert text.startswith("percep") and text.endswith("…")
