"""The document refuses what would break it, infers shapes, and traces a pass."""

from __future__ import annotations

import numpy as np
import pytest

from visualgrad.graph import catalog
from visualgrad.graph.data import first_batch
from visualgrad.graph.execute import NodeError, Program
from visualgrad.graph.graph import Edge, Graph, GraphError
from visualgrad.graph.shapes import infer_shapes, show

from .builders import chain_rule, mlp


def test_trace_of_the_chain_rule_example():
    graph = chain_rule()
    trace = Program(graph).trace({})
    values = {event.node: event.value for event in trace.forward}
    assert [event.node for event in trace.forward] == graph.topological_order()
    assert values["e"] == 6.0
    assert trace.loss == 6.0
    assert trace.gradients["a"] == 2.0
    assert trace.gradients["b"] == 5.0
    paths = trace.sums["b"]
    assert sorted(float(g) for _, g in paths.parts) == [2.0, 3.0]  # via c: 2 * 1, via d: 3 * 1
    assert paths.total == 5.0
    into_c = next(e for e in trace.backward if e.edge.target == "c" and e.edge.source == "b")
    assert (into_c.upstream, into_c.local, into_c.gradient) == (2.0, 1.0, 2.0)
    into_e = {e.edge.target_port: e for e in trace.backward if e.edge.target == "e"}
    assert (into_e["a"].local, into_e["a"].gradient) == (2.0, 2.0)  # de/dc = d = 2
    assert (into_e["b"].local, into_e["b"].gradient) == (3.0, 3.0)  # de/dd = c = 3


def test_backward_events_run_in_reverse_topological_order():
    graph = chain_rule()
    order = graph.topological_order()
    targets = [order.index(e.edge.target) for e in Program(graph).trace({}).backward]
    assert targets == sorted(targets, reverse=True)


def test_refuses_a_cycle():
    graph = Graph()
    graph.add_node("Scalar", "s")
    graph.add_node("Add", "add")
    graph.add_node("Negate", "neg")
    graph.connect("s", "y", "add", "a")
    graph.connect("add", "y", "neg", "x")
    with pytest.raises(GraphError, match=r"connecting neg.y -> add.b would make a cycle"):
        graph.connect("neg", "y", "add", "b")
    assert len(graph.edges) == 2


def test_refuses_a_second_edge_into_one_input():
    graph = chain_rule()
    graph.add_node("Scalar", "z")
    with pytest.raises(GraphError, match="Add 'c': input 'a' is already connected"):
        graph.connect("z", "y", "c", "a")


def test_refuses_unknown_ports_types_and_ids():
    graph = chain_rule()
    with pytest.raises(GraphError, match="Add 'c' has no input port 'q'"):
        graph.connect("a", "y", "c", "q")
    with pytest.raises(GraphError, match="Scalar 'a' has no output port 'x'"):
        graph.connect("a", "x", "c", "a")
    with pytest.raises(ValueError, match="unknown node type 'Linearr'"):
        graph.add_node("Linearr")
    with pytest.raises(GraphError, match="already a node 'a'"):
        graph.add_node("Scalar", "a")
    with pytest.raises(GraphError, match="must be a name"):
        graph.add_node("Scalar", "two words")


def test_refuses_incompatible_port_kinds():
    graph = Graph()
    graph.add_node("Scalar", "s")
    graph.add_node("Embedding", "emb")
    with pytest.raises(
        GraphError, match=r"cannot connect Scalar 's'.y \(tensor\) to Embedding 'emb'.ids \(index\)"
    ):
        graph.connect("s", "y", "emb", "ids")


def test_parameters_are_checked_with_their_ranges():
    graph = Graph()
    with pytest.raises(
        GraphError, match="Linear 'l': parameter 'out_features': 0 is below the minimum 1"
    ):
        graph.add_node("Linear", "l", {"out_features": 0})
    with pytest.raises(GraphError, match="parameter 'bias': expected true or false"):
        graph.add_node("Linear", "l", {"bias": "yes"})
    node = graph.add_node("Linear", "l")
    assert node.params == {"in_features": 2, "out_features": 1, "bias": True}


def test_shape_inference_reports_the_node_where_shapes_break():
    graph = mlp()
    report = infer_shapes(graph)
    assert report.ok
    assert show(report.shapes["hidden"]) == "(*, 10)"
    assert show(report.shapes["loss"]) == "scalar"
    graph.set_params("hidden", {"in_features": 3})
    report = infer_shapes(graph)
    assert report.errors == {"hidden": "Linear 'hidden': expects (*, 3), got (*, 2)"}


