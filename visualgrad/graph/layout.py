"""Auto-layout: a layered drawing, left to right, in the order values flow.

Each node goes in the column of its longest path from a source; within a
column nodes are ordered by the mean row of their inputs (the barycentre
heuristic), which keeps most edges from crossing.
"""

from __future__ import annotations

from .graph import Graph

COLUMN = 220.0
ROW = 130.0


def layered_positions(graph: Graph) -> dict[str, tuple[float, float]]:
    """A position for every node: columns by depth, rows by the barycentre of the inputs."""
    order = graph.topological_order()
    depth: dict[str, int] = {}
    for node_id in order:
        parents = [e.source for e in graph.edges_into(node_id).values()]
        depth[node_id] = 1 + max((depth[p] for p in parents), default=-1)
    # A source that feeds one later column only sits just before its first consumer.
    for node_id in order:
        if not graph.edges_into(node_id):
            consumers = [depth[e.target] for e in graph.edges_from(node_id)]
            if consumers:
                depth[node_id] = max(depth[node_id], min(consumers) - 1)
    columns: dict[int, list[str]] = {}
    for node_id in order:
        columns.setdefault(depth[node_id], []).append(node_id)
    row: dict[str, float] = {}
    for column in sorted(columns):
        members = columns[column]
        place = {node_id: float(i) for i, node_id in enumerate(members)}
        for node_id in members:
            parents = [row[e.source] for e in graph.edges_into(node_id).values() if e.source in row]
            if parents:
                place[node_id] = sum(parents) / len(parents)
        members.sort(key=place.__getitem__)
        for i, node_id in enumerate(members):
            row[node_id] = i - (len(members) - 1) / 2
    return {node_id: (depth[node_id] * COLUMN, row[node_id] * ROW) for node_id in order}
