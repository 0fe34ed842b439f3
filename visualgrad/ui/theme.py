"""Light and dark themes: the application palette and the canvas's colours."""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# One hue per catalog category; unknown categories fall back to grey.
CATEGORY_HUES = {
    "Sources": 210,
    "Elementwise": 30,
    "Activations": 130,
    "Reductions": 280,
    "Shape": 180,
    "Linear algebra": 345,
    "Layers": 250,
    "Losses": 0,
    "Output": 50,
}


@dataclass(frozen=True)
class Theme:
    name: str
    dark: bool
    canvas: QColor
    grid: QColor
    node: QColor
    node_border: QColor
    text: QColor
    muted: QColor
    edge: QColor
    selection: QColor
    error: QColor
    forward: QColor  # the pulse and badge of a value moving forward
    backward: QColor  # the pulse and badge of a gradient moving back

    def category(self, name: str) -> QColor:
        hue = CATEGORY_HUES.get(name)
        if hue is None:
            return QColor.fromHsl(0, 0, 120)
        return QColor.fromHsl(hue, 110, 95) if self.dark else QColor.fromHsl(hue, 150, 175)


LIGHT = Theme(
    "light",
    False,
    canvas=QColor("#f6f7f9"),
    grid=QColor("#e3e6eb"),
    node=QColor("#ffffff"),
    node_border=QColor("#b8bec8"),
    text=QColor("#1d232b"),
    muted=QColor("#5f6b7a"),
    edge=QColor("#7d8796"),
    selection=QColor("#2f7de1"),
    error=QColor("#d83a3a"),
    forward=QColor("#1f9d55"),
    backward=QColor("#d9480f"),
)

DARK = Theme(
    "dark",
    True,
    canvas=QColor("#1e2127"),
    grid=QColor("#2a2e36"),
    node=QColor("#2c313a"),
    node_border=QColor("#4a515e"),
    text=QColor("#e6e9ef"),
    muted=QColor("#9aa4b2"),
    edge=QColor("#8a94a3"),
    selection=QColor("#5aa2ff"),
    error=QColor("#ff6b6b"),
    forward=QColor("#4cd38a"),
    backward=QColor("#ff922b"),
)

THEMES = {"light": LIGHT, "dark": DARK}


def apply(app: QApplication, theme: Theme) -> None:
    """Give the whole application the theme's palette on the Fusion style."""
    app.setStyle("Fusion")
    palette = QPalette()
    if theme.dark:
        base, window, text = QColor("#23272e"), QColor("#2b3038"), QColor("#e6e9ef")
        palette.setColor(QPalette.Window, window)
        palette.setColor(QPalette.WindowText, text)
        palette.setColor(QPalette.Base, base)
        palette.setColor(QPalette.AlternateBase, window)
        palette.setColor(QPalette.Text, text)
        palette.setColor(QPalette.Button, window)
        palette.setColor(QPalette.ButtonText, text)
        palette.setColor(QPalette.ToolTipBase, base)
        palette.setColor(QPalette.ToolTipText, text)
        palette.setColor(QPalette.PlaceholderText, QColor("#8a94a3"))
        palette.setColor(QPalette.Highlight, theme.selection)
        palette.setColor(QPalette.HighlightedText, QColor("#ffffff"))
        palette.setColor(QPalette.Disabled, QPalette.Text, QColor("#6b7380"))
        palette.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#6b7380"))
        palette.setColor(QPalette.Disabled, QPalette.WindowText, QColor("#6b7380"))
    else:
        palette = app.style().standardPalette()
        palette.setColor(QPalette.Highlight, theme.selection)
    app.setPalette(palette)
    # Plots made from now on take the theme's colours; the window recolours those it has.
    pg.setConfigOptions(background=plot_background(theme), foreground=theme.muted)


def plot_background(theme: Theme) -> QColor:
    return QColor("#1b1e23") if theme.dark else QColor("#ffffff")
