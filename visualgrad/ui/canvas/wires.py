"""The wire gestures the scene hands over: Ctrl + right-drag cuts wires, Alt-click on a wire
adds a reroute point (on a point, removes it), a point dragged moves, and a wire dropped
from an output into empty space asks for a node to take it.

Each gesture ends in one edit of ``canvas_edits``; the drawing follows from the graph.
``GESTURES`` lists, for Help > Keyboard shortcuts, what the canvas does beyond its menus'
actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSceneMouseEvent

from ...graph import catalog
from ...graph.graph import Edge
from ...graph.wiring import first_input, types_accepting, types_between
from .. import canvas_edits
from .edges import EdgeItem, curve, curve_through
from .nodes import NodeItem, PortItem, port_y
from .reroute_point import ReroutePoint

if TYPE_CHECKING:
    from .scene import CanvasScene

GESTURES: tuple[tuple[str, str], ...] = (
    ("Tab", "Search the node types and place one at the cursor"),
    ("Drag from an output to an input", "Connect them"),
    ("Drag from a connected input", "Pull its wire off: drop it on another input, or away"),
    ("Drag from an output into empty space", "Search the node types that can take it"),
    ("Ctrl + right-drag", "Cut every wire the line crosses"),
    ("Alt + click on a wire", "Add a reroute point there (drag it to move it)"),
    ("Alt + click on a reroute point", "Remove it"),
    ("Right-click", "The menu of the canvas, a node, a wire or a reroute point"),
    ("Drop a node onto a wire", "Insert it into the wire"),
    ("Middle-drag, or Space + drag", "Pan"),
    ("Wheel", "Zoom in or out at the mouse"),
    ("=", "Zoom in"),
    ("Shift + wheel", "Scroll"),
)


def crossed(path: QPainterPath, cut: list[QPointF]) -> bool:
    """Whether the polyline ``cut`` crosses ``path`` (taken as the polygon Qt flattens it to)."""
    lines = [QLineF(a, b) for a, b in zip(cut, cut[1:])]
    for polygon in path.toSubpathPolygons():
        points = list(polygon)
        for a, b in zip(points, points[1:]):
            segment = QLineF(a, b)
            if any(line.intersects(segment)[0] == QLineF.BoundedIntersection for line in lines):
                return True
    return False


def _distance(path: QPainterPath, at: QPointF, samples: int = 32) -> float:
    return min(QLineF(path.pointAtPercent(i / samples), at).length() for i in range(samples + 1))


class WireGestures(QObject):
    """The scene's wire gestures, from press to release, and the wire waiting for a node."""

    # (scene position, node types offered, what to do with the one chosen, the field's hint)
    search_requested = Signal(object, object, object, str)

    def __init__(self, scene: CanvasScene) -> None:
        super().__init__(scene)
        self.scene = scene
        self.cut_line: QGraphicsPathItem | None = None
        self.cut_points: list[QPointF] = []
        self.doomed: list[EdgeItem] = []  # the wires the cut line has crossed so far, in red
        self.dragged: ReroutePoint | None = None
        self.pending: QGraphicsPathItem | None = None  # a dropped wire, while the search is open

    def reset(self) -> None:
        """The scene was cleared: no gesture is under way."""
        self.cut_line = self.dragged = self.pending = None
        self.cut_points, self.doomed = [], []

    # ---- from the scene's mouse events ---------------------------------------------------
    def press(self, event: QGraphicsSceneMouseEvent) -> bool:
        """Whether a wire gesture starts here (then the scene does nothing else)."""
        if self.scene.document.locked:
            return False
        pos, modifiers = event.scenePos(), event.modifiers()
        if event.button() == Qt.RightButton and modifiers & Qt.ControlModifier:
            self._start_cut(pos)
            return True
        if event.button() != Qt.LeftButton:
            return False
        item = self._item_at(pos)
        if isinstance(item, ReroutePoint):
            if modifiers & Qt.AltModifier:
                self.remove_point(item)
            else:
                self.scene.clearSelection()
                item.setSelected(True)
                self.dragged = item
            return True
        if isinstance(item, EdgeItem) and modifiers & Qt.AltModifier:
            self.add_point(item, pos)
            return True
        return False

    def move(self, event: QGraphicsSceneMouseEvent) -> bool:
        if self.cut_line is not None:
            self.cut_points.append(event.scenePos())
            self._draw_cut()
            return True
        if self.dragged is not None:
            edge_item, index = self.dragged.edge_item, self.dragged.index
            points = list(edge_item.points)
            pos = event.scenePos()
            points[index] = (pos.x(), pos.y())
            self.dragged.setPos(pos)
            edge_item.points = tuple(points)
            edge_item.adjust()
            return True
        return False

    def release(self, event: QGraphicsSceneMouseEvent) -> bool:
        if self.cut_line is not None:
            self._finish_cut()
            return True
        if self.dragged is not None:
            edge_item, self.dragged = self.dragged.edge_item, None
            edge = edge_item.edge
            moved, kept = edge_item.points, self.scene.graph.reroutes.points(edge)
            if moved != kept:
                edge_item.set_points(kept)  # the model's, until the edit's event redraws it
                canvas_edits.set_reroutes(self.scene.document, edge, moved, "Move reroute point")
            return True
        return False

    def _item_at(self, pos: QPointF):
        for item in self.scene.items(pos):
            if isinstance(item, (ReroutePoint, EdgeItem, NodeItem, PortItem)):
                return item
        return None

    # ---- cutting -------------------------------------------------------------------------
    def _start_cut(self, pos: QPointF) -> None:
        self.cut_points = [pos]
        self.cut_line = QGraphicsPathItem()
        pen = QPen(self.scene.theme.error, 2, Qt.DashLine)
        pen.setCosmetic(True)
        self.cut_line.setPen(pen)
        self.cut_line.setZValue(6)
        self.scene.addItem(self.cut_line)

    def _draw_cut(self) -> None:
        path = QPainterPath(self.cut_points[0])
        for point in self.cut_points[1:]:
            path.lineTo(point)
        self.cut_line.setPath(path)
        last = self.cut_points[-2:]
        area = QRectF(last[0], last[-1]).normalized().adjusted(-1, -1, 1, 1)
        for item in self.scene.items(area):
            if (
                isinstance(item, EdgeItem)
                and item not in self.doomed
                and crossed(item.path(), last)
            ):
                item.doomed = True
                item.update()
                self.doomed.append(item)

    def _finish_cut(self) -> None:
        self.scene.removeItem(self.cut_line)
        self.cut_line, self.cut_points = None, []
        doomed, self.doomed = self.doomed, []
        for item in doomed:
            item.doomed = False
            item.update()
        edges = [item.edge for item in doomed]
        order = {edge: i for i, edge in enumerate(self.scene.graph.edges)}
        canvas_edits.cut(self.scene.document, sorted(edges, key=order.__getitem__))

    # ---- reroute points ------------------------------------------------------------------
    def add_point(self, item: EdgeItem, pos: QPointF) -> None:
        """A reroute point at ``pos``, between the two anchors of the part of the wire there."""
        anchors = [item.source.center(), *(QPointF(x, y) for x, y in item.points)]
        anchors.append(item.target.center())
        parts = [curve_through(a, (), b) for a, b in zip(anchors, anchors[1:])]
        index = min(range(len(parts)), key=lambda i: _distance(parts[i], pos))
        points = list(item.points)
        points.insert(index, (round(pos.x(), 1), round(pos.y(), 1)))
        canvas_edits.set_reroutes(self.scene.document, item.edge, points, "Add reroute point")

    def remove_point(self, point: ReroutePoint) -> None:
        points = list(point.edge_item.points)
        del points[point.index]
        edge = point.edge_item.edge
        canvas_edits.set_reroutes(self.scene.document, edge, points, "Remove reroute point")

    def remove_selected_points(self) -> bool:
        """Delete pressed with reroute points selected: they go (one undo step per wire)."""
        chosen: dict[EdgeItem, set[int]] = {}
        for item in self.scene.selectedItems():
            if isinstance(item, ReroutePoint):
                chosen.setdefault(item.edge_item, set()).add(item.index)
        for edge_item, indices in chosen.items():
            kept = [p for i, p in enumerate(edge_item.points) if i not in indices]
            text = "Remove reroute point" if len(indices) == 1 else "Remove reroute points"
            canvas_edits.set_reroutes(self.scene.document, edge_item.edge, kept, text)
        return bool(chosen)

    # ---- a wire dropped in empty space ---------------------------------------------------
    def dropped(self, start: PortItem, pos: QPointF) -> None:
        """Offer the node types that can take the wire from ``start``; the one chosen is
        placed with that input at ``pos`` and connected."""
        source = self.scene.graph.nodes[start.node_id].spec.output(start.name)
        names = types_accepting(source)
        if not names:
            self.scene.document.status.emit(f"No node type takes {start.node_id}.{start.name}")
            return
        self.pending = QGraphicsPathItem(curve(start.center(), pos))
        self.pending.setPen(QPen(self.scene.theme.selection, 2, Qt.DashLine))
        self.pending.setZValue(5)
        self.scene.addItem(self.pending)
        node_id, port = start.node_id, start.name

        def chosen(type_name: str) -> None:
            spec = catalog.get(type_name)
            index = [p.name for p in spec.inputs].index(first_input(spec, source))
            position = (round(pos.x()), round(pos.y() - port_y(index)))
            new = canvas_edits.add_connected(
                self.scene.document, type_name, position, node_id, port
            )
            if new is not None:
                self.scene.select_nodes([new])

        hint = f"A node to take {node_id}.{port}: type, Enter"
        self.search_requested.emit(pos, names, chosen, hint)

    def clear_pending(self) -> None:
        """The search closed: the wire waiting for a node goes."""
        if self.pending is not None:
            self.scene.removeItem(self.pending)
            self.pending = None

    def splice_search(self, edge: Edge, pos: QPointF) -> None:
        """Offer the node types that fit into ``edge``; the one chosen goes in at ``pos``."""
        graph = self.scene.graph
        source = graph.nodes[edge.source].spec.output(edge.source_port)
        target = graph.nodes[edge.target].spec.input(edge.target_port)
        names = types_between(source, target)
        if not names:
            self.scene.document.status.emit(f"No node type fits into {edge}")
            return

        def chosen(type_name: str) -> None:
            position = (round(pos.x() - 84), round(pos.y() - 30))
            new = canvas_edits.splice(self.scene.document, edge, type_name, position)
            if new is not None:
                self.scene.select_nodes([new])

        hint = f"A node to insert into {edge.source} → {edge.target}: type, Enter"
        self.search_requested.emit(pos, names, chosen, hint)
