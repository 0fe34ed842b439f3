"""The .vgraph file: round trips to the byte, atomic saves, and a clear refusal for each problem."""

from __future__ import annotations

import builtins
import copy
import json
import os
import stat
import sys

import numpy as np
import pytest

from visualgrad.graph import fileformat as ff
from visualgrad.graph.execute import Program
from visualgrad.graph.fileformat import FileFormatError
from visualgrad.graph.graph import Graph, GraphError

DESCRIPTION = "e = (a + b) * (b + 1), and a small layer.\nGradients: ∂L/∂w, café."


def sample_graph() -> Graph:
    """The chain-rule example beside a Linear layer with weights and a few odd parameters."""
    g = Graph()
    g.add_node("Scalar", "a", {"value": 2.0}, (0.0, 0.0))
    g.add_node("Scalar", "b", {"value": -1.5}, (0.0, 80.0))
    g.add_node("Scalar", "one", {"value": 0.1 + 0.2}, (0.0, 160.0))  # 0.30000000000000004
    g.add_node("Add", "c", position=(120.0, 40.0))
    g.add_node("Add", "d", position=(120.0, 120.0))
    g.add_node("Multiply", "e", position=(240.5, -80.25))
    g.add_node("Input", "x", position=(0.0, 300.0))
    linear = {"in_features": 2, "out_features": 3}
    rng = np.random.default_rng(3)
    learned = {"weight": rng.normal(size=(3, 2)), "bias": rng.normal(size=3)}
    g.add_node("Linear", "hidden", linear, (120.0, 300.0), learned)
    g.add_node("Sum", "total", {"dim": None}, (240.0, 300.0))
    g.add_node("Constant", "k", {"values": [1.0, 2.5, -3.0, 1e-300], "shape": [2, 2]})
    weights = {"value": np.array([[1 / 3, -2.5e-8]])}
    g.add_node("Parameter", "w", {"shape": [1, 2], "init": "value"}, (5.0, 6.0), weights)
    g.add_node("Add", "sum", position=(360.0, 200.0))
    g.add_node("Loss", "loss", position=(480.0, 200.0))
    for edge in (
        "a.y c.a",
        "b.y c.b",
        "b.y d.a",
        "one.y d.b",
        "c.y e.a",
        "d.y e.b",
        "x.x hidden.x",
        "hidden.y total.x",
        "e.y sum.a",
        "total.y sum.b",
        "sum.y loss.loss",
    ):
        source, target = (end.split(".") for end in edge.split())
        g.connect(source[0], source[1], target[0], target[1])
    g.set_training(dataset="spiral", optimizer="adam", learning_rate=0.003, batch_size=16, seed=7)
    return g


def sample_text() -> str:
    return ff.to_json(sample_graph(), DESCRIPTION)


def sample_document() -> dict:
    return json.loads(sample_text())


def assert_same_graph(loaded: Graph, saved: Graph) -> None:
    assert list(loaded.nodes) == list(saved.nodes)
    for node_id, node in saved.nodes.items():
        other = loaded.nodes[node_id]
        assert (other.type, other.params, other.position) == (node.type, node.params, node.position)
        if node.weights is None:
            assert other.weights is None
        else:
            assert list(other.weights) == list(node.weights)
            for name, value in node.weights.items():
                assert other.weights[name].dtype == np.float64
                np.testing.assert_array_equal(other.weights[name], value, strict=True)
    assert loaded.edges == saved.edges
    assert loaded.training == saved.training


# ---- round trips ------------------------------------------------------------------------------
def test_save_load_save_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "first.vgraph", tmp_path / "second.vgraph"
    ff.save(sample_graph(), first, DESCRIPTION)
    graph, description = ff.load_with_description(first)
    ff.save(graph, second, description)
    assert first.read_bytes() == second.read_bytes()


def test_the_loaded_graph_is_the_saved_one(tmp_path):
    path = tmp_path / "chain.vgraph"
    saved = sample_graph()
    ff.save(saved, path, DESCRIPTION)
    loaded, description = ff.load_with_description(path)
    assert_same_graph(loaded, saved)
    assert description == DESCRIPTION
    assert loaded.nodes["one"].params["value"] == 0.1 + 0.2
    assert loaded.nodes["total"].params["dim"] is None


