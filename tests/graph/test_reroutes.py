"""Reroute points: kept by the graph per edge, saved as each edge's "via", gone with the edge."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from visualgrad.graph import fileformat
from visualgrad.graph.graph import Edge, Graph
from visualgrad.graph.reroutes import MAX_POINTS, RerouteError

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def chain() -> tuple[Graph, Edge]:
    graph = Graph()
    graph.add_node("Scalar", "a")
    graph.add_node("Negate", "b", position=(300.0, 0.0))
    return graph, graph.connect("a", "y", "b", "x")


def test_points_round_trip_through_the_file_and_old_files_have_none():
    graph = fileformat.load(SAMPLES / "xor.vgraph")
    assert len(graph.reroutes) == 0
    edge = graph.edges[1]
    graph.reroutes.set(edge, [(10, 20), (30.5, -4)])
    text = fileformat.to_json(graph)
    again = fileformat.from_json(text)
    assert again.reroutes.points(edge) == ((10.0, 20.0), (30.5, -4.0))
    assert [e for e, _ in again.reroutes] == [edge]
    assert fileformat.to_json(again) == text
    entries = json.loads(text)["edges"]
    assert [e.get("via") for e in entries].count(None) == len(entries) - 1


def test_the_points_go_with_their_edge_and_are_heard():
    graph, edge = chain()
    heard = []
    graph.events.reroutes_changed.connect(heard.append)
    graph.reroutes.set(edge, [(100, 50)])
    assert heard == [edge]
    assert graph.events.reroutes_changed not in graph.events.structural()
    graph.remove_node("b")
    assert graph.reroutes.points(edge) == () and len(graph.reroutes) == 0


@pytest.mark.parametrize(
    "via, message",
    [
        ("[[1, 2], [3]]", "two finite numbers"),
        ('[[1, "x"]]', "two finite numbers"),
        ('"here"', "via must be a list"),
        (str([[0, 0]] * (MAX_POINTS + 1)), f"more than {MAX_POINTS}"),
    ],
)
def test_a_damaged_via_is_one_line_naming_the_edge(via, message):
    graph, edge = chain()
    document = json.loads(fileformat.to_json(graph))
    document["edges"][0]["via"] = json.loads(via)
    with pytest.raises(fileformat.FileFormatError) as caught:
        fileformat.from_json(json.dumps(document), "damaged.vgraph")
    assert "\n" not in str(caught.value)
    assert "damaged.vgraph" in str(caught.value) and message in str(caught.value)
    assert "a.y -> b.x" in str(caught.value)


def test_points_on_an_edge_the_graph_lacks_are_refused():
    graph, edge = chain()
    with pytest.raises(RerouteError, match="no edge"):
        graph.reroutes.set(Edge("b", "y", "a", "x"), [(0, 0)])
    with pytest.raises(RerouteError, match="two finite numbers"):
        graph.reroutes.set(edge, [(float("nan"), 0)])


def test_loading_5000_edges_with_via_points_is_fast():
    """Each via checks its edge against a set, not a scan of every edge (was quadratic)."""
    import time

    nodes = [{"id": "s", "type": "Scalar", "params": {}, "position": [0, 0]}]
    edges = []
    for i in range(2500):
        nodes.append({"id": f"n{i}", "type": "Add", "params": {}, "position": [i, 0]})
        previous = "s.y" if i == 0 else f"n{i - 1}.y"
        edges.append({"from": previous, "to": f"n{i}.a", "via": [[1, 2]]})
        edges.append({"from": "s.y", "to": f"n{i}.b", "via": [[3, 4]]})
    document = json.loads(fileformat.to_json(Graph()))
    document.update(nodes=nodes, edges=edges)
    text = json.dumps(document)
    seconds = math.inf
    for _ in range(3):  # the best of three: a stall of the shared machine is not the loader's
        start = time.perf_counter()
        graph = fileformat.from_json(text)
        seconds = min(seconds, time.perf_counter() - start)
    assert len(graph.reroutes) == 5000
    assert graph.reroutes.points(graph.edges[-1]) == ((3.0, 4.0),)
    assert seconds < 0.8, f"{seconds:.2f} s"
