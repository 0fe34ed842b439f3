"""Align and distribute line cards up as a drawing program does; snap rounds to the grid."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from visualgrad.graph.annotations import Frame
from visualgrad.graph.arrange import (
    FRAME_PAD,
    FRAME_TITLE,
    GRID,
    align,
    cards,
    distribute,
    frame_members,
    frame_rect,
    snap,
)
from visualgrad.graph.graph import Graph

BOXES = {
    "a": (0.0, 10.0, 100.0, 50.0),
    "b": (250.0, -40.0, 100.0, 80.0),
    "c": (90.0, 200.0, 60.0, 20.0),
}


def moved(boxes, targets):
    return {n: (*targets.get(n, box[:2]), box[2], box[3]) for n, box in boxes.items()}


@pytest.mark.parametrize(
    ("how", "check"),
    [
        ("left", lambda x, y, w, h: x == 0.0),
        ("right", lambda x, y, w, h: x + w == 350.0),
        ("top", lambda x, y, w, h: y == -40.0),
        ("bottom", lambda x, y, w, h: y + h == 220.0),
        ("column", lambda x, y, w, h: x + w / 2 == 175.0),
        ("row", lambda x, y, w, h: y + h / 2 == 90.0),
    ],
)
def test_align_puts_every_card_on_the_selections_edge_or_middle(how, check):
    after = moved(BOXES, align(BOXES, how))
    assert all(check(*box) for box in after.values())
    keep = 1 if how in ("left", "right", "column") else 0  # the other coordinate stays
    assert all(after[n][keep] == BOXES[n][keep] for n in BOXES)


def test_align_of_one_card_moves_nothing_and_a_wrong_name_says_so():
    assert align({"a": BOXES["a"]}, "left") == {}
    with pytest.raises(ValueError, match="align: expected one of left"):
        align(BOXES, "middle")
    with pytest.raises(ValueError, match="distribute: expected"):
        distribute(BOXES, "diagonal")


def test_distribute_horizontally_leaves_equal_gaps_between_the_ends():
    boxes = {
        "a": (0.0, 0.0, 100.0, 10.0),
        "b": (130.0, 5.0, 50.0, 10.0),
        "c": (400.0, 9.0, 100.0, 10.0),
    }
    targets = distribute(boxes, "horizontal")
    assert targets == {"b": (225.0, 5.0)}  # gaps (500 - 250) / 2 = 125 each side of b


@given(
    st.lists(
        st.tuples(
            st.floats(-500, 500), st.floats(-500, 500), st.floats(10, 200), st.floats(10, 200)
        ),
        min_size=3,
        max_size=7,
    ),
    st.sampled_from(["horizontal", "vertical"]),
)
def test_distribute_keeps_the_ends_and_the_order_and_makes_the_gaps_equal(raw, axis):
    boxes = {f"n{i}": box for i, box in enumerate(raw)}
    after = moved(boxes, distribute(boxes, axis))
    k = 0 if axis == "horizontal" else 1
    before_order = sorted(boxes, key=lambda n: (boxes[n][k] + boxes[n][k + 2] / 2, n))
    starts = [after[n][k] for n in before_order]
    ends = [after[n][k] + after[n][k + 2] for n in before_order]
    assert starts[0] == pytest.approx(boxes[before_order[0]][k], abs=0.01)
    assert ends[-1] == pytest.approx(ends[-1], abs=0.01)
    assert ends[-1] == pytest.approx(
        boxes[before_order[-1]][k] + boxes[before_order[-1]][k + 2], abs=0.01
    )
    gaps = [s - e for e, s in zip(ends, starts[1:], strict=False)]
    assert max(gaps) - min(gaps) == pytest.approx(0.0, abs=0.03)
    assert all(after[n][1 - k] == boxes[n][1 - k] for n in boxes)  # across the axis: unmoved


def test_snap_goes_to_the_nearest_grid_point():
    assert snap((29.0, -31.0)) == (GRID * round(29 / GRID), GRID * round(-31 / GRID))
    assert snap((0.0, 0.0)) == (0.0, 0.0)
    assert snap((47.0, 53.0), 10.0) == (50.0, 50.0)


def test_cards_are_the_nodes_as_drawn():
    g = Graph()
    g.add_node("Add", "s", position=(5.0, 7.0))
    x, y, w, h = cards(g, ["s"])["s"]
    assert (x, y, w) == (5.0, 7.0, 168.0) and h > 56.0


def test_a_frame_fits_round_its_nodes_and_holds_only_the_cards_inside_it():
    g = Graph()
    g.add_node("Scalar", "a", position=(0.0, 0.0))
    g.add_node("Scalar", "b", position=(300.0, 120.0))
    g.add_node("Scalar", "c", position=(900.0, 0.0))
    x, y, w, h = frame_rect(g, ["a", "b"])
    bx, by, bw, bh = cards(g, ["b"])["b"]
    assert (x, y) == (-FRAME_PAD, -FRAME_PAD - FRAME_TITLE)
    assert (x + w, y + h) == (bx + bw + FRAME_PAD, by + bh + FRAME_PAD)
    frame = Frame("f", "two", "#5b8def", (x, y, w, h))
    assert frame_members(g, frame) == ["a", "b"]
    g.move_node("b", (300.0, 2000.0))
    assert frame_members(g, frame) == ["a"]  # dragged out, it no longer moves with the frame