def test_a_run_uses_the_weights_from_the_file():
    graph = ff.from_json(sample_text())
    program = Program(graph)
    for name, value in graph.nodes["hidden"].weights.items():
        np.testing.assert_array_equal(program.weights["hidden"][name].to_numpy(), value)


def test_a_graph_without_weights_or_description_round_trips(tmp_path):
    saved = Graph()
    saved.add_node("Scalar", "a", {"value": 3.0})
    saved.add_node("Negate", "n", position=(1.0, 2.0))
    saved.connect("a", "y", "n", "x")
    path = tmp_path / "plain.vgraph"
    ff.save(saved, path)
    text = path.read_text(encoding="utf-8")
    assert '"weights"' not in text and '"description"' not in text
    loaded, description = ff.load_with_description(path)
    assert_same_graph(loaded, saved)
    assert description is None
    assert ff.to_json(ff.load(path)) == text


def test_the_text_is_deterministic_indented_and_ends_with_a_newline():
    text = sample_text()
    assert text == sample_text()
    assert text.startswith('{\n  "format": "visualgrad",\n  "version": 2,\n  "description": ')
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert "0.30000000000000004" in text and "1e-300" in text
    assert "∂L/∂w, café" in text  # UTF-8, not \u escapes
    document = json.loads(text)
    assert list(document) == ["format", "version", "description", "nodes", "edges", "training"]
    assert list(document["training"]) == sorted(document["training"])
    for node in document["nodes"]:
        assert list(node)[:4] == ["id", "type", "params", "position"]
        assert list(node["params"]) == sorted(node["params"])
    assert document["edges"][0] == {"from": "a.y", "to": "c.a"}
    assert '"values": [0.3333333333333333, -2.5e-08]' in text  # a list of numbers is one line


def test_training_numbers_are_written_with_their_fields_type():
    graph = sample_graph()
    graph.set_training(batch_size=64.0, learning_rate=1)
    training = json.loads(ff.to_json(graph))["training"]
    assert training["batch_size"] == 64 and isinstance(training["batch_size"], int)
    assert training["learning_rate"] == 1.0 and isinstance(training["learning_rate"], float)


def test_whole_numbers_in_a_file_are_read_as_the_field_needs():
    document = sample_document()
    document["training"].update(batch_size=8.0, learning_rate=1)
    document["nodes"][0]["params"]["value"] = 4
    graph = ff.from_json(json.dumps(document))
    assert isinstance(graph.training.batch_size, int) and graph.training.batch_size == 8
    assert isinstance(graph.training.learning_rate, float)
    assert isinstance(graph.nodes["a"].params["value"], float)


def test_bytes_with_a_utf8_byte_order_mark_are_read():
    graph = ff.from_json(b"\xef\xbb\xbf" + sample_text().encode("utf-8"))
    assert_same_graph(graph, sample_graph())


def test_the_file_keeps_the_edge_order_whatever_order_it_connects_in():
    document = sample_document()
    document["edges"].reverse()
    graph = ff.from_json(json.dumps(document))
    assert [str(e) for e in graph.edges] == [f"{e['from']} -> {e['to']}" for e in document["edges"]]


# ---- saving -------------------------------------------------------------------------------------
def _folder(tmp_path) -> list[str]:
    return sorted(os.listdir(tmp_path))


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_save_leaves_the_old_file_untouched(tmp_path, monkeypatch, failing):
    path = tmp_path / "model.vgraph"
    path.write_bytes(b"the old file")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match="No space left"):
        ff.save(sample_graph(), path, DESCRIPTION)
    assert path.read_bytes() == b"the old file"
    assert _folder(tmp_path) == ["model.vgraph"]


