"""The Qt binding itself: a release that miscounts references to None would abort the window."""

import gc
import sys

from PySide6.QtGui import QColor, QPainter, QPixmap


def test_calls_that_return_nothing_keep_none_alive(qapp):
    pixmap = QPixmap(8, 8)
    painter = QPainter(pixmap)
    colour = QColor("red")
    gc.collect()
    before = sys.getrefcount(None)
    for _ in range(1000):
        painter.setPen(colour)
        painter.setBrush(colour)
    gc.collect()
    painter.end()
    assert sys.getrefcount(None) >= before - 10
