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


def test_no_qobject_of_ours_hides_qobject_connect():
    # PySide6 6.8.0 connects a signal through its sender's ``connect``: a method of that name
    # on our QObjects broke every signal they send ("Document.connect() takes 2 arguments").
    from PySide6.QtCore import QObject

    from visualgrad.ui.canvas import CanvasScene
    from visualgrad.ui.document import Document
    from visualgrad.ui.training import TrainingPanel

    for cls in (Document, CanvasScene, TrainingPanel):
        assert cls.connect is QObject.connect, cls
