"""The program's icon, for the application and its windows: the PNGs that
tools/make_icons.py drew, which install-desktop also puts in the icon theme."""

from __future__ import annotations

from PySide6.QtGui import QIcon, QPixmap

from .. import desktop


def app_icon() -> QIcon:
    """The icon at each size it was drawn for; an empty one where the files are missing
    (a broken install still opens its window)."""
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