def test_a_failed_first_save_leaves_no_file(tmp_path, monkeypatch):
    def fail(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        ff.save(sample_graph(), tmp_path / "new.vgraph")
    assert _folder(tmp_path) == []


def test_a_graph_that_cannot_be_written_names_the_file_and_writes_nothing(tmp_path):
    graph = sample_graph()
    graph.nodes["hidden"].weights["bias"][1] = np.nan
    path = tmp_path / "diverged.vgraph"
    with pytest.raises(FileFormatError) as caught:
        ff.save(graph, path)
    assert str(caught.value) == (
        f"{path}: Linear 'hidden': weight 'bias' holds NaN or infinity; a file keeps finite numbers"
    )
    assert _folder(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and links")
def test_saving_keeps_the_files_permissions_and_writes_through_a_link(tmp_path):
    target = tmp_path / "real.vgraph"
    target.write_text("old")
    target.chmod(0o640)
    link = tmp_path / "link.vgraph"
    link.symlink_to(target)
    ff.save(sample_graph(), link)
    assert link.is_symlink()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert target.read_text(encoding="utf-8") == ff.to_json(sample_graph())
    assert _folder(tmp_path) == ["link.vgraph", "real.vgraph"]


# ---- refusals: one line naming the file and the problem -----------------------------------------
def _load_text(text: str | bytes) -> str:
    with pytest.raises(FileFormatError) as caught:
        ff.from_json(text, "x.vgraph")
    message = str(caught.value)
    assert message.startswith("x.vgraph: ") and "\n" not in message
    return message


def _load_changed(change) -> str:
    document = sample_document()
    change(document)
    return _load_text(json.dumps(document))


def _node(document: dict, node_id: str) -> dict:
    return next(node for node in document["nodes"] if node["id"] == node_id)


def _edge(document: dict, source: str, target: str) -> dict:
    return next(e for e in document["edges"] if (e["from"], e["to"]) == (source, target))


def test_damaged_json_names_the_line_and_column():
    text = '{\n  "format": "visualgrad"\n  "version": 1\n}'
    assert _load_text(text) == "x.vgraph: damaged JSON at line 3, column 3: Expecting ',' delimiter"


def test_a_truncated_file_is_damaged_json():
    assert "x.vgraph: damaged JSON at line" in _load_text(sample_text()[:-40])


@pytest.mark.parametrize("text", ['{"nodes": []}', "[1, 2]", '{"format": "other", "version": 1}'])
def test_a_file_of_another_kind_is_not_a_visualgrad_file(text):
    assert _load_text(text) == 'x.vgraph: not a visualgrad file (no "format": "visualgrad")'


def test_a_newer_version_is_refused():
    message = _load_changed(lambda d: d.update(version=7))
    assert message == "x.vgraph: written by a newer visualgrad (version 7; this one reads up to 2)"


def test_a_version_that_is_not_a_whole_number_is_refused():
    message = _load_changed(lambda d: d.update(version="1"))
    assert message == "x.vgraph: version must be a whole number, got '1'"


def test_an_older_version_without_a_migration_is_refused():
    message = _load_changed(lambda d: d.update(version=0))
    assert message == "x.vgraph: version 0 is too old: no migration to version 1"


def test_an_unknown_node_type_names_the_node():
    message = _load_changed(lambda d: _node(d, "hidden").update(type="Linearr"))
    assert message == "x.vgraph: node 'hidden': unknown node type 'Linearr'"


def test_an_edge_into_a_missing_input_port_names_the_edge_and_the_port():
    message = _load_changed(lambda d: _edge(d, "a.y", "c.a").update(to="c.q"))
    assert message == "x.vgraph: edge 'a.y -> c.q': Add 'c' has no input port 'q'"


def test_an_edge_from_a_missing_output_port_is_refused():
    message = _load_changed(lambda d: _edge(d, "a.y", "c.a").update({"from": "a.out"}))
    assert message == "x.vgraph: edge 'a.out -> c.a': Scalar 'a' has no output port 'out'"


def test_an_edge_to_a_missing_node_is_refused():
    message = _load_changed(lambda d: _edge(d, "a.y", "c.a").update(to="ghost.a"))
    assert message == "x.vgraph: edge 'a.y -> ghost.a': no node 'ghost'"


def test_an_edge_end_that_is_not_node_dot_port_is_refused():
    message = _load_changed(lambda d: d["edges"][1].update(to="c"))
    assert message == "x.vgraph: edges[1]: 'to' must be \"node.port\", got 'c'"


def test_an_edge_between_ports_of_different_kinds_is_refused():
    def change(document):
        document["nodes"].append(
            {"id": "ids", "type": "Embedding", "params": {}, "position": [0, 0]}
        )
        document["edges"].append({"from": "a.y", "to": "ids.ids"})

    message = _load_changed(change)
    assert message == (
        "x.vgraph: edge 'a.y -> ids.ids': cannot connect Scalar 'a'.y (tensor) to "
        "Embedding 'ids'.ids (index)"
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("training"), "x.vgraph: missing 'training'"),
        (lambda d: d.pop("nodes"), "x.vgraph: missing 'nodes'"),
        (lambda d: _node(d, "c").pop("position"), "x.vgraph: node 'c': missing 'position'"),
        (lambda d: _node(d, "c").pop("id"), "x.vgraph: nodes[3]: missing 'id'"),
        (lambda d: d["edges"][0].pop("from"), "x.vgraph: edges[0]: missing 'from'"),
        (lambda d: d["training"].pop("epochs"), "x.vgraph: training: missing 'epochs'"),
        (
            lambda d: _node(d, "hidden")["weights"]["bias"].pop("shape"),
            "x.vgraph: Linear 'hidden': weight 'bias': missing 'shape'",
        ),
    ],
    ids=["training", "nodes", "position", "id", "edge-end", "setting", "shape"],
)
def test_a_missing_field_is_named(change, expected):
    assert _load_changed(change) == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(colour="red"), "x.vgraph: unknown field 'colour'"),
        (lambda d: _node(d, "a").update(size=3), "x.vgraph: node 'a': unknown field 'size'"),
        (
            lambda d: d["training"].update(warmup=3),
            "x.vgraph: training: unknown field 'warmup'",
        ),
        (
            lambda d: _node(d, "a")["params"].update(colour=1),
            "x.vgraph: Scalar 'a': unknown parameter 'colour' for Scalar",
        ),
    ],
    ids=["top", "node", "training", "param"],
)
def test_an_unknown_field_is_named(change, expected):
    assert _load_changed(change) == expected


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: _node(d, "a")["params"].update(value="2.0"),
            "x.vgraph: Scalar 'a': parameter 'value': expected a number, got '2.0'",
        ),
        (
            lambda d: _node(d, "a").update(position=["0", 1.0]),
            "x.vgraph: node 'a': position must be [x, y], two numbers, got a list",
        ),
        (
            lambda d: d["training"].update(learning_rate="0.1"),
            "x.vgraph: training: learning_rate must be a number, got '0.1'",
        ),
        (
            lambda d: d["training"].update(optimizer=1),
            "x.vgraph: training: optimizer must be a string, got 1",
        ),
        (lambda d: d.update(nodes={}), "x.vgraph: nodes must be a list, got an object"),
        (lambda d: d["nodes"].append(3), "x.vgraph: nodes[13]: expected an object, got 3"),
        (lambda d: _node(d, "c").update(id=5), "x.vgraph: node id 5 must be a name: letters,"),
        (lambda d: _node(d, "c").update(type=None), "x.vgraph: node 'c': type must be a string,"),
        (
            lambda d: _node(d, "c").update(params=[]),
            "x.vgraph: node 'c': params must be an object, got a list",
        ),
        (
            lambda d: _node(d, "hidden")["weights"]["bias"].update(values=[1, "2", 3]),
            "x.vgraph: Linear 'hidden': weight 'bias': values must be numbers, found '2'",
        ),
        (
            lambda d: _node(d, "hidden")["weights"]["bias"].update(shape=[3.0]),
            "x.vgraph: Linear 'hidden': weight 'bias': shape must be a list of at most 32 sizes",
        ),
        (lambda d: d.update(description=3), "x.vgraph: description must be text, got 3"),
        (
            lambda d: _node(d, "total")["params"].update(keepdim=1),
            "x.vgraph: Sum 'total': parameter 'keepdim': expected true or false, got 1",
        ),
    ],
    ids=[
        "param",
        "position",
        "setting",
        "choice",
        "nodes",
        "node",
        "id",
        "type",
        "params",
        "weights",
        "shape",
        "description",
        "bool",
    ],
)
def test_a_value_of_the_wrong_type_is_refused(change, expected):
    assert _load_changed(change).startswith(expected)


