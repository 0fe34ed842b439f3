"""What moves along the edges while a pass is stepped: a pulse travelling from node to
node, then a badge with the value or the gradient carried, and the edges of the backward
pass coloured by gradient magnitude.

It keeps what each edge carried in the steps shown, so that the badges can switch
between the values and the gradients; the canvas's items only draw.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from PySide6.QtCore import QEasingCurve, QObject, QVariantAnimation
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem

from ...graph.graph import Edge
from ...graph.steps import Step
from ...graph.summaries import short
from ..canvas import CanvasScene
from .gradient_scale import Legend, magnitude_colour


class EdgeFlow(QObject):
    """The pulses, badges and colours of one scene's edges during playback."""

    def __init__(self, scene: CanvasScene, legend: Legend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scene, self.legend = scene, legend
        self.view = "value"  # what the badges show: "value" or "gradient"
        self.pulses: list[QGraphicsEllipseItem] = []
        self.frames = 0  # animation frames drawn, for the benchmark
        self._carried: dict[str, dict[Edge, np.ndarray]] = {"value": {}, "gradient": {}}
        self._log_range = (0, 1)  # decades of the gradient magnitudes the colours span
        self._step_in_flight: Step | None = None
        self.animation = QVariantAnimation(self)
        self.animation.setStartValue(0.0)
        self.animation.setEndValue(1.0)
        self.animation.setEasingCurve(QEasingCurve.InOutSine)
        self.animation.valueChanged.connect(self._move_pulses)
        self.animation.finished.connect(self._arrived)
        scene.items_replacing.connect(self.drop_pulses)

    def set_scale(self, gradients: Iterable[np.ndarray]) -> None:
        """Colour by the whole decades that the mean magnitudes of ``gradients`` span."""
        magnitudes = [float(np.abs(g).mean()) for g in gradients if np.size(g)]
        logs = [math.log10(m) for m in magnitudes if m > 0 and math.isfinite(m)]
        low, high = (math.floor(min(logs)), math.ceil(max(logs))) if logs else (0, 1)
        self._log_range = (low - 1, high + 1) if low == high else (low, high)

    def clear(self) -> None:
        """No pulse, no badge, no colour, and nothing carried."""
        self.finish()
        self._carried = {"value": {}, "gradient": {}}
        for item in self.scene.edge_items.values():
            item.set_badge("", None)
            item.set_colour(None)
            item.carried.clear()
        self.legend.set_range(None, None)

    def show(self, step: Step, duration_ms: int | None) -> None:
        """What ``step`` sends along its edges: a pulse for ``duration_ms`` and then the
        badges, or the badges at once (None)."""
        if duration_ms is None or not step.edges:
            self._badge(step)
            return
        colour = self._colour("value" if step.kind == "forward" else "gradient")
        for edge in step.edges:
            if edge not in self.scene.edge_items:
                continue
            pulse = QGraphicsEllipseItem(-7, -7, 14, 14)
            pulse.setBrush(colour)
            pulse.setPen(QPen(colour.lighter(150), 2))
            pulse.setZValue(10)
            pulse.setData(0, edge)
            self.scene.addItem(pulse)
            self.pulses.append(pulse)
        self._step_in_flight = step
        self.animation.setDuration(duration_ms)
        self.animation.start()

    def moving(self) -> bool:
        return self.animation.state() == QVariantAnimation.Running

    def finish(self) -> None:
        """Let a pulse still on its way arrive at once."""
        if self.moving():
            self.animation.stop()
            self._arrived()

    def drop_pulses(self) -> None:
        """Stop a pulse on its way and forget it and its step: the edges it ran along go."""
        self.animation.stop()
        for pulse in self.pulses:
            self.scene.removeItem(pulse)
        self.pulses = []
        self._step_in_flight = None

    def set_view(self, view: str) -> None:
        """Badges show the values of the forward pass ("value"), or the gradients of the
        backward pass ("gradient")."""
        self.view = view
        carried = self._carried[view]
        for edge, item in self.scene.edge_items.items():
            value = carried.get(edge)
            if value is None:
                item.set_badge("", None)
            else:
                item.set_badge(short(value), self._colour(view), value)

    # ---- within ----------------------------------------------------------------------------
    def _colour(self, view: str) -> QColor:
        return self.scene.theme.forward if view == "value" else self.scene.theme.backward

    def _badge(self, step: Step) -> None:
        view = "value" if step.kind == "forward" else "gradient"
        for edge in step.edges:
            item = self.scene.edge_items.get(edge)
            if item is None:
                continue
            self._carried[view][edge] = item.carried[view] = step.value
            if view == "gradient":
                magnitude = float(np.abs(step.value).mean())
                item.set_colour(magnitude_colour(magnitude, *self._log_range))
                self.legend.set_range(*self._log_range)
            if self.view == view:
                item.set_badge(short(step.value), self._colour(view), step.value)

    def _move_pulses(self, t: float) -> None:
        self.frames += 1
        step = self._step_in_flight
        backward = step is not None and step.kind != "forward"
        for pulse in self.pulses:
            item = self.scene.edge_items.get(pulse.data(0))
            if item is not None:
                pulse.setPos(item.point_at(1 - t if backward else t))

    def _arrived(self) -> None:
        for pulse in self.pulses:
            self.scene.removeItem(pulse)
        self.pulses = []
        if self._step_in_flight is not None:
            self._badge(self._step_in_flight)
            self._step_in_flight = None
