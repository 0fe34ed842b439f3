"""What the canvas draws: a node with its ports, and an edge with its shape label.

The items only draw the document; they never change it. A drag that ends, a
port dropped on a port, a delete: the scene turns those into undo commands.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem

from ..graph.graph import Edge, Node
from .drawing import DETAIL, OVERVIEW, detail, font
from .edge_badge import EdgeBadge
from .theme import Theme

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


def summary(node: Node) -> str:
    """A one-line digest of a node's parameters, as the node shows it under its title."""
    parts = []
    for name, value in node.params.items():
        if isinstance(value, list):
            shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value[:4])
            value = f"[{shown}{', ...' if len(value) > 4 else ''}]"
        elif isinstance(value, float):
            value = f"{value:g}"
        parts.append(f"{name}={value}")
    return "  ".join(parts)


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
            item.setPos(0, self._port_y(i))
        for i, port in enumerate(spec.outputs):
            item = self.outputs[port.name] = PortItem(self, port.name, port.kind, True)
            item.setPos(NODE_WIDTH, self._port_y(i))
        self.refresh()
        self.setPos(*node.position)

    def _port_y(self, index: int) -> float:
        return HEADER + PARAMS + ROW / 2 + index * ROW

    def height(self) -> float:
        rows = max(len(self.inputs), len(self.outputs), 1)
        return HEADER + PARAMS + rows * ROW + 16

    def boundingRect(self) -> QRectF:
        return QRectF(-PORT_RADIUS - 3, -6, NODE_WIDTH + 2 * PORT_RADIUS + 6, self.height() + 22)

    def refresh(self) -> None:
        """Re-read the node (its parameters changed)."""
        spec = self.node.spec
        self.params_text = summary(self.node)
        tip = f"<b>{self.node.id}</b> · {spec.name}<br>{spec.description}<br><i>{spec.forward}</i>"
        if self.error:
            tip += f"<br><span style='color:#d83a3a'>{self.error}</span>"
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
        for item in self.scene().selectedItems():
            if isinstance(item, NodeItem):
                item.adjust_edges()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme, spec = self.theme, self.node.spec
        height = self.height()
        body = QRectF(0, 0, NODE_WIDTH, height)
        accent = theme.category(spec.category)
        if detail(painter) < DETAIL and self.state == "idle":
            selected = self.isSelected()
            painter.setPen(QPen(theme.selection if selected else theme.node_border, 0))
            painter.setBrush(theme.node)
            painter.drawRect(body)
            painter.fillRect(QRectF(0, 0, NODE_WIDTH, HEADER), accent)
            self._paint_large_id(painter)
            self._paint_marks(painter)
            return
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
        painter.fillPath(header_path(), accent)
        if detail(painter) < DETAIL:
            self._paint_large_id(painter)
            self._paint_marks(painter)
            return
        painter.setPen(QColor("#ffffff") if theme.dark else theme.text)
        painter.setFont(font("title"))
        title = QRectF(10, 0, NODE_WIDTH - 20, HEADER)
        painter.drawText(title, Qt.AlignVCenter | Qt.AlignLeft, self.node.id)
        painter.setFont(font("small"))
        painter.drawText(title, Qt.AlignVCenter | Qt.AlignRight, spec.name)
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
                QRectF(10, height - 16, NODE_WIDTH - 20, 14),
                Qt.AlignVCenter | Qt.AlignRight,
                self.shape_text,
            )
        self._paint_marks(painter)

    def _paint_large_id(self, painter: QPainter) -> None:
        """Zoomed out: the node's id, large enough to read, where the details would be."""
        if detail(painter) >= OVERVIEW:
            painter.setPen(self.theme.text)
            painter.setFont(font("large"))
            body = QRectF(4, HEADER, NODE_WIDTH - 8, self.height() - HEADER)
            painter.drawText(body, Qt.AlignCenter, self.node.id)

    def _paint_marks(self, painter: QPainter) -> None:
        """The error badge and the playback text: drawn at every zoom."""
        theme, height = self.theme, self.height()
        if self.error:
            painter.setPen(Qt.NoPen)
            painter.setBrush(theme.error)
            painter.drawEllipse(QPointF(NODE_WIDTH - 2, 0), 8, 8)
            painter.setPen(QColor("#ffffff"))
            painter.setFont(font("title"))
            painter.drawText(QRectF(NODE_WIDTH - 10, -8, 16, 16), Qt.AlignCenter, "!")
        if self.value_text:
            colour = theme.backward if self.value_text.startswith("dL/d") else theme.forward
            if "grad check" in self.value_text:
                colour = theme.forward if self.value_text.startswith("✔") else theme.error
            painter.setPen(colour)
            painter.setFont(font())
            painter.drawText(QRectF(0, height + 2, NODE_WIDTH, 16), Qt.AlignCenter, self.value_text)


