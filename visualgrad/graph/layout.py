"""Auto-layout: a layered drawing, left to right, in the order values flow, wrapped to fit.

Each node goes in the layer of its longest path from a source; within a layer nodes
are ordered by the mean row of their inputs (the barycentre heuristic), which keeps
most edges from crossing. To fit a view of a given size, a tall layer may be split into
several columns, and the columns may wrap into several bands (rows of columns, one under
the other): the fewest wraps that a fit-to-view shows readably, else the arrangement it
shows largest.
"""

from __future__ import annotations

from dataclasses import dataclass

from .graph import Graph, Node

CARD_WIDTH = 168.0  # a node's card on the canvas (ui/canvas/nodes.py draws it)
CARD_BASE, CARD_PORT_ROW = 56.0, 18.0  # its height: the base and one row of ports
COLUMN = 310.0  # from one column to the next: a card, and room for an edge's badge
TIGHT_COLUMN = 260.0  # the same with room for a short badge: tried when nothing reads
ROW_GAP = 28.0  # between two cards of a column
BAND_GAP = 56.0  # between two bands: room for the wires that wrap round
MARGIN = 56.0  # what a fit-to-view leaves round the cards: 40, and their ports and values
SWEEPS = 3  # of the barycentre ordering, down then up
READABLE = 0.8  # a zoom at which every label reads: wrapping further only lengthens wires


def card_height(node: Node) -> float:
    """The height of ``node``'s card: its header, its parameters and a row per port."""
    rows = max(len(node.spec.inputs), len(node.spec.outputs), 1)
    return CARD_BASE + rows * CARD_PORT_ROW


@dataclass
class _Arrangement:
    """Columns of node ids, and after which columns a new band starts."""

    columns: list[list[str]]
    breaks: list[int]  # index of the first column of each band
    column: float = COLUMN  # from one column to the next


def layers(graph: Graph) -> list[list[str]]:
    """The nodes by depth (a source sits just before its first consumer), each layer
    ordered by the barycentre of its neighbours, sweeping down and up a few times."""
    order = graph.topological_order()
    depth: dict[str, int] = {}
    for node_id in order:
        parents = [e.source for e in graph.edges_into(node_id).values()]
        depth[node_id] = 1 + max((depth[p] for p in parents), default=-1)
    for node_id in order:
        if not graph.edges_into(node_id):
            consumers = [depth[e.target] for e in graph.edges_from(node_id)]
            if consumers:
                depth[node_id] = max(depth[node_id], min(consumers) - 1)
    by_depth: dict[int, list[str]] = {}
    for node_id in order:
        by_depth.setdefault(depth[node_id], []).append(node_id)
    found = [by_depth[d] for d in sorted(by_depth)]
    # A neighbour's row, shifted by the port the edge meets, so that wires into the top
    # port come from above.
    parents = {n: [(e.source, 0.0) for e in graph.edges_into(n).values()] for n in order}
    children = {
        n: [(e.target, _port_shift(graph, e.target, e.target_port)) for e in graph.edges_from(n)]
        for n in order
    }
    row = _rows(found)
    for _ in range(SWEEPS):
        for neighbours, sweep in ((parents, found), (children, found[::-1])):
            for layer in sweep:
                layer.sort(key=lambda n, ns=neighbours: _barycentre(ns[n], row, row[n]))
                row.update(_rows([layer]))
    return found


def _port_shift(graph: Graph, node_id: str, port: str) -> float:
    """Where an input port sits on its node, from -0.25 (top) to 0.25 (bottom), in rows."""
    names = [p.name for p in graph.nodes[node_id].spec.inputs]
    return 0.5 * (names.index(port) / (len(names) - 1) - 0.5) if len(names) > 1 else 0.0


def _rows(found: list[list[str]]) -> dict[str, float]:
    """Each node's row in its layer, counted from the layer's middle."""
    return {n: i - (len(layer) - 1) / 2 for layer in found for i, n in enumerate(layer)}


