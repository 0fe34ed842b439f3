"""The window (PySide6 and pyqtgraph): the only package that imports Qt."""

from __future__ import annotations


def __getattr__(name: str):
    # MainWindow is imported on first use, so `import visualgrad.ui.theme` stays light.
    if name == "MainWindow":
        from .main_window import MainWindow

        return MainWindow
    raise AttributeError(name)


__all__ = ["MainWindow"]