def test_too_many_nodes_are_refused_before_any_is_built():
    def change(document):
        node = {"id": "n", "type": "Scalar", "params": {}, "position": [0, 0]}
        document["nodes"] = [node] * 10_001

    assert _load_changed(change) == "x.vgraph: 10,001 nodes is more than the limit of 10,000"


def test_weights_that_do_not_fill_their_shape_are_refused():
    message = _load_changed(lambda d: _node(d, "hidden")["weights"]["bias"].update(values=[1, 2]))
    assert message == "x.vgraph: Linear 'hidden': weight 'bias': shape (3,) needs 3 values, got 2"


def test_a_shape_of_more_than_a_hundred_million_elements_is_refused():
    def change(document):
        _node(document, "hidden")["weights"]["weight"].update(shape=[10_000, 10_001], values=[])

    assert _load_changed(change) == (
        "x.vgraph: Linear 'hidden': weight 'weight': shape (10000, 10001) is larger than "
        "the limit of 100,000,000 elements"
    )


def test_weights_on_a_node_without_learned_tensors_are_refused():
    def change(document):
        _node(document, "c")["weights"] = {"value": {"shape": [], "values": [1.0]}}

    assert _load_changed(change) == (
        "x.vgraph: Add 'c': a Add has no learned tensors, but the file gives weights"
    )