class EdgeItem(QGraphicsItem):
    """A curve from an output port to an input port, labelled with the tensor's shape."""

    def __init__(self, edge: Edge, source: PortItem, target: PortItem, theme: Theme) -> None:
        super().__init__()
        self.edge, self.source, self.target, self.theme = edge, source, target, theme
        self.shape_text = ""
        self.badge = ""  # playback: the value or gradient carried, as text
        self.badge_colour: QColor | None = None
        self.colour: QColor | None = None  # gradient magnitude colouring; None: the theme's
        self.badge_item = None
        self.forward_value = None  # playback: the value and the gradient this edge carried
        self.gradient_value = None
        # exposedRect then holds the part being repainted, so off-screen labels are skipped.
        self.setFlags(QGraphicsItem.ItemIsSelectable | QGraphicsItem.ItemUsesExtendedStyleOption)
        self.setZValue(0)
        self.setToolTip(str(edge))
        source.node_item.edges.append(self)
        target.node_item.edges.append(self)
        self._path = QPainterPath()
        self.adjust()

    def detach(self) -> None:
        self.set_badge("", None)
        for item in (self.source.node_item, self.target.node_item):
            if self in item.edges:
                item.edges.remove(self)

    def adjust(self) -> None:
        self.prepareGeometryChange()
        self._path = curve(self.source.center(), self.target.center())
        self._bounds = self._path.boundingRect().adjusted(-60, -24, 60, 24)
        if getattr(self, "badge_item", None) is not None:
            self._place_badge()

    def path(self) -> QPainterPath:
        return self._path

    def point_at(self, fraction: float) -> QPointF:
        return self._path.pointAtPercent(min(max(fraction, 0.0), 1.0))

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self._path)

    def set_shape(self, text: str) -> None:
        if text != self.shape_text:
            self.shape_text = text
            self.update()

    def set_badge(self, text: str, colour: QColor | None, array=None) -> None:
        """Show what flowed along the edge (``text``, and ``array`` as a heatmap); "" hides it."""
        self.badge, self.badge_colour = text, colour
        if not text:
            if self.badge_item is not None and self.badge_item.scene() is not None:
                self.badge_item.scene().removeItem(self.badge_item)
            self.badge_item = None
        elif self.badge_item is None:
            self.badge_item = EdgeBadge(text, colour, array)
            if self.scene() is not None:
                self.scene().addItem(self.badge_item)
        else:
            self.badge_item.set(text, colour, array)
        self._place_badge()
        self.update()

    def _place_badge(self) -> None:
        if self.badge_item is not None:
            self.badge_item.setPos(self.point_at(0.5) - QPointF(0, 14))

    def set_colour(self, colour: QColor | None) -> None:
        self.colour = colour
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.theme
        colour = self.colour or theme.edge
        # One pixel, whatever the zoom: antialiased hairlines are five times cheaper to draw
        # than wider curves, which keeps a graph of hundreds of edges at 60 frames a second.
        # Edges that matter (selected, coloured by gradient) are drawn wider.
        width = 1.0
        if self.isSelected():
            colour, width = theme.selection, 2.5
        elif self.colour is not None:
            width = 2.5
        pen = QPen(colour, width)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self._path)
        label = self.shape_text
        if not label or self.badge or detail(painter) < DETAIL:
            return
        mid = self.point_at(0.5)
        if not option.exposedRect.adjusted(-80, -10, 80, 10).contains(mid):
            return
        painter.setFont(font("small"))
        metrics = QFontMetricsF(font("small"))
        w = metrics.horizontalAdvance(label) + 10
        box = QRectF(mid.x() - w / 2, mid.y() - 8, w, 16)
        painter.setPen(QPen(theme.node_border, 1))
        painter.setBrush(theme.canvas)
        painter.drawRoundedRect(box, 7, 7)
        painter.setPen(theme.muted)
        painter.drawText(box, Qt.AlignCenter, label)


def curve(start: QPointF, end: QPointF) -> QPainterPath:
    """The S-curve an edge follows: leaves to the right, arrives from the left."""
    path = QPainterPath(start)
    reach = max(40.0, abs(end.x() - start.x()) * 0.5)
    path.cubicTo(start + QPointF(reach, 0), end - QPointF(reach, 0), end)
    return path
