"""Auto-layout puts nodes in columns by depth; the gradient check agrees with backprop."""

from pathlib import Path

import numpy as np
import pytest

from visualgrad.graph import fileformat
from visualgrad.graph.data import pass_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.gradcheck import gradient_check
from visualgrad.graph.layout import COLUMN, layered_positions

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_layout_places_every_edge_left_to_right_without_overlaps():
    graph = fileformat.load(SAMPLES / "polynomial_sin.vgraph")
    positions = layered_positions(graph)
    assert set(positions) == set(graph.nodes)
    for e in graph.edges:
        assert positions[e.source][0] < positions[e.target][0]
    assert len(set(positions.values())) == len(positions)
    assert min(x for x, _ in positions.values()) == 0.0
    assert all(x % COLUMN == 0 for x, _ in positions.values())


def test_layout_puts_a_source_just_before_its_first_consumer():
    graph = fileformat.load(SAMPLES / "xor.vgraph")
    positions = layered_positions(graph)
    assert positions["label"][0] == positions["bce"][0] - COLUMN


@pytest.mark.parametrize("name", ["chain_rule", "xor", "digits_cnn"])
def test_gradient_check_agrees_and_leaves_the_weights_as_they_were(name):
    graph = fileformat.load(SAMPLES / f"{name}.vgraph")
    program = Program(graph, "simple")
    batch = pass_batch(graph, "simple")
    before = {n: {k: p.to_numpy() for k, p in ws.items()} for n, ws in program.weights.items()}
    checks = gradient_check(program, batch)
    assert checks and all(c.ok for c in checks), [(c.node, c.relative_error) for c in checks]
    for node_id, ws in program.weights.items():
        for k, p in ws.items():
            np.testing.assert_array_equal(p.to_numpy(), before[node_id][k])


def test_gradient_check_finds_a_wrong_gradient():
    graph = fileformat.load(SAMPLES / "chain_rule.vgraph")
    program = Program(graph, "simple")
    real_loss = program.loss

    def doubled(values):  # the loss the check differentiates is twice the one backprop sees
        return real_loss(values) * (1.0 if values["e"].requires_grad else 2.0)

    program.loss = doubled
    checks = gradient_check(program, {})
    assert not any(c.ok for c in checks)