def test_a_file_over_200_megabytes_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.vgraph"
    with open(path, "wb") as file:
        file.truncate(ff.MAX_FILE_BYTES + 1)  # sparse: no disk space is used
    with pytest.raises(FileFormatError) as caught:
        ff.load(path)
    assert str(caught.value) == (
        f"{path}: the file is 200,000,001 bytes, more than the limit of 200,000,000"
    )


def test_text_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(ff, "MAX_FILE_BYTES", 100)
    assert "more than the limit of 100" in _load_text(sample_text())
    assert "more than the limit of 100" in _load_text(sample_text().encode("utf-8"))


def test_a_duplicate_id_is_refused():
    message = _load_changed(lambda d: _node(d, "c").update(id="b"))
    assert message == "x.vgraph: node 'b': the id is used by an earlier node too"


def test_a_cycle_is_refused_at_the_edge_that_closes_it():
    message = _load_changed(lambda d: _edge(d, "one.y", "d.b").update({"from": "e.y"}))
    assert message == "x.vgraph: edge 'd.y -> e.b': connecting d.y -> e.b would make a cycle"


def test_the_edge_named_is_the_first_bad_one_in_the_files_order():
    """As if the edges were connected one by one in the order the file lists them."""
    rng = np.random.default_rng(5)
    bad = [
        {"from": "e.y", "to": "a.y"},
        {"from": "one.y", "to": "c.a"},
        {"from": "e.y", "to": "k.x"},
    ]
    bad += [{"from": "sum.y", "to": "total.x"}, {"from": "loss.y", "to": "e.a"}]
    for _ in range(40):
        document = sample_document()
        if rng.random() < 0.5:  # then d -> e or e -> d closes a cycle, whichever comes second
            _edge(document, "one.y", "d.b").update({"from": "e.y"})
        edges = document["edges"] + [bad[i] for i in rng.choice(len(bad), rng.integers(2))]
        document["edges"] = [edges[i] for i in rng.permutation(len(edges))]
        graph = sample_graph()
        for edge in list(graph.edges):
            graph.disconnect(edge)
        for edge in document["edges"]:
            try:
                graph.connect(*edge["from"].split("."), *edge["to"].split("."))
            except GraphError as error:
                expected = f"x.vgraph: edge '{edge['from']} -> {edge['to']}': {error}"
                break
        else:
            expected = None
        if expected is None:
            ff.from_json(json.dumps(document))
        else:
            assert _load_text(json.dumps(document)) == expected


