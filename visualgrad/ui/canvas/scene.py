"""The canvas's scene: draws the document and turns gestures into document edits.

It listens to the graph: a node added, removed, moved or changed, an edge added
or removed, each event updates exactly the items concerned. Gestures (dragging
nodes, dragging from a port to a port) end in a request to the document, which
pushes an undo command; the drawing then follows from the graph's events.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from ...graph import events
from ...graph.graph import Edge, Graph, GraphError, Node
from ...graph.shapes import ShapeReport, infer_shapes, show
from .. import canvas_edits
from ..document import Document
from ..theme import LIGHT, Theme
from .edges import EdgeItem, curve
from .nodes import NodeItem, PortItem
from .scope import Scope
from .wires import WireGestures

SNAP = 24.0  # a dragged connection snaps to a compatible port this close (scene units)


class CanvasScene(QGraphicsScene):
    """Items for the document's graph, kept in step with it by its events."""

    shapes_refreshed = Signal()
    items_replacing = Signal()  # every item is about to go: drop what points at them

    def __init__(self, document: Document, theme: Theme = LIGHT, parent=None) -> None:
        super().__init__(parent)
        self.document, self.theme = document, theme
        self.graph: Graph | None = None
        self._connections = events.Connections()
        self.node_items: dict[str, NodeItem] = {}
        self.edge_items: dict[Edge, EdgeItem] = {}
        self._drag_from: PortItem | None = None
        self._drag_line: QGraphicsPathItem | None = None
        self._pulled: Edge | None = None  # a wire pulled off its input, while dragged
        self.wires = WireGestures(self)
        self._press_positions: dict[str, tuple[float, float]] = {}
        self.snap_grid: float | None = None  # dragged nodes land on this grid (Edit > Arrange)
        self.shapes: dict = {}  # node id -> output shape, as last inferred
        self._shape_timer = QTimer(self)
        self._shape_timer.setSingleShot(True)
        self._shape_timer.setInterval(40)
        self._shape_timer.timeout.connect(self.refresh_shapes)
        self.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        self.scope = Scope(self)  # the level shown: the top, an open group, an expansion
        document.graph_replaced.connect(self.set_graph)
        document.locked_changed.connect(self._set_locked)
        self.set_graph(document.graph)

    # ---- following the document ---------------------------------------------------------
    def set_graph(self, graph: Graph) -> None:
        self.items_replacing.emit()
        self.detach()
        self.clear()
        self.wires.reset()
        self.node_items.clear()
        self.edge_items.clear()
        self.graph = graph
        for node in graph:
            if self.scope.shows(node.id):
                self._add_node_item(node)
        self.scope.add_items(graph)
        for edge in graph.edges:
            self._add_edge_item(edge)
        self._listen(graph)
        self.refresh_shapes()

    def detach(self) -> None:
        """Stop listening to the graph shown."""
        self._connections.disconnect_all()
        self.graph = None

    def _listen(self, graph: Graph) -> None:
        """Each of the graph's events updates the items concerned; any but a move re-infers
        the shapes."""
        e, connect = graph.events, self._connections.connect
        connect(e.node_added, self._add_node_item)
        connect(e.node_removed, self._remove_node_item)
        connect(e.node_moved, self._move_node_item)
        connect(e.params_changed, self._refresh_node_item)
        connect(e.edge_added, self._add_edge_item)
        connect(e.edge_removed, self._remove_edge_item)
        connect(e.reroutes_changed, self._reroute_edge_item)
        for signal in e.structural():
            connect(signal, self._structure_changed)

    def _add_node_item(self, node: Node) -> NodeItem | None:
        if not self.scope.shows(node.id):  # inside a closed group, or outside the open one
            self.scope.reveal(node.id)
            return None
        item = self.node_items[node.id] = NodeItem(node, self.theme)
        self.addItem(item)
        return item

    def _add_edge_item(self, edge: Edge) -> EdgeItem | None:
        ends = self.scope.ends(edge)  # a node's port, a closed group's, or hidden
        if ends is None or edge in self.edge_items:
            return None
        source, target = ends
        item = self.edge_items[edge] = EdgeItem(edge, source, target, self.theme)
        self.addItem(item)
        if self.graph.reroutes.points(edge):
            item.set_points(self.graph.reroutes.points(edge))
        return item

    def _reroute_edge_item(self, edge: Edge) -> None:
        if edge in self.edge_items:
            self.edge_items[edge].set_points(self.graph.reroutes.points(edge))

    def _remove_node_item(self, node: Node) -> None:
        if node.id in self.node_items:
            self.removeItem(self.node_items.pop(node.id))

    def _move_node_item(self, node: Node) -> None:
        item = self.node_items.get(node.id)
        if item is not None and (item.x(), item.y()) != node.position:
            item.setPos(*node.position)
            item.adjust_edges()

    def _refresh_node_item(self, node: Node) -> None:
        self.node_items[node.id].refresh()

    def _remove_edge_item(self, edge: Edge) -> None:
        item = self.edge_items.pop(edge, None)
        if item is None:
            return
        item.detach()
        self.removeItem(item)

    def _structure_changed(self, _what: object) -> None:
        self._shape_timer.start()

    def refresh_shapes(self) -> None:
        """Label every edge with its shape and badge every node that cannot compute.

        A dataset that cannot be loaded badges the nodes that read it; any other failure
        of the inference itself badges every node: the window never shows a traceback.
        """
        self._shape_timer.stop()
        if self.graph is None:
            return
        try:
            report = infer_shapes(self.graph)
        except GraphError:
            return
        except Exception as error:
            message = f"the shapes cannot be worked out: {type(error).__name__}: {error}"
            report = ShapeReport(errors=dict.fromkeys(self.graph.nodes, message))
        self.shapes = report.shapes
        general = report.errors.get("training")
        for node_id, item in self.node_items.items():
            shape = report.shapes.get(node_id)
            error = report.errors.get(node_id)
            if error is None and general and item.node.spec.batch:
                error = f"{item.node.describe()}: {general}"
            item.set_shape(show(shape) if shape is not None else "", error)
        for edge, item in self.edge_items.items():
            shape = report.shapes.get(edge.source)
            item.set_shape(show(shape) if shape is not None else "")
        if general:
            self.document.status.emit(general)
        self.shapes_refreshed.emit()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        for item in [*self.node_items.values(), *self.edge_items.values()]:
            item.theme = theme
            item.update()
        for item in self.node_items.values():
            item.refresh()  # its tooltip writes an error in the theme's colour
        self.update()

    def _set_locked(self, locked: bool) -> None:
        """While the document is locked no node moves under the mouse."""
        for item in self.node_items.values():
            item.setFlag(NodeItem.ItemIsMovable, not locked)

    # ---- what is selected ------------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        return self.scope.selected_node_ids()  # with the members of each selected group

    def selected_edges(self) -> list[Edge]:
        if self.scope.read_only:
            return []
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, node_ids: list[str]) -> None:
        self.clearSelection()
        for node_id in node_ids:
            if node_id in self.node_items:
                self.node_items[node_id].setSelected(True)

    def items_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.scope.lit_items():
            rect = rect.united(item.sceneBoundingRect())
        return rect

    # ---- gestures --------------------------------------------------------------------------
    def _port_at(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    def _candidate(self, port: PortItem) -> Edge | None:
        """The edge a drag from ``self._drag_from`` to ``port`` would make."""
        start = self._drag_from
        if start is None or port.is_output == start.is_output:
            return None
        source, target = (start, port) if start.is_output else (port, start)
        return Edge(source.node_id, source.name, target.node_id, target.name)

    def _fits(self, port: PortItem) -> str | None:
        """None when the drag may end on ``port``, else why not."""
        edge = self._candidate(port)
        if edge is None:
            return "connect an output to an input"
        try:
            self.graph.check_edge(edge)
        except GraphError as error:
            return str(error)
        return None

    def mousePressEvent(self, event) -> None:
        if self.scope.read_only:  # an expansion: select and look, no gesture edits
            QGraphicsScene.mousePressEvent(self, event)
            return
        if self.wires.press(event):
            event.accept()
            return
        port = self._port_at(event.scenePos()) if event.button() == Qt.LeftButton else None
        if port is not None and not self.document.locked:
            self._start_connection(port)
            event.accept()
            return
        super().mousePressEvent(event)
        self._press_positions = {
            i.node.id: (i.x(), i.y()) for i in self.selectedItems() if isinstance(i, NodeItem)
        }

    def _start_connection(self, port: PortItem) -> None:
        pulled = None if port.is_output else self.graph.edges_into(port.node_id).get(port.name)
        if pulled is not None and pulled.source not in self.node_items:  # inside a group card
            self.document.status.emit(
                f"this wire comes out of a group: open the group to pull it off {port.node_id}."
                f"{port.name}"
            )
            return
        if pulled is not None:  # pulled off its input, the wire hangs from its source
            self._pulled = pulled
            self.edge_items[pulled].setVisible(False)  # with its reroute points
            port = self.node_items[pulled.source].outputs[pulled.source_port]
        self._drag_from = port
        self._drag_line = QGraphicsPathItem()
        self._drag_line.setPen(QPen(self.theme.selection, 2, Qt.DashLine))
        self._drag_line.setZValue(5)
        self.addItem(self._drag_line)
        for node_item in self.node_items.values():
            for other in (*node_item.inputs.values(), *node_item.outputs.values()):
                if other is not port:
                    other.state = "compatible" if self._fits(other) is None else "dimmed"
                    other.update()
        if pulled is not None:  # it may go back where it was
            self.node_items[pulled.target].inputs[pulled.target_port].state = "compatible"

    def _snap(self, pos: QPointF) -> PortItem | None:
        best, best_distance = None, SNAP
        area = QRectF(pos.x() - SNAP, pos.y() - SNAP, 2 * SNAP, 2 * SNAP)
        for item in self.items(area):
            if isinstance(item, PortItem) and item.state == "compatible":
                d = (item.center() - pos).manhattanLength()
                if d < best_distance:
                    best, best_distance = item, d
        return best

    def mouseMoveEvent(self, event) -> None:
        if self.wires.move(event):
            return
        if self._drag_from is None:
            super().mouseMoveEvent(event)
            return
        end = event.scenePos()
        snapped = self._snap(end)
        if snapped is not None:
            end = snapped.center()
        start = self._drag_from.center()
        path = curve(start, end) if self._drag_from.is_output else curve(end, start)
        self._drag_line.setPath(path)

    def mouseDoubleClickEvent(self, event) -> None:
        if not self.scope.double_click(event.scenePos()):  # a group or a layer opens
            super().mouseDoubleClickEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self.scope.read_only:
            QGraphicsScene.mouseReleaseEvent(self, event)
            return
        if self.wires.release(event):
            event.accept()
            return
        if self._drag_from is not None:
            self._finish_connection(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        moves = {}
        for node_id, old in self._press_positions.items():
            item = self.node_items.get(node_id)
            if item is not None and (item.x(), item.y()) != old:
                moves[node_id] = (old, (item.x(), item.y()))
        self._press_positions = {}
        if moves and self.document.move(moves):
            if len(moves) == 1:
                self.insert_if_on_edge(next(iter(moves)))
        elif moves:
            for node_id, (old, _) in moves.items():
                self.node_items[node_id].setPos(*old)
                self.node_items[node_id].adjust_edges()

    def _finish_connection(self, pos: QPointF) -> None:
        target = self._snap(pos) or self._port_at(pos)
        start = self._drag_from
        why = edge = None
        if target is not None and target is not start:
            why, edge = self._fits(target), self._candidate(target)
        self.removeItem(self._drag_line)
        self._drag_line, self._drag_from = None, None
        for node_item in self.node_items.values():
            for port in (*node_item.inputs.values(), *node_item.outputs.values()):
                port.state = "normal"
                port.update()
        pulled, self._pulled = self._pulled, None
        if pulled is not None:
            self._drop_pulled(pulled, target, why, edge)
        elif why is not None:
            self.document.status.emit(f"Cannot connect: {why}")
        elif edge is not None:
            self.document.add_edge(edge)
        elif target is None and start.is_output and not self._node_at(pos):
            self.wires.dropped(start, pos)

    def _drop_pulled(self, pulled: Edge, port: PortItem | None, why: str | None, edge) -> None:
        """A wire pulled off its input goes to ``port``, or away when dropped off any port."""
        self.edge_items[pulled].setVisible(True)
        if port is None:
            canvas_edits.reconnect(self.document, pulled, None)
        elif edge is not None and edge.target == pulled.target and port.name == pulled.target_port:
            return  # put back where it was
        elif why is not None:
            self.document.status.emit(f"Cannot connect: {why}")
        elif edge is not None:
            canvas_edits.reconnect(self.document, pulled, edge)

    def _node_at(self, pos: QPointF) -> NodeItem | None:
        return next((i for i in self.items(pos) if isinstance(i, NodeItem)), None)

    def insert_if_on_edge(self, node_id: str) -> None:
        """A lone node dropped onto an edge goes into it."""
        item = self.node_items[node_id]
        for other in self.items(item.sceneBoundingRect()):
            if not isinstance(other, EdgeItem):
                continue
            ends = (other.edge.source, other.edge.target)
            if node_id not in ends and self.document.insert_on_edge(node_id, other.edge):
                return

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        """The canvas colour and a grid whose lines stay at least 20 pixels apart."""
        painter.fillRect(rect, self.theme.canvas)
        zoom = painter.worldTransform().m11() or 1.0
        step = 40.0
        while step * zoom < 20:
            step *= 4
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        lines = [QLineF(x, rect.top(), x, rect.bottom()) for x in _range(left, rect.right(), step)]
        lines += [QLineF(rect.left(), y, rect.right(), y) for y in _range(top, rect.bottom(), step)]
        painter.setPen(QPen(self.theme.grid, 0))
        painter.drawLines(lines)


def _range(start: float, stop: float, step: float) -> list[float]:
    count = max(int((stop - start) // step) + 1, 0)
    return [start + i * step for i in range(count)]
