"""Training runs, seen from the window: a worker process, and a thread that listens to it.

The worker (graph/training_worker.py) is started once, in the background, when the panel
is made, so a click on Train does not wait for a new interpreter. Each run sends
it the project; it trains and sends batches of progress. A thread here waits on the
pipe (so the window never blocks on it), moves each batch into an outbox and wakes
the window, which takes the whole outbox at once: no point is lost, and a window
that falls behind gets one larger batch instead of a queue. At the end the window
thread puts the learned weights into the graph (``store_weights``), as Trainer.run
does: the listening thread never changes the graph.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from collections.abc import Callable

import numpy as np

from ...graph import fileformat
from ...graph.graph import Graph
from ...graph.train import Result, Trainer
from ...graph.training_worker import Batch, Flag, Start, Watch, ended_unexpectedly, serve

# A fresh interpreter, not a fork: forking a process that runs Qt's threads is unsafe.
CONTEXT = multiprocessing.get_context("spawn")


class Worker:
    """The training process, kept between runs."""

    def __init__(self) -> None:
        self.stop, self.pause = Flag(CONTEXT), Flag(CONTEXT)
        self.watch = Watch(CONTEXT)  # the nodes whose units the window shows
        self.ready = Flag(CONTEXT)  # set by the child once it has started up
        self.connection, child_end = CONTEXT.Pipe()
        self.process = CONTEXT.Process(
            target=serve,
            args=(child_end, self.stop, self.pause, self.watch, self.ready),
            name="visualgrad training",
            daemon=True,
        )
        self.process.start()
        child_end.close()

    def alive(self) -> bool:
        return self.process.is_alive()

    def shut_down(self) -> None:
        """End the process (after the run it is in, if any, has been stopped) and free what
        it held: nothing of it outlives the window."""
        self.stop.set()
        self.pause.clear()
        with contextlib.suppress(OSError, ValueError):  # the process may be gone already
            self.connection.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():  # stuck in a step: it has nothing to save
            self.process.kill()
            self.process.join()
        self.connection.close()
        self.process.close()


class TrainingRun:
    """One Trainer.run in the worker, and the batches not handed over yet.

    ``first_step`` steps are already plotted and ``smoothed`` is their moving
    average; with a ``grid`` (points of the boundary plot) the model's prediction on
    it is sent too, where the graph has a prediction to read; with ``snapshot_every``,
    a snapshot of the parameters every that many steps. ``wake(run)`` is called
    on the listening thread when the outbox was empty and now holds something.
    """

    def __init__(
        self,
        worker: Worker,
        graph: Graph,
        wake: Callable[[TrainingRun], None],
        first_step: int,
        smoothed: float | None,
        grid: np.ndarray | None,
        snapshot_every: int | None = None,
    ) -> None:
        checked = Trainer(graph, "simple")  # refuses at once what cannot train (no waiting)
        self.prediction_kind = checked.prediction[1] if checked.prediction else None
        self.worker, self.graph, self._wake = worker, graph, wake
        self.result: Result | None = None
        self._learned: dict[str, dict[str, np.ndarray]] = {}  # by node id, when done
        self.error: tuple[str, str] | None = None  # node id ("" when none) and message
        self._lock = threading.Lock()
        self._outbox: list[Batch] = []
        self._done = False
        self._start = Start(fileformat.to_json(graph), first_step, smoothed, grid, snapshot_every)
        self.thread = threading.Thread(target=self._listen, name="training", daemon=True)

    def start(self) -> None:
        self.worker.stop.clear()
        self.worker.pause.clear()
        self.worker.connection.send(self._start)
        self.thread.start()

    # ---- control from the window ---------------------------------------------------------
    def stop(self) -> None:
        self.worker.stop.set()
        self.worker.pause.clear()

    def pause(self) -> None:
        self.worker.pause.set()

    def resume(self) -> None:
        self.worker.pause.clear()

    def join(self) -> None:
        self.thread.join()

    def take(self) -> tuple[list[Batch], bool]:
        """The batches not yet taken, and whether the run has ended (window thread)."""
        with self._lock:
            batches, self._outbox = self._outbox, []
            return batches, self._done

    def store_weights(self) -> None:
        """Put what the run learned into the graph's nodes (window thread, once it ended)."""
        learned, self._learned = self._learned, {}
        for node_id, values in learned.items():
            if node_id in self.graph.nodes:
                self.graph.set_weights(node_id, values)

    # ---- the listening thread ----------------------------------------------------------------
    def _listen(self) -> None:
        while True:
            try:
                message = self.worker.connection.recv()
            except (EOFError, OSError):
                self.worker.process.join(timeout=1)  # its exit code, once it is reaped
                code, started = self.worker.process.exitcode, self.worker.ready.is_set()
                self.error = ("", ended_unexpectedly(code, started))
                break
            if message[0] == "batch":
                self._hand_over(message[1])
                continue
            if message[0] == "done":
                _, self.result, self._learned = message
            else:
                self.error = (message[1], message[2])
            break
        self._hand_over(None)

    def _hand_over(self, batch: Batch | None) -> None:
        with self._lock:
            wake = not self._outbox
            if batch is not None:
                self._outbox.append(batch)
            else:
                self._done = True
                wake = True
        if wake:
            self._wake(self)