def test_unconnected_input_is_named_before_a_run():
    graph = mlp()
    graph.disconnect(graph.edges_into("relu")["x"])
    assert infer_shapes(graph).errors["relu"] == "ReLU 'relu': input 'x' is not connected"
    with pytest.raises(NodeError, match="ReLU 'relu': input 'x' is not connected"):
        Program(graph).trace(first_batch(graph.training))


def _two_faults() -> Graph:
    """The network with a hidden layer that expects 3 features of 2, and no target for bce."""
    graph = mlp()
    graph.set_params("hidden", {"in_features": 3})
    graph.disconnect(graph.edges_into("bce")["target"])
    return graph


def test_forward_names_an_unconnected_input_before_any_node_computes():
    graph = _two_faults()
    with pytest.raises(NodeError, match="^BCELoss 'bce': input 'target' is not connected$"):
        Program(graph).forward(first_batch(graph.training))


def test_forward_with_on_error_hands_over_each_failure_once_and_goes_on():
    graph = _two_faults()
    failures = []
    values, _ = Program(graph).forward(first_batch(graph.training), on_error=failures.append)
    assert [(error.node_id, str(error)) for error in failures] == [
        ("hidden", "Linear 'hidden': expects (*, 3), got (32, 2)"),
        ("bce", "BCELoss 'bce': input 'target' is not connected"),
    ]
    assert sorted(values) == ["t", "x"]  # relu, out and prob read the failed layer
    assert values["x"].shape == (32, 2)


def test_trace_of_a_network_gives_gradients_for_every_weight():
    graph = mlp()
    trace = Program(graph).trace(first_batch(graph.training))
    assert np.isfinite(trace.loss)
    assert set(trace.weight_gradients) == {"hidden", "out"}
    assert trace.weight_gradients["hidden"]["weight"].shape == (10, 2)
    assert trace.gradients["x"].shape == (32, 2)


def test_listeners_hear_every_edit_by_name_with_what_changed():
    graph = Graph()
    heard = []
    for signal in graph.events:
        signal.connect(lambda what, name=signal.name: heard.append((name, what)))
    a = graph.add_node("Scalar", "a")
    n = graph.add_node("Negate", "n")
    edge = graph.connect("a", "y", "n", "x")
    graph.set_params("a", {"value": 3.0})
    graph.move_node("a", (10, 20))
    w = graph.add_node("Parameter", "w", {"shape": [2]})
    graph.set_weights("w", {"value": np.ones(2)})
    graph.disconnect(edge)
    graph.remove_node("n")
    settings = graph.set_training(epochs=3) and graph.training
    assert heard == [
        ("node_added", a),
        ("node_added", n),
        ("edge_added", edge),
        ("params_changed", a),
        ("node_moved", a),
        ("node_added", w),
        ("weights_changed", w),
        ("edge_removed", edge),
        ("node_removed", n),
        ("training_changed", settings),
    ]


def test_a_disconnected_listener_hears_nothing_more_and_a_stranger_cannot_be_disconnected():
    graph = Graph()
    heard = []
    graph.events.node_added.connect(heard.append)
    graph.add_node("Scalar", "a")
    graph.events.node_added.disconnect(heard.append)
    graph.add_node("Scalar", "b")
    assert [n.id for n in heard] == ["a"] and len(graph.events.node_added) == 0
    with pytest.raises(ValueError, match="node_added: .* is not connected"):
        graph.events.node_added.disconnect(heard.append)


def test_nodes_and_edges_are_read_only_views_that_follow_the_edits():
    graph = Graph()
    nodes, edges = graph.nodes, graph.edges
    graph.add_node("Scalar", "a")
    graph.add_node("Negate", "n")
    edge = graph.connect("a", "y", "n", "x")
    assert list(nodes) == ["a", "n"] and "a" in nodes and nodes["n"].type == "Negate"
    assert edges == () and graph.edges == (edge,)
    with pytest.raises(TypeError):
        graph.nodes["b"] = graph.nodes["a"]
    with pytest.raises(AttributeError):
        graph.edges.append(edge)
    with pytest.raises(AttributeError):
        graph.nodes = {}


def test_insert_node_puts_it_at_its_place_in_the_order():
    graph = Graph()
    for node_id in "abc":
        graph.add_node("Scalar", node_id)
    graph.insert_node(1, "Negate", "n")
    assert list(graph.nodes) == ["a", "n", "b", "c"]
    with pytest.raises(GraphError, match=r"Scalar 'd': place 9 is outside 0\.\.4"):
        graph.insert_node(9, "Scalar", "d")


