"""What the canvas draws of a node: its header coloured by category, its ports, its
parameters and shape, and the marks of playback and errors.

The items only draw the document; they never change it. A drag that ends, a
port dropped on a port, a delete: the scene turns those into undo commands.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem

from ...graph.arrange import snap
from ...graph.graph import Node
from ...graph.summaries import params_line
from ..theme import Theme
from .drawing import DETAIL, OVERVIEW, detail, font

if TYPE_CHECKING:
    from .edges import EdgeItem

NODE_WIDTH = 168.0
HEADER = 24.0
PARAMS = 16.0  # the line of parameter values under the header
ROW = 18.0
PORT_RADIUS = 6.0
_HEADER: list[QPainterPath] = []


def header_path() -> QPainterPath:
    """The coloured band at the top of a node: rounded above, square below."""
    if not _HEADER:
        rounded, band = QPainterPath(), QPainterPath()
        rounded.addRoundedRect(QRectF(0.5, 0.5, NODE_WIDTH - 1, HEADER + 12), 7.5, 7.5)
        band.addRect(QRectF(0, 0, NODE_WIDTH, HEADER))
        _HEADER.append(rounded.intersected(band))
    return _HEADER[0]


def port_y(index: int) -> float:
    """How far below a node's top its ``index``-th port sits."""
    return HEADER + PARAMS + ROW / 2 + index * ROW


def header_texts(node_id: str, type_name: str, width: float) -> tuple[str, str]:
    """What a header of ``width`` shows: the id (shortened only if it alone is too long),
    and the type in the room the id leaves, shortened or left out; they never overlap."""
    title, small = QFontMetricsF(font("title")), QFontMetricsF(font("small"))
    name = title.elidedText(node_id, Qt.ElideRight, width)
    room = width - title.horizontalAdvance(name) - 8
    kind = small.elidedText(type_name, Qt.ElideRight, room) if room > 24 else ""
    return name, "" if kind == "…" else kind


MARK_ROOM = NODE_WIDTH + 90.0  # the text under a card may reach 45 past either side


@lru_cache(maxsize=8192)
def mark_text(text: str) -> tuple[str, float]:
    """The playback text under a card, shortened on the right to ``MARK_ROOM``, and its width."""
    metrics = QFontMetricsF(font())
    shown = metrics.elidedText(text, Qt.ElideRight, MARK_ROOM)
    return shown, metrics.horizontalAdvance(shown)


@lru_cache(maxsize=8192)
def large_id(node_id: str) -> str:
    """A zoomed-out card's id in the large font, shortened on the right to fit the card."""
    return QFontMetricsF(font("large")).elidedText(node_id, Qt.ElideRight, NODE_WIDTH - 8)


def mark_rect(text: str, top: float) -> QRectF:
    """Where the playback text goes: centred under the card, ``top`` down, as wide as it is."""
    width = max(mark_text(text)[1] + 4, NODE_WIDTH)
    return QRectF((NODE_WIDTH - width) / 2, top, width, 16)


def paint_mark(painter: QPainter, text: str, top: float) -> None:
    """Draw the playback text under a card with the painter's pen."""
    painter.setFont(font())
    painter.drawText(mark_rect(text, top), Qt.AlignCenter, mark_text(text)[0])


class PortItem(QGraphicsItem):
    """One input (left edge) or output (right edge) of a node; connections start here."""

    def __init__(self, node_item: NodeItem, name: str, kind: str, is_output: bool) -> None:
        super().__init__(node_item)
        self.node_item, self.name, self.kind, self.is_output = node_item, name, kind, is_output
        self.state = "normal"  # "normal", "compatible" or "dimmed" while a connection is dragged
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CrossCursor)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)  # a blit per frame, not a call
        self.setToolTip(f"{'output' if is_output else 'input'} {name!r} ({kind})")

    @property
    def node_id(self) -> str:
        return self.node_item.node.id

    def boundingRect(self) -> QRectF:
        r = PORT_RADIUS + 3
        return QRectF(-r, -r, 2 * r, 2 * r)

    def center(self) -> QPointF:
        return self.scenePos()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.node_item.theme
        if self.state == "normal" and detail(painter) < DETAIL:
            return  # too small to aim at: the node's outline says enough
        colour = theme.category(self.node_item.node.spec.category).darker(130)
        if self.state == "compatible":
            colour = theme.forward
        elif self.state == "dimmed":
            colour = QColor(theme.muted)
            colour.setAlpha(70)
        r = PORT_RADIUS + (2 if self.state == "compatible" else 0)
        painter.setPen(QPen(theme.node, 1.5))
        painter.setBrush(colour)
        painter.drawEllipse(QPointF(0, 0), r, r)


