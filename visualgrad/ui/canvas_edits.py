"""The edits the canvas's wire gestures and context menus make, each one undo step: pull a
wire off its input (onto another, or away), cut wires, add a node already wired to an
output, splice a node into an edge, bend a wire through reroute points, rename a node.

Each function takes the Document, refuses while it is locked (saying why), checks the
edit against the graph before any command exists, and pushes the commands, grouped in
one macro where there are several. The commands change only the graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtGui import QUndoCommand

from ..graph.graph import ID_PATTERN, Edge, Graph, GraphError, Node
from ..graph.reroutes import Point, RerouteError, checked_points
from ..graph.wiring import first_input, first_output
from .commands import AddNodes, Connect, RemoveNodes
from .document import Document
from .group_edits import check_edges


class SetReroutes(QUndoCommand):
    """The points one wire bends through: added, moved or removed."""

    def __init__(self, graph: Graph, edge: Edge, points: Sequence[Point], text: str) -> None:
        super().__init__(text)
        self.graph, self.edge, self.points = graph, edge, tuple(points)
        self.previous = graph.reroutes.points(edge)

    def redo(self) -> None:
        self.graph.reroutes.set(self.edge, self.points)

    def undo(self) -> None:
        self.graph.reroutes.set(self.edge, self.previous)


def _renamed(edge: Edge, old: str, new: str) -> Edge:
    source = new if edge.source == old else edge.source
    target = new if edge.target == old else edge.target
    return Edge(source, edge.source_port, target, edge.target_port)


def _rename(graph: Graph, old: str, new: str) -> None:
    """The node ``old`` becomes ``new`` in its place, with its edges and their points."""
    node = graph.nodes[old]
    index = list(graph.nodes).index(old)
    touching = [(i, e) for i, e in enumerate(graph.edges) if old in (e.source, e.target)]
    points = {e: graph.reroutes.points(e) for _, e in touching}
    renamed = Node(new, node.type, dict(node.params), node.position, node.weights)
    with graph.groups.renaming(old, new):  # in its group all along, in its place there
        graph.remove_node(old)
        graph.restore([(index, renamed)], [(i, _renamed(e, old, new)) for i, e in touching])
    for edge, kept in points.items():
        if kept:
            graph.reroutes.set(_renamed(edge, old, new), kept)


class RenameNode(QUndoCommand):
    def __init__(self, graph: Graph, old: str, new: str) -> None:
        super().__init__(f"Rename {old} to {new}")
        self.graph, self.old, self.new = graph, old, new

    def redo(self) -> None:
        _rename(self.graph, self.old, self.new)

    def undo(self) -> None:
        _rename(self.graph, self.new, self.old)


def _refused(document: Document, error: Exception) -> bool:
    document.status.emit(str(error))
    return False


def reconnect(document: Document, edge: Edge, new: Edge | None) -> bool:
    """A wire pulled off its input: onto the input of ``new``, or away (None: deleted)."""
    if new == edge or not document.editable():
        return False
    if new is None:
        document.undo_stack.push(RemoveNodes(document.graph, [], [edge], f"Disconnect {edge}"))
        return True
    try:  # with the old edge still in: it leaves the source, so no cycle is missed or made up
        document.graph.check_edge(new)
        check_edges(document.graph, [new])  # a group stays closed
    except GraphError as error:
        return _refused(document, error)
    stack = document.undo_stack
    stack.beginMacro(f"Reconnect {edge.source} to {new.target}")
    stack.push(RemoveNodes(document.graph, [], [edge], "Disconnect"))
    stack.push(Connect(document.graph, new))
    stack.endMacro()
    return True


def cut(document: Document, edges: Iterable[Edge]) -> int:
    """Delete the wires a cut line crossed; returns how many."""
    edges = list(dict.fromkeys(edges))
    if not edges or not document.editable():
        return 0
    text = "Cut 1 wire" if len(edges) == 1 else f"Cut {len(edges)} wires"
    document.undo_stack.push(RemoveNodes(document.graph, [], edges, text))
    return len(edges)


def disconnect_all(document: Document, node_id: str) -> int:
    """Delete every edge into and out of ``node_id``; returns how many."""
    graph = document.graph
    edges = [*graph.edges_into(node_id).values(), *graph.edges_from(node_id)]
    if not edges or not document.editable():
        return 0
    document.undo_stack.push(RemoveNodes(graph, [], edges, f"Disconnect {node_id}"))
    return len(edges)


def add_connected(
    document: Document, type_name: str, position: Point, source: str, source_port: str
) -> str | None:
    """A new node of ``type_name`` at ``position``, wired from ``source.source_port`` into its
    first input that accepts it; None: refused."""
    graph = document.graph
    if not document.editable():
        return None
    new = Node(graph.fresh_id(type_name), type_name, {}, position)
    port = first_input(new.spec, graph.nodes[source].spec.output(source_port))
    if port is None:
        return _refused(document, GraphError(f"a {type_name} has no input for {source}")) or None
    stack = document.undo_stack
    stack.beginMacro(f"Add {type_name} after {source}")
    stack.push(AddNodes(graph, [new], [], f"Add {type_name}"))
    stack.push(Connect(graph, Edge(source, source_port, new.id, port)))
    stack.endMacro()
    return new.id


def splice(document: Document, edge: Edge, type_name: str, position: Point) -> str | None:
    """A new node of ``type_name`` at ``position`` put into ``edge``: source -> it -> target."""
    graph = document.graph
    if not document.editable():
        return None
    new = Node(graph.fresh_id(type_name), type_name, {}, position)
    source = graph.nodes[edge.source].spec.output(edge.source_port)
    target = graph.nodes[edge.target].spec.input(edge.target_port)
    into, out = first_input(new.spec, source), first_output(new.spec, target)
    if into is None or out is None:
        why = GraphError(f"a {type_name} does not fit between {edge.source} and {edge.target}")
        return _refused(document, why) or None
    wires = [
        Edge(edge.source, edge.source_port, new.id, into),
        Edge(new.id, out, edge.target, edge.target_port),
    ]
    try:  # the new node is outside every group: between two members it would open theirs
        check_edges(graph, wires)
    except GraphError as error:
        return _refused(document, error) or None
    stack = document.undo_stack
    stack.beginMacro(f"Insert {type_name} into {edge}")
    stack.push(AddNodes(graph, [new], [], f"Add {type_name}"))
    stack.push(RemoveNodes(graph, [], [edge], "Disconnect"))
    for wire in wires:
        stack.push(Connect(graph, wire))
    stack.endMacro()
    return new.id


def set_reroutes(document: Document, edge: Edge, points: Sequence[Point], text: str) -> bool:
    """Make ``edge`` bend through ``points`` (one undo step called ``text``)."""
    if not document.editable():
        return False
    try:
        points = checked_points(points, str(edge))
    except RerouteError as error:
        return _refused(document, error)
    if edge not in document.graph.edges:
        return _refused(document, GraphError(f"no edge {edge}"))
    if points != document.graph.reroutes.points(edge):
        document.undo_stack.push(SetReroutes(document.graph, edge, points, text))
    return True


def rename(document: Document, node_id: str, new_id: str) -> bool:
    """Give ``node_id`` the name ``new_id``; refused with a message if it is not a free name."""
    new_id = new_id.strip()
    if new_id == node_id or not document.editable():
        return False
    if not ID_PATTERN.fullmatch(new_id):
        why = f"a node's name is letters, digits and _ (at most 64), not {new_id!r}"
        return _refused(document, GraphError(why))
    if new_id in document.graph.nodes:
        return _refused(document, GraphError(f"there is already a node {new_id!r}"))
    document.undo_stack.push(RenameNode(document.graph, node_id, new_id))
    return True
