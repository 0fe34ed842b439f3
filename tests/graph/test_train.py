"""The headless trainer: it learns, reports, pauses and stops, keeps memory flat, names NaNs."""

from __future__ import annotations

import gc
import threading
import tracemalloc

import pytest

from visualgrad.graph.execute import NodeError
from visualgrad.graph.graph import Graph
from visualgrad.graph.train import Trainer

from .builders import mlp


def test_trains_xor_and_reports_every_step_and_epoch():
    graph = mlp()
    seen = []
    result = Trainer(
        graph, callback=lambda p: seen.append((p.step, p.epoch, len(p.epoch_losses)))
    ).run()
    assert result.epochs == 60 and len(result.loss) == 60
    assert result.loss[-1] < result.loss[0] / 2
    assert result.accuracy >= 0.9 and result.val_accuracy >= 0.9
    assert seen[-1] == (60 * 5, 60, 60)  # 160 training points in batches of 32: 5 steps an epoch
    assert graph.nodes["hidden"].weights["weight"].shape == (10, 2)  # learned values kept


def test_same_seed_gives_the_same_numbers():
    first = Trainer(mlp()).run(epochs=3).loss
    assert Trainer(mlp()).run(epochs=3).loss == first


def test_a_huge_learning_rate_stops_with_the_node_named():
    graph = Graph()
    graph.add_node("Input", "x")
    graph.add_node("Target", "t")
    graph.add_node("Linear", "fit", {"in_features": 1, "out_features": 1})
    graph.add_node("MSELoss", "mse")
    graph.add_node("Loss", "loss")
    graph.connect("x", "x", "fit", "x")
    graph.connect("fit", "y", "mse", "input")
    graph.connect("t", "y", "mse", "target")
    graph.connect("mse", "loss", "loss", "loss")
    graph.set_training(
        dataset="sin_regression",
        dataset_size=100,
        optimizer="sgd",
        learning_rate=500.0,
        batch_size=10,
        epochs=20,
    )
    expected = r"epoch 6, step 45: MSELoss 'mse' produced Inf"
    with pytest.raises(NodeError, match=expected) as error:
        Trainer(graph).run()
    assert error.value.node_id == "mse"  # the squares overflow before the line's outputs do


def test_a_parameter_that_overflows_stops_training_with_the_node_and_step_named():
    graph = Graph()  # loss = exp(w) from w = 709: a finite loss of 8.2e307, and its gradient
    graph.add_node("Parameter", "w", {"shape": [1], "init": "value", "scale": 709.0})
    graph.add_node("Exp", "e")
    graph.add_node("Sum", "s")
    graph.add_node("Loss", "loss")
    graph.connect("w", "y", "e", "x")
    graph.connect("e", "y", "s", "x")
    graph.connect("s", "y", "loss", "loss")
    graph.set_training(optimizer="sgd", learning_rate=10.0, epochs=3)  # 10 * 8.2e307 > 1.8e308
    expected = r"^training stopped at epoch 1, step 1: Parameter 'w' value became -Inf \("
    with pytest.raises(NodeError, match=expected) as error:
        Trainer(graph).run()
    assert error.value.node_id == "w"
    assert graph.nodes["w"].weights is None  # nothing learned is kept for a Save


def test_pause_resume_and_stop_from_another_thread():
    graph = mlp()
    graph.set_training(epochs=10_000)
    steps = []
    paused = threading.Event()

    def report(progress):
        steps.append(progress.step)
        if progress.step == 20:
            trainer.pause()
            paused.set()

    trainer = Trainer(graph, callback=report)
    worker = threading.Thread(target=lambda: results.append(trainer.run()))
    results = []
    worker.start()
    assert paused.wait(30)
    count = len(steps)
    worker.join(0.3)
    assert len(steps) == count  # paused: no step while waiting
    trainer.resume()
    trainer.stop()
    worker.join(30)
    assert not worker.is_alive()
    assert results[0].stopped and results[0].epochs < 10_000


def test_a_pause_from_the_callback_holds_the_epoch_report_until_resume():
    graph = mlp()  # 5 steps an epoch: step 20 ends epoch 4, which is then reported again
    graph.set_training(epochs=10_000)
    steps = []
    paused = threading.Event()

    def report(progress):
        steps.append((progress.step, len(progress.epoch_losses)))
        if progress.step == 20 and not paused.is_set():
            trainer.pause()
            paused.set()

    trainer = Trainer(graph, callback=report)
    worker = threading.Thread(target=trainer.run, daemon=True)
    worker.start()
    assert paused.wait(30)
    worker.join(0.3)
    assert steps[-1] == (20, 3) and len(steps) == 20 + 3  # nothing after the pausing step
    trainer.resume()
    trainer.stop()
    worker.join(30)
    assert steps[23] == (20, 4)  # epoch 4's report, held while paused


def test_once_pause_returns_no_step_is_reported_until_resume():
    graph = mlp()
    graph.set_training(epochs=10_000)
    steps = []
    going = threading.Event()

    def report(progress):
        steps.append(progress.step)
        if progress.step >= 7:
            going.set()

    trainer = Trainer(graph, callback=report)
    worker = threading.Thread(target=trainer.run, daemon=True)
    worker.start()
    assert going.wait(30)
    trainer.pause()
    count = len(steps)
    worker.join(0.3)
    assert len(steps) == count  # the step under way when pause() was called is held too
    trainer.resume()
    trainer.stop()
    worker.join(30)
    assert not worker.is_alive() and len(steps) <= count + 2


def test_memory_stays_flat_over_2000_steps():
    graph = mlp(hidden=4)
    graph.set_training(
        dataset_size=100, batch_size=8, epochs=250, val_fraction=0.2
    )  # 10 steps/epoch
    snapshots = {}

    def report(progress):  # from step 500, once caches have filled, to step 2500
        if progress.step in (500, 2500) and progress.step not in snapshots:
            gc.collect()  # a full collection also empties the interpreter's free lists
            snapshots[progress.step] = tracemalloc.take_snapshot()

    tracemalloc.start()
    try:
        Trainer(graph, callback=report).run()
    finally:
        tracemalloc.stop()
    ours = [tracemalloc.Filter(False, tracemalloc.__file__)]
    before, after = (snapshots[s].filter_traces(ours) for s in (500, 2500))
    growth = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert growth < 64 * 1024, f"{growth} bytes more after 2000 steps"
