"""The window listens to the graph it shows, and to that one alone."""

from __future__ import annotations

from visualgrad.graph.graph import Graph

from .helpers import SAMPLES, open_window


def listeners(graph: Graph) -> dict[str, int]:
    return {signal.name: len(signal) for signal in graph.events}


def test_a_graph_replaced_keeps_no_listener_and_the_new_one_has_each_once(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    first = window.graph
    following = listeners(first)
    window.open_file(str(SAMPLES / "chain_rule.vgraph"))
    window.files.new_file()
    assert listeners(first) == dict.fromkeys(following, 0)
    assert listeners(window.graph) == following
    # node_added: the scene twice (its items, and the shapes), the playback, the gradient-health
    # plot (its layers) and the lessons panel; params_changed: the scene twice, the playback,
    # the inspector and its editor of one weight
    assert following["node_added"] == 5 and following["params_changed"] == 5
