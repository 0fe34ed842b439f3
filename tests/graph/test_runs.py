"""Runs to compare: recorded per epoch, thinned to a bounded size, saved with the project."""

from __future__ import annotations

import json
import math

import pytest

from visualgrad.cli import main
from visualgrad.graph import fileformat as ff
from visualgrad.graph import runs
from visualgrad.graph.graph import Graph, GraphError, TrainingSettings
from visualgrad.graph.samples import find


def a_run(epochs: int, label: str = "a") -> runs.Run:
    settings = TrainingSettings(optimizer="adam", learning_rate=0.01, epochs=epochs)
    losses = [1.0 / (e + 1) for e in range(epochs)]
    accuracy = [e / epochs for e in range(epochs)]
    return runs.make_run(label, settings, losses, accuracy, None)


def test_a_run_records_its_settings_and_curves():
    run = a_run(4)
    assert run.describe() == "adam lr 0.01, batch 32, 4 epochs, seed 0"
    assert run.epochs == (1, 2, 3, 4) and run.loss == (1.0, 0.5, 1 / 3, 0.25)
    assert run.accuracy == (0.0, 0.25, 0.5, 0.75)
    assert all(math.isnan(v) for v in run.val_accuracy)
    assert run.settings["dataset"] == "xor" and run.settings["dtype"] == "float64"


def test_a_long_run_is_thinned_to_the_bound_keeping_the_first_and_last_epochs():
    run = a_run(5000).thinned()
    assert len(run.epochs) == runs.MAX_POINTS == len(run.loss) == len(run.accuracy)
    assert run.epochs[0] == 1 and run.epochs[-1] == 5000
    assert run.loss[-1] == 1 / 5000
    assert list(run.epochs) == sorted(set(run.epochs))
    saved = json.dumps(runs.to_data(a_run(100_000)))
    assert len(saved) < 20_000  # a few kilobytes, whatever the length of the run


def test_pinned_runs_round_trip_through_the_project_file():
    graph = Graph()
    graph.set_runs([a_run(3, "first"), a_run(300, "second")])
    text = ff.to_json(graph)
    loaded = ff.from_json(text)
    assert [r.label for r in loaded.runs] == ["first", "second"]
    assert loaded.runs[0].loss == a_run(3).loss
    expected = a_run(300, "second").thinned()
    for name in ("label", "settings", "epochs", "loss", "accuracy"):
        assert getattr(loaded.runs[1], name) == getattr(expected, name)
    assert len(loaded.runs[1].epochs) == runs.MAX_POINTS
    assert ff.to_json(loaded) == text


def test_a_project_keeps_at_most_ten_runs():
    with pytest.raises(GraphError, match="at most 10 runs, got 11"):
        Graph().set_runs([a_run(2)] * 11)
    kept = runs.kept([a_run(2, str(i)) for i in range(10)], a_run(2, "new"), 10)
    assert [r.label for r in kept] == [str(i) for i in range(1, 10)] + ["new"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(loss=[1.0]), "runs[0]: loss must hold one value per epoch"),
        (lambda r: r.update(epochs=[0, 1]), "runs[0]: epochs must be whole numbers from 1"),
        (lambda r: r["settings"].pop("seed"), "runs[0]: settings must name optimizer"),
        (lambda r: r.update(accuracy=["x", 1]), "runs[0]: accuracy must hold numbers or null"),
        (lambda r: r.pop("label"), "runs[0] must be an object with"),
        (
            lambda r: r["settings"].update(learning_rate="fast"),
            "runs[0]: setting learning_rate must be a finite number",
        ),
        (
            lambda r: r["settings"].update(optimizer="rmsprop"),
            "runs[0]: setting optimizer must be one of sgd, adam",
        ),
        (
            lambda r: r["settings"].update(dtype=16),
            "runs[0]: setting dtype must be one of float64, float32",
        ),
        (lambda r: r["settings"].update(dataset=3), "runs[0]: setting dataset must be text"),
        (
            lambda r: r["settings"].update(epochs=2.5),
            "runs[0]: setting epochs must be a whole number",
        ),
        (
            lambda r: r["settings"].update(batch_size="32"),
            "runs[0]: setting batch_size must be a finite number",
        ),
    ],
)
def test_a_damaged_run_is_refused_in_one_line(change, message):
    graph = Graph()
    graph.set_runs([a_run(2)])
    document = json.loads(ff.to_json(graph))
    change(document["runs"][0])
    with pytest.raises(ff.FileFormatError) as error:
        ff.from_json(json.dumps(document), "x.vgraph")
    assert str(error.value).startswith(f"x.vgraph: {message}")


def test_train_save_adds_its_run_to_the_saved_project(tmp_path, capsys):
    out = tmp_path / "xor.vgraph"
    args = ["train", str(find("xor")), "--epochs", "3", "--quiet", "--json"]
    assert main([*args, "--save", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert main(["train", str(out), "--epochs", "2", "--quiet", "--save", str(out)]) == 0
    saved = ff.load(out).runs
    assert len(saved) == 2 and saved[0].label.startswith("command line, ")
    assert list(saved[0].loss) == pytest.approx(summary["loss"])
    assert saved[0].accuracy[-1] == pytest.approx(summary["accuracy"])
    assert saved[0].val_accuracy[-1] == pytest.approx(summary["val_accuracy"])
    assert len(saved[1].epochs) == 2
