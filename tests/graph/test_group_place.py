"""Where a new group's card goes, without a window: the members' top-left corner when it
is free, else a member's own place, else the nearest free spot on the grid."""

from __future__ import annotations

from visualgrad.graph.graph import Graph
from visualgrad.graph.group_place import group_card, overlap, place, shown_cards
from visualgrad.graph.groups import Group
from visualgrad.graph.layout import CARD_WIDTH


def chain(*positions: tuple[float, float]) -> Graph:
    """n0 -> n1 -> ... (Tanh cards, one row of ports: 74 high) at ``positions``."""
    g = Graph()
    for i, xy in enumerate(positions):
        g.add_node("Tanh", f"n{i}", position=xy)
        if i:
            g.connect(f"n{i - 1}", "y", f"n{i}", "x")
    return g


def test_the_card_takes_the_members_top_left_corner_when_it_is_free():
    g = chain((0, 0), (400, 100), (300, 300), (700, 100))
    assert place(g, ["n1", "n2"], []) == (300.0, 100.0)
    assert group_card(g, ["n1", "n2"], (300, 100)) == (300, 100, CARD_WIDTH, 74.0)


def test_a_card_in_the_corner_sends_it_to_a_members_place():
    g = chain((0, 0), (310, 0), (0, 181), (310, 181))  # n0's card sits on the corner
    assert place(g, ["n1", "n2"], []) == (310.0, 0.0)


def test_with_every_members_place_taken_it_goes_to_the_nearest_free_grid_spot():
    g = chain((0, 0), (0, 100), (0, 100))
    other = Group("other", ("n2",), (0, 100))  # its card covers n1's place, n0 is above
    assert shown_cards(g, [other], ["n1"]) == [(0, 0, CARD_WIDTH, 74.0), (0, 100, CARD_WIDTH, 74.0)]
    spot = place(g, ["n1"], [other])
    assert spot == (0.0, 200.0)  # 100 below: clear of the group's card by GAP (174 + 16 < 200)
    assert not overlap(group_card(g, ["n1"], spot), (0, 100, CARD_WIDTH, 74.0))
    assert overlap(group_card(g, ["n1"], (0, 180)), (0, 100, CARD_WIDTH, 74.0))
