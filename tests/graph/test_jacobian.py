"""One element's row of the Jacobian, against central differences and the known patterns."""

from pathlib import Path

import numpy as np
import pytest

from visualgrad.graph import fileformat
from visualgrad.graph.data import as_batch, pass_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.graph import Graph
from visualgrad.graph.jacobian import jacobian_row

from .builders import mlp

H = 1e-6
SAMPLES = Path(__file__).parents[2] / "visualgrad" / "samples"


def _rows(row):
    return {up.label: up for up in row.upstream}


def _output(graph, batch, node_id, index):
    program = Program(graph, "simple")
    values, _ = program.forward(batch)
    return values[node_id].to_numpy()[index]


def test_a_hidden_units_row_matches_central_differences_in_inputs_and_weights():
    graph = mlp(hidden=3)
    graph.set_training(batch_size=4)
    program = Program(graph, "simple")
    program.store_weights()  # the graph holds the weights the program uses
    batch = pass_batch(graph, "simple")
    index = (1, 0)
    row = jacobian_row(program, batch, "prob", index)
    up = _rows(row)
    assert set(up) >= {"x", "hidden", "relu", "out", "hidden.weight", "out.bias"}
    x = batch["x"].to_numpy()
    for at in np.ndindex(x.shape):
        shifted = [x.copy(), x.copy()]
        shifted[0][at] += H
        shifted[1][at] -= H
        plus, minus = (
            _output(graph, as_batch(s, batch["y"].to_numpy(), "simple"), "prob", index)
            for s in shifted
        )
        assert up["x"].row[at] == pytest.approx((plus - minus) / (2 * H), abs=1e-6)
    learned = {k: v.copy() for k, v in graph.nodes["hidden"].weights.items()}
    for at in np.ndindex(learned["weight"].shape):
        outputs = []
        for sign in (1, -1):
            changed = {k: v.copy() for k, v in learned.items()}
            changed["weight"][at] += sign * H
            graph.set_weights("hidden", changed)
            outputs.append(_output(graph, batch, "prob", index))
        derivative = (outputs[0] - outputs[1]) / (2 * H)
        assert up["hidden.weight"].row[at] == pytest.approx(derivative, abs=1e-6)
    # other examples of the batch do not reach example 1
    assert not up["x"].depends[[0, 2, 3]].any()
    assert up["x"].depends[1].all()


def test_a_linear_output_element_depends_on_one_row_of_its_input_through_w():
    graph = mlp(hidden=3)
    graph.set_training(batch_size=4)
    program = Program(graph, "simple")
    batch = pass_batch(graph, "simple")
    row = jacobian_row(program, batch, "out", (2, 0))
    up = _rows(row)
    w = program.weights["out"]["weight"].to_numpy()
    expected = np.zeros((4, 3))
    expected[2] = w[0]
    np.testing.assert_allclose(up["relu"].row, expected)
    relu = up["relu"].value
    np.testing.assert_allclose(up["out.weight"].row, relu[2:3])
    np.testing.assert_allclose(up["out.bias"].row, [1.0])


def _matmul() -> Graph:
    g = Graph()
    g.add_node("Parameter", "a", {"shape": [3, 4]})
    g.add_node("Parameter", "b", {"shape": [4, 5]})
    g.add_node("MatMul", "m")
    g.connect("a", "y", "m", "a")
    g.connect("b", "y", "m", "b")
    return g


def test_a_matmul_element_depends_on_a_row_of_a_and_a_column_of_b():
    program = Program(_matmul(), "simple")
    row = jacobian_row(program, {}, "m", (1, 2))
    up = _rows(row)
    a, b = up["a"].value, up["b"].value
    assert row.value == pytest.approx(a[1] @ b[:, 2])
    rows_of_a = np.zeros((3, 4), dtype=bool)
    rows_of_a[1] = True
    column_of_b = np.zeros((4, 5), dtype=bool)
    column_of_b[:, 2] = True
    np.testing.assert_array_equal(up["a"].depends, rows_of_a)
    np.testing.assert_array_equal(up["b"].depends, column_of_b)
    np.testing.assert_allclose(up["a"].row[1], b[:, 2])
    np.testing.assert_allclose(up["b"].row[:, 2], a[1])
    assert len(row.entries()) == 8
    assert "a.value" not in up  # a Parameter node's tensor is its output, listed once


def test_a_conv_element_depends_on_its_receptive_field():
    g = Graph()
    g.add_node("Parameter", "img", {"shape": [1, 2, 6, 6]})
    g.add_node(
        "Conv2d",
        "conv",
        {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 1, "padding": 0},
    )
    g.connect("img", "y", "conv", "x")
    program = Program(g, "simple")
    row = jacobian_row(program, {}, "conv", (0, 1, 2, 1))
    up = _rows(row)
    field = np.zeros((1, 2, 6, 6), dtype=bool)
    field[0, :, 2:5, 1:4] = True
    np.testing.assert_array_equal(up["img"].depends, field)
    weight = program.weights["conv"]["weight"].to_numpy()
    np.testing.assert_allclose(up["img"].row[0, :, 2:5, 1:4], weight[1])
    kernel = np.zeros((3, 2, 3, 3), dtype=bool)
    kernel[1] = True
    np.testing.assert_array_equal(up["conv.weight"].depends, kernel)
    np.testing.assert_allclose(up["conv.weight"].row[1], up["img"].value[0, :, 2:5, 1:4])


