"""Auto-layout wraps a long chain into bands and a tall layer into columns to fit a view:
as little as reads well, else as much as shows the graph largest; never one card on another."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from visualgrad.graph import fileformat
from visualgrad.graph.graph import Graph
from visualgrad.graph.layout import (
    CARD_WIDTH,
    COLUMN,
    MARGIN,
    READABLE,
    TIGHT_COLUMN,
    card_height,
    layered_positions,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def chain(length: int) -> Graph:
    """x -> relu_1 -> ... -> relu_n: one node per layer."""
    g = Graph()
    g.add_node("Scalar", "x")
    previous = "x"
    for i in range(1, length):
        g.add_node("ReLU", f"relu_{i}")
        g.connect(previous, "y", f"relu_{i}", "x")
        previous = f"relu_{i}"
    return g


def pairs(count: int) -> Graph:
    """``count`` scalars, each negated: two layers of ``count`` nodes."""
    g = Graph()
    for i in range(count):
        g.add_node("Scalar", f"s{i}")
        g.add_node("Negate", f"n{i}")
        g.connect(f"s{i}", "y", f"n{i}", "x")
    return g


def cards(graph: Graph, positions) -> dict[str, tuple[float, float, float, float]]:
    return {n.id: (*positions[n.id], CARD_WIDTH, card_height(n)) for n in graph}


def fit_zoom(graph: Graph, positions, width: float, height: float) -> float:
    """The zoom at which a width x height view shows every card with the fit's margin."""
    boxes = cards(graph, positions).values()
    left = min(x for x, _, _, _ in boxes)
    right = max(x + w for x, _, w, _ in boxes)
    top = min(y for _, y, _, _ in boxes)
    bottom = max(y + h for _, y, _, h in boxes)
    return min(width / (right - left + 2 * MARGIN), height / (bottom - top + 2 * MARGIN))


def overlapping(graph: Graph, positions) -> list[tuple[str, str]]:
    boxes = cards(graph, positions)
    return [
        (a, b)
        for (a, (ax, ay, aw, ah)), (b, (bx, by, bw, bh)) in itertools.combinations(boxes.items(), 2)
        if ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah
    ]


def bands(positions) -> int:
    """How many times the layout starts again at the left."""
    return sum(1 for x, _ in positions.values() if x == 0.0)


def test_a_long_chain_wraps_into_bands_that_a_wide_view_shows_larger():
    graph = chain(12)
    one_row = layered_positions(graph)
    wrapped = layered_positions(graph, (1440, 900))
    assert bands(one_row) == 1 and bands(wrapped) > 1
    assert fit_zoom(graph, wrapped, 1440, 900) > 1.5 * fit_zoom(graph, one_row, 1440, 900)
    assert overlapping(graph, wrapped) == []
    # Within a band the values still flow left to right; a wire wraps only from a band's end.
    for e in graph.edges:
        (sx, sy), (tx, ty) = wrapped[e.source], wrapped[e.target]
        assert tx > sx or (tx == 0.0 and ty > sy)


def test_a_graph_that_reads_in_one_row_is_not_wrapped():
    graph = chain(4)
    positions = layered_positions(graph, (1440, 900))
    assert bands(positions) == 1 and fit_zoom(graph, positions, 1440, 900) >= READABLE


def test_a_graph_too_large_to_read_anyway_is_shown_as_large_as_it_can_be():
    graph = chain(40)
    view = (800, 600)
    chosen = fit_zoom(graph, layered_positions(graph, view), *view)
    assert chosen < READABLE
    assert chosen > 3 * fit_zoom(graph, layered_positions(graph), *view)


def test_where_nothing_reads_the_columns_close_up_and_vanishing_gradients_fits_with_room():
    graph = fileformat.load(SAMPLES / "vanishing_gradients.vgraph")
    view = (922, 671)  # the canvas of a 1440x900 window
    positions = layered_positions(graph, view)
    assert {x for x, _ in positions.values()} == {i * TIGHT_COLUMN for i in range(5)}
    assert fit_zoom(graph, positions, *view) >= 0.65  # the window's tests ask for 0.6
    assert overlapping(graph, positions) == []
    xor = fileformat.load(SAMPLES / "xor.vgraph")  # one that reads keeps its wide columns
    assert all(x % COLUMN == 0 for x, _ in layered_positions(xor, view).values())


def test_a_taller_view_gets_more_bands():
    graph = chain(12)
    assert bands(layered_positions(graph, (600, 1000))) > bands(
        layered_positions(graph, (2500, 1000))
    )


def test_a_tall_layer_splits_into_columns_for_a_wide_view():
    graph = pairs(8)
    tall = layered_positions(graph)
    wide = layered_positions(graph, (1600, 400))
    sources = [f"s{i}" for i in range(8)]
    assert len({tall[n][0] for n in sources}) == 1
    assert len({wide[n][0] for n in sources}) > 1
    assert fit_zoom(graph, wide, 1600, 400) > 1.5 * fit_zoom(graph, tall, 1600, 400)
    assert overlapping(graph, wide) == []
    for i in range(8):  # each negation still right of its scalar
        assert wide[f"n{i}"][0] > wide[f"s{i}"][0]


@pytest.mark.parametrize("view", [None, (600, 1000), (1000, 1000), (1440, 900), (3000, 1000)])
def test_no_card_lies_on_another_in_any_sample(view):
    for path in sorted(SAMPLES.glob("*.vgraph")):
        graph = fileformat.load(path)
        positions = layered_positions(graph, view)
        assert set(positions) == set(graph.nodes)
        assert overlapping(graph, positions) == [], path.name


def test_an_empty_graph_has_no_positions():
    assert layered_positions(Graph(), (1440, 900)) == {}
