"""Training through the window's panel against training headless.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_training.py [--epochs N] [--repeat R]

Trains the xor sample (200 epochs unless told) with the Trainer alone and through TrainingPanel
in an offscreen QApplication, taking turns within each repetition so a noisy machine
slows both alike, and prints the medians of:

- training steps per second headless, and through the panel (from the click on Train
  to the ``finished`` signal, so sending the project to the training process and the
  last plot are counted; the process itself starts once, before the first turn)
- the longest stall of the event loop while the panel trains: a QTimer ticks every
  5 ms and the largest gap between two ticks is kept
- plot updates per second: how often the loss curve was redrawn
- the GUI thread's share of the time (its CPU time over the wall time); training runs
  in its own process, so on two cores this is not taken from it
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from visualgrad.graph import fileformat  # noqa: E402
from visualgrad.graph.data import dataset_for  # noqa: E402
from visualgrad.graph.graph import Graph  # noqa: E402
from visualgrad.graph.train import Trainer  # noqa: E402
from visualgrad.ui.document import Document  # noqa: E402
from visualgrad.ui.training import TrainingPanel  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "xor.vgraph"
TICK_MS = 5


def _graph(epochs: int) -> Graph:
    graph = fileformat.load(SAMPLE)
    graph.set_training(epochs=epochs)
    dataset_for(graph.training)  # load the data before the clock starts
    return graph


def _steps(graph: Graph) -> int:
    s = graph.training
    return s.epochs * math.ceil(len(dataset_for(s).x) / s.batch_size)


def headless_run(epochs: int) -> float:
    """Steps per second of ``Trainer(graph).run()`` on the xor sample."""
    graph = _graph(epochs)
    trainer = Trainer(graph)
    start = time.perf_counter()
    trainer.run()
    return _steps(graph) / (time.perf_counter() - start)


def panel_run(panel: TrainingPanel, epochs: int) -> dict[str, float]:
    """Steps per second, longest event-loop stall (ms) and plot updates per second."""
    graph = _graph(epochs)
    panel.document.replace(graph, None)
    loop, ticker = QEventLoop(), QTimer()
    ticker.setInterval(TICK_MS)
    last, stall, updates = [0.0], [0.0], [0]

    def tick() -> None:
        now = time.perf_counter()
        stall[0] = max(stall[0], now - last[0])
        last[0] = now

    def redrawn() -> None:
        updates[0] += 1

    curve = panel.findChild(pg.PlotWidget, "lossPlot").getPlotItem().listDataItems()[1]
    curve.sigPlotChanged.connect(redrawn)
    ticker.timeout.connect(tick)
    panel.finished.connect(loop.quit)
    ticker.start()
    start, busy = time.perf_counter(), time.thread_time()
    last[0] = start
    panel.train()
    loop.exec()
    seconds = time.perf_counter() - start
    busy = time.thread_time() - busy
    ticker.stop()
    panel.finished.disconnect(loop.quit)
    curve.sigPlotChanged.disconnect(redrawn)
    if panel.loss_points() != _steps(graph):
        raise RuntimeError(f"the panel plotted {panel.loss_points()} of {_steps(graph)} steps")
    return {
        "steps_per_s": _steps(graph) / seconds,
        "stall_ms": 1000 * stall[0],
        "updates_per_s": updates[0] / seconds,
        "gui_share": busy / seconds,
    }


def measure(epochs: int = 20, repeat: int = 7) -> dict[str, float]:
    """Medians over ``repeat`` turns of a headless run and a run through the panel
    (``ratio``: of the steps per second through the panel to those headless, in one turn)."""
    app = QApplication.instance() or QApplication([])
    panel = TrainingPanel(Document())
    panel.show()
    headless_run(1)  # compile the kernels and draw the panel once first
    panel_run(panel, 1)
    rows = []
    for _ in range(repeat):
        row = {"headless_steps_per_s": headless_run(epochs), **panel_run(panel, epochs)}
        row["ratio"] = row["steps_per_s"] / row["headless_steps_per_s"]
        rows.append(row)
    panel.shut_down()
    panel.close()
    app.processEvents()
    return {k: statistics.median(row[k] for row in rows) for k in rows[0]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    result = measure(args.epochs, args.repeat)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"xor, {args.epochs} epochs, median of {args.repeat}")
    print(f"training steps/s headless      {result['headless_steps_per_s']:10.0f}")
    print(f"training steps/s with panel    {result['steps_per_s']:10.0f}")
    print(f"panel / headless (per turn)    {result['ratio']:10.3f}")
    print(f"longest event-loop stall (ms)  {result['stall_ms']:10.1f}")
    print(f"plot updates per second        {result['updates_per_s']:10.1f}")
    print(f"GUI thread's share of the time {result['gui_share']:10.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
