"""Each hidden unit's activation over the input plane, against numpy's forward pass."""

import multiprocessing

import numpy as np

from visualgrad.graph import fileformat
from visualgrad.graph.data import dataset_for
from visualgrad.graph.execute import Program
from visualgrad.graph.neurons import (
    GRID,
    LINKS,
    describe_unit,
    neurons,
    plane_extent,
    plane_grid,
    unit_links,
    unit_nodes,
)
from visualgrad.graph.shapes import infer_shapes
from visualgrad.graph.training_worker import GRID as BOUNDARY
from visualgrad.graph.training_worker import Flag, Start, Watch, _Reporter

from ..ui.helpers import SAMPLES
from .builders import mlp


def _mlp_and_grid(size: int = GRID):
    graph = mlp(hidden=5)
    data = dataset_for(graph.training)
    points = plane_grid(*plane_extent(data.x), size)
    return graph, Program(graph, "simple"), points, data.y


def test_each_unit_grid_is_numpys_forward_pass_over_the_plane():
    graph, program, points, y = _mlp_and_grid(8)
    found = neurons(program, points, y, ["hidden", "relu", "out", "prob"])
    w1, b1 = (program.weights["hidden"][k].to_numpy() for k in ("weight", "bias"))
    w2, b2 = (program.weights["out"][k].to_numpy() for k in ("weight", "bias"))
    hidden = points @ w1.T + b1
    out = np.maximum(hidden, 0) @ w2.T + b2
    xs = np.unique(points[:, 0])
    for name, expected in [
        ("hidden", hidden),
        ("relu", np.maximum(hidden, 0)),
        ("out", out),
        ("prob", 1 / (1 + np.exp(-out))),
    ]:
        grids = found.grids[name]
        assert grids.shape == (expected.shape[1], 8, 8)
        # unit u at (x_i, y_j): the point i * 8 + j
        np.testing.assert_allclose(grids[3 % len(grids), 2, 5], expected[2 * 8 + 5, 3 % len(grids)])
        np.testing.assert_allclose(grids, expected.T.reshape(-1, 8, 8), atol=1e-12)
    assert points[2 * 8 + 5, 0] == xs[2]
    np.testing.assert_array_equal(found.weights["hidden"]["weight"], w1)
    assert "relu" not in found.weights


def test_the_plane_is_the_data_with_a_margin_and_x_along_the_first_axis():
    x = np.array([[0.0, -1.0], [2.0, 1.0]])
    low, high = plane_extent(x)
    np.testing.assert_allclose(low, [-0.2, -1.2], atol=1e-5)
    np.testing.assert_allclose(high, [2.2, 1.2], atol=1e-5)
    points = plane_grid(low, high, 3)
    np.testing.assert_allclose(points[1], [low[0], 0.0], atol=1e-5)
    np.testing.assert_allclose(points[3], [1.0, low[1]], atol=1e-5)


def test_the_layers_of_spiral_are_its_linears_and_activations():
    graph = fileformat.load(SAMPLES / "spiral.vgraph")
    layers = unit_nodes(graph, infer_shapes(graph).shapes)
    assert layers == ["hidden1", "relu1", "hidden2", "relu2", "out", "prob"]


def test_a_graph_on_images_has_no_plane_to_draw_units_on():
    graph = fileformat.load(SAMPLES / "digits_cnn.vgraph")
    assert unit_nodes(graph, infer_shapes(graph).shapes) == []


def test_a_unit_is_described_by_its_bias_and_largest_weights():
    graph, program, points, y = _mlp_and_grid(4)
    found = neurons(program, points, y, ["hidden", "relu", "out"])
    w, b = found.weights["out"]["weight"], found.weights["out"]["bias"]
    text = describe_unit(graph, "out", 0, found.weights["out"])
    assert f"b[0] = {b[0]:.4g}" in text
    for k in range(5):
        assert f"w[0,{k}] = {w[0, k]:.4g}" in text
    assert "ReLU of hidden unit 2" in describe_unit(graph, "relu", 2, None)


def test_links_into_a_linear_carry_its_weights_and_an_activation_passes_units_on():
    graph, program, points, y = _mlp_and_grid(4)
    found = neurons(program, points, y, ["hidden", "relu", "out"])
    i, j, w = unit_links(graph, "relu", "out", found)
    weight = found.weights["out"]["weight"]
    assert len(i) == weight.size
    for a, b, value in zip(i, j, w, strict=True):
        assert value == weight[b, a]
    i, j, w = unit_links(graph, "hidden", "relu", found)
    assert w is None and list(i) == list(j) == [0, 1, 2, 3, 4]
    assert unit_links(graph, "x", "hidden", found) is None


def test_of_a_large_weight_matrix_only_the_largest_weights_are_drawn():
    graph = fileformat.load(SAMPLES / "spiral.vgraph")
    data = dataset_for(graph.training)
    program = Program(graph, "simple")
    found = neurons(program, plane_grid(*plane_extent(data.x), 4), data.y, ["relu1", "hidden2"])
    i, j, w = unit_links(graph, "relu1", "hidden2", found)
    weight = found.weights["hidden2"]["weight"]
    assert len(w) == LINKS < weight.size
    smallest_kept = np.abs(w).min()
    assert (np.abs(weight) > smallest_kept).sum() < LINKS
    np.testing.assert_array_equal(w, weight[j, i])


def test_the_training_process_computes_the_units_of_the_nodes_the_window_watches():
    graph = mlp(hidden=3)
    context = multiprocessing.get_context("spawn")
    watch = Watch(context)
    watch.set([list(graph.nodes).index("relu"), Watch.SIZE + 3])  # one beyond is ignored
    assert watch.places() == [list(graph.nodes).index("relu")]
    data = dataset_for(graph.training)
    grid = plane_grid(*plane_extent(data.x), BOUNDARY)
    start = Start(fileformat.to_json(graph), 0, None, grid)
    reporter = _Reporter(start, None, Flag(context), Flag(context), watch)
    found = reporter.watched_neurons()
    assert set(found.grids) == {"relu"}
    weights = reporter.trainer.program.weights["hidden"]
    w, b = weights["weight"].to_numpy(), weights["bias"].to_numpy()
    points = plane_grid(*plane_extent(data.x))  # the boundary's extent, at GRID points
    expected = np.maximum(points @ w.T + b, 0)
    np.testing.assert_allclose(found.grids["relu"], expected.T.reshape(3, GRID, GRID))
    watch.set([])
    assert reporter.watched_neurons() is None
