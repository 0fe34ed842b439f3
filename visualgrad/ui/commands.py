"""Undo commands: each one edits only the document; the canvas redraws from its events.

A command keeps what it needs to put the graph back exactly (the removed nodes
with their edges, the previous parameter values), so undo and redo can run any
number of times and the canvas can never drift from the document.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtGui import QUndoCommand

from ..graph.graph import Edge, Graph, Node


def _copy_weights(weights: dict[str, np.ndarray] | None) -> dict[str, np.ndarray] | None:
    return None if weights is None else {k: v.copy() for k, v in weights.items()}


def _with_weights_copied(node: Node) -> Node:
    return Node(node.id, node.type, dict(node.params), node.position, _copy_weights(node.weights))


class AddNodes(QUndoCommand):
    """Place nodes (and edges among them): one palette drop, or a paste."""

    def __init__(self, graph: Graph, nodes: list[Node], edges: list[Edge], text: str) -> None:
        super().__init__(text)
        self.graph, self.nodes, self.edges = graph, nodes, edges

    def redo(self) -> None:
        for n in self.nodes:
            self.graph.add_node(n.type, n.id, dict(n.params), n.position, _copy_weights(n.weights))
        for e in self.edges:
            self.graph.connect(e.source, e.source_port, e.target, e.target_port)

    def undo(self) -> None:
        # As the graph holds them, with what training learned since, for the redo.
        self.nodes = [self.graph.remove_node(n.id)[0] for n in reversed(self.nodes)][::-1]


class RemoveNodes(QUndoCommand):
    """Delete nodes with their edges, and loose edges; undo restores them all."""

    def __init__(self, graph: Graph, node_ids: list[str], edges: list[Edge], text: str) -> None:
        super().__init__(text)
        self.graph, self.node_ids = graph, node_ids
        doomed = set(node_ids)
        touching = [e for e in graph.edges if e.source in doomed or e.target in doomed]
        self.edges = list(dict.fromkeys(touching + [e for e in edges if e in graph.edges]))

    def redo(self) -> None:
        # Where each was, so undo puts it back there and the saved file is as before.
        node_rank = {node_id: i for i, node_id in enumerate(self.graph.nodes)}
        edge_rank = {e: i for i, e in enumerate(self.graph.edges)}
        self.placed_edges = [(edge_rank[e], e) for e in self.edges]
        self.placed_nodes = [(node_rank[i], self.graph.nodes[i]) for i in self.node_ids]
        self.reroutes = {e: self.graph.reroutes.points(e) for e in self.edges}
        for e in self.edges:
            self.graph.disconnect(e)
        for node_id in self.node_ids:
            self.graph.remove_node(node_id)

    def undo(self) -> None:
        nodes = [(i, _with_weights_copied(n)) for i, n in self.placed_nodes]
        self.graph.restore(nodes, self.placed_edges)
        for edge, points in self.reroutes.items():
            if points:
                self.graph.reroutes.set(edge, points)


class Connect(QUndoCommand):
    def __init__(self, graph: Graph, edge: Edge) -> None:
        super().__init__(f"Connect {edge.source} to {edge.target}")
        self.graph, self.edge = graph, edge

    def redo(self) -> None:
        e = self.edge
        self.graph.connect(e.source, e.source_port, e.target, e.target_port)

    def undo(self) -> None:
        self.graph.disconnect(self.edge)


class MoveNodes(QUndoCommand):
    """Nodes dragged from old to new positions (one command for the whole drag)."""

    def __init__(
        self,
        graph: Graph,
        moves: dict[str, tuple[tuple[float, float], tuple[float, float]]],
        text: str = "",
    ) -> None:
        count = len(moves)
        super().__init__(
            text or (f"Move {next(iter(moves))}" if count == 1 else f"Move {count} nodes")
        )
        self.graph, self.moves = graph, moves

    def redo(self) -> None:
        for node_id, (_, new) in self.moves.items():
            self.graph.move_node(node_id, new)

    def undo(self) -> None:
        for node_id, (old, _) in self.moves.items():
            self.graph.move_node(node_id, old)


class SetParams(QUndoCommand):
    """A parameter edit in the inspector; undo restores the values and the learned weights."""

    def __init__(self, graph: Graph, node_id: str, params: dict[str, Any]) -> None:
        names = ", ".join(params)
        super().__init__(f"Change {node_id} {names}")
        node = graph.nodes[node_id]
        self.graph, self.node_id, self.params = graph, node_id, dict(params)
        self.previous = {k: node.params[k] for k in params}
        self.weights = _copy_weights(node.weights)
        self.learned = None  # the weights trained after the change, kept by undo for redo

    def redo(self) -> None:
        self.graph.set_params(self.node_id, self.params)
        self.graph.set_weights(self.node_id, _copy_weights(self.learned))

    def undo(self) -> None:
        self.learned = _copy_weights(self.graph.nodes[self.node_id].weights)
        self.graph.set_params(self.node_id, self.previous)
        self.graph.set_weights(self.node_id, _copy_weights(self.weights))


class SetTraining(QUndoCommand):
    """A change of the training settings (dataset, optimizer, learning rate...)."""

    def __init__(self, graph: Graph, settings: dict[str, Any]) -> None:
        super().__init__("Change training " + ", ".join(k.replace("_", " ") for k in settings))
        self.graph, self.settings = graph, dict(settings)
        self.previous = {k: getattr(graph.training, k) for k in settings}

    def redo(self) -> None:
        self.graph.set_training(**self.settings)

    def undo(self) -> None:
        self.graph.set_training(**self.previous)


class SetData(QUndoCommand):
    """Keep new data as the graph's own dataset (an import, a drawn point), and train on it."""

    def __init__(self, graph: Graph, data: Any, text: str, train_on_it: bool = True) -> None:
        super().__init__(text)
        self.graph, self.data, self.previous = graph, data, graph.data
        self.dataset = graph.training.dataset
        self.train_on_it = train_on_it

    def redo(self) -> None:
        self.graph.set_data(self.data)
        if self.train_on_it and self.graph.training.dataset != "imported":
            self.graph.set_training(dataset="imported")

    def undo(self) -> None:
        if self.graph.training.dataset != self.dataset:
            self.graph.set_training(dataset=self.dataset)
        self.graph.set_data(self.previous)


class SetRuns(QUndoCommand):
    """Pin a run to the project, or take one off: the runs the file keeps."""

    def __init__(self, graph: Graph, runs: tuple, text: str) -> None:
        super().__init__(text)
        self.graph, self.runs, self.previous = graph, tuple(runs), graph.runs

    def redo(self) -> None:
        self.graph.set_runs(self.runs)

    def undo(self) -> None:
        self.graph.set_runs(self.previous)
