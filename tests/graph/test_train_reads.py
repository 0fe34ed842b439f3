"""Reading the loss back every few steps: the same numbers, the same NaN messages, no copies."""

from __future__ import annotations

import math

import numpy as np
import pytest

from visualgrad import engine as vg
from visualgrad.engine.backends.cuda import CudaBackend
from visualgrad.graph import train
from visualgrad.graph.execute import NodeError
from visualgrad.graph.graph import Graph
from visualgrad.graph.train import Trainer

from .builders import mlp


def line_fit(learning_rate: float, epochs: int, size: int = 100) -> Graph:
    """A 1-1 Linear fitted to sin(x) by MSE with SGD in batches of 10."""
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
        dataset_size=size,
        optimizer="sgd",
        learning_rate=learning_rate,
        batch_size=10,
        epochs=epochs,
    )
    return graph


def overflowing_parameter() -> Graph:
    """loss = sum(exp(w)) from w = 709: finite, until one SGD step sends w to -Inf."""
    graph = Graph()
    graph.add_node("Parameter", "w", {"shape": [1], "init": "value", "scale": 709.0})
    graph.add_node("Exp", "e")
    graph.add_node("Sum", "s")
    graph.add_node("Loss", "loss")
    graph.connect("w", "y", "e", "x")
    graph.connect("e", "y", "s", "x")
    graph.connect("s", "y", "loss", "loss")
    graph.set_training(optimizer="sgd", learning_rate=10.0, epochs=2, batch_size=64)
    return graph


@pytest.fixture
def by_count(monkeypatch):
    """Reads come every ``read_every`` steps only, never after some time has passed."""
    monkeypatch.setattr(train, "READ_SECONDS", math.inf)


def step_losses(trainer: Trainer) -> tuple[list[float], list[int], object]:
    """Every step's loss as reported, the step of each report, and the result."""
    losses, steps = [], []

    def report(progress):
        if len(progress.epoch_losses) < progress.epoch:  # a step report, not an epoch's
            losses.extend(progress.losses)
            steps.append(progress.step)

    trainer.callback = report
    result = trainer.run()
    return losses, steps, result


def test_host_backends_read_every_step_and_a_device_every_few(backend):
    trainer = Trainer(mlp(hidden=2), backend)
    assert trainer.read_every == (train.READ_EVERY if backend == "cuda" else 1)


def test_reading_every_four_steps_reports_each_steps_loss_as_reading_every_step(by_count):
    def xor(read_every: int) -> Trainer:
        graph = mlp(hidden=4)
        graph.set_training(epochs=3)  # 5 steps an epoch
        return Trainer(graph, "fast", read_every=read_every)

    every, every_steps, result = step_losses(xor(1))
    fours, four_steps, deferred = step_losses(xor(4))
    assert len(every) == 15 and every_steps == list(range(1, 16))
    assert four_steps == [4, 5, 9, 10, 14, 15]  # every 4 steps and at the end of each epoch
    assert fours == every
    assert deferred.loss == result.loss and len(result.loss) == 3
    assert deferred.accuracy == result.accuracy is not None


@pytest.mark.parametrize("read_every", [3, 8, 64])
def test_a_huge_learning_rate_is_named_at_its_step_when_read_later(read_every, by_count):
    expected = r"epoch 6, step 45: MSELoss 'mse' produced Inf"
    with pytest.raises(NodeError, match=expected) as error:
        Trainer(line_fit(500.0, 20), "fast", read_every=read_every).run()
    assert error.value.node_id == "mse"


def test_a_weight_that_overflows_is_named_at_its_step_when_read_later(by_count):
    graph = overflowing_parameter()
    expected = r"^training stopped at epoch 1, step 1: Parameter 'w' value became -Inf \("
    with pytest.raises(NodeError, match=expected):
        Trainer(graph, "fast", read_every=16).run()
    assert graph.nodes["w"].weights is None


def test_on_cuda_a_weight_that_overflows_names_the_node_and_step(by_count):
    expected = r"^training stopped at epoch 1, step 1: Parameter 'w' value became -Inf \("
    with pytest.raises(NodeError, match=expected) as error:
        Trainer(overflowing_parameter(), "cuda").run()
    assert error.value.node_id == "w"


