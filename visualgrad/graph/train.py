"""The headless training loop: batches, optimizer, epochs, metrics, pause and stop.

It reports through a callback (the window's plot and progress bar, the command
line's progress bar), can be paused, resumed and stopped from another thread,
keeps losses as floats (never a growing autodiff graph), and stops at the step
where a NaN or Inf first appears in a value or in a learned parameter, naming the node.

On a backend whose storage is in host memory each step's loss is read and checked at
once. On a device (cuda) the steps run unchecked and nothing comes back to the host
until a read: every ``READ_EVERY`` steps, after ``READ_SECONDS``, at the end of an epoch
or at a stop; a read copies the losses back at once and tests every weight for NaN/Inf
on the device, and a failed read takes the steps again from a checkpoint, checked.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .. import engine as vg
from ..engine import Tensor
from .checkpoint import Checkpoint
from .data import as_batch, dataset_for, host_batches
from .execute import NodeError, Program
from .graph import Graph
from .health import HealthMonitor

READ_EVERY = 32  # on a device, steps between two reads of the loss
READ_SECONDS = 0.1  # or sooner, so that the plot and the progress bar keep moving


def _non_finite_kind(values: np.ndarray) -> str:
    """How a message names what is wrong in ``values``: NaN, Inf or -Inf."""
    if np.isnan(values).any():
        return "NaN"
    return "Inf" if np.isposinf(values).any() else "-Inf"


@dataclass
class Progress:
    epoch: int  # 1-based epoch being trained
    epochs: int
    step: int  # steps done in all
    total_steps: int
    loss: float  # of the last step
    losses: list[float] = field(default_factory=list)  # of each step new in this report
    epoch_losses: list[float] = field(default_factory=list)  # mean loss of each finished epoch
    accuracy: float | None = None  # of the last finished epoch, on the training split
    val_accuracy: float | None = None


@dataclass
class _Step:
    """A step taken: its batch, and its loss (and prediction) still where they were made."""

    x: np.ndarray
    y: np.ndarray
    loss: Tensor
    value: float  # the loss, if the step was checked
    prediction: Tensor | None


@dataclass
class Result:
    epochs: int
    loss: list[float]
    accuracy: float | None
    val_accuracy: float | None
    seconds: float
    stopped: bool = False


class Trainer:
    """Trains a graph's Program on its dataset with its training settings."""

    def __init__(
        self,
        graph: Graph,
        backend: str | None = None,
        callback: Callable[[Progress], None] | None = None,
        read_every: int | None = None,
    ) -> None:
        """Trains in the settings' dtype (float64 or float32); reads the loss back every
        ``read_every`` steps (1, each step, on a host backend; ``READ_EVERY`` on a device)."""
        self.graph, self.settings = graph, graph.training
        self.program = Program(graph, backend, graph.training.dtype)
        self._backend = vg.backends.get(self.program.backend)
        if read_every is None:
            read_every = 1 if self._backend.host_memory else READ_EVERY
        if read_every < 1:
            raise ValueError(f"read_every must be at least 1, got {read_every}")
        self.read_every = read_every
        self._checkpoint: Checkpoint | None = None
        self.callback = callback
        self._running = threading.Event()
        self._running.set()
        self._stop = threading.Event()
        self._reporting = threading.RLock()  # held while the callback runs
        params = self.program.parameters()
        if not params:
            raise ValueError("the graph has nothing to learn: add a Parameter or a layer")
        s = self.settings
        if s.optimizer == "adam":
            self.optimizer = vg.optim.Adam(params, lr=s.learning_rate)
        else:
            self.optimizer = vg.optim.SGD(params, lr=s.learning_rate, momentum=s.momentum)
        self.prediction = self._prediction_node()
        self.health: HealthMonitor | None = None  # measures gradient health on some steps

    # ---- control from another thread ------------------------------------------------
    def pause(self) -> None:
        """Hold training: once this returns, no step is reported until resume() or stop().

        From another thread it waits for a report under way to finish; from the
        callback it holds every report after the current one. A step being computed
        finishes and is reported after resume(). After stop() it does nothing.
        """
        with self._reporting:
            if not self._stop.is_set():
                self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        """End training before the next step; a pause held now, or asked for later, ends too."""
        with self._reporting:
            self._stop.set()
            self._running.set()

    def _report(self, progress: Progress) -> None:
        """Hand ``progress`` to the callback, once training is not paused."""
        if self.callback is None:
            return
        while True:
            self._running.wait()
            with self._reporting:
                if self._running.is_set():
                    self.callback(progress)
                    return

    # ---- metrics -------------------------------------------------------------------------
    def _prediction_node(self) -> tuple[str, str] | None:
        """The node whose output a classifier's accuracy reads, and how to read it."""
        loss_id = self.program.loss_node
        if loss_id is None:
            return None
        edge = self.graph.edges_into(loss_id).get("loss")
        source = self.graph.nodes[edge.source] if edge else None
        if source is None or source.spec.accuracy is None:
            return None
        into = self.graph.edges_into(source.id).get("input")
        return (into.source, source.spec.accuracy) if into else None

    def _correct(self, out: np.ndarray, y: np.ndarray) -> int:
        kind = self.prediction[1]
        if kind == "binary":
            return int(((out > 0.5) == (y > 0.5)).sum())
        return int((out.argmax(axis=-1) == y.reshape(-1)).sum())

    def validation_accuracy(self) -> float | None:
        data = dataset_for(self.settings, self.graph.data)
        if self.prediction is None or len(data.x_val) == 0:
            return None
        with vg.no_grad():
            values, _ = self.program.forward(as_batch(data.x_val, data.y_val, self.program.backend))
        out = values[self.prediction[0]].to_numpy()
        return self._correct(out, data.y_val) / len(data.x_val)

    # ---- the loop --------------------------------------------------------------------------
    def _first_non_finite(self, values: dict[str, Tensor]) -> str:
        for node_id in self.program.order:
            if not np.isfinite(values[node_id].to_numpy()).all():
                return node_id
        return self.program.loss_node

    def _first_non_finite_weight(self) -> tuple[str, str, np.ndarray] | None:
        """The first learnable tensor holding a NaN or Inf: (node id, name, values)."""
        for node_id, weights in self.program.weights.items():
            for name, parameter in weights.items():
                values = parameter.to_numpy()
                if not np.isfinite(values).all():
                    return node_id, name, values
        return None

    def _non_finite(self, node_id: str, happened: str, epoch: int, step: int) -> NodeError:
        """A NaN or Inf: the error names the node where it first appeared, and the step."""
        return NodeError(
            node_id,
            f"training stopped at epoch {epoch}, step {step}: "
            f"{self.graph.nodes[node_id].describe()} {happened} (try a smaller learning rate)",
        )

    def _step(self, x: np.ndarray, y: np.ndarray, where: tuple[int, int], checked: bool) -> _Step:
        """One step on the batch (x, y); ``where`` is (epoch, step), both 1-based.

        ``checked``: read the loss now, and raise on a NaN or Inf in the values or, after
        the update, in a weight. Unchecked, nothing is read back (``value`` stays NaN).
        """
        batch = as_batch(x, y, self.program.backend)
        values, _ = self.program.forward(batch, training=True)
        loss = self.program.loss(values)
        value = math.nan
        if checked:
            value = loss.item()
            if not math.isfinite(value):
                node_id = self._first_non_finite(values)
                kind = _non_finite_kind(values[node_id].to_numpy())
                raise self._non_finite(node_id, f"produced {kind} values", *where)
        self.optimizer.zero_grad()
        loss.backward()  # d loss / d loss: the shared constant 1
        measuring = self.health is not None and self.health.due(where[1])
        if measuring:
            self.health.before_step(values)
        self.optimizer.step()
        if measuring:
            self.health.after_step(where[1])
        if checked:
            broken = self._first_non_finite_weight()
            if broken is not None:  # the loss was finite, the update was not
                node_id, name, weights = broken
                kind = _non_finite_kind(weights)
                raise self._non_finite(node_id, f"{name} became {kind}", *where)
        prediction = None if self.prediction is None else values[self.prediction[0]].detach()
        return _Step(x, y, loss.detach(), value, prediction)

    def _read(self, taken: list[_Step], epoch: int, first: int) -> list[float]:
        """The losses of steps taken unchecked (``first`` the number of the first), read in
        one copy with a NaN/Inf test of every weight. On a NaN or Inf the steps are taken
        again from the checkpoint, one by one and checked, which raises naming the step
        and the node; should they all pass this time, ``taken`` holds them instead."""
        params = self.program.parameters()
        with vg.no_grad():
            flags = [(p * 0.0).sum()._data for p in params]  # NaN where any value is not finite
        read = self._backend.read_scalars([s.loss._data for s in taken] + flags)
        if np.isfinite(read).all():
            return [float(v) for v in read[: len(taken)]]
        self._checkpoint.restore(params, self.optimizer)
        health, self.health = self.health, None  # steps taken again are not measured again
        try:
            taken[:] = [
                self._step(s.x, s.y, (epoch, number), checked=True)
                for number, s in enumerate(taken, first)
            ]
        finally:
            self.health = health
        return [s.value for s in taken]

    def _account(
        self, taken: list[_Step], losses: list[float], totals: list, progress: Progress
    ) -> None:
        """Add steps whose losses have been read to the epoch's totals, and report them."""
        for s, value in zip(taken, losses):
            totals[0] += value * len(s.x)
            totals[2] += len(s.x)
            if s.prediction is not None:
                totals[1] += self._correct(s.prediction.to_numpy(), s.y)
        progress.step += len(taken)
        progress.loss, progress.losses = losses[-1], losses
        self._report(progress)

    def run(self, epochs: int | None = None) -> Result:
        """Train for ``epochs`` (the settings' by default); returns losses and accuracies."""
        epochs = self.settings.epochs if epochs is None else epochs
        data = dataset_for(self.settings, self.graph.data)
        steps_per_epoch = math.ceil(len(data.x) / self.settings.batch_size)
        progress = Progress(0, epochs, 0, epochs * steps_per_epoch, math.nan)
        start = time.perf_counter()
        stopped = False
        checked = self.read_every == 1
        for epoch in range(epochs):
            progress.epoch = epoch + 1
            totals = [0.0, 0, 0]  # loss times batch size, correct, seen
            taken: list[_Step] = []
            last_read = time.perf_counter()
            for x, y in host_batches(self.settings, epoch, self.graph.data):
                self._running.wait()
                if self._stop.is_set():
                    stopped = True
                    break
                if not checked and not taken:
                    self._checkpoint = Checkpoint(self.program.parameters(), self.optimizer)
                where = (epoch + 1, progress.step + len(taken) + 1)
                taken.append(self._step(x, y, where, checked))
                if checked:
                    self._account(taken, [taken[0].value], totals, progress)
                    taken = []
                elif (
                    len(taken) >= self.read_every or time.perf_counter() - last_read >= READ_SECONDS
                ):
                    losses = self._read(taken, epoch + 1, progress.step + 1)
                    self._account(taken, losses, totals, progress)
                    taken, last_read = [], time.perf_counter()
            if taken:
                self._account(
                    taken, self._read(taken, epoch + 1, progress.step + 1), totals, progress
                )
            if stopped:
                break
            total, correct, seen = totals
            progress.losses = []
            progress.epoch_losses.append(total / max(seen, 1))
            progress.accuracy = correct / seen if self.prediction is not None and seen else None
            progress.val_accuracy = self.validation_accuracy()
            self._report(progress)
        self.program.store_weights()
        return Result(
            len(progress.epoch_losses),
            progress.epoch_losses,
            progress.accuracy,
            progress.val_accuracy,
            time.perf_counter() - start,
            stopped,
        )
