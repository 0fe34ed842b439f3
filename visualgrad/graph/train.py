"""The headless training loop: batches, optimizer, epochs, metrics, pause and stop.

It reports through a callback (the window's plot and progress bar, the command
line's progress bar), can be paused, resumed and stopped from another thread,
keeps losses as floats (never a growing autodiff graph), and stops at the step
where a NaN or Inf first appears in a value or in a learned parameter, naming the node.
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
from .data import as_batch, batches, dataset_for
from .execute import NodeError, Program
from .graph import Graph
from .health import HealthMonitor


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
    epoch_losses: list[float] = field(default_factory=list)  # mean loss of each finished epoch
    accuracy: float | None = None  # of the last finished epoch, on the training split
    val_accuracy: float | None = None


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
    ) -> None:
        """Trains in the settings' dtype (float64 or float32)."""
        self.graph, self.settings = graph, graph.training
        self.program = Program(graph, backend, graph.training.dtype)
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

    def _correct(self, values: dict[str, Tensor], y: np.ndarray) -> int:
        node_id, kind = self.prediction
        out = values[node_id].to_numpy()
        if kind == "binary":
            return int(((out > 0.5) == (y > 0.5)).sum())
        return int((out.argmax(axis=-1) == y.reshape(-1)).sum())

    def validation_accuracy(self) -> float | None:
        data = dataset_for(self.settings, self.graph.data)
        if self.prediction is None or len(data.x_val) == 0:
            return None
        with vg.no_grad():
            values, _ = self.program.forward(as_batch(data.x_val, data.y_val, self.program.backend))
        return self._correct(values, data.y_val) / len(data.x_val)

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

    def run(self, epochs: int | None = None) -> Result:
        """Train for ``epochs`` (the settings' by default); returns losses and accuracies."""
        epochs = self.settings.epochs if epochs is None else epochs
        data = dataset_for(self.settings, self.graph.data)
        steps_per_epoch = math.ceil(len(data.x) / self.settings.batch_size)
        progress = Progress(0, epochs, 0, epochs * steps_per_epoch, math.nan)
        start = time.perf_counter()
        stopped = False
        for epoch in range(epochs):
            progress.epoch = epoch + 1
            total, correct, seen = 0.0, 0, 0
            for batch in batches(self.settings, epoch, self.program.backend, self.graph.data):
                self._running.wait()
                if self._stop.is_set():
                    stopped = True
                    break
                values, _ = self.program.forward(batch, training=True)
                loss = self.program.loss(values)
                value = loss.item()
                if not math.isfinite(value):
                    node_id = self._first_non_finite(values)
                    kind = _non_finite_kind(values[node_id].to_numpy())
                    raise self._non_finite(
                        node_id, f"produced {kind} values", epoch + 1, progress.step + 1
                    )
                self.optimizer.zero_grad()
                loss.backward()
                measuring = self.health is not None and self.health.due(progress.step + 1)
                if measuring:
                    self.health.before_step(values)
                self.optimizer.step()
                if measuring:
                    self.health.after_step(progress.step + 1)
                broken = self._first_non_finite_weight()
                if broken is not None:  # the loss was finite, the update was not
                    node_id, name, weights = broken
                    kind = _non_finite_kind(weights)
                    raise self._non_finite(
                        node_id, f"{name} became {kind}", epoch + 1, progress.step + 1
                    )
                count = len(batch["x"])
                total += value * count
                seen += count
                if self.prediction is not None:
                    correct += self._correct(values, batch["y"].to_numpy())
                progress.step += 1
                progress.loss = value
                self._report(progress)
            if stopped:
                break
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