def test_a_second_edge_into_one_input_is_refused():
    message = _load_changed(lambda d: d["edges"].append({"from": "one.y", "to": "c.a"}))
    assert message == "x.vgraph: edge 'one.y -> c.a': Add 'c': input 'a' is already connected"


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ({"optimizer": "rmsprop"}, "training: optimizer must be sgd or adam, got 'rmsprop'"),
        ({"dataset": "mnist"}, "training: unknown dataset 'mnist'"),
        ({"batch_size": 0}, "training: batch_size must be between 1 and 100000, got 0"),
        ({"epochs": 2.5}, "training: epochs must be a whole number, got 2.5"),
        ({"val_fraction": True}, "training: val_fraction must be a number, got true"),
    ],
)
def test_bad_training_settings_are_refused(setting, expected):
    assert _load_changed(lambda d: d["training"].update(setting)) == f"x.vgraph: {expected}"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "-2.5e-08",
            "NaN",
            "Parameter 'w': weight 'value': holds NaN or infinity; weights must be finite",
        ),
        (
            "-2.5e-08",
            "1e400",
            "Parameter 'w': weight 'value': holds NaN or infinity; weights must be finite",
        ),
        (
            '"value": -1.5',
            '"value": -Infinity',
            "Scalar 'b': parameter 'value': expected a finite number, got -inf",
        ),
        (
            '"value": -1.5',
            '"value": ' + "9" * 500,
            "Scalar 'b': parameter 'value': expected a finite number, got inf",
        ),
        ("[120.0, 40.0]", "[NaN, 40.0]", "node 'c': position must be [x, y], two numbers"),
    ],
    ids=["nan-weight", "overflowing-weight", "infinite-param", "huge-integer", "nan-position"],
)
def test_non_finite_numbers_are_refused(old, new, expected):
    text = sample_text()
    assert old in text
    assert _load_text(text.replace(old, new, 1)).startswith(f"x.vgraph: {expected}")


def test_a_key_given_twice_is_refused():
    text = sample_text().replace('"id": "c",', '"id": "c", "id": "z",', 1)
    assert _load_text(text) == "x.vgraph: damaged JSON: the key 'id' appears twice in one object"


def test_bytes_that_are_not_utf8_are_refused():
    data = sample_text().encode("utf-8").replace(b"caf\xc3\xa9", b"caf\xe9")
    assert _load_text(data).startswith("x.vgraph: not UTF-8 text (byte 0xe9 at offset ")


def test_lists_nested_too_deeply_are_refused():
    text = '{"format": "visualgrad", "version": 1, "nodes": ' + "[" * 100_000
    assert _load_text(text) == "x.vgraph: damaged JSON: lists or objects nested too deeply"


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    path = tmp_path / "missing.vgraph"
    with pytest.raises(FileFormatError) as caught:
        ff.load(path)
    assert str(caught.value) == f"{path}: cannot read the file: No such file or directory"


def test_a_long_message_is_kept_to_one_short_line():
    message = _load_changed(lambda d: _node(d, "hidden").update(type="L" * 10_000))
    assert len(message) <= ff.MAX_MESSAGE and message.endswith("...")


# ---- migration ----------------------------------------------------------------------------------
def test_an_older_version_is_migrated_on_load(monkeypatch):
    """A made-up version 0 that called edges "links", each a [from, to] pair."""

    def from_version_0(document):
        document["edges"] = [{"from": s, "to": t} for s, t in document.pop("links")]
        return document

    monkeypatch.setitem(ff.MIGRATIONS, 0, from_version_0)
    document = sample_document()
    document["version"] = 0
    document["links"] = [[e["from"], e["to"]] for e in document.pop("edges")]
    graph, description = ff.from_json_with_description(json.dumps(document), "old.vgraph")
    assert_same_graph(graph, sample_graph())
    assert description == DESCRIPTION
    assert ff.to_json(graph, description) == sample_text()  # saved again as the current version


def test_migrations_run_in_order_up_to_the_current_version(monkeypatch):
    ran = []

    def step(version):
        def migrate(document):
            ran.append((version, document["version"]))
            return document

        return migrate

    text = sample_text()  # version 2
    monkeypatch.setattr(ff, "VERSION", 4)
    monkeypatch.setattr(ff, "MIGRATIONS", {3: step(3), 2: step(2)})
    assert_same_graph(ff.from_json(text), sample_graph())
    assert ran == [(2, 2), (3, 3)]


