"""A layer's units folded out under its node on the canvas, and the per-unit edges between
two layers folded out, as TensorFlow Playground draws them.

The toggle on a layer's card folds its units out (a view, not an edit: no undo step).
The fold is a column of small heatmaps, one per unit; hovering one shows its weights
and bias. Between two folded-out layers joined by an edge, each unit-to-unit weight is
a line, as wide as its magnitude and coloured by its sign (red above zero, blue below);
an activation passes each unit on to its own, drawn in grey.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from .drawing import DETAIL, detail, font
from .neuron_strip import unit_images
from .nodes import NODE_WIDTH, NodeItem

GAP = 2.0
POSITIVE, NEGATIVE, PASSING = QColor(214, 64, 48), QColor(48, 102, 214), QColor(140, 140, 140)
WIDTHS = (0.4, 1.0, 1.8, 3.0)  # line widths of the four classes of |weight|


def tile_size(units: int) -> float:
    """The side of a unit's tile: smaller as a layer has more units."""
    return 26.0 if units <= 8 else 20.0 if units <= 16 else 14.0


class FoldToggle(QGraphicsItem):
    """The "units" switch at the bottom left of a layer's card."""

    def __init__(self, node_item: NodeItem, toggled: Callable[[str], None]) -> None:
        super().__init__(node_item)
        self.node_item, self.toggled, self.open = node_item, toggled, False
        self.setPos(8, node_item.height() - 15)
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("Fold this layer's units out under the node, or back in")

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, 46, 13)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if detail(painter) < DETAIL:
            return
        theme = self.node_item.theme
        painter.setPen(QPen(theme.node_border, 1))
        painter.setBrush(theme.canvas)
        painter.drawRoundedRect(self.boundingRect(), 5, 5)
        painter.setPen(theme.muted)
        painter.setFont(font("small"))
        text = ("▾" if self.open else "▸") + " units"
        painter.drawText(self.boundingRect(), Qt.AlignCenter, text)

    def set_open(self, open_: bool) -> None:
        self.open = open_
        self.update()

    def mousePressEvent(self, event) -> None:
        event.accept()  # neither selects nor drags the node

    def mouseReleaseEvent(self, event) -> None:
        if self.boundingRect().contains(event.pos()):
            self.toggled(self.node_item.node.id)


class NeuronFold(QGraphicsItem):
    """A column of a layer's units under its node."""

    def __init__(self, node_item: NodeItem, describe: Callable[[int], str]) -> None:
        super().__init__(node_item)
        self.node_item, self.describe = node_item, describe  # describe(unit): its tooltip
        self.links: list[UnitLinks] = []
        self.grids = np.zeros((0, 1, 1))
        self.images: list = []
        self.side = tile_size(0)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.ItemSendsScenePositionChanges)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def set_units(self, grids: np.ndarray) -> None:
        resized = len(grids) != len(self.grids)
        if resized:
            self.prepareGeometryChange()
            self.side = tile_size(len(grids))
            self.setPos(NODE_WIDTH / 2 - self.side / 2, self.node_item.height() + 22)
        self.grids = grids
        self.images = unit_images(grids)
        self.update()
        if resized:
            for link in self.links:
                link.adjust()

    def boundingRect(self) -> QRectF:
        return QRectF(-1, -1, self.side + 2, len(self.grids) * (self.side + GAP) + 2)

    def unit_at(self, y: float) -> int | None:
        unit = int(y // (self.side + GAP))
        return unit if 0 <= unit < len(self.grids) else None

    def anchor(self, unit: int, outgoing: bool) -> QPointF:
        """Where a unit's lines leave (``outgoing``: its right side) or arrive (its left)."""
        y = unit * (self.side + GAP) + self.side / 2
        return self.mapToScene(QPointF(self.side if outgoing else 0.0, y))

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(QPen(self.node_item.theme.node_border, 1))
        for unit, image in enumerate(self.images):
            tile = QRectF(0, unit * (self.side + GAP), self.side, self.side)
            painter.drawImage(tile, image)
            painter.drawRect(tile)

    def hoverMoveEvent(self, event) -> None:
        unit = self.unit_at(event.pos().y())
        self.setToolTip(self.describe(unit) if unit is not None else "")

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemScenePositionHasChanged:
            for link in self.links:
                link.adjust()
        return super().itemChange(change, value)


class UnitLinks(QGraphicsItem):
    """The per-unit lines from one folded-out layer to the next."""

    def __init__(self, source: NeuronFold, target: NeuronFold) -> None:
        super().__init__()
        self.source, self.target = source, target
        source.links.append(self)
        target.links.append(self)
        self.links: tuple[np.ndarray, np.ndarray, np.ndarray | None] = (
            np.zeros(0, int),
            np.zeros(0, int),
            None,
        )
        self._lines: list[tuple[QPen, list[QLineF]]] = []
        self._bounds = QRectF()
        self.setZValue(0.5)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def detach(self) -> None:
        for fold in (self.source, self.target):
            if self in fold.links:
                fold.links.remove(self)
        if self.scene() is not None:
            self.scene().removeItem(self)

    def set_links(self, links: tuple[np.ndarray, np.ndarray, np.ndarray | None]) -> None:
        self.links = links
        self.adjust()

    def adjust(self) -> None:
        """Lay the lines out again: a fold moved or its values changed."""
        i, j, w = self.links
        starts = [self.source.anchor(int(u), True) for u in range(len(self.source.grids))]
        ends = [self.target.anchor(int(u), False) for u in range(len(self.target.grids))]
        valid = (i < len(starts)) & (j < len(ends))
        i, j = i[valid], j[valid]
        groups: dict[tuple[int, int], list[QLineF]] = {}
        if w is None:
            classes, signs = np.zeros(len(i), int), np.zeros(len(i), int)
        else:
            w = w[valid]
            scale = float(np.abs(w).max()) if w.size else 1.0
            classes = np.minimum((np.abs(w) / (scale or 1.0) * len(WIDTHS)).astype(int), 3)
            signs = np.where(w >= 0, 1, -1)
        for a, b, c, s in zip(i, j, classes, signs, strict=True):
            groups.setdefault((int(s), int(c)), []).append(QLineF(starts[a], ends[b]))
        self._lines = []
        for (sign, width), lines in sorted(groups.items(), key=lambda kv: kv[0][1]):
            colour = QColor({1: POSITIVE, -1: NEGATIVE, 0: PASSING}[sign])
            colour.setAlpha(50 + 50 * width)
            self._lines.append((QPen(colour, WIDTHS[width] if sign else 1.0), lines))
        points, bounds = starts + ends, QRectF()
        if points:
            xs, ys = [p.x() for p in points], [p.y() for p in points]
            bounds = QRectF(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
            bounds.adjust(-4, -4, 4, 4)
        if bounds != self._bounds:
            self.prepareGeometryChange()
            self._bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def line_count(self) -> int:
        return sum(len(lines) for _, lines in self._lines)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        for pen, lines in self._lines:
            painter.setPen(pen)
            painter.drawLines(lines)