def test_restore_puts_deleted_nodes_and_edges_back_where_they_were():
    graph = Graph()
    for node_id in ("a", "b"):
        graph.add_node("Scalar", node_id)
    graph.add_node("Add", "s")
    graph.add_node("Negate", "n")
    edges = [graph.connect("a", "y", "s", "a"), graph.connect("b", "y", "s", "b")]
    edges.append(graph.connect("s", "y", "n", "x"))
    order, edge_order = list(graph.nodes), graph.edges
    gone = [(list(graph.nodes).index("s"), graph.nodes["s"])]
    graph.remove_node("s")
    heard = []
    graph.events.node_added.connect(lambda n: heard.append(n.id))
    graph.events.edge_added.connect(heard.append)
    graph.restore(gone, [(i, e) for i, e in enumerate(edge_order)])
    assert list(graph.nodes) == order and graph.edges == edge_order
    assert heard == ["s", *edges]


def test_a_restore_that_would_make_a_cycle_changes_nothing():
    graph = Graph()
    graph.add_node("Scalar", "a")
    graph.add_node("Negate", "n")
    graph.add_node("Negate", "m")
    graph.connect("a", "y", "n", "x")
    loop = [(1, Edge("n", "y", "m", "x")), (2, Edge("m", "y", "n", "x"))]
    with pytest.raises(GraphError, match="already connected"):
        graph.restore(edges=loop)
    cycle = Graph()
    cycle.add_node("Negate", "n")
    cycle.add_node("Negate", "m")
    with pytest.raises(GraphError, match="the graph has a cycle"):
        cycle.restore(edges=[(0, Edge("n", "y", "m", "x")), (1, Edge("m", "y", "n", "x"))])
    assert cycle.edges == () and list(cycle.nodes) == ["n", "m"]


def test_set_weights_checks_the_shapes_against_the_parameters():
    graph = Graph()
    graph.add_node("Parameter", "w", {"shape": [2]})
    with pytest.raises(GraphError, match=r"Parameter 'w': value has shape \(3,\), expected \(2,\)"):
        graph.set_weights("w", {"value": np.ones(3)})
    assert graph.nodes["w"].weights is None


def test_every_catalog_entry_declares_formulas_and_describes_itself():
    for node_type in catalog.CATALOG.values():
        assert node_type.description and node_type.forward and node_type.derivative, node_type.name
        assert node_type.role in ("source", "op", "output")
        node_type.check_params({})  # the defaults are valid


def test_learnable_values_must_fit_the_node():
    graph = Graph()
    with pytest.raises(
        GraphError, match=r"Linear 'l': weight has shape \(2, 2\), expected \(1, 2\)"
    ):
        graph.add_node("Linear", "l", weights={"weight": np.zeros((2, 2)), "bias": np.zeros(1)})
    with pytest.raises(GraphError, match=r"learnable values \['weight'\] given"):
        graph.add_node("Linear", "l", weights={"weight": np.zeros((1, 2))})
    with pytest.raises(GraphError, match="more than the 20,000,000 one node may hold"):
        graph.add_node("Linear", "l", {"in_features": 100_000, "out_features": 100_000})
    with pytest.raises(GraphError, match="has no learnable values"):
        graph.add_node("ReLU", "r", weights={"w": np.zeros(1)})


def test_learnable_node_types_are_the_parameter_and_the_layers_with_weights():
    learnable = [name for name, node_type in catalog.CATALOG.items() if node_type.learnable]
    assert learnable == [
        "Parameter",
        "Linear",
        "Conv1d",
        "Conv2d",
        "Embedding",
        "LayerNorm",
        "BatchNorm",
    ]


def test_a_node_type_that_draws_weights_must_declare_their_shapes():
    spec = {"name": "Odd", "category": "Test", "description": "", "forward": "", "derivative": ""}
    with pytest.raises(ValueError, match="'Odd': init and weight_shapes go together"):
        catalog.NodeType(**spec, compute=lambda c: c, init=lambda p: {})


def test_declared_weight_shapes_match_what_init_draws():
    for node_type in catalog.CATALOG.values():
        if not node_type.learnable:
            continue
        params = node_type.check_params({})
        drawn = {name: value.shape for name, value in node_type.init(params).items()}
        assert drawn == node_type.weight_shapes(params), node_type.name