def test_a_gradient_element_sends_its_share_back_along_the_row():
    graph = mlp(hidden=3)
    graph.set_training(batch_size=4)
    program = Program(graph, "simple")
    batch = pass_batch(graph, "simple")
    trace = program.trace(batch)
    row = jacobian_row(program, batch, "out", (2, 0), kind="gradient")
    assert row.value == pytest.approx(trace.gradients["out"][2, 0])
    up, at, derivative = row.entries()[0]
    text = row.entry_text(up, at, derivative)
    assert text.startswith(f"d out[2,0] / d {up.label}[")
    assert f"× dL/dout[2,0] → {row.value * derivative:.4g} of dL/d{up.label}[" in text


def test_an_index_outside_the_output_says_so():
    program = Program(_matmul(), "simple")
    with pytest.raises(ValueError, match=r"index \(3, 0\) is outside its output of shape"):
        jacobian_row(program, {}, "m", (3, 0))


def _dead_relu_matmul() -> Graph:
    """m = relu(a) @ b with every element of a negative: each relu is off."""
    g = Graph()
    g.add_node("Parameter", "a", {"shape": [3, 4]})
    g.add_node("Parameter", "b", {"shape": [4, 5]})
    g.add_node("ReLU", "relu")
    g.add_node("MatMul", "m")
    g.connect("a", "y", "relu", "x")
    g.connect("b", "y", "m", "b")
    g.connect("relu", "y", "m", "a")
    g.set_weights("a", {"value": -np.arange(1.0, 13.0).reshape(3, 4)})
    return g


def test_a_matmul_through_a_dead_relu_still_lights_a_row_and_a_column():
    program = Program(_dead_relu_matmul(), "simple")
    row = jacobian_row(program, {}, "m", (1, 2))
    up = _rows(row)
    assert row.value == 0.0
    rows_of_a = np.zeros((3, 4), dtype=bool)
    rows_of_a[1] = True
    column_of_b = np.zeros((4, 5), dtype=bool)
    column_of_b[:, 2] = True
    for label in ("a", "relu"):
        np.testing.assert_array_equal(up[label].depends, rows_of_a)
    np.testing.assert_array_equal(up["b"].depends, column_of_b)
    # the numbers are as they were: 0 through the dead relu, b's column through relu
    b = up["b"].value
    np.testing.assert_array_equal(up["a"].row, 0.0)
    np.testing.assert_array_equal(up["b"].row, 0.0)
    np.testing.assert_allclose(up["relu"].row[1], b[:, 2])
    np.testing.assert_array_equal(up["a"].flat, rows_of_a)
    np.testing.assert_array_equal(up["b"].flat, column_of_b)
    assert not up["relu"].flat.any()
    entries = row.entries()
    assert len(entries) == 12  # 4 of a, 4 of relu, 4 of b
    flat_b = [row.entry_text(u, at, d) for u, at, d in entries if u.label == "b"]
    assert flat_b[0] == "d m[1,2] / d b[0,2] = 0   (connected, derivative 0 here)"


def test_a_conv_through_a_dead_relu_lights_its_receptive_field():
    g = Graph()
    g.add_node("Parameter", "img", {"shape": [1, 2, 6, 6]})
    g.add_node("ReLU", "relu")
    g.add_node(
        "Conv2d",
        "conv",
        {"in_channels": 2, "out_channels": 3, "kernel_size": 3, "stride": 1, "padding": 0},
    )
    g.connect("img", "y", "relu", "x")
    g.connect("relu", "y", "conv", "x")
    g.set_weights("img", {"value": -np.ones((1, 2, 6, 6))})
    program = Program(g, "simple")
    up = _rows(jacobian_row(program, {}, "conv", (0, 1, 2, 1)))
    field = np.zeros((1, 2, 6, 6), dtype=bool)
    field[0, :, 2:5, 1:4] = True
    np.testing.assert_array_equal(up["img"].depends, field)
    np.testing.assert_array_equal(up["img"].row, 0.0)
    kernel = np.zeros((3, 2, 3, 3), dtype=bool)
    kernel[1] = True
    np.testing.assert_array_equal(up["conv.weight"].depends, kernel)
    np.testing.assert_array_equal(up["conv.weight"].flat, kernel)  # relu's outputs are all 0


def test_xor_output_is_connected_to_every_weight_of_its_layers():
    graph = fileformat.load(SAMPLES / "xor.vgraph")
    program = Program(graph, "simple")
    row = jacobian_row(program, pass_batch(graph, "simple"), "out", (0, 0))
    up = _rows(row)
    relu = up["relu"].value[0]
    assert (relu == 0).any()  # some hidden units are off for example 0
    np.testing.assert_allclose(up["out.weight"].row, relu[None, :])
    assert up["out.weight"].depends.all() and up["hidden.weight"].depends.all()
    np.testing.assert_array_equal(up["out.weight"].flat[0], relu == 0)
    assert up["x"].depends[0].all() and not up["x"].depends[1:].any()