class NodeItem(QGraphicsObject):
    """A node: a header coloured by its category, its id and type, ports, and its shape."""

    def __init__(self, node: Node, theme: Theme) -> None:
        super().__init__()
        self.node, self.theme = node, theme
        self.edges: list[EdgeItem] = []
        self.shape_text = ""
        self.error: str | None = None
        self.state = "idle"  # playback: "idle", "forward", "backward" (lit) or "done"
        self.value_text = ""
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        # A node is drawn once per zoom level and then copied: a repaint of a large graph
        # (a pulse moving, a drag) costs a blit per node, not its text.
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.inputs: dict[str, PortItem] = {}
        self.outputs: dict[str, PortItem] = {}
        spec = node.spec
        for i, port in enumerate(spec.inputs):
            item = self.inputs[port.name] = PortItem(self, port.name, port.kind, False)
            item.setPos(0, port_y(i))
        for i, port in enumerate(spec.outputs):
            item = self.outputs[port.name] = PortItem(self, port.name, port.kind, True)
            item.setPos(NODE_WIDTH, port_y(i))
        self.refresh()
        self.setPos(*node.position)

    def height(self) -> float:
        rows = max(len(self.inputs), len(self.outputs), 1)
        return HEADER + PARAMS + rows * ROW + 16

    def boundingRect(self) -> QRectF:
        rect = QRectF(-PORT_RADIUS - 3, -6, NODE_WIDTH + 2 * PORT_RADIUS + 6, self.height() + 22)
        if self.value_text:
            rect = rect.united(mark_rect(self.value_text, self.height() + 2))
        return rect

    def refresh(self) -> None:
        """Re-read the node (its parameters changed)."""
        spec = self.node.spec
        self.params_text = params_line(self.node)
        tip = f"<b>{self.node.id}</b> · {spec.name}<br>{spec.description}<br><i>{spec.forward}</i>"
        if self.error:
            tip += f"<br><span style='color:{self.theme.error.name()}'>{self.error}</span>"
        self.setToolTip(tip)
        self.update()

    def set_shape(self, shape_text: str, error: str | None) -> None:
        if (shape_text, error) != (self.shape_text, self.error):
            self.shape_text, self.error = shape_text, error
            self.refresh()

    def set_state(self, state: str, value_text: str = "") -> None:
        if (state, value_text) != (self.state, self.value_text):
            self.prepareGeometryChange()
            self.state, self.value_text = state, value_text
            self.update()

    def adjust_edges(self) -> None:
        for edge in self.edges:
            edge.adjust()

    def mouseMoveEvent(self, event) -> None:
        # Edges follow by hand: an itemChange override is called for every change,
        # and the window only needs to hear of moves.
        super().mouseMoveEvent(event)
        grid = getattr(self.scene(), "snap_grid", None)
        for item in self.scene().selectedItems():
            if isinstance(item, NodeItem):
                if grid:
                    item.setPos(*snap((item.x(), item.y()), grid))
                item.adjust_edges()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        """One way of drawing per level of detail; the marks are drawn at every zoom."""
        if detail(painter) >= DETAIL:
            self._paint_card(painter)
            self._paint_text(painter)
        elif self.state == "idle":
            self._paint_block(painter)
            self._paint_large_id(painter)
        else:  # lit by playback: the glow shows which node computes, at any zoom
            self._paint_card(painter)
            self._paint_large_id(painter)
        self._paint_marks(painter)

    def _paint_block(self, painter: QPainter) -> None:
        """Zoomed out: a plain box under its coloured band, cheap to draw by the hundred."""
        theme = self.theme
        painter.setPen(QPen(theme.selection if self.isSelected() else theme.node_border, 0))
        painter.setBrush(theme.node)
        painter.drawRect(QRectF(0, 0, NODE_WIDTH, self.height()))
        painter.fillRect(QRectF(0, 0, NODE_WIDTH, HEADER), theme.category(self.node.spec.category))

    def _paint_card(self, painter: QPainter) -> None:
        """The rounded card: its glow while playback lights it, its border (selected, or in
        error) and its header coloured by category."""
        theme = self.theme
        body = QRectF(0, 0, NODE_WIDTH, self.height())
        if self.state in ("forward", "backward"):
            glow = QColor(theme.forward if self.state == "forward" else theme.backward)
            glow.setAlpha(90)
            painter.setPen(Qt.NoPen)
            painter.setBrush(glow)
            painter.drawRoundedRect(body.adjusted(-6, -6, 6, 6), 12, 12)
        border = theme.node_border
        width = 1.0
        if self.isSelected():
            border, width = theme.selection, 2.0
        elif self.error:
            border, width = theme.error, 1.6
        painter.setPen(QPen(border, width))
        painter.setBrush(theme.node)
        painter.drawRoundedRect(body, 8, 8)
        painter.fillPath(header_path(), theme.category(self.node.spec.category))

    def _paint_text(self, painter: QPainter) -> None:
        """Close up: the id and type in the header, the parameters, the ports and the shape."""
        theme, spec = self.theme, self.node.spec
        painter.setPen(theme.title)
        painter.setFont(font("title"))
        title = QRectF(10, 0, NODE_WIDTH - 20, HEADER)
        name, kind = header_texts(self.node.id, spec.name, title.width())
        painter.drawText(title, Qt.AlignVCenter | Qt.AlignLeft, name)
        painter.setFont(font("small"))
        painter.drawText(title, Qt.AlignVCenter | Qt.AlignRight, kind)
        painter.setPen(theme.muted)
        metrics = QFontMetricsF(font("small"))
        line = QRectF(10, HEADER + 1, NODE_WIDTH - 20, PARAMS - 2)
        painter.drawText(
            line, Qt.AlignVCenter, metrics.elidedText(self.params_text, Qt.ElideRight, line.width())
        )
        painter.setFont(font())
        painter.setPen(theme.text)
        for name, port in self.inputs.items():
            painter.drawText(QRectF(12, port.y() - 8, 70, 16), Qt.AlignVCenter, name)
        for name, port in self.outputs.items():
            painter.drawText(
                QRectF(NODE_WIDTH - 82, port.y() - 8, 70, 16), Qt.AlignVCenter | Qt.AlignRight, name
            )
        if self.shape_text:
            painter.setPen(theme.muted)
            painter.setFont(font("small"))
            painter.drawText(
                QRectF(10, self.height() - 16, NODE_WIDTH - 20, 14),
                Qt.AlignVCenter | Qt.AlignRight,
                self.shape_text,
            )

    def _paint_large_id(self, painter: QPainter) -> None:
        """Zoomed out: the node's id, large enough to read, where the details would be."""
        if detail(painter) >= OVERVIEW:
            painter.setPen(self.theme.text)
            painter.setFont(font("large"))
            body = QRectF(4, HEADER, NODE_WIDTH - 8, self.height() - HEADER)
            painter.drawText(body, Qt.AlignCenter, large_id(self.node.id))

    def _paint_marks(self, painter: QPainter) -> None:
        """The error badge and the playback text: drawn at every zoom."""
        theme, height = self.theme, self.height()
        if self.error:
            painter.setPen(Qt.NoPen)
            painter.setBrush(theme.error)
            painter.drawEllipse(QPointF(NODE_WIDTH - 2, 0), 8, 8)
            painter.setPen(theme.on_accent)
            painter.setFont(font("title"))
            painter.drawText(QRectF(NODE_WIDTH - 10, -8, 16, 16), Qt.AlignCenter, "!")
        if self.value_text:
            colour = theme.backward if self.value_text.startswith("dL/d") else theme.forward
            if "grad check" in self.value_text:
                colour = theme.forward if self.value_text.startswith("✔") else theme.error
            painter.setPen(colour)
            paint_mark(painter, self.value_text, height + 2)
