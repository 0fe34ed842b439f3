"""Shape inference that fails, for any reason, is a badge on the canvas, never a traceback."""

from __future__ import annotations

import pytest

from visualgrad.engine import datasets
from visualgrad.graph import data
from visualgrad.ui.canvas import scene

from .helpers import SAMPLES, open_window


@pytest.fixture
def digits_missing(monkeypatch):
    """The bundled digits file gone, as from a wheel built without it."""

    def missing(**_kwargs):
        raise FileNotFoundError(2, "No such file or directory", "/site/visualgrad/digits.npz")

    monkeypatch.setitem(datasets.DATASETS, "digits", missing)
    data._load.cache_clear()
    yield
    data._load.cache_clear()


def test_a_missing_dataset_badges_the_nodes_that_read_it(qtbot, digits_missing):
    window = open_window(qtbot, SAMPLES / "digits_cnn.vgraph")
    reason = "the digits dataset cannot be loaded: /site/visualgrad/digits.npz: No such file"
    badged = {i.node.id: i.error for i in window.scene.node_items.values() if i.error}
    readers = {n.id for n in window.graph if n.spec.batch}
    assert set(badged) == readers and len(readers) == 2
    assert all(reason in message for message in badged.values())
    window.playback.step_forward()
    assert reason in window.statusBar().currentMessage()


def test_any_other_failure_of_the_inference_badges_every_node(qtbot, monkeypatch):
    def broken(_graph):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(scene, "infer_shapes", broken)
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    errors = [item.error for item in window.scene.node_items.values()]
    assert len(errors) == len(window.graph.nodes) == 8
    assert set(errors) == {
        "the shapes cannot be worked out: ZeroDivisionError: float division by zero"
    }
