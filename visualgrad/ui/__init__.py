"""The window (PySide6 and pyqtgraph): the only package that imports Qt.

Arranged by the part of the window a person sees: canvas/, playback/, training/ and
files/. main_window.py builds the window from them and app.py starts the program;
document.py (the open project, edited through the undo commands of commands.py),
theme.py and errors.py serve every part. A part uses another only through the names
its __init__ lists in __all__, and never main_window or app.
"""

from __future__ import annotations


def __getattr__(name: str):
    # MainWindow is imported on first use, so `import visualgrad.ui.theme` stays light.
    if name == "MainWindow":
        from .main_window import MainWindow

        return MainWindow
    raise AttributeError(name)


__all__ = ["MainWindow"]
