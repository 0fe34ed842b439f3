"""How fast the window is: build, repaint, open, animate.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui.py

A generated graph of 300 nodes and 400 edges (100 Scalars feeding 200 Adds):
the time to build its scene, to infer its shapes, and to repaint the whole
view into an image; the time to open the largest sample; the frames per
second of a playback pulse. Goals: build <= 1 s, repaint <= 16 ms, open <=
0.5 s, animation near 60 frames a second; and a redraw of the loss plot
holding a million steps. The same 300 nodes with 20 groups (each a closed
card on the canvas) must open in <= 0.5 s and repaint in <= 16 ms. Each
number is the median of several runs.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
home = tempfile.mkdtemp(prefix="visualgrad-bench-")
os.environ["XDG_CONFIG_HOME"] = os.path.join(home, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(home, "data")

from PySide6.QtGui import QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from visualgrad.graph.graph import Graph  # noqa: E402

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def generated(sources: int = 100, adds: int = 200) -> Graph:
    """A wide acyclic graph: each Add takes two earlier nodes (400 edges in all)."""
    graph = Graph()
    ids = []
    for i in range(sources):
        ids.append(graph.add_node("Scalar", f"s{i}", {"value": 1.0}, (0.0, i * 110.0)).id)
    for i in range(adds):
        column, row = divmod(i, 50)
        node = graph.add_node("Add", f"add{i}", position=(220.0 * (column + 1), row * 110.0))
        pool = len(ids)
        graph.connect(ids[(i * 7) % pool], "y", node.id, "a")
        graph.connect(ids[(i * 13 + 5) % pool], "y", node.id, "b")
        ids.append(node.id)
    return graph


def grouped(groups: int = 20, size: int = 10) -> Graph:
    """``generated()`` with its Adds in ``groups`` groups of ``size`` consecutive ones: each
    is closed, since an Add reads only earlier nodes."""
    graph = generated()
    for g in range(groups):
        graph.groups.add(f"block{g}", [f"add{g * size + i}" for i in range(size)])
    return graph


def median_seconds(action, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from visualgrad.ui import MainWindow
    from visualgrad.ui.canvas import CanvasScene
    from visualgrad.ui.document import Document

    graph = generated()
    print(f"generated graph: {len(graph.nodes)} nodes, {len(graph.edges)} edges")

    def build() -> CanvasScene:
        document = Document()
        document.graph = graph
        scene = CanvasScene(document)
        scene.detach()
        return scene

    from visualgrad.graph.shapes import infer_shapes

    shapes = median_seconds(lambda: infer_shapes(graph), 3)
    total = median_seconds(build, 3)
    print(f"build the scene (items and shapes): {total * 1000:7.1f} ms   (goal <= 1000 ms)")
    print(f"  of which shape inference:         {shapes * 1000:7.1f} ms")

    window = MainWindow()
    window.resize(1600, 1000)
    window.show()
    window.document.replace(graph, None)
    app.processEvents()
    window.canvas.fit_to_view()
    app.processEvents()
    viewport = window.canvas.viewport()
    image = QImage(viewport.size() * viewport.devicePixelRatio(), QImage.Format_ARGB32)

    def into_image() -> None:
        painter = QPainter(image)
        window.canvas.render(painter)
        painter.end()

    size = f"{viewport.width()}x{viewport.height()}"
    for zoom_name in ("whole graph", "100%"):
        if zoom_name == "100%":
            window.canvas.reset_zoom()
            app.processEvents()
        viewport.repaint()
        frame = median_seconds(viewport.repaint, 15)
        into_image()
        rendered = median_seconds(into_image, 10)
        print(
            f"repaint {size} at {zoom_name} (zoom {window.canvas.zoom():.2f}): a frame "
            f"{frame * 1000:5.1f} ms, into a QImage {rendered * 1000:5.1f} ms   (goal <= 16 ms)"
        )

    largest = max(SAMPLES.glob("*.vgraph"), key=lambda p: p.stat().st_size)
    window.files.ask_unsaved = lambda: "discard"
    opened = median_seconds(lambda: window.open_file(str(largest)), 5)
    print(f"open the largest sample ({largest.name}): {opened * 1000:7.1f} ms   (goal <= 500 ms)")

    from visualgrad.graph import fileformat

    with_groups = Path(home) / "grouped.vgraph"
    fileformat.save(grouped(), with_groups)
    opened = median_seconds(lambda: window.open_file(str(with_groups)), 5)
    print(f"open 300 nodes in 20 groups: {opened * 1000:7.1f} ms   (goal <= 500 ms)")
    window.canvas.fit_to_view()
    app.processEvents()
    viewport.repaint()
    frame = median_seconds(viewport.repaint, 15)
    cards = len(window.scene.node_items) + len(window.scene.scope.group_items)
    print(f"repaint it, {cards} cards (whole graph): {frame * 1000:5.1f} ms   (goal <= 16 ms)")

    window.open_file(str(SAMPLES / "xor.vgraph"))
    panel = window.playback
    panel.speed.setValue(1)  # the slowest pulse: 1.4 s
    panel.step_forward()
    start, frames = time.perf_counter(), panel.flow.frames
    while panel.flow.pulses:
        app.processEvents()
    seconds = time.perf_counter() - start
    fps = (panel.flow.frames - frames) / seconds
    print(f"playback pulse: {fps:5.1f} frames per second over {seconds:.2f} s (goal about 60)")
    from visualgrad.ui.training.loss_plot import LossPlot

    plot = LossPlot()
    plot.resize(900, 300)
    plot.show()
    rng = np.random.default_rng(0)
    for _ in range(100):  # a million steps, arriving in batches as from a long run
        loss = np.exp(-np.linspace(0, 1, 10_000)) + 0.1 * rng.random(10_000)
        plot.append(np.stack([loss, loss]), np.zeros((4, 0)))
    plot.redraw()
    app.processEvents()

    def redraw() -> None:
        plot.append(np.ones((2, 100)), np.zeros((4, 0)))
        plot.redraw()
        plot.loss.viewport().repaint()

    million = median_seconds(redraw, 7)
    print(f"loss plot with {plot.points:,} points: a redraw {million * 1000:5.1f} ms")
    plot.close()
    window.document.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