def test_a_version_1_file_loads_as_float64_and_saves_as_version_2():
    document = sample_document()
    document["version"] = 1
    del document["training"]["dtype"]
    graph = ff.from_json(json.dumps(document), "old.vgraph")
    assert graph.training.dtype == "float64"
    assert_same_graph(graph, sample_graph())
    assert ff.to_json(graph, DESCRIPTION) == sample_text()


def test_an_unknown_dtype_is_refused():
    message = _load_changed(lambda d: d["training"].update(dtype="float16"))
    assert message == "x.vgraph: training: dtype must be float64 or float32, got 'float16'"


def test_a_migration_that_fails_on_a_damaged_file_names_the_version(monkeypatch):
    monkeypatch.setitem(ff.MIGRATIONS, 0, lambda document: document["links"])
    message = _load_changed(lambda d: d.update(version=0))
    assert message == "x.vgraph: cannot migrate from version 0: KeyError: 'links'"


# ---- fuzz: a damaged file loads or is refused, nothing else ---------------------------------
ODD_VALUES = [None, True, 0, -1, 2.5, 10**30, 1e308, float("nan"), "", "x", "a.y", "Linear"]
ODD_VALUES += [[], {}, [1, 2], {"a": 1}, "\ud800", 2**31, -0.0]


def _random_path(document, rng) -> list:
    """Keys from the top to some value inside ``document``."""
    path, value = [], document
    while isinstance(value, (dict, list)) and value and (not path or rng.random() < 0.75):
        keys = list(value) if isinstance(value, dict) else list(range(len(value)))
        key = keys[rng.integers(len(keys))]
        path.append(key)
        value = value[key]
    return path


def _damaged(text: str, rng) -> str | bytes:
    data, lines = text.encode("utf-8"), text.split("\n")
    how = rng.integers(8)
    if how == 0:  # flip bytes
        flipped = bytearray(data)
        for position in rng.integers(len(data), size=rng.integers(1, 5)):
            flipped[position] = rng.integers(256)
        return bytes(flipped)
    if how == 1:  # cut short
        return data[: rng.integers(len(data))]
    if how == 2:  # insert JSON-ish characters
        position = rng.integers(len(text))
        inserted = "".join(rng.choice(list('{}[]",:-.0123456789eEtrufalsn \\'), rng.integers(1, 4)))
        return text[:position] + inserted + text[position:]
    if how in (3, 4, 5):  # delete, repeat or swap lines: lost, duplicated and moved keys
        i, j = rng.integers(len(lines), size=2)
        if how == 3:
            del lines[i]
        elif how == 4:
            lines.insert(i, lines[i])
        else:
            lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    document = json.loads(text)
    path = _random_path(document, rng)
    if not path:
        return "null"
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if how == 6:  # delete a key or an item
        del parent[path[-1]]
    else:  # put a value of another type in its place
        parent[path[-1]] = copy.deepcopy(ODD_VALUES[rng.integers(len(ODD_VALUES))])
    return json.dumps(document, indent=int(rng.integers(3)))


def test_damaged_files_load_or_raise_file_format_error_and_write_nothing(tmp_path, monkeypatch):
    text = sample_text()
    ff.from_json(text)  # every import done before writing is forbidden
    monkeypatch.chdir(tmp_path)

    def no_writing(*args, **kwargs):
        raise AssertionError(f"loading tried to touch the disk: {args}")

    for module, name in [(builtins, "open"), (os, "open"), (os, "replace"), (os, "rename")]:
        monkeypatch.setattr(module, name, no_writing)
    rng = np.random.default_rng(1234)
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(2_000):
        damaged = _damaged(text, rng)
        try:
            graph, description = ff.from_json_with_description(damaged, "fuzz.vgraph")
        except FileFormatError as error:
            message = str(error)
            assert message.startswith("fuzz.vgraph: ") and "\n" not in message, message
            outcomes["refused"] += 1
            continue
        outcomes["loaded"] += 1
        again = ff.to_json(graph, description)  # what loads can be saved, and reads back the same
        assert ff.to_json(*ff.from_json_with_description(again)) == again
    monkeypatch.undo()
    assert outcomes["loaded"] > 50 and outcomes["refused"] > 1_000, outcomes
    assert os.listdir(tmp_path) == []
