"""Weights changed by hand, recorded and saved; going back to a snapshot without the window."""

from __future__ import annotations

import numpy as np
import pytest

from tests.graph.builders import mlp
from visualgrad.graph import fileformat, hand_edits
from visualgrad.graph.execute import Program
from visualgrad.graph.snapshots import program_weights
from visualgrad.graph.time_travel import fitting, prediction_at, restore
from visualgrad.graph.training_worker import GRID


def test_an_edit_fixes_every_layers_weights_as_drawn_and_changes_one_element():
    graph = mlp()
    drawn = program_weights(Program(graph, "simple"))
    weights, edit = hand_edits.edit(graph, "hidden", "weight", (3, 1), 2.5)
    assert edit == hand_edits.HandEdit(
        "hidden", "weight", (3, 1), drawn["hidden"]["weight"][3, 1], 2.5
    )
    expected = drawn["hidden"]["weight"].copy()
    expected[3, 1] = 2.5
    np.testing.assert_array_equal(weights["hidden"]["weight"], expected)
    np.testing.assert_array_equal(weights["out"]["weight"], drawn["out"]["weight"])
    assert edit.describe() == f"weight[3, 1] {drawn['hidden']['weight'][3, 1]:.4g} → 2.5"
    assert hand_edits.element(graph, "hidden", "bias", (0,)) == drawn["hidden"]["bias"][0]


@pytest.mark.parametrize(
    "node, name, index, value, message",
    [
        ("relu", "weight", (0,), 1.0, "ReLU 'relu': has no learnable values to edit"),
        ("hidden", "gain", (0,), 1.0, "hidden: no learnable tensor 'gain' (it has weight, bias)"),
        ("hidden", "weight", (10, 0), 1.0, "weight: index [10, 0] is outside its shape (10, 2)"),
        ("hidden", "bias", (0, 0), 1.0, "bias: index [0, 0] is outside its shape (10,)"),
        ("hidden", "bias", (0,), float("nan"), "bias: expected a finite number, got nan"),
    ],
)
def test_a_bad_edit_says_why_in_one_line(node, name, index, value, message):
    with pytest.raises(ValueError) as error:
        hand_edits.edit(mlp(), node, name, index, value)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


def test_indices_are_read_as_typed():
    assert hand_edits.parse_index("0, 1") == (0, 1)
    assert hand_edits.parse_index("[2][3]") == (2, 3)
    assert hand_edits.parse_index("") == ()
    with pytest.raises(ValueError, match="expected whole numbers"):
        hand_edits.parse_index("a, 1")


def test_the_record_of_hand_edits_is_saved_and_loaded():
    graph = mlp()
    weights, edit = hand_edits.edit(graph, "out", "bias", (0,), -1.25)
    for node_id, tensors in weights.items():
        graph.set_weights(node_id, tensors)
    graph.hand_edits.append(edit)
    loaded = fileformat.from_json(fileformat.to_json(graph))
    assert loaded.hand_edits == [edit]
    assert loaded.nodes["out"].weights["bias"][0] == -1.25
    assert "hand_edits" not in fileformat.to_json(mlp())


@pytest.mark.parametrize(
    "section, message",
    [
        ('{"node": 3, "weight": "bias", "index": [0], "before": 0, "after": 1}', "node must"),
        ('{"node": "out", "weight": [], "index": [0], "before": 0, "after": 1}', "weight must"),
        ('{"node": "out", "weight": "bias", "index": ["a"], "before": 0, "after": 1}', "index"),
        ('{"node": "out", "weight": "bias", "index": [-1], "before": 0, "after": 1}', "from 0"),
        ('{"node": "out", "weight": "bias", "index": [true], "before": 0, "after": 1}', "index"),
        ('{"node": "out", "weight": "bias", "index": [0], "before": "a", "after": 1}', "finite"),
        ('{"node": "out", "weight": "bias", "index": [0]}', "expected node, weight"),
    ],
)
def test_a_damaged_record_is_a_one_line_error(section, message):
    text = fileformat.to_json(mlp()).rstrip().rstrip("}") + f', "hand_edits": [{section}]}}'
    with pytest.raises(fileformat.FileFormatError) as error:
        fileformat.from_json(text)
    assert message in str(error.value) and "hand_edits[0]" in str(error.value)
    assert "\n" not in str(error.value)


def edited() -> tuple:
    """mlp with hidden.bias[3] set to 2 by hand, and the record of it."""
    graph = mlp()
    weights, edit = hand_edits.edit(graph, "hidden", "bias", (3,), 2.0)
    for node_id, tensors in weights.items():
        graph.set_weights(node_id, tensors)
    graph.hand_edits.append(edit)
    return graph, edit


@pytest.mark.parametrize(
    "change",
    [
        lambda g: g.remove_node("hidden"),  # deleted (or renamed: its old id is gone)
        lambda g: g.set_params("hidden", {"bias": False}),  # the tensor is gone
        lambda g: g.set_params("hidden", {"out_features": 2}),  # bias[3] is outside it now
    ],
)
def test_a_record_of_a_node_or_tensor_that_is_gone_is_kept_and_not_shown(change):
    graph, edit = edited()
    assert hand_edits.current(graph, "hidden") == [edit]
    change(graph)
    loaded = fileformat.from_json(fileformat.to_json(graph), "x.vgraph")  # it reopens
    assert loaded.hand_edits == [edit]
    assert hand_edits.current(loaded, "hidden") == []
    assert hand_edits.current(graph, "hidden") == []


def test_only_the_nodes_own_current_records_are_shown():
    graph, edit = edited()
    weights, other = hand_edits.edit(graph, "out", "weight", (0, 1), -1.0)
    graph.set_weights("out", weights["out"])
    graph.hand_edits.append(other)
    loaded = fileformat.from_json(fileformat.to_json(graph))
    assert hand_edits.current(loaded, "hidden") == [edit]
    assert hand_edits.current(loaded, "out") == [other]
    assert hand_edits.current(loaded, "relu") == []


def test_the_boundary_at_a_snapshot_is_that_models_prediction():
    graph = mlp()
    weights = program_weights(Program(graph, "simple"))
    weights["out"]["bias"] = weights["out"]["bias"] + 3.0  # a different model
    xs, ys = np.meshgrid(np.linspace(0, 1, GRID), np.linspace(0, 1, GRID), indexing="ij")
    grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
    image, kind = prediction_at(graph, weights, grid)
    w = weights
    hidden = np.maximum(grid @ w["hidden"]["weight"].T + w["hidden"]["bias"], 0)
    p = 1 / (1 + np.exp(-(hidden @ w["out"]["weight"].T + w["out"]["bias"])))
    assert kind == "binary"
    np.testing.assert_allclose(image, p.reshape(GRID, GRID), rtol=1e-12)
    assert graph.nodes["out"].weights is None  # the document is not changed


def test_restore_gives_the_nodes_that_still_fit_their_weights():
    graph = mlp()
    weights = program_weights(Program(graph, "simple"))
    graph.set_params("hidden", {"out_features": 4})  # no longer fits
    graph.set_params("out", {"in_features": 4})
    assert set(fitting(graph, weights)) == set()
    graph2 = mlp()
    assert restore(graph2, weights) == ["hidden", "out"]
    np.testing.assert_array_equal(graph2.nodes["out"].weights["weight"], weights["out"]["weight"])
