"""The undo command that gives nodes new learnable tensors: a snapshot's weights kept, or one
weight changed by hand (then recorded in ``Graph.hand_edits``, and the record undone with it)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QUndoCommand

from ..graph.graph import Graph
from ..graph.hand_edits import HandEdit

Tensors = dict[str, np.ndarray]


def _copied(tensors: Tensors | None) -> Tensors | None:
    return None if tensors is None else {k: np.array(v, copy=True) for k, v in tensors.items()}


class SetWeights(QUndoCommand):
    """New tensors for some nodes; undo gives back what they held (drawn from the seed, too)."""

    def __init__(
        self, graph: Graph, weights: dict[str, Tensors], text: str, edit: HandEdit | None = None
    ) -> None:
        super().__init__(text)
        self.graph, self.edit = graph, edit
        self.weights = {n: _copied(w) for n, w in weights.items()}
        self.previous = {n: _copied(graph.nodes[n].weights) for n in weights}

    def redo(self) -> None:
        if self.edit is not None:  # recorded first: who hears of the new weights sees it
            self.graph.hand_edits.append(self.edit)
        for node_id, tensors in self.weights.items():
            self.graph.set_weights(node_id, _copied(tensors))

    def undo(self) -> None:
        if self.edit is not None:
            self.graph.hand_edits.remove(self.edit)
        for node_id, tensors in self.previous.items():
            self.graph.set_weights(node_id, _copied(tensors))
