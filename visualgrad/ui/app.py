"""Starting the program: the application object with its names and icon, and the first window."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported only when the window opens: the command line stays light
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication


def has_screen() -> bool:
    """Whether Qt has somewhere to draw: a display, or a platform chosen by hand."""
    return any(os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")) or (
        sys.platform in ("win32", "darwin")
    )


def application() -> QApplication:
    """The QApplication, named so that settings land in ~/.config/visualgrad/visualgrad.conf
    and the desktop matches its windows to visualgrad.desktop (and so to its icon)."""
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from .. import desktop

    QCoreApplication.setOrganizationName(desktop.APP)
    QCoreApplication.setApplicationName(desktop.APP)
    QGuiApplication.setDesktopFileName(desktop.APP)
    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    return app


def app_icon() -> QIcon:
    """The program's icon at each size tools/make_icons.py drew it (install-desktop also puts
    those PNGs in the icon theme); an empty one where the files are missing (a broken install
    still opens its window)."""
    from PySide6.QtGui import QIcon, QPixmap

    from .. import desktop

    icon = QIcon()
    for size in desktop.ICON_SIZES:
        try:
            data = desktop.resource("icons", f"{desktop.APP}-{size}.png")
        except OSError:
            continue
        pixmap = QPixmap()
        if pixmap.loadFromData(data, "PNG"):
            icon.addPixmap(pixmap)
    return icon


def run(path: str | None = None) -> int:
    """Open the window on ``path``, or on the sample gallery when there is none."""
    app = application()
    from . import errors
    from .main_window import MainWindow

    errors.install()

    window = MainWindow(path, show_gallery=path is None)
    window.show()
    return app.exec()
