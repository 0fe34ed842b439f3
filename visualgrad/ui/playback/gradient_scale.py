"""Edges coloured by gradient magnitude: the colour scale (log) and its legend."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter
from PySide6.QtWidgets import QLabel


def magnitude_colour(value: float, low: float, high: float) -> QColor:
    """Blue for the smallest gradient magnitude, through yellow, to red for the largest."""
    if not math.isfinite(value) or high <= low:
        t = 0.5
    else:
        t = (math.log10(max(value, 1e-12)) - low) / (high - low)
    t = min(max(t, 0.0), 1.0)
    return QColor.fromHsvF((1 - t) * 0.62, 0.85, 0.9)


class Legend(QLabel):
    """The colour scale of gradient magnitudes, with its decades."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("gradientLegend")
        self.setMinimumWidth(180)
        self.low = self.high = None

    def set_range(self, low: float | None, high: float | None) -> None:
        self.low, self.high = low, high
        self.setToolTip("" if low is None else f"|dL/dx| from 1e{low:.0f} to 1e{high:.0f} (log)")
        self.update()

    def paintEvent(self, event) -> None:
        if self.low is None:
            return
        painter = QPainter(self)
        bar = self.rect().adjusted(34, 6, -34, -6)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for i in range(6):
            gradient.setColorAt(i / 5, magnitude_colour(10 ** (i / 5), 0, 1))
        painter.fillRect(bar, gradient)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(self.rect(), Qt.AlignVCenter | Qt.AlignLeft, f"1e{self.low:.0f}")
        painter.drawText(self.rect(), Qt.AlignVCenter | Qt.AlignRight, f"1e{self.high:.0f}")
