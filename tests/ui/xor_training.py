"""The xor sample in a window, trained for a few epochs, and its network in numpy."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from visualgrad.graph import fileformat

from .helpers import SAMPLES, open_window


def xor_window(qtbot, tmp_path, epochs: int = 10):
    graph = fileformat.load(SAMPLES / "xor.vgraph")
    graph.set_training(epochs=epochs)
    path = tmp_path / "xor.vgraph"
    fileformat.save(graph, path)
    return open_window(qtbot, path)


def train(qtbot, window, button=None) -> None:
    with qtbot.waitSignal(window.training.finished, timeout=60000):
        qtbot.mouseClick(button or window.training.train_button, Qt.LeftButton)


def forward(w, x: np.ndarray) -> np.ndarray:
    """The xor network's probability, in numpy."""
    hidden = np.maximum(x @ w["hidden"]["weight"].T + w["hidden"]["bias"], 0.0)
    return 1 / (1 + np.exp(-(hidden @ w["out"]["weight"].T + w["out"]["bias"])))


def bce(p: np.ndarray, y: np.ndarray) -> float:
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def whole_pass(qtbot, window) -> None:
    while window.playback.forward_button.isEnabled():
        qtbot.mouseClick(window.playback.forward_button, Qt.LeftButton)
        window.playback.flow.finish()


def weights_of(graph):
    return {n.id: {k: v.copy() for k, v in n.weights.items()} for n in graph if n.weights}
