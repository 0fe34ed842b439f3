"""GELU, Concat, Where, Min, ArgMax, ArgMin, LayerNorm and BatchNorm in a graph: the
exported PyTorch script gives the same loss in evaluation and in training (running
statistics included), the trace steps through each, and a file keeps their state."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest

from visualgrad.cli import main
from visualgrad.graph import fileformat
from visualgrad.graph.data import as_batch, first_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.graph import Graph, GraphError
from visualgrad.graph.train import Trainer

from .test_export import _script, needs_torch

NEW_TYPES = {"GELU", "Concat", "Where", "Min", "ArgMax", "ArgMin", "LayerNorm", "BatchNorm"}


def _graph_of_the_new_node_types() -> Graph:
    """On the digits: rows of each image through LayerNorm and Min; the index of each row's
    largest and smallest pixel through Embeddings; Linear, BatchNorm, GELU; all joined by
    Concat, then Where keeps a hidden unit where its pixel is lit and the pixel elsewhere."""
    graph = Graph()
    graph.set_training(dataset="digits", dataset_size=120, batch_size=16, epochs=1)
    add = graph.add_node
    add("Input", "x")
    add("Target", "label")
    add("Reshape", "rows", {"shape": [-1, 8, 8]})
    add("Flatten", "pixels")
    add("LayerNorm", "ln", {"normalized_shape": [8], "eps": 1e-3})
    add("Min", "low", {"dim": -1})
    add("ArgMax", "brightest", {"dim": -1})
    add("ArgMin", "darkest", {"dim": 1})
    add("Embedding", "emb_max", {"num_embeddings": 8, "embedding_dim": 2})
    add("Embedding", "emb_min", {"num_embeddings": 8, "embedding_dim": 2})
    add("Flatten", "flat_max")
    add("Flatten", "flat_min")
    add("Linear", "lin", {"in_features": 64, "out_features": 8})
    add("BatchNorm", "bn", {"num_features": 8, "momentum": 0.3})
    add("GELU", "gelu")
    add("Concat", "join1", {"dim": 1})
    add("Concat", "join2", {"dim": -1})
    add("Concat", "join3", {"dim": 1})
    add("Linear", "hidden", {"in_features": 48, "out_features": 64})
    add("Where", "lit")
    add("Linear", "scores", {"in_features": 64, "out_features": 10})
    add("CrossEntropyLoss", "ce")
    add("Loss", "loss")
    for source, target, port in [
        ("x", "rows", "x"),
        ("x", "pixels", "x"),
        ("rows", "ln", "x"),
        ("ln", "low", "x"),
        ("rows", "brightest", "x"),
        ("ln", "darkest", "x"),
        ("brightest", "emb_max", "ids"),
        ("darkest", "emb_min", "ids"),
        ("emb_max", "flat_max", "x"),
        ("emb_min", "flat_min", "x"),
        ("pixels", "lin", "x"),
        ("lin", "bn", "x"),
        ("bn", "gelu", "x"),
        ("gelu", "join1", "a"),
        ("low", "join1", "b"),
        ("join1", "join2", "a"),
        ("flat_max", "join2", "b"),
        ("join2", "join3", "a"),
        ("flat_min", "join3", "b"),
        ("join3", "hidden", "x"),
        ("pixels", "lit", "condition"),
        ("hidden", "lit", "a"),
        ("pixels", "lit", "b"),
        ("lit", "scores", "x"),
        ("scores", "ce", "input"),
        ("label", "ce", "target"),
        ("ce", "loss", "loss"),
    ]:
        output = graph.nodes[source].spec.outputs[0].name
        graph.connect(source, output, target, port)
    return graph


def _exported(graph: Graph, tmp_path):
    path = tmp_path / "new_types.vgraph"
    fileformat.save(graph, path)
    script = tmp_path / "new_types.py"
    assert main(["export", str(path), "--to", "torch", "-o", str(script)]) == 0
    return script


@needs_torch
def test_the_new_node_types_export_to_the_same_loss(tmp_path):
    graph = _graph_of_the_new_node_types()
    assert {n.type for n in graph} >= NEW_TYPES
    expected = Program(graph).trace(first_batch(graph.training)).loss
    result = _script(_exported(graph, tmp_path), "--check")
    loss = json.loads(result.stdout.strip().splitlines()[-1])["loss"]
    assert loss == pytest.approx(expected, rel=1e-9)


@needs_torch
def test_a_training_pass_matches_torchs_and_moves_the_same_running_statistics(tmp_path):
    torch = pytest.importorskip("torch")
    graph = _graph_of_the_new_node_types()
    spec = importlib.util.spec_from_file_location("exported", _exported(graph, tmp_path))
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    model = script.initial_model(torch.device("cpu")).train()
    program = Program(graph)
    for epoch in range(2):  # two steps: the second reads the running statistics' update
        order = script.shuffled(epoch)[: graph.training.batch_size]
        theirs = model(*script.batch(order, torch.device("cpu")))
        batch = as_batch(script.TRAIN_X[order], script.TRAIN_Y[order], program.backend)
        ours = program.loss(program.forward(batch, training=True)[0])
        assert ours.item() == pytest.approx(theirs.item(), rel=1e-9)
    bn = program.weights["bn"]
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        want = getattr(model.bn, name).numpy()
        np.testing.assert_allclose(bn[name].to_numpy(), want, rtol=1e-10, err_msg=name)


def test_the_trace_steps_through_each_new_node_with_its_local_derivative():
    graph = _graph_of_the_new_node_types()
    trace = Program(graph).trace(first_batch(graph.training))
    seen = {e.node for e in trace.forward}
    assert {"ln", "low", "brightest", "bn", "gelu", "join1", "lit"} <= seen
    into = {(e.edge.target, e.edge.target_port): e for e in trace.backward}
    for target, port in [("gelu", "x"), ("join1", "b"), ("lit", "a"), ("ln", "x"), ("bn", "x")]:
        event = into[(target, port)]
        assert event.local is not None
        assert np.isfinite(event.gradient).all()
    # Where: the gradient to a is the upstream gradient where the pixel is lit, else 0.
    event = into[("lit", "a")]
    x = next(e.value for e in trace.forward if e.node == "pixels")
    np.testing.assert_array_equal(event.gradient, np.where(x != 0, event.upstream, 0.0))
    # the indices carry no gradient back into the rows
    assert not np.any(into[("brightest", "x")].gradient)


def test_batch_norm_state_survives_training_saving_and_loading(tmp_path):
    graph = _graph_of_the_new_node_types()
    program = Program(graph)
    program.forward(first_batch(graph.training), training=True)
    program.store_weights()
    path = tmp_path / "trained.vgraph"
    fileformat.save(graph, path)
    loaded = fileformat.load(path)
    weights = loaded.nodes["bn"].weights
    assert weights["num_batches_tracked"] == 1.0
    np.testing.assert_array_equal(
        weights["running_mean"], graph.nodes["bn"].weights["running_mean"]
    )
    assert not np.allclose(weights["running_mean"], 0.0)
    assert loaded.nodes["ln"].params == {
        "normalized_shape": [8],
        "eps": 1e-3,
        "elementwise_affine": True,
    }


def test_indices_feed_index_ports_only():
    graph = Graph()
    graph.add_node("Input", "x")
    graph.add_node("ArgMax", "where_max")
    graph.add_node("ReLU", "relu")
    graph.connect("x", "x", "where_max", "x")
    with pytest.raises(GraphError, match="index"):
        graph.connect("where_max", "indices", "relu", "x")


def test_a_batch_norm_with_the_wrong_channels_names_the_node():
    graph = Graph()
    graph.set_training(dataset="digits", dataset_size=40, batch_size=8)
    graph.add_node("Input", "x")
    graph.add_node("BatchNorm", "bn", {"num_features": 3})
    graph.add_node("Loss", "loss")
    graph.connect("x", "x", "bn", "x")
    graph.connect("bn", "y", "loss", "loss")
    with pytest.raises(
        ValueError, match=r"'bn': expects \(N, 3\) or \(N, 3, L\), got \(8, 1, 8, 8\)"
    ):
        Program(graph).forward(first_batch(graph.training))


@needs_torch
def test_training_epochs_give_torchs_losses(tmp_path):
    graph = _graph_of_the_new_node_types()
    graph.set_training(epochs=2, optimizer="adam", learning_rate=0.01)
    result = _script(_exported(graph, tmp_path), "--epochs", "2")
    theirs = [float(line.split()[-1]) for line in result.stdout.strip().splitlines()]
    ours = Trainer(graph).run().loss
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)  # the script prints six digits
