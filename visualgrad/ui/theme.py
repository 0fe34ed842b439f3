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


# The colours of plotted series, and of the classes of the decision boundary, on either
# theme's plots: class 0 and class 1 are also the two ends of the binary probability map.
SERIES = (
    (47, 125, 225),
    (216, 58, 58),
    (31, 157, 85),
    (217, 72, 15),
    (132, 94, 194),
    (23, 162, 184),
    (196, 160, 0),
    (120, 120, 120),
    (214, 51, 132),
    (92, 64, 51),
)

# Each colour of the window, in the light theme and in the dark one.
COLOURS = {
    "canvas": ("#f6f7f9", "#1e2127"),
    "grid": ("#e3e6eb", "#2a2e36"),
    "node": ("#ffffff", "#2c313a"),
    "node_border": ("#b8bec8", "#4a515e"),
    "text": ("#1d232b", "#e6e9ef"),
    "title": ("#1d232b", "#ffffff"),  # a node's id and type, on its coloured header
    "on_accent": ("#ffffff", "#ffffff"),  # text on a playback badge or an error mark
    "muted": ("#5f6b7a", "#9aa4b2"),
    "edge": ("#7d8796", "#8a94a3"),
    "selection": ("#2f7de1", "#5aa2ff"),
    "error": ("#d83a3a", "#ff6b6b"),
    "forward": ("#1f9d55", "#4cd38a"),  # the pulse and badge of a value moving forward
    "backward": ("#d9480f", "#ff922b"),  # the pulse and badge of a gradient moving back
    "plot": ("#ffffff", "#1b1e23"),  # the background of the plots
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
    title: QColor
    on_accent: QColor
    muted: QColor
    edge: QColor
    selection: QColor
    error: QColor
    forward: QColor
    backward: QColor
    plot: QColor

    def category(self, name: str) -> QColor:
        hue = CATEGORY_HUES.get(name)
        if hue is None:
            return QColor.fromHsl(0, 0, 120)
        return QColor.fromHsl(hue, 110, 95) if self.dark else QColor.fromHsl(hue, 150, 175)


LIGHT, DARK = (
    Theme(name, dark, **{key: QColor(pair[column]) for key, pair in COLOURS.items()})
    for name, dark, column in (("light", False, 0), ("dark", True, 1))
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
    pg.setConfigOptions(background=theme.plot, foreground=theme.muted)
