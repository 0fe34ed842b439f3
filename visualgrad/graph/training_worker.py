"""The training process: Trainer.run in a child process, its progress sent back in batches.

Training runs in a process of its own, not a thread: the trainer and the window
then never wait for each other's interpreter lock, so the window stays smooth and
the plots redraw ten times a second while training runs at full speed on the
other core. This module imports no Qt; the child loads it alone.

The child serves one run after another. It keeps every step's loss and, at most
20 times a second, sends what is new as one Batch; between two steps (in the
trainer's callback, so there is no race) it also predicts the decision boundary
now and then, and with it the units of the nodes the window shows (``Watch``). At the
end it sends the learned weights, or the error that stopped it. Each batch also carries
the gradient health measured since the last (at most once per PUBLISH_INTERVAL) and the
parameter snapshots taken every ``snapshot_every`` steps, within the bound of a
``Snapshots`` store (so a long run or a large model sends no more).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import math
import time
from typing import Any

import numpy as np

from .. import engine as vg
from . import fileformat
from .data import as_batch, dataset_for
from .execute import NodeError
from .health import Health, HealthMonitor
from .neurons import Neurons, neurons, plane_grid
from .snapshots import Snapshot, Snapshots, program_weights
from .train import Progress, Trainer

GRID = 60  # points of the decision boundary's grid along each axis
PUBLISH_INTERVAL = 0.05  # seconds between the batches a run sends
BOUNDARY_INTERVAL = 0.2  # seconds at least between two predictions of the decision boundary
PREDICTION_SHARE = 0.05  # of the training time, what predicting the boundary may take
SMOOTHING = 0.95  # weight of the past in the exponential moving average of the loss


class Flag:
    """A yes/no the window sets and the training process reads between two steps.

    One byte of memory shared with the child and no lock. A multiprocessing Event is five
    named semaphores, which the resource tracker reports as leaked whenever the window
    ends without running its exit handlers (a SIGTERM, a crash); a byte leaves nothing.
    """

    def __init__(self, context) -> None:
        self._value = context.RawValue(ctypes.c_bool, False)

    def set(self) -> None:
        self._value.value = True

    def clear(self) -> None:
        self._value.value = False

    def is_set(self) -> bool:
        return bool(self._value.value)


class Watch:
    """Which nodes the window shows the units of, by their place in the graph's ``nodes``.

    Shared bytes, like Flag: the window changes them while a run goes on, and the child
    computes the units of the nodes marked, at the rate it predicts the boundary.
    """

    SIZE = 512  # nodes beyond this place are never watched

    def __init__(self, context) -> None:
        self._marks = context.RawArray(ctypes.c_bool, self.SIZE)

    def set(self, places: list[int]) -> None:
        """Mark the nodes at ``places`` (and no others)."""
        wanted = {p for p in places if 0 <= p < self.SIZE}
        for place in range(self.SIZE):
            self._marks[place] = place in wanted

    def places(self) -> list[int]:
        return [place for place in range(self.SIZE) if self._marks[place]]


@dataclasses.dataclass
class Batch:
    """What a run hands the window at once."""

    losses: np.ndarray  # (2, n): loss and smoothed loss of each new step
    epochs: np.ndarray  # (4, m): step, mean loss, accuracy, validation accuracy (NaN: none)
    progress: Progress | None
    boundary: np.ndarray | None  # a prediction_image, when one was made
    health: list[Health] = dataclasses.field(default_factory=list)
    snapshots: list[Snapshot] = dataclasses.field(default_factory=list)
    neurons: Neurons | None = None  # the watched nodes' units, when they were computed


@dataclasses.dataclass
class Start:
    """Everything the child needs: the project as .vgraph text, and where the plot is."""

    project: str
    first_step: int  # steps already plotted: this run's epochs are marked after them
    smoothed: float | None  # their moving average, which this run carries on
    grid: np.ndarray | None  # points of the boundary plot, or None
    snapshot_every: int | None = None  # steps between two parameter snapshots (None: none)


def prediction_image(output: np.ndarray, kind: str) -> np.ndarray:
    """The model's output on the grid as a (GRID, GRID) image, x along the first axis.

    ``kind`` is "binary" (output: probabilities of class 1) or "classes" (output: one
    score per class, drawn as the index of the largest).
    """
    if kind == "binary":
        image = np.nan_to_num(output.reshape(-1), nan=0.5).clip(0.0, 1.0)
    else:
        image = output.reshape(len(output), -1).argmax(axis=-1).astype(np.float64)
    return image.reshape(GRID, GRID)


class _Reporter:
    """The trainer's callback in the child: collects, predicts, sends."""

    def __init__(
        self, start: Start, connection, stop: Flag, pause: Flag, watch: Watch | None = None
    ) -> None:
        self.connection, self.stop, self.pause, self.watch = connection, stop, pause, watch
        self.graph = fileformat.from_json(start.project, "the training project")
        self.trainer = Trainer(self.graph, None, self)
        self.trainer.health = HealthMonitor(self.trainer.program, interval=PUBLISH_INTERVAL)
        # The snapshots this run keeps (thinned as the window's are) and those not sent yet.
        every = start.snapshot_every
        self.kept = None if every is None else Snapshots(every)
        self.snapshots: list[Snapshot] = []
        self.take_snapshot(start.first_step)  # the weights this run starts from
        self.first_step, self.smoothed = start.first_step, start.smoothed
        self.grid = start.grid if self.trainer.prediction is not None else None
        self.losses: list[float] = []
        self.epochs: list[tuple[float, float, float, float]] = []
        self.epochs_done = 0
        self.boundary: np.ndarray | None = None
        # The units' plane: a coarse grid over the boundary plot's extent.
        grid = start.grid
        self.plane = None if grid is None else plane_grid(grid.min(axis=0), grid.max(axis=0))
        self.neurons: Neurons | None = None
        self.progress: Progress | None = None
        self.published = time.perf_counter()
        self.next_prediction = -math.inf

    def __call__(self, progress: Progress) -> None:
        """Between two steps: keep the new point; send a batch now and then; obey Pause/Stop."""
        self.progress = progress
        self.take_snapshot(self.first_step + progress.step)
        if len(progress.epoch_losses) > self.epochs_done:
            self._epoch_ended(progress)
        else:
            self.losses.extend(progress.losses)  # every step since the last report
        if time.perf_counter() - self.published >= PUBLISH_INTERVAL:
            self.publish()
        if self.pause.is_set():
            self.publish()
            while self.pause.is_set() and not self.stop.is_set():
                time.sleep(0.02)
        if self.stop.is_set():
            self.trainer.stop()

    def take_snapshot(self, step: int) -> None:
        """Keep the parameters after ``step`` steps, where the bounded store wants them."""
        if self.kept is None or not self.kept.due(step):
            return
        snapshot = Snapshot(step, program_weights(self.trainer.program))
        if self.kept.add(snapshot):
            self.snapshots.append(snapshot)

    def _epoch_ended(self, progress: Progress) -> None:
        self.epochs_done += 1
        accuracy, val_accuracy = progress.accuracy, progress.val_accuracy
        self.epochs.append(
            (
                self.first_step + progress.step,
                progress.epoch_losses[-1],
                math.nan if accuracy is None else accuracy,
                math.nan if val_accuracy is None else val_accuracy,
            )
        )
        start = time.perf_counter()
        if self.plane is not None and start >= self.next_prediction:
            if self.grid is not None:
                self.boundary = self.predict()
            self.neurons = self.watched_neurons()
            spent = time.perf_counter() - start
            self.next_prediction = start + max(BOUNDARY_INTERVAL, spent / PREDICTION_SHARE)

    def predict(self) -> np.ndarray:
        """The model's prediction on the boundary grid; runs only while no step runs."""
        node_id, kind = self.trainer.prediction
        program = self.trainer.program
        y = dataset_for(self.trainer.settings, self.trainer.graph.data).y
        targets = np.zeros((len(self.grid),) + y.shape[1:], dtype=y.dtype)
        with vg.no_grad():
            values, _ = program.forward(as_batch(self.grid, targets, program.backend))
        return prediction_image(values[node_id].to_numpy(), kind)

    def watched_neurons(self) -> Neurons | None:
        """The units of the nodes the window shows, on the plane; None when it shows none."""
        if self.watch is None or self.plane is None:
            return None
        ids = list(self.graph.nodes)
        watched = [ids[p] for p in self.watch.places() if p < len(ids)]
        if not watched:
            return None
        y = dataset_for(self.trainer.settings, self.graph.data).y
        return neurons(self.trainer.program, self.plane, y, watched)

    def publish(self) -> None:
        losses = np.array(self.losses, dtype=np.float64)
        smoothed = np.empty_like(losses)
        ema = self.smoothed
        for i, loss in enumerate(self.losses):
            ema = loss if ema is None else SMOOTHING * ema + (1.0 - SMOOTHING) * loss
            smoothed[i] = ema
        progress = self.progress
        batch = Batch(
            np.stack([losses, smoothed]),
            np.array(self.epochs, dtype=np.float64).reshape(-1, 4).T,
            None if progress is None else dataclasses.replace(progress, epoch_losses=[]),
            self.boundary,
            [
                dataclasses.replace(h, step=h.step + self.first_step)
                for h in self.trainer.health.take()
            ],
            self.snapshots,
            self.neurons,
        )
        self.smoothed, self.losses, self.epochs, self.boundary = ema, [], [], None
        self.neurons = None
        self.snapshots = []
        self.published = time.perf_counter()
        self.connection.send(("batch", batch))


