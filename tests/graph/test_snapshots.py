"""Parameter snapshots: bounded memory, evenly thinned, and equal to the training they record."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

from tests.graph.builders import mlp
from visualgrad.graph import fileformat
from visualgrad.graph.execute import Program
from visualgrad.graph.snapshots import CAPACITY, Snapshot, Snapshots, load, program_weights
from visualgrad.graph.train import Trainer
from visualgrad.graph.training_worker import Flag, Start, train_in_child


def _snapshot(step: int, size: int = 10) -> Snapshot:
    return Snapshot(step, {"n": {"w": np.full(size, float(step))}})


def test_the_store_never_holds_more_than_its_count_and_stays_evenly_spread():
    store = Snapshots(every=1, capacity=8, max_bytes=10**9)
    for step in range(1000):
        store.add(_snapshot(step))
        assert len(store) <= 8
    steps = store.steps()
    assert steps[0] == 0 and store[0].weights["n"]["w"][0] == 0.0
    assert store.every == 128  # doubled each time it filled up
    assert steps == list(range(0, 1000, 128))


def test_the_store_never_holds_more_than_its_bytes():
    one = _snapshot(0, size=100).nbytes  # 800 bytes
    store = Snapshots(every=1, capacity=10_000, max_bytes=5 * one)
    for step in range(200):
        store.add(_snapshot(step, size=100))
        assert store.nbytes <= 5 * one
        assert store.nbytes == sum(s.nbytes for s in store)
    assert len(store) <= 5 and store.steps()[0] == 0


def test_only_due_and_newer_snapshots_are_kept_and_the_nearest_is_found():
    store = Snapshots(every=5)
    assert store.add(_snapshot(3))  # the first is always kept
    assert not store.add(_snapshot(7))  # off the grid
    assert store.add(_snapshot(10)) and not store.add(_snapshot(10))
    assert store.nearest(6).step == 3 and store.nearest(7).step == 10
    tiny = Snapshots(every=5, max_bytes=100)  # 400 bytes a snapshot: the first only
    assert tiny.add(_snapshot(0, 50)) and not tiny.add(_snapshot(5, 50))
    with pytest.raises(ValueError, match="capacity"):
        Snapshots(capacity=1)


def test_load_gives_a_program_the_snapshots_tensors():
    graph = mlp()
    program = Program(graph, "simple")
    weights = program_weights(program)
    weights["hidden"]["bias"] = weights["hidden"]["bias"] + 1.0
    weights["missing"] = {"w": np.zeros(2)}
    load(program, weights)
    np.testing.assert_array_equal(
        program.weights["hidden"]["bias"].to_numpy(), weights["hidden"]["bias"]
    )


class _Pipe:
    """The child's end of the pipe, kept in a list."""

    def __init__(self) -> None:
        self.sent = []

    def send(self, message) -> None:
        self.sent.append(message)


def test_the_training_process_sends_snapshots_equal_to_the_trainers_weights_then():
    graph = mlp()
    graph.set_training(epochs=2, dataset_size=100)  # 3 steps an epoch
    context = multiprocessing.get_context("spawn")
    pipe = _Pipe()
    start = Start(fileformat.to_json(graph), 0, None, None, snapshot_every=2)
    train_in_child(start, pipe, Flag(context), Flag(context))
    batches = [m[1] for m in pipe.sent if m[0] == "batch"]
    sent = [s for b in batches for s in b.snapshots]
    assert [s.step for s in sent] == [0, 2, 4, 6]
    assert sum(len(b.health) for b in batches) >= 1
    # Trained again headless, step by step, the weights after each step are the same.
    for snapshot in sent:
        again = fileformat.from_json(fileformat.to_json(graph))
        trainer = Trainer(again)
        seen = {}

        def keep(progress, trainer=trainer, seen=seen):
            seen.setdefault(progress.step, program_weights(trainer.program))

        trainer.callback = keep
        if snapshot.step == 0:
            seen[0] = program_weights(trainer.program)
        else:
            trainer.run()
        for node_id, tensors in snapshot.weights.items():
            for name, values in tensors.items():
                np.testing.assert_array_equal(values, seen[snapshot.step][node_id][name])
    done = pipe.sent[-1]
    assert done[0] == "done"
    np.testing.assert_array_equal(done[2]["out"]["weight"], sent[-1].weights["out"]["weight"])


def test_a_long_run_sends_no_more_snapshots_than_its_bound_allows():
    graph = mlp()
    graph.set_training(epochs=60)  # 5 steps an epoch: 300 steps, one snapshot due each
    context = multiprocessing.get_context("spawn")
    pipe = _Pipe()
    start = Start(fileformat.to_json(graph), 0, None, None, snapshot_every=1)
    train_in_child(start, pipe, Flag(context), Flag(context))
    sent = [s for m in pipe.sent if m[0] == "batch" for s in m[1].snapshots]
    assert 200 < len(sent) <= 2 * CAPACITY
    assert [s.step for s in sent[:201]] == list(range(201))  # then every other step
    assert all(s.step % 2 == 0 for s in sent[201:])
    window = Snapshots(every=1)
    for snapshot in sent:
        window.add(snapshot)
    assert len(window) <= CAPACITY and window.steps()[0] == 0
