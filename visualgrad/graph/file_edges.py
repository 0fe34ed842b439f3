"""A ``.vgraph``'s edges: written as ``"node.port"`` ends with their reroute points, read in
the file's order with the first bad edge named."""

from __future__ import annotations

from typing import Any

from . import reroutes
from .file_checks import Problem, fields, show
from .graph import Edge, Graph, GraphError


def edge_data(graph: Graph, edge: Edge) -> dict[str, Any]:
    """An edge as ``"node.port"`` ends, with the reroute points it bends through, if any."""
    data: dict[str, Any] = {
        "from": f"{edge.source}.{edge.source_port}",
        "to": f"{edge.target}.{edge.target_port}",
    }
    points = graph.reroutes.points(edge)
    if points:
        data["via"] = [list(point) for point in points]
    return data


def connect_all(graph: Graph, entries: list[Any]) -> None:
    """Every edge in the file's order, with the file's first error.

    The edges before the first bad one go in as one ``Graph.restore`` batch, whose
    cycle check walks the graph once (one ``Graph.connect`` each would walk it per
    edge); the rest are connected one by one, so the first bad edge says why.
    """
    edges = [_edge(index, entry) for index, entry in enumerate(entries)]
    good = _good_prefix(graph, edges)
    graph.restore(edges=list(enumerate(edges[:good])))
    for index in range(good, len(edges)):
        edge = edges[index]
        try:
            graph.connect(edge.source, edge.source_port, edge.target, edge.target_port)
        except GraphError as error:
            label = f"{entries[index]['from']} -> {entries[index]['to']}"
            raise Problem(f"edge {label!r}: {error}") from None


def _edge(index: int, entry: Any) -> Edge:
    where = f"edges[{index}]"
    fields(entry, where, ("from", "to"), ("via",))
    parts = []
    for key in ("from", "to"):
        end = entry[key]
        pieces = end.split(".") if isinstance(end, str) else []
        if len(pieces) != 2 or not all(pieces):
            raise Problem(f'{where}: {key!r} must be "node.port", got {show(end)}')
        parts.extend(pieces)
    return Edge(*parts)


def reroute_all(graph: Graph, entries: list[Any]) -> None:
    """Each edge's optional ``"via"``: the reroute points it bends through."""
    for edge, entry in zip(graph.edges, entries):
        if "via" in entry:
            where = f"edge {entry['from']} -> {entry['to']}"
            if not isinstance(entry["via"], list):
                raise Problem(f"{where}: via must be a list of [x, y] points")
            try:
                graph.reroutes.set(edge, entry["via"])
            except reroutes.RerouteError as error:
                raise Problem(str(error)) from None


def _good_prefix(graph: Graph, edges: list[Edge]) -> int:
    """How many edges, in the file's order, connect without an error (the graph has none yet)."""
    taken = set()
    count = 0
    for edge in edges:
        try:
            graph.check_edge(edge)  # with no edges: the node, port and kind checks, cheaply
        except GraphError:
            break
        if (edge.target, edge.target_port) in taken:
            break
        taken.add((edge.target, edge.target_port))
        count += 1
    if len(_upstream_rank(graph.nodes, edges[:count])) == len(graph.nodes):
        return count
    acyclic, cyclic = 0, count  # lengths of prefixes known to hold no cycle and a cycle
    while cyclic - acyclic > 1:
        middle = (acyclic + cyclic) // 2
        if len(_upstream_rank(graph.nodes, edges[:middle])) == len(graph.nodes):
            acyclic = middle
        else:
            cyclic = middle
    return acyclic


def _upstream_rank(node_ids: Any, edges: list[Edge]) -> dict[str, int]:
    """Each node's place in a topological order of ``edges``; nodes on a cycle get none."""
    following: dict[str, list[str]] = {node_id: [] for node_id in node_ids}
    indegree = dict.fromkeys(node_ids, 0)
    for edge in edges:
        following[edge.source].append(edge.target)
        indegree[edge.target] += 1
    ready = [node_id for node_id, degree in indegree.items() if degree == 0]
    rank: dict[str, int] = {}
    while ready:
        node_id = ready.pop()
        rank[node_id] = len(rank)
        for target in following[node_id]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return rank