def weights_of(graph) -> dict[str, dict[str, np.ndarray]]:
    return {n.id: n.weights for n in graph if n.weights is not None}


def train_in_child(
    start: Start, connection, stop: Flag, pause: Flag, watch: Watch | None = None
) -> None:
    """One run: train, then send ("done", result, weights) or ("error", node id, message)."""
    message: tuple[Any, ...]
    try:
        reporter = _Reporter(start, connection, stop, pause, watch)
        result = reporter.trainer.run()
        if reporter.grid is not None:
            reporter.boundary = reporter.predict()
        reporter.neurons = reporter.watched_neurons()
        reporter.publish()
        message = ("done", result, weights_of(reporter.graph))
    except NodeError as error:
        message = ("error", error.node_id, str(error))
    except (ValueError, TypeError) as error:
        message = ("error", "", str(error))
    except Exception as error:  # the child's last chance: report it, never a traceback
        message = ("error", "", f"training failed: {type(error).__name__}: {error}")
    connection.send(message)


def warm_up() -> None:
    """Load the default backend and its common kernels before the first Train click."""
    x = vg.tensor(np.ones((2, 2)), requires_grad=True)
    ((x @ x).relu() * 2.0 + 1.0).sum().backward()


def ended_unexpectedly(code: int | None, started: bool) -> str:
    """The one line a run gets when the training process has gone without a word."""
    text = f"the training process ended unexpectedly (exit code {code})"
    if not started:
        text += (
            "; it died starting up: a script that opens the window must do so under "
            '`if __name__ == "__main__":`, since the training process imports the script again'
        )
    return text


def serve(
    connection, stop: Flag, pause: Flag, watch: Watch | None = None, ready: Flag | None = None
) -> None:
    """The child's life: one run for each Start it receives, until it receives None or the
    window has gone (its end of the pipe closed, whether it quit or was killed). ``ready``
    is set first: a child that dies before it is set died starting up."""
    if ready is not None:
        ready.set()
    with contextlib.suppress(Exception):  # only a head start: a run reports its own failure
        warm_up()
    while True:
        try:
            start = connection.recv()
            if start is None:
                return
            train_in_child(start, connection, stop, pause, watch)
        except (EOFError, OSError):
            return
