"""What the canvas draws of a closed group: one card with its name, how many nodes it holds,
and a port for each edge that crosses its boundary (``member.port``). Double-click opens it.

Like a node's card it only draws the document; a drag that ends asks the document to
move the group (one undo step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem

from ...graph.groups import Group, GroupPorts
from ..theme import Theme
from .drawing import DETAIL, detail, font
from .nodes import HEADER, NODE_WIDTH, PARAMS, PORT_RADIUS, ROW, mark_rect, paint_mark, port_y

if TYPE_CHECKING:
    from .edges import EdgeItem

GROUP_HUE = 280  # the header's colour: a violet no category uses


class GroupPortItem(QGraphicsItem):
    """Where a crossing edge meets the group's card: ``member.port``."""

    def __init__(self, group_item: GroupItem, name: str, is_output: bool) -> None:
        super().__init__(group_item)
        self.node_item, self.name, self.is_output = group_item, name, is_output
        self.setToolTip(f"{'output' if is_output else 'input'} {name} of group {group_item.name}")

    def boundingRect(self) -> QRectF:
        r = PORT_RADIUS + 1
        return QRectF(-r, -r, 2 * r, 2 * r)

    def center(self) -> QPointF:
        return self.scenePos()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        if detail(painter) < DETAIL:
            return
        painter.setPen(QPen(self.node_item.theme.node, 1.5))
        painter.setBrush(self.node_item.colour().darker(130))
        painter.drawEllipse(QPointF(0, 0), PORT_RADIUS, PORT_RADIUS)


class GroupItem(QGraphicsObject):
    """A closed group: a card for its members, with its crossing edges as ports."""

    def __init__(self, group: Group, crossing: GroupPorts, theme: Theme) -> None:
        super().__init__()
        self.group, self.theme = group, theme
        self.edges: list[EdgeItem] = []
        self.state, self.value_text = "idle", ""
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable)
        self.setZValue(1)
        self.inputs = {name: GroupPortItem(self, name, False) for name in crossing.input_names()}
        self.outputs = {name: GroupPortItem(self, name, True) for name in crossing.output_names()}
        for ports, x in ((self.inputs, 0.0), (self.outputs, NODE_WIDTH)):
            for i, item in enumerate(ports.values()):
                item.setPos(x, port_y(i))
        members = ", ".join(group.members)
        self.setToolTip(
            f"<b>{group.name}</b> · group of {len(group.members)} nodes<br>{members}<br>"
            "Double-click to open it"
        )
        self.setPos(*group.position)
        self._pressed_at: tuple[float, float] | None = None

    @property
    def name(self) -> str:
        return self.group.name

    def kind(self) -> str:
        """The header's type label, "group", left out where the name already says it."""
        return "" if "group" in self.name.lower() else "group"

    def colour(self) -> QColor:
        return (
            QColor.fromHsl(GROUP_HUE, 110, 95)
            if self.theme.dark
            else QColor.fromHsl(GROUP_HUE, 150, 185)
        )

    def height(self) -> float:
        rows = max(len(self.inputs), len(self.outputs), 1)
        return HEADER + PARAMS + rows * ROW + 16

    def boundingRect(self) -> QRectF:
        rect = QRectF(-PORT_RADIUS - 3, -10, NODE_WIDTH + 2 * PORT_RADIUS + 6, self.height() + 30)
        if self.value_text:
            rect = rect.united(mark_rect(self.value_text, self.height() + 2))
        return rect

    def set_state(self, state: str, value_text: str = "") -> None:
        """Playback lights the group while it steps over it, as it lights a node."""
        if (state, value_text) != (self.state, self.value_text):
            self.prepareGeometryChange()
            self.state, self.value_text = state, value_text
            self.update()

    def adjust_edges(self) -> None:
        for edge in self.edges:
            edge.adjust()

    # ---- moving ------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        self._pressed_at = (self.x(), self.y())
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        super().mouseMoveEvent(event)
        self.adjust_edges()

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        start, self._pressed_at = self._pressed_at, None
        if start is not None and start != (self.x(), self.y()):
            scene = self.scene()
            if not scene.scope.move_group(self.name, (self.x(), self.y())):
                self.setPos(*start)
                self.adjust_edges()

    # ---- drawing -----------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        theme = self.theme
        body = QRectF(0, 0, NODE_WIDTH, self.height())
        if self.state in ("forward", "backward"):
            glow = QColor(theme.forward if self.state == "forward" else theme.backward)
            glow.setAlpha(90)
            painter.setPen(Qt.NoPen)
            painter.setBrush(glow)
            painter.drawRoundedRect(body.adjusted(-6, -6, 6, 6), 12, 12)
        # a second card behind the first: it holds several nodes
        painter.setPen(QPen(theme.node_border, 1.0))
        painter.setBrush(theme.node)
        painter.drawRoundedRect(body.translated(5, -5), 8, 8)
        selected = self.isSelected()
        painter.setPen(
            QPen(theme.selection if selected else theme.node_border, 2 if selected else 1)
        )
        painter.drawRoundedRect(body, 8, 8)
        painter.fillRect(QRectF(1, 1, NODE_WIDTH - 2, HEADER - 1), self.colour())
        painter.setPen(theme.title)
        painter.setFont(font("title" if detail(painter) >= DETAIL else "large"))
        title = QRectF(10, 0, NODE_WIDTH - 20, HEADER)
        painter.drawText(title, Qt.AlignVCenter | Qt.AlignLeft, self.name)
        if detail(painter) >= DETAIL:
            self._paint_text(painter)
        if self.value_text:
            colour = theme.backward if self.value_text.startswith("dL/d") else theme.forward
            painter.setPen(colour)
            paint_mark(painter, self.value_text, self.height() + 2)

    def _paint_text(self, painter: QPainter) -> None:
        theme = self.theme
        painter.setFont(font("small"))
        painter.drawText(
            QRectF(10, 0, NODE_WIDTH - 20, HEADER), Qt.AlignVCenter | Qt.AlignRight, self.kind()
        )
        painter.setPen(theme.muted)
        line = QRectF(10, HEADER + 1, NODE_WIDTH - 20, PARAMS - 2)
        text = f"{len(self.group.members)} nodes: {', '.join(self.group.members)}"
        elided = QFontMetricsF(font("small")).elidedText(text, Qt.ElideRight, line.width())
        painter.drawText(line, Qt.AlignVCenter, elided)
        painter.setFont(font("small"))
        painter.setPen(theme.text)
        half = NODE_WIDTH / 2 - 14
        for name, port in self.inputs.items():
            painter.drawText(QRectF(12, port.y() - 8, half, 16), Qt.AlignVCenter, name)
        for name, port in self.outputs.items():
            painter.drawText(
                QRectF(NODE_WIDTH - 12 - half, port.y() - 8, half, 16),
                Qt.AlignVCenter | Qt.AlignRight,
                name,
            )
