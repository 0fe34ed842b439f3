"""A user's own data: CSV and numpy files checked cell by cell, kept in the project, trained on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from visualgrad.graph import fileformat as ff
from visualgrad.graph import imported_data as imp
from visualgrad.graph.data import dataset_for, pass_batch
from visualgrad.graph.graph import Graph, GraphError
from visualgrad.graph.imported_data import DataError
from visualgrad.graph.train import Trainer

CSV = "a,b,label\n0.5,1.0,0\n-1,2e-1,1\n3,4,2\n\n7,8,1\n"


def write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_gives_the_picked_columns_as_inputs_and_target(tmp_path):
    path = write(tmp_path, CSV)
    assert imp.csv_columns(path) == ["a", "b", "label"]
    data = imp.from_csv(path, ["b", "a"], "label", "class")
    np.testing.assert_array_equal(data.x, [[1.0, 0.5], [0.2, -1.0], [4.0, 3.0], [8.0, 7.0]])
    np.testing.assert_array_equal(data.y, [0, 1, 2, 1])
    assert (data.name, data.columns, data.task, data.num_classes) == (
        "points",
        ("b", "a"),
        "multiclass",
        3,
    )
    assert data.describe() == "points: 4 rows, 2 inputs, target 3 classes"


def test_the_first_bad_cell_is_named_by_its_row_and_column(tmp_path):
    path = write(tmp_path, "a,b,y\n1,2,0\n3,x7,1\n4,oops,1\n")
    with pytest.raises(DataError) as error:
        imp.from_csv(path, ["a", "b"], "y", "value")
    assert str(error.value) == f"{path}: row 3, column 'b': 'x7' is not a number"


@pytest.mark.parametrize("cell", ["", "NA", " nan "])
def test_a_missing_value_is_refused_with_its_row(tmp_path, cell):
    path = write(tmp_path, f"a,y\n1,0\n2,1\n{cell},1\n")
    with pytest.raises(DataError, match=r"row 4, column 'a': a value is missing$"):
        imp.from_csv(path, ["a"], "y", "class")


def test_a_class_must_be_a_whole_number(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,1.5\n")
    with pytest.raises(DataError, match=r"row 3, column 'y': a class must be a whole number"):
        imp.from_csv(path, ["a"], "y", "class")


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(imp, "MAX_FILE_BYTES", 10)
    path = write(tmp_path, CSV)
    with pytest.raises(DataError, match=r"the file is 0.0 MB; the limit is 0 MB"):
        imp.from_csv(path, ["a"], "label", "class")


def test_too_many_values_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(imp, "MAX_VALUES", 5)
    with pytest.raises(DataError, match=r"4 rows of 2 columns is more than 5 values"):
        imp.from_csv(write(tmp_path, CSV), ["a"], "label", "class")


@pytest.mark.parametrize(
    ("inputs", "target", "message"),
    [
        (["a", "c"], "label", "no column 'c'; the columns are a, b, label"),
        ([], "label", "pick at least one input column"),
        (["a", "label"], "label", "'label' cannot be both an input and the target"),
    ],
)
def test_a_wrong_choice_of_columns_is_refused(tmp_path, inputs, target, message):
    path = write(tmp_path, CSV)
    with pytest.raises(DataError) as error:
        imp.from_csv(path, inputs, target, "class")
    assert str(error.value) == f"{path}: {message}"


def test_an_npz_with_x_and_y_and_an_npy_with_the_target_last(tmp_path):
    x, y = np.arange(6.0).reshape(3, 2), np.array([[1.5], [2.5], [-1.0]])
    np.savez(tmp_path / "d.npz", x=x, y=y)
    data = imp.from_numpy_file(tmp_path / "d.npz", "value")
    np.testing.assert_array_equal(data.x, x)
    np.testing.assert_array_equal(data.y, y.ravel())
    assert data.task == "regression" and data.columns == ("x1", "x2")
    np.save(tmp_path / "d.npy", np.hstack([x, [[0], [1], [1]]]))
    data = imp.from_numpy_file(tmp_path / "d.npy", "class")
    assert data.task == "binary" and data.y.tolist() == [0, 1, 1]


def test_a_numpy_file_without_y_or_with_nan_is_refused(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.ones((2, 2)))
    with pytest.raises(DataError, match=r"no array 'y'; a .npz holds x and y"):
        imp.from_numpy_file(tmp_path / "d.npz", "value")
    np.savez(tmp_path / "e.npz", x=np.array([[1.0], [np.nan]]), y=np.zeros(2))
    with pytest.raises(DataError, match=r"x row 2: a value is missing or not finite"):
        imp.from_numpy_file(tmp_path / "e.npz", "value")
    (tmp_path / "f.npz").write_bytes(b"not a zip")
    with pytest.raises(DataError, match=r"cannot be read"):
        imp.from_numpy_file(tmp_path / "f.npz", "value")


def graph_on(data: imp.ImportedData) -> Graph:
    g = Graph()
    g.add_node("Input", "x")
    g.add_node("Linear", "hidden", {"in_features": 2, "out_features": 3})
    g.add_node("Target", "y")
    g.add_node("CrossEntropyLoss", "ce")
    g.add_node("Loss", "loss")
    g.connect("x", "x", "hidden", "x")
    g.connect("hidden", "y", "ce", "input")
    g.connect("y", "y", "ce", "target")
    g.connect("ce", "loss", "loss", "loss")
    g.set_data(data)
    g.set_training(dataset="imported", batch_size=4, epochs=3, val_fraction=0.25)
    return g


def test_the_data_round_trips_exactly_through_the_project_file(tmp_path):
    data = imp.from_csv(write(tmp_path, CSV), ["a", "b"], "label", "class")
    graph = graph_on(data.with_point((0.1 + 0.2, -1e-300), 2))
    text = ff.to_json(graph)
    loaded = ff.from_json(text)
    np.testing.assert_array_equal(loaded.data.x, graph.data.x)
    np.testing.assert_array_equal(loaded.data.y, graph.data.y)
    assert loaded.data.columns == ("a", "b") and loaded.training.dataset == "imported"
    assert ff.to_json(loaded) == text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["data"].update(x="!!"), "data: x is not valid base64"),
        (lambda d: d["data"].update(rows=3), "data: x holds 10 numbers, expected 6"),
        (lambda d: d["data"].pop("kind"), "data: unexpected or missing key 'kind'"),
        (lambda d: d["data"].update(kind="colour"), "the target kind must be class or value"),
        (lambda d: d.pop("data"), "training: the dataset 'imported' needs data"),
    ],
)
def test_damaged_data_in_a_file_is_refused_in_one_line(tmp_path, change, message):
    data = imp.from_csv(write(tmp_path, CSV), ["a", "b"], "label", "class")
    document = json.loads(ff.to_json(graph_on(data.with_point((1.0, 1.0), 0))))
    change(document)
    with pytest.raises(ff.FileFormatError) as error:
        ff.from_json(json.dumps(document), "x.vgraph")
    assert str(error.value).startswith(f"x.vgraph: {message}")
    assert "\n" not in str(error.value)


def test_training_on_imported_data_uses_every_row_split_by_the_seed(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 2))
    y = (x[:, 0] > 0).astype(np.float64) + (x[:, 1] > 0)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    graph = graph_on(imp.from_numpy_file(tmp_path / "d.npz", "class"))
    split = dataset_for(graph.training, graph.data)
    assert (len(split.x), len(split.x_val)) == (30, 10)
    assert sorted(map(tuple, np.vstack([split.x, split.x_val]))) == sorted(map(tuple, x))
    assert pass_batch(graph)["x"].shape == (4, 2)
    result = Trainer(graph).run()
    assert len(result.loss) == 3 and result.loss[-1] < result.loss[0]
    assert result.val_accuracy is not None


def test_data_in_use_cannot_be_removed_and_a_drawn_point_can_be_taken_away(tmp_path):
    data = imp.from_csv(write(tmp_path, CSV), ["a", "b"], "label", "class")
    graph = graph_on(data)
    with pytest.raises(GraphError, match="choose another dataset first"):
        graph.set_data(None)
    more = data.with_point((9.0, 9.0), 0)
    assert len(more.x) == 5 and more.without(4).x.tolist() == data.x.tolist()
    graph.set_training(dataset="xor")
    assert graph.set_data(None) is data and graph.data is None


@pytest.mark.skipif(__import__("importlib").util.find_spec("torch") is None, reason="needs torch")
def test_the_exported_script_trains_on_the_imported_rows(tmp_path):
    import subprocess
    import sys

    from visualgrad.cli import main
    from visualgrad.graph.execute import Program

    rng = np.random.default_rng(1)
    np.savez(tmp_path / "d.npz", x=rng.normal(size=(12, 2)), y=rng.integers(0, 3, 12))
    graph = graph_on(imp.from_numpy_file(tmp_path / "d.npz", "class"))
    ff.save(graph, tmp_path / "mine.vgraph")
    out = tmp_path / "mine.py"
    assert main(["export", str(tmp_path / "mine.vgraph"), "--to", "torch", "-o", str(out)]) == 0
    result = subprocess.run(
        [sys.executable, str(out), "--check"], capture_output=True, text=True, timeout=60
    )
    expected = Program(graph).trace(pass_batch(graph)).loss
    assert json.loads(result.stdout.strip().splitlines()[-1])["loss"] == pytest.approx(expected)


def test_a_compressed_npz_too_big_to_unpack_is_refused_from_its_headers(tmp_path):
    np.savez_compressed(tmp_path / "zeros.npz", x=np.zeros((1_500_000, 2)), y=np.zeros(1_500_000))
    assert (tmp_path / "zeros.npz").stat().st_size < 200_000
    with pytest.raises(DataError, match=r"the arrays hold 4500000 values; the limit is 2000000"):
        imp.from_numpy_file(tmp_path / "zeros.npz", "value")
