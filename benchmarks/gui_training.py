"""Training through the window's panel against training headless.

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_training.py [--epochs N] [--repeat R]
    QT_QPA_PLATFORM=offscreen python benchmarks/gui_training.py --health EPOCHS
    QT_QPA_PLATFORM=offscreen python benchmarks/gui_training.py --folded [--epochs N] [--repeat R]

(``--health``: spiral in the window with the gradient-health panel and the snapshots on,
its redraw time per frame and the longest stall. ``--folded``: spiral with every layer's
units folded out on the canvas and hidden1's strip in the inspector, against the same
window with none: a playback pulse's frames per second, a full repaint of the canvas,
and the longest stall while it trains with the units arriving live.)

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


SPIRAL = SAMPLE.with_name("spiral.vgraph")


def _spiral_window(app, folded: bool):
    """The spiral sample in a window; ``folded``: every layer's units folded out on the
    canvas and hidden1's in the inspector."""
    from visualgrad.ui import MainWindow

    window = MainWindow(str(SPIRAL))
    window.files.ask_unsaved = lambda: "discard"
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    if folded:
        for node_id in window.neurons.layers:
            window.neurons.toggle(node_id)
        window.scene.select_nodes(["hidden1"])
    window.canvas.fit_to_view()
    window.training_dock.raise_()
    for _ in range(20):  # the training process starts
        app.processEvents()
        time.sleep(0.05)
    return window


def _playback(app, window) -> tuple[float, float]:
    """A playback pulse's frames per second, and the median full repaint of the canvas (ms)."""
    window.playback_dock.raise_()
    viewport = window.canvas.viewport()
    repaints = []
    for _ in range(15):
        start = time.perf_counter()
        viewport.repaint()
        repaints.append(time.perf_counter() - start)
    panel = window.playback
    panel.speed.setValue(1)  # the slowest pulse: 1.4 s
    panel.step_forward()
    start, frames = time.perf_counter(), panel.flow.frames
    while panel.flow.pulses:
        app.processEvents()
    fps = (panel.flow.frames - frames) / (time.perf_counter() - start)
    panel.reset()
    window.training_dock.raise_()
    return fps, 1000 * statistics.median(repaints)


def _training_stall(app, window, epochs: int) -> tuple[float, float]:
    """The longest event-loop stall (ms) while the panel trains ``epochs``, and how many
    times a second the units arrived."""
    window.graph.set_training(epochs=epochs)
    loop, arrived = QEventLoop(), [0]
    window.training.neurons_arrived.connect(lambda _n: arrived.__setitem__(0, arrived[0] + 1))
    window.training.finished.connect(loop.quit)
    ticker, seen = QTimer(), [0.0, 0.0]

    def tick() -> None:
        now = time.perf_counter()
        seen[1] = max(seen[1], now - seen[0])
        seen[0] = now

    ticker.setInterval(TICK_MS)
    ticker.timeout.connect(tick)
    ticker.start()
    start = seen[0] = time.perf_counter()
    window.training.train()
    loop.exec()
    ticker.stop()
    return 1000 * seen[1], arrived[0] / (time.perf_counter() - start)


def folded_spiral(epochs: int, repeat: int) -> dict[str, float]:
    """The spiral sample with every layer's units folded out against the same with none:
    medians over ``repeat`` turns of a playback pulse's frames per second, a full repaint
    of the canvas, the longest stall while the panel trains ``epochs`` with the units
    arriving live, and how often they arrived."""
    app = QApplication.instance() or QApplication([])
    rows = []
    for _ in range(repeat):
        row = {}
        for folded in (False, True):
            window = _spiral_window(app, folded)
            fps, repaint = _playback(app, window)
            stall, arrivals = _training_stall(app, window, epochs)
            name = "folded" if folded else "plain"
            row |= {f"{name}_fps": fps, f"{name}_repaint_ms": repaint}
            row |= {f"{name}_stall_ms": stall, f"{name}_units_per_s": arrivals}
            window.training.shut_down()
            window.close()
            app.processEvents()
        rows.append(row)
    return {k: statistics.median(row[k] for row in rows) for k in rows[0]}


def health_spiral(epochs: int) -> dict[str, float]:
    """The spiral sample in the window with the gradient-health panel and the parameter
    snapshots on: while the panel trains ``epochs``, the longest event-loop stall, the
    health panel's redraws (median and longest, how many a second), a full repaint of
    the panel, and how many health points and snapshots arrived."""
    app = QApplication.instance() or QApplication([])
    window = _spiral_window(app, folded=False)
    plot, frames = window.training.health_plot, []
    redraw = plot.redraw

    def timed_redraw() -> None:
        start = time.perf_counter()
        redraw()
        frames.append(time.perf_counter() - start)

    plot.redraw = timed_redraw
    start = time.perf_counter()
    stall, _ = _training_stall(app, window, epochs)
    seconds = time.perf_counter() - start
    repaints = []
    for _ in range(10):
        begin = time.perf_counter()
        window.training.repaint()
        repaints.append(time.perf_counter() - begin)
    found = {
        "training_stall_ms": stall,
        "frame_ms": 1000 * statistics.median(frames) if frames else math.nan,
        "longest_frame_ms": 1000 * max(frames, default=math.nan),
        "frames_per_s": len(frames) / seconds,
        "panel_repaint_ms": 1000 * statistics.median(repaints),
        "health_points": len(plot.history.points),
        "snapshots": len(window.training.scrubber.snapshots),
        "training_s": seconds,
    }
    window.training.shut_down()
    window.close()
    app.processEvents()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--health",
        type=int,
        metavar="EPOCHS",
        help="instead: spiral with the gradient-health panel and snapshots on, trained EPOCHS",
    )
    parser.add_argument(
        "--folded",
        action="store_true",
        help="instead: spiral with every layer's units folded out, against none (--epochs)",
    )
    args = parser.parse_args(argv)
    if args.health is not None:
        found = health_spiral(args.health)
        if args.json:
            print(json.dumps(found))
            return 0
        print(f"spiral, gradient-health panel on, {args.health} epochs")
        print(f"longest stall training (ms)    {found['training_stall_ms']:10.1f}   (goal <= 100)")
        print(f"panel redraw, median (ms)      {found['frame_ms']:10.1f}")
        print(f"panel redraw, longest (ms)     {found['longest_frame_ms']:10.1f}")
        print(f"panel redraws per s            {found['frames_per_s']:10.1f}")
        print(f"full panel repaint (ms)        {found['panel_repaint_ms']:10.1f}")
        print(f"health points, snapshots       {found['health_points']:6d} {found['snapshots']:6d}")
        print(f"training (s)                   {found['training_s']:10.1f}")
        return 0
    if args.folded:
        found = folded_spiral(args.epochs, args.repeat)
        if args.json:
            print(json.dumps(found))
            return 0
        print(f"spiral, {args.epochs} epochs, median of {args.repeat}: none folded out / all")
        for label, key, goal in [
            ("playback pulse (frames/s)", "fps", "(goal about 60)"),
            ("full canvas repaint (ms)", "repaint_ms", "(goal <= 16)"),
            ("longest stall training (ms)", "stall_ms", "(goal <= 100)"),
            ("units arriving per second", "units_per_s", ""),
        ]:
            plain, folded = found[f"plain_{key}"], found[f"folded_{key}"]
            print(f"{label:30} {plain:8.1f} {folded:8.1f}   {goal}")
        return 0
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
