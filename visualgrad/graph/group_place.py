"""Where a new group's card goes: at the top-left corner of its members' cards, or, where
a card shown beside them is there, the free spot nearest to it (a member's own place first).

Cards are boxes ``(x, y, width, height)``, the top-left corner and the size, as in
arrange.py; a group's card is drawn as wide as a node's, with a row per crossing port.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from .arrange import GRID, Box
from .graph import Graph
from .groups import Group, ports
from .layout import CARD_BASE, CARD_PORT_ROW, CARD_WIDTH, card_height

GAP = 16.0  # kept clear round a card: room for its ports and the badges of its edges
RINGS = 40  # how far the search for a free spot goes, in grid steps


def group_card(graph: Graph, members: Iterable[str], position: tuple[float, float]) -> Box:
    """The card of a group of ``members`` with its top-left corner at ``position``."""
    crossing = ports(graph, members)
    rows = max(len(crossing.input_names()), len(crossing.output_names()), 1)
    return (*position, CARD_WIDTH, CARD_BASE + rows * CARD_PORT_ROW)


def shown_cards(graph: Graph, groups: Sequence[Group], hidden: Iterable[str]) -> list[Box]:
    """The cards on the canvas besides ``hidden``'s: nodes in none of ``groups``, and the
    cards of ``groups``."""
    left_out = set(hidden).union(*(g.members for g in groups))
    nodes = [
        (*n.position, CARD_WIDTH, card_height(n))
        for n in graph.nodes.values()
        if n.id not in left_out
    ]
    return nodes + [group_card(graph, g.members, g.position) for g in groups]


def place(graph: Graph, members: Sequence[str], groups: Sequence[Group]) -> tuple[float, float]:
    """The top-left corner of a new group's card of ``members``, shown beside ``groups``."""
    own = [graph.nodes[m].position for m in members if m in graph.nodes]
    if not own:
        return (0.0, 0.0)
    corner = (min(x for x, _ in own), min(y for _, y in own))
    _, _, width, height = group_card(graph, members, corner)
    reach = RINGS * GRID + width + height + 2 * GAP
    near = [
        b
        for b in shown_cards(graph, groups, members)
        if abs(b[0] - corner[0]) < reach + b[2] and abs(b[1] - corner[1]) < reach + b[3]
    ]

    def free(spot: tuple[float, float]) -> bool:
        return not any(overlap((*spot, width, height), b) for b in near)

    for spot in [corner, *sorted(own, key=lambda p: (p[1], p[0]))]:
        if free(spot):
            return spot
    for ring in range(1, RINGS + 1):
        spots = [
            (corner[0] + i * GRID, corner[1] + j * GRID)
            for i in range(-ring, ring + 1)
            for j in range(-ring, ring + 1)
            if max(abs(i), abs(j)) == ring
        ]
        spots.sort(key=lambda s: math.hypot(s[0] - corner[0], s[1] - corner[1]))
        for spot in spots:
            if free(spot):
                return spot
    return (corner[0], max(b[1] + b[3] for b in near) + GAP)  # under everything near


def overlap(a: Box, b: Box) -> bool:
    """Whether two cards come closer than GAP."""
    return (
        a[0] < b[0] + b[2] + GAP
        and b[0] < a[0] + a[2] + GAP
        and a[1] < b[1] + b[3] + GAP
        and b[1] < a[1] + a[3] + GAP
    )
