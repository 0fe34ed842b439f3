"""Starting the program: the application object, the theme, and the first window."""

from __future__ import annotations

import os
import sys


def has_screen() -> bool:
    """Whether Qt has somewhere to draw: a display, or a platform chosen by hand."""
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")) or (
        sys.platform in ("win32", "darwin")
    )


def run(path: str | None = None) -> int:
    """Open the window on ``path``, or on the sample gallery when there is none."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("visualgrad")
    app.setOrganizationName("visualgrad")
    from .main_window import MainWindow

    window = MainWindow(path, show_gallery=path is None)
    window.show()
    return app.exec()