def _barycentre(
    neighbours: list[tuple[str, float]], row: dict[str, float], otherwise: float
) -> float:
    """The mean row of ``neighbours`` (node, shift); ``otherwise`` when there are none."""
    if not neighbours:
        return otherwise
    return sum(row[n] + shift for n, shift in neighbours) / len(neighbours)


def _split(layer: list[str], most: int) -> list[list[str]]:
    """A layer as columns of at most ``most`` nodes, the nodes still in order."""
    count = -(-len(layer) // most)
    size = -(-len(layer) // count)
    return [layer[i : i + size] for i in range(0, len(layer), size)]


def _bands(count: int, bands: int) -> list[int]:
    """The first column of each of ``bands`` bands over ``count`` columns, sizes as even
    as they can be."""
    return [round(i * count / bands) for i in range(bands)]


def layered_positions(
    graph: Graph, view: tuple[float, float] | None = None
) -> dict[str, tuple[float, float]]:
    """A position (top-left of the card) for every node, the layers left to right; with
    ``view`` (the width and height of the view, in pixels), wrapped to fit it: as little
    as reads at ``READABLE`` zoom, else as much as shows the graph largest."""
    heights = {n.id: card_height(n) for n in graph}
    found = layers(graph)
    if not found:
        return {}
    if view is None:
        return _place(_Arrangement(found, [0]), heights)
    options = []
    tallest = max(len(layer) for layer in found)
    for most in sorted({-(-tallest // parts) for parts in range(1, tallest + 1)}, reverse=True):
        columns = [part for layer in found for part in _split(layer, most)]
        for bands in range(1, len(columns) + 1):
            arrangement = _Arrangement(columns, _bands(len(columns), bands))
            wraps = bands - 1 + len(columns) - len(found)
            options.append((_zoom(arrangement, heights, view), wraps, arrangement))
    readable = [o for o in options if o[0] >= READABLE]
    if readable:
        best = min(readable, key=lambda o: (o[1], -o[0]))
    else:  # none reads: the columns closer together too, for the one shown largest
        for _, wraps, arrangement in list(options):
            tight = _Arrangement(arrangement.columns, arrangement.breaks, TIGHT_COLUMN)
            options.append((_zoom(tight, heights, view), wraps, tight))
        best = max(options, key=lambda o: (o[0], -o[1]))
    return _place(best[2], heights)


def _zoom(arrangement: _Arrangement, heights: dict[str, float], view: tuple[float, float]):
    """The zoom at which a fit-to-view in ``view`` shows the arrangement."""
    width, height = _extent(arrangement, heights)
    return min(view[0] / (width + 2 * MARGIN), view[1] / (height + 2 * MARGIN))


def _column_height(column: list[str], heights: dict[str, float]) -> float:
    return sum(heights[n] for n in column) + ROW_GAP * (len(column) - 1)


def _band_columns(arrangement: _Arrangement) -> list[list[list[str]]]:
    ends = [*arrangement.breaks[1:], len(arrangement.columns)]
    return [arrangement.columns[a:b] for a, b in zip(arrangement.breaks, ends, strict=True)]


def _extent(arrangement: _Arrangement, heights: dict[str, float]) -> tuple[float, float]:
    bands = _band_columns(arrangement)
    width = max((len(b) - 1) * arrangement.column + CARD_WIDTH for b in bands)
    band_heights = [max(_column_height(c, heights) for c in b) for b in bands]
    return width, sum(band_heights) + BAND_GAP * (len(bands) - 1)


def _place(arrangement: _Arrangement, heights: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Each band's columns side by side, centred on the band's middle; bands one under the
    other."""
    positions: dict[str, tuple[float, float]] = {}
    top = 0.0
    for band in _band_columns(arrangement):
        band_height = max(_column_height(c, heights) for c in band)
        for i, column in enumerate(band):
            y = top + (band_height - _column_height(column, heights)) / 2
            for node_id in column:
                positions[node_id] = (i * arrangement.column, round(y))
                y += heights[node_id] + ROW_GAP
        top += band_height + BAND_GAP
    return positions
