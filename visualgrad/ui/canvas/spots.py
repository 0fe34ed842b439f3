"""Where an edge's label and playback badge go: on the edge, at the point nearest its
middle where they cover no node (a short or long edge's middle may lie on a card), no
reroute point (a wire bent through one has it at its middle), and no other edge's label or
badge (two edges into one node have their middles close together)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt

from .badge import EdgeBadge
from .nodes import NODE_WIDTH, NodeItem
from .reroute_point import ReroutePoint

if TYPE_CHECKING:
    from .edges import EdgeItem

FRACTIONS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.1, 0.9)
# off the edge (up, then down), where it runs too close to cards or to other badges
RISES = (0.0, *(r for step in range(1, 9) for r in (22.0 * step, -22.0 * step)))


def card_rect(item: NodeItem) -> QRectF:
    """The scene rectangle of a node's card (its ports and the text below left out)."""
    return QRectF(item.scenePos(), QRectF(0, 0, NODE_WIDTH, item.height()).size())


def covers_a_node(rect: QRectF, items: list) -> bool:
    """True when ``rect`` (scene coordinates) overlaps a node's card or a reroute point
    among ``items``."""
    return any(
        (isinstance(i, NodeItem) and card_rect(i).intersects(rect))
        or (isinstance(i, ReroutePoint) and i.sceneBoundingRect().intersects(rect))
        for i in items
    )


def held_by_another(item, edge: EdgeItem) -> QRectF | None:
    """The scene box that ``item`` holds if it is another edge's badge or drawn label."""
    if isinstance(item, EdgeBadge):
        return None if item is edge.badge_item else item.mapRectToScene(item.rect)
    held = getattr(item, "held_label", None)
    return None if held is None or item is edge else held()


def in_the_way(box: QRectF, edge: EdgeItem, items: list) -> bool:
    """True when ``box`` covers a card, a reroute point, or another edge's label or badge."""
    if covers_a_node(box, items):
        return True
    for item in items:
        held = held_by_another(item, edge)
        if held is not None and held.intersects(box):
            return True
    return False


def free_spot(edge: EdgeItem, width: float, height: float, lift: float = 0.0) -> QPointF:
    """The centre, ``lift`` above the edge, of a ``width`` by ``height`` box that covers no
    node and no other edge's label or badge, as near the edge's middle as there is one,
    moving off the edge where it must (the middle itself when there is none)."""
    scene = edge.scene()
    middle = edge.point_at(0.5) - QPointF(0, lift)
    if scene is None:
        return middle
    for rise in RISES:
        for fraction in FRACTIONS:
            centre = edge.point_at(fraction) - QPointF(0, lift + rise)
            box = QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)
            if not in_the_way(box, edge, scene.items(box, Qt.IntersectsItemBoundingRect)):
                return centre
    return middle
