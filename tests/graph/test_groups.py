"""Groups: a named set of nodes that computes, traces, steps, saves and exports as the
ungrouped graph does, with its crossing edges as its ports."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from visualgrad.graph import fileformat
from visualgrad.graph.data import pass_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.export import to_torch
from visualgrad.graph.fileformat import FileFormatError
from visualgrad.graph.groups import GroupError, ports, topological_order
from visualgrad.graph.steps import build_steps, over_text, span_end

from .builders import chain_rule, mlp

SAMPLES = Path(__file__).parents[2] / "visualgrad" / "samples"


def _grouped_mlp():
    graph = mlp(hidden=3)
    graph.groups.add("block", ["relu", "hidden"])
    return graph


def test_a_groups_ports_are_the_edges_that_cross_it():
    graph = _grouped_mlp()
    group = graph.groups["block"]
    assert group.members == ("hidden", "relu")  # in the graph's order
    crossing = ports(graph, group.members)
    assert [str(e) for e in crossing.inputs] == ["x.x -> hidden.x"]
    assert [str(e) for e in crossing.outputs] == ["relu.y -> out.x"]
    assert crossing.input_names() == ["hidden.x"] and crossing.output_names() == ["relu.y"]
    assert graph.groups.group_of("relu") == "block" and graph.groups.group_of("out") is None


@pytest.mark.parametrize(
    ("name", "members", "message"),
    [
        ("2x", ["relu"], "must be a name"),
        ("g", [], "at least one node"),
        ("g", ["nowhere"], "no node 'nowhere'"),
        ("g", ["out", "bce"], "not closed"),  # out -> prob -> bce leaves and comes back
        ("g", ["relu"], "in group 'block' already"),
        ("block", ["prob"], "already a group 'block'"),
    ],
)
def test_a_group_that_cannot_be_made_says_why(name, members, message):
    graph = _grouped_mlp()
    with pytest.raises(GroupError, match=message):
        graph.groups.add(name, members)
    assert [g.name for g in graph.groups] == ["block"]


def test_rename_ungroup_and_a_removed_member():
    graph = _grouped_mlp()
    heard = []
    graph.groups.changed.connect(lambda table: heard.append(sorted(table)))
    graph.groups.rename("block", "features")
    assert graph.groups.group_of("hidden") == "features"
    graph.remove_node("relu")
    assert graph.groups["features"].members == ("hidden",)
    graph.remove_node("hidden")
    assert len(graph.groups) == 0
    graph.groups.add("tail", ["prob", "bce"])
    graph.groups.remove("tail")
    assert graph.groups.group_of("prob") is None
    assert heard == [["features"], ["features"], [], ["tail"], []]


def test_a_groups_members_come_one_after_another_in_the_order():
    graph = chain_rule()
    graph.groups.add("left", ["a", "c"])  # a and c are apart in the plain order
    order = topological_order(graph)
    assert sorted(order) == sorted(graph.nodes)
    at = {n: i for i, n in enumerate(order)}
    assert abs(at["a"] - at["c"]) == 1
    for e in graph.edges:
        assert at[e.source] < at[e.target]


def test_a_grouped_graph_computes_and_traces_as_the_ungrouped_one():
    plain, grouped = mlp(hidden=3), _grouped_mlp()
    batch = pass_batch(plain, "simple")
    a, b = Program(plain, "simple").trace(batch), Program(grouped, "simple").trace(batch)
    assert b.loss == a.loss
    for node_id, gradient in a.gradients.items():
        np.testing.assert_array_equal(b.gradients[node_id], gradient)
    for node_id, weights in a.weight_gradients.items():
        for name, gradient in weights.items():
            np.testing.assert_array_equal(b.weight_gradients[node_id][name], gradient)
    marked = {e.node: e.group for e in b.forward}
    assert marked["hidden"] == marked["relu"] == "block" and marked["out"] is None
    into = {str(e.edge): e.group for e in b.backward}
    assert into["x.x -> hidden.x"] == "block"  # the edge into the group is its last step
    assert into["relu.y -> out.x"] is None


def test_stepping_over_a_group_is_one_step_each_way():
    graph = _grouped_mlp()
    program = Program(graph, "simple")
    trace = program.trace(pass_batch(graph, "simple"))
    steps, forward_count = build_steps(graph, trace, program.loss_node)
    start = next(i for i, s in enumerate(steps) if s.group == "block")
    end = span_end(steps, start, over=True)
    assert [s.node for s in steps[start : end + 1]] == ["hidden", "relu"]
    assert span_end(steps, start, over=False) == start
    assert "Forward over group <b>block</b>: computes hidden, relu" in over_text(
        steps[start : end + 1]
    )
    back = next(i for i in range(forward_count, len(steps)) if steps[i].group == "block")
    back_end = span_end(steps, back, over=True)
    edges = [str(e) for s in steps[back : back_end + 1] for e in s.edges]
    assert edges == ["hidden.y -> relu.x", "x.x -> hidden.x"]
    assert all(s.group is None for s in steps[back_end + 1 :])


def test_groups_round_trip_through_a_file(tmp_path):
    graph = _grouped_mlp()
    graph.groups.add("tail", ["prob", "bce"], (12.5, -3.0))
    path = tmp_path / "grouped.vgraph"
    fileformat.save(graph, path)
    loaded = fileformat.load(path)
    assert [(g.name, g.members, g.position) for g in loaded.groups] == [
        (g.name, g.members, g.position) for g in graph.groups
    ]
    assert fileformat.to_json(loaded) == path.read_text()
    assert "groups" not in json.loads(fileformat.to_json(mlp()))  # absent means none


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ({"name": "g"}, "groups must be a list"),
        ([{"name": "g", "members": ["relu"]}], "groups[0]: expected an object"),
        ([{"name": "g", "members": "relu", "position": [0, 0]}], "members must be a list"),
        ([{"name": "g", "members": ["relu"], "position": [0]}], "position must be [x, y]"),
        ([{"name": "g", "members": ["relu", "relu"], "position": [0, 0]}], "named twice"),
        ([{"name": "g", "members": ["ghost"], "position": [0, 0]}], "no node 'ghost'"),
    ],
)
def test_a_damaged_groups_section_is_a_one_line_error(groups, message):
    document = json.loads(fileformat.to_json(mlp(hidden=3)))
    document["groups"] = groups
    with pytest.raises(FileFormatError) as caught:
        fileformat.from_json(json.dumps(document), "g.vgraph")
    text = str(caught.value)
    assert text.startswith("g.vgraph: ") and message in text and "\n" not in text


def test_export_makes_each_group_a_submodule():
    graph = _grouped_mlp()
    graph.groups.add("head", ["out", "prob"])
    script = to_torch(graph)
    assert "class BlockGroup(nn.Module):" in script and "class HeadGroup(nn.Module):" in script
    assert "self.block = BlockGroup()" in script
    assert "relu = self.block(x)" in script and "prob = self.head(relu)" in script
    assert '"block.hidden.weight": ' in script and '"head.out.bias": ' in script


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")
def test_an_exported_grouped_graph_gives_the_same_loss(tmp_path):
    graph = _grouped_mlp()
    graph.groups.add("tail", ["bce", "loss", "t"])  # the loss and the targets inside a group
    expected = Program(graph).trace(pass_batch(graph)).loss
    path = tmp_path / "grouped.py"
    path.write_text(to_torch(graph))
    result = subprocess.run(
        [sys.executable, str(path), "--check"], capture_output=True, text=True, check=True
    )
    loss = json.loads(result.stdout.strip().splitlines()[-1])["loss"]
    assert loss == pytest.approx(expected, rel=1e-9)


def test_a_group_an_edit_opens_is_kept_computes_the_same_and_export_says_why_not(tmp_path):
    graph = mlp(hidden=3)
    graph.add_node("ReLU", "outside")
    graph.groups.add("g", ["prob", "bce"])
    graph.disconnect(next(e for e in graph.edges if e.target == "bce" and e.target_port == "input"))
    graph.connect("prob", "y", "outside", "x")
    graph.connect("outside", "y", "bce", "input")  # prob -> outside -> bce: open again
    path = tmp_path / "open.vgraph"
    fileformat.save(graph, path)
    loaded = fileformat.load(path)
    assert loaded.groups["g"].members == ("prob", "bce")
    plain = Program(mlp(hidden=3), "simple")
    batch = pass_batch(loaded, "simple")
    assert Program(loaded, "simple").trace(batch).loss == plain.trace(batch).loss
    with pytest.raises(GroupError, match="group 'g' is not closed"):
        to_torch(loaded)


def _front_and_back(graph):
    """Two groups: the first half of the nodes with all they read, and everything else."""
    half = [n.id for n in graph][: len(graph.nodes) // 2]
    front: set[str] = set()
    for node_id in graph.topological_order():
        if node_id in half and all(e.source in front for e in graph.edges_into(node_id).values()):
            front.add(node_id)
    graph.groups.add("front", front)
    graph.groups.add("back", [n for n in graph.nodes if n not in front])
    return graph


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="needs torch")
@pytest.mark.parametrize("sample", ["chain_rule", "sentiment"])
def test_a_sample_in_two_groups_exports_to_the_same_loss(sample, tmp_path):
    graph = _front_and_back(fileformat.load(SAMPLES / f"{sample}.vgraph"))
    expected = Program(graph).trace(pass_batch(graph)).loss
    path = tmp_path / f"{sample}.py"
    path.write_text(to_torch(graph))
    result = subprocess.run(
        [sys.executable, str(path), "--check"], capture_output=True, text=True, check=True
    )
    loss = json.loads(result.stdout.strip().splitlines()[-1])["loss"]
    assert loss == pytest.approx(expected, rel=1e-9)