def test_on_cuda_a_huge_learning_rate_names_the_node_and_step(by_count):
    expected = r"epoch 6, step 45: MSELoss 'mse' produced Inf"
    with pytest.raises(NodeError, match=expected) as error:
        Trainer(line_fit(500.0, 20), "cuda", read_every=8).run()
    assert error.value.node_id == "mse"


def test_on_cuda_nothing_is_copied_back_between_reads(monkeypatch, by_count):
    copies, reads = [], []
    to_numpy, read_scalars = CudaBackend.to_numpy, CudaBackend.read_scalars
    monkeypatch.setattr(
        CudaBackend, "to_numpy", lambda self, d: copies.append(d.shape) or to_numpy(self, d)
    )
    monkeypatch.setattr(
        CudaBackend,
        "read_scalars",
        lambda self, s: reads.append(len(s)) or read_scalars(self, s),
    )
    trainer = Trainer(line_fit(0.1, 2, size=60), "cuda", read_every=3)  # 5 steps an epoch
    losses, steps, result = step_losses(trainer)
    assert copies == [(1, 1), (1,)]  # the learned weight and bias, kept once training ends
    assert reads == [3 + 2, 2 + 2] * 2  # the losses read with a NaN test of weight and bias
    assert steps == [3, 5, 8, 10]
    reference, _, expected = step_losses(Trainer(line_fit(0.1, 2, size=60), "fast"))
    assert losses == pytest.approx(reference, rel=1e-9)
    assert result.loss == pytest.approx(expected.loss, rel=1e-9)


def test_the_loss_gradient_seed_is_left_as_ones():
    """backward's root gradient is the shared constant 1: training never writes into it."""
    probe = vg.tensor(0.0, backend="fast")
    before = probe._constant(1.0)
    trainer = Trainer(mlp(hidden=2), "fast")
    trainer.run(epochs=2)
    for seed in (before, probe._constant(1.0)):
        assert seed.to_numpy().tolist() == 1.0


def test_a_stop_between_reads_still_reads_and_reports_the_steps_taken(by_count):
    def xor() -> Trainer:
        graph = mlp(hidden=4)
        graph.set_training(epochs=3)  # 5 steps an epoch
        return Trainer(graph, "fast", read_every=4)

    reference, _, _ = step_losses(xor())
    trainer = xor()
    step = trainer._step

    def stopping_after_seven(x, y, where, checked):
        taken = step(x, y, where, checked)
        if where[1] == 7:  # steps 6 and 7 are taken and not read yet
            trainer.stop()
        return taken

    trainer._step = stopping_after_seven
    losses, steps, result = step_losses(trainer)
    assert result.stopped and result.epochs == 1
    assert steps == [4, 5, 7] and losses == reference[:7]


def test_steps_taken_again_from_the_checkpoint_give_the_same_run(monkeypatch, by_count):
    """A read that shows a NaN restores parameters, Adam's moments and the random state,
    and takes its steps again: when they pass, the run goes on exactly as without it."""

    def xor() -> Trainer:
        graph = mlp(hidden=4)
        graph.set_training(epochs=3)
        graph.add_node("Dropout", "drop", {"p": 0.25})  # draws from the random state
        graph.disconnect(graph.edges_into("out")["x"])
        graph.connect("relu", "y", "drop", "x")
        graph.connect("drop", "y", "out", "x")
        vg.manual_seed(0)  # the same dropout masks in each run
        return Trainer(graph, "fast", read_every=4)

    reference, _, expected = step_losses(xor())
    backend = type(vg.backends.get("fast"))
    read_scalars, poisoned = backend.read_scalars, []

    def failing_once(self, scalars):
        values = read_scalars(self, scalars)
        if len(poisoned) < 2:  # the first two reads seem to show a NaN
            poisoned.append(True)
            values[-1] = np.nan
        return values

    monkeypatch.setattr(backend, "read_scalars", failing_once)
    losses, steps, result = step_losses(xor())
    assert poisoned == [True, True] and steps == [4, 5, 9, 10, 14, 15]
    assert losses == reference and result.loss == expected.loss
