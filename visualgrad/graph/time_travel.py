"""Going back to a snapshot: the model as it was then, without changing the document.

The window's scrubber picks a ``Snapshot``; the decision boundary is predicted again with
its tensors here, playback and the units of the layers shown compute with a Program given
them by ``snapshots.load``, and "Train again" puts the first snapshot's tensors back into
the document's nodes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .. import engine as vg
from .data import as_batch, dataset_for
from .graph import Graph, GraphError
from .snapshots import load
from .train import Trainer
from .training_worker import prediction_image

BACKEND = "simple"  # a few passes on the window's thread: no kernels to compile


def prediction_at(
    graph: Graph, weights: Mapping[str, Mapping[str, np.ndarray]] | None, grid: np.ndarray
) -> tuple[np.ndarray, str] | None:
    """The boundary plot's image of the model with ``weights`` (None: the document's own),
    and its kind; None where the graph has no prediction to draw."""
    trainer = Trainer(graph, BACKEND)
    if trainer.prediction is None or len(grid) == 0:
        return None
    if weights is not None:
        load(trainer.program, weights)
    node_id, kind = trainer.prediction
    y = dataset_for(graph.training, graph.data).y
    targets = np.zeros((len(grid),) + y.shape[1:], dtype=y.dtype)
    with vg.no_grad():
        values, _ = trainer.program.forward(as_batch(grid, targets, BACKEND))
    return prediction_image(values[node_id].to_numpy(), kind), kind


def fitting(
    graph: Graph, weights: Mapping[str, Mapping[str, np.ndarray]]
) -> dict[str, dict[str, np.ndarray]]:
    """Of ``weights``, copies of those the graph's learnable nodes can take as they are now
    (a node since removed or resized is left out)."""
    fit = {}
    for node_id, tensors in weights.items():
        node = graph.nodes.get(node_id)
        if node is None or not node.spec.learnable:
            continue
        shapes = node.spec.weight_shapes(node.params)
        if set(tensors) == set(shapes) and all(
            tuple(np.shape(tensors[k])) == s for k, s in shapes.items()
        ):
            fit[node_id] = {k: np.array(v, copy=True) for k, v in tensors.items()}
    return fit


def restore(graph: Graph, weights: Mapping[str, Mapping[str, np.ndarray]]) -> list[str]:
    """Give the graph's nodes these tensors where they fit; returns the nodes changed."""
    changed = []
    for node_id, tensors in fitting(graph, weights).items():
        try:
            graph.set_weights(node_id, tensors)
        except GraphError:
            continue
        changed.append(node_id)
    return changed
