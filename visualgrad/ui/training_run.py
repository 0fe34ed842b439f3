"""One training run on a worker thread, handing the GUI its progress in batches.

The trainer's callback runs on the worker thread between two steps, so it may read
the model (the decision boundary is predicted there) without a race. It keeps every
step's loss and, at most 20 times a second, moves what is new into an outbox and
wakes the GUI, which takes the whole outbox at once: no point is lost, and a GUI
that falls behind gets one larger batch instead of a queue of small ones.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable

import numpy as np

from .. import engine as vg
from ..graph.data import as_batch, dataset_for
from ..graph.execute import NodeError
from ..graph.graph import Graph
from ..graph.train import NonFiniteError, Progress, Result, Trainer
from .boundary_plot import prediction_image

PUBLISH_INTERVAL = 0.05  # seconds between the batches a run hands the GUI
BOUNDARY_INTERVAL = 0.2  # seconds at least between two predictions of the decision boundary
PREDICTION_SHARE = 0.02  # of the training time, what predicting the boundary may take
SMOOTHING = 0.95  # weight of the past in the exponential moving average of the loss


@dataclasses.dataclass
class Batch:
    """What a run hands the GUI at once."""

    losses: np.ndarray  # (2, n): loss and smoothed loss of each new step
    epochs: np.ndarray  # (4, m): step, mean loss, accuracy, validation accuracy (NaN: none)
    progress: Progress | None
    boundary: np.ndarray | None  # a prediction_image, when one was made


class TrainingRun:
    """One Trainer.run on a worker thread, and the batches it has not handed over yet.

    ``first_step`` steps are already plotted (this run's epochs are marked after them)
    and ``smoothed`` is their moving average, which this run carries on. With a
    ``grid`` (points of the boundary plot) the model's prediction on it is handed over
    too, if the graph has a prediction to read. ``wake(run)`` is called on the worker
    thread when the outbox was empty and now holds something; the GUI then takes all.
    """

    def __init__(
        self,
        graph: Graph,
        wake: Callable[[TrainingRun], None],
        first_step: int,
        smoothed: float | None,
        grid: np.ndarray | None,
    ) -> None:
        self.trainer = Trainer(graph, None, self._callback)
        self._wake = wake
        self.result: Result | None = None
        self.error: tuple[str, str] | None = None  # node id ("" when none) and message
        self._first_step, self._smoothed = first_step, smoothed
        self._grid = grid if self.trainer.prediction is not None else None
        self._losses: list[float] = []
        self._epochs: list[tuple[float, float, float, float]] = []
        self._epochs_done = 0
        self._boundary: np.ndarray | None = None
        self._progress: Progress | None = None
        self._published = time.perf_counter()
        self._next_prediction = -math.inf
        self._lock = threading.Lock()
        self._outbox: list[Batch] = []
        self._done = False
        self.thread = threading.Thread(target=self._work, name="training", daemon=True)

    def take(self) -> tuple[list[Batch], bool]:
        """The batches not yet taken, and whether the run has ended (GUI thread)."""
        with self._lock:
            batches, self._outbox = self._outbox, []
            return batches, self._done

    # ---- the worker thread -------------------------------------------------------------
    def _work(self) -> None:
        try:
            result = self.trainer.run()
            if self._grid is not None:
                self._boundary = self._predict()
        except (NonFiniteError, NodeError) as error:
            self.error = (error.node_id, str(error))
        except (ValueError, TypeError) as error:
            self.error = ("", str(error))
        except Exception as error:  # the thread's last chance: report it, never a traceback
            self.error = ("", f"training failed: {type(error).__name__}: {error}")
        else:
            self.result = result
        self._publish(final=True)

    def _callback(self, progress: Progress) -> None:
        """Between two steps: keep the new point; hand over a batch now and then."""
        self._progress = progress
        if len(progress.epoch_losses) > self._epochs_done:
            self._epoch_ended(progress)
        else:
            self._losses.append(progress.loss)
        if time.perf_counter() - self._published >= PUBLISH_INTERVAL:
            self._publish()

    def _epoch_ended(self, progress: Progress) -> None:
        self._epochs_done += 1
        accuracy, val_accuracy = progress.accuracy, progress.val_accuracy
        self._epochs.append(
            (
                self._first_step + progress.step,
                progress.epoch_losses[-1],
                math.nan if accuracy is None else accuracy,
                math.nan if val_accuracy is None else val_accuracy,
            )
        )
        start = time.perf_counter()
        if self._grid is not None and start >= self._next_prediction:
            self._boundary = self._predict()
            spent = time.perf_counter() - start
            self._next_prediction = start + max(BOUNDARY_INTERVAL, spent / PREDICTION_SHARE)

    def _predict(self) -> np.ndarray:
        """The model's prediction on the boundary grid; runs only while no step runs."""
        node_id, kind = self.trainer.prediction
        program = self.trainer.program
        y = dataset_for(self.trainer.settings).y
        targets = np.zeros((len(self._grid),) + y.shape[1:], dtype=y.dtype)
        with vg.no_grad():
            values, _ = program.forward(as_batch(self._grid, targets, program.backend))
        return prediction_image(values[node_id].to_numpy(), kind)

    def _publish(self, final: bool = False) -> None:
        losses = np.array(self._losses, dtype=np.float64)
        smoothed = np.empty_like(losses)
        ema = self._smoothed
        for i, loss in enumerate(self._losses):
            ema = loss if ema is None else SMOOTHING * ema + (1.0 - SMOOTHING) * loss
            smoothed[i] = ema
        progress = self._progress
        batch = Batch(
            np.stack([losses, smoothed]),
            np.array(self._epochs, dtype=np.float64).reshape(-1, 4).T,
            None if progress is None else dataclasses.replace(progress, epoch_losses=[]),
            self._boundary,
        )
        self._smoothed, self._losses, self._epochs, self._boundary = ema, [], [], None
        self._published = time.perf_counter()
        with self._lock:
            wake = not self._outbox
            self._outbox.append(batch)
            self._done = final
        if wake:
            self._wake(self)
