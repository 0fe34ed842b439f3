"""The open project: the graph, its undo stack, its file, and every edit as a command.

The canvas, the palette, the inspector and the training panel ask the document
for an edit; it checks the edit against the graph first (so a refused edit leaves
no command on the stack and says why), then pushes the undo command that performs
it. While the document is locked (a training run reads the graph) it refuses every
edit, giving the lock's reason.
"""

from __future__ import annotations

import dataclasses
import json
import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..graph import fileformat
from ..graph.graph import Edge, Graph, GraphError, Node, check_weights, fresh_id
from ..graph.imported_data import IMPORTED, ImportedData
from ..graph.layout import layered_positions
from ..graph.runs import MAX_SAVED_RUNS, Run
from . import group_edits
from .commands import (
    AddNodes,
    Connect,
    MoveNodes,
    RemoveNodes,
    SetData,
    SetParams,
    SetRuns,
    SetTraining,
)
from .weight_edits import SetWeights


class Document(QObject):
    """One project open in a window."""

    graph_replaced = Signal(object)  # the new Graph, after New or Open
    status = Signal(str)  # a message for the status bar (a refused edit says why here)
    modified_changed = Signal(bool)
    path_changed = Signal(str)
    locked_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = Graph()
        self.description: str | None = None
        self.path: str | None = None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self._weights_dirty = False
        self.lock_reason: str | None = None

    def _clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean or self._weights_dirty)

    # ---- files --------------------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean() or self._weights_dirty

    def mark_weights_changed(self) -> None:
        """Training stored learned values in the nodes: the file on disk is now older."""
        self._weights_dirty = True
        self.modified_changed.emit(True)

    def replace(self, graph: Graph, path: str | None, description: str | None = None) -> None:
        self.graph, self.path, self.description = graph, path, description
        self.undo_stack.clear()
        self.graph_replaced.emit(graph)  # (a training of the old graph stops here)
        self._weights_dirty = False
        self.path_changed.emit(path or "")
        self.modified_changed.emit(False)

    def new(self) -> None:
        self.replace(Graph(), None)

    def open(self, path: str) -> None:
        """Load ``path``; FileFormatError or OSError leaves the open project untouched."""
        graph, description = fileformat.load_with_description(path)
        self.replace(graph, os.path.abspath(path), description)

    def save(self, path: str) -> None:
        fileformat.save(self.graph, path, self.description)
        self.path = os.path.abspath(path)
        self.undo_stack.setClean()
        self._weights_dirty = False
        self.path_changed.emit(self.path)
        self.modified_changed.emit(False)

    # ---- the lock ---------------------------------------------------------------------------
    @property
    def locked(self) -> bool:
        return self.lock_reason is not None

    def lock(self, reason: str) -> None:
        """Refuse every edit, saying ``reason``, until ``unlock``."""
        self.lock_reason = reason
        self.locked_changed.emit(True)

    def unlock(self) -> None:
        self.lock_reason = None
        self.locked_changed.emit(False)

    def editable(self) -> bool:
        """Whether an edit may go ahead; while locked, no, with the reason on the status bar."""
        if self.lock_reason is not None:
            self.status.emit(self.lock_reason)
        return self.lock_reason is None

    # ---- edits ------------------------------------------------------------------------------
    def _refuse(self, error: Exception) -> None:
        self.status.emit(str(error))

    def add_node(self, type_name: str, position: tuple[float, float]) -> str | None:
        """Place a new node of ``type_name``; returns its id (None: refused)."""
        if not self.editable():
            return None
        node = Node(self.graph.fresh_id(type_name), type_name, {}, position)
        self.undo_stack.push(AddNodes(self.graph, [node], [], f"Add {type_name}"))
        return node.id

    def add_edge(self, edge: Edge) -> bool:
        if not self.editable():
            return False
        try:
            self.graph.check_edge(edge)
            group_edits.check_edge(self.graph, edge)  # a group stays closed
        except GraphError as error:
            self._refuse(error)
            return False
        self.undo_stack.push(Connect(self.graph, edge))
        return True

    def remove(self, node_ids: list[str], edges: list[Edge]) -> None:
        if (not node_ids and not edges) or not self.editable():
            return
        if node_ids:
            text = (
                f"Delete {node_ids[0]}" if len(node_ids) == 1 else f"Delete {len(node_ids)} nodes"
            )
        else:
            text = "Disconnect" if len(edges) == 1 else f"Disconnect {len(edges)} edges"
        removal = RemoveNodes(self.graph, node_ids, edges, text)
        group_edits.push_removal(self, removal, node_ids)  # grouped nodes leave their groups

    def move(
        self, moves: dict[str, tuple[tuple[float, float], tuple[float, float]]], text: str = ""
    ) -> bool:
        """Nodes dragged (or aligned: ``text`` names it) from old to new positions; False:
        refused, they go back."""
        if not self.editable():
            return False
        if moves:
            self.undo_stack.push(MoveNodes(self.graph, moves, text))
        return True

    def set_params(self, node_id: str, params: dict) -> bool:
        if not self.editable():
            return False
        node = self.graph.nodes[node_id]
        try:
            checked = node.spec.check_params({**node.params, **params})
        except ValueError as error:
            self._refuse(GraphError(f"{node.describe()}: {error}"))
            return False
        changed = {k: checked[k] for k in params if checked[k] != node.params[k]}
        if not changed:
            return True
        try:  # refused before the command exists, so no undo step is left behind
            check_weights(node.spec, node_id, checked, None)
        except GraphError as error:
            self._refuse(error)
            return False
        self.undo_stack.push(SetParams(self.graph, node_id, changed))
        return True

    def set_weights(self, weights: dict, text: str, edit=None) -> bool:
        """Give nodes new learnable tensors (a snapshot kept, a weight edited by hand, with
        its ``HandEdit`` record), one undo step."""
        if not self.editable():
            return False
        self.undo_stack.push(SetWeights(self.graph, weights, text, edit))
        return True

    def set_training(self, settings: dict) -> bool:
        """Change training settings, one undo step; a value out of range is refused."""
        if not self.editable():
            return False
        current = self.graph.training
        changed = {k: v for k, v in settings.items() if getattr(current, k) != v}
        try:
            dataclasses.replace(current, **changed).check()
            if changed.get("dataset") == IMPORTED and self.graph.data is None:
                raise ValueError("training: there is no imported data yet: File > Import data...")
        except ValueError as error:
            self._refuse(error)
            return False
        if changed:
            self.undo_stack.push(SetTraining(self.graph, changed))
        return True

    def set_data(self, data: ImportedData, text: str) -> bool:
        """Keep ``data`` as the graph's own dataset and train on it: one undo step."""
        if not self.editable():
            return False
        self.undo_stack.push(SetData(self.graph, data, text))
        return True

    def set_runs(self, runs: tuple[Run, ...], text: str) -> bool:
        """Change the runs saved with the project (pin or unpin one): one undo step."""
        if not self.editable():
            return False
        if len(runs) > MAX_SAVED_RUNS:
            self.status.emit(f"a project keeps at most {MAX_SAVED_RUNS} runs: unpin one first")
            return False
        self.undo_stack.push(SetRuns(self.graph, runs, text))
        return True

    def insert_on_edge(self, node_id: str, edge: Edge) -> bool:
        """Put a node into ``edge``: source -> node -> target, where the ports fit."""
        if not self.editable():
            return False
        node = self.graph.nodes[node_id]
        if not node.spec.inputs or not node.spec.outputs or self.graph.edges_into(node_id):
            return False
        first = Edge(edge.source, edge.source_port, node_id, node.spec.inputs[0].name)
        second = Edge(node_id, node.spec.outputs[0].name, edge.target, edge.target_port)
        trial = Graph()
        trial.restore(enumerate(self.graph), enumerate(e for e in self.graph.edges if e != edge))
        try:
            trial.connect(first.source, first.source_port, first.target, first.target_port)
            trial.check_edge(second)
        except GraphError:
            return False
        self.undo_stack.beginMacro(f"Insert {node_id}")
        self.undo_stack.push(RemoveNodes(self.graph, [], [edge], "Disconnect"))
        self.undo_stack.push(Connect(self.graph, first))
        self.undo_stack.push(Connect(self.graph, second))
        self.undo_stack.endMacro()
        return True

    def auto_layout(self, view: tuple[float, float] | None = None) -> None:
        """Lay the graph out in layers, wrapped to fit a view of ``view`` pixels."""
        if not self.editable():
            return
        positions = layered_positions(self.graph, view)
        moves = {
            node_id: (self.graph.nodes[node_id].position, position)
            for node_id, position in positions.items()
            if self.graph.nodes[node_id].position != position
        }
        if moves:
            self.undo_stack.push(MoveNodes(self.graph, moves, "Auto-layout"))

    # ---- clipboard ------------------------------------------------------------------------
    def copy(self, node_ids: list[str]) -> str:
        """The selected nodes and the edges among them, as .vgraph JSON."""
        part = Graph(training=self.graph.training)
        chosen = set(node_ids)
        edges = [e for e in self.graph.edges if e.source in chosen and e.target in chosen]
        part.restore(enumerate(self.graph.nodes[i] for i in node_ids), enumerate(edges))
        return fileformat.to_json(part)

    def paste(self, text: str, offset: tuple[float, float] = (30.0, 30.0)) -> list[str]:
        """Add the nodes of a copied .vgraph, renamed where their ids are taken."""
        if not self.editable():
            return []
        try:
            pasted = fileformat.from_json(text, "the clipboard")
        except (fileformat.FileFormatError, json.JSONDecodeError) as error:
            self._refuse(error)
            return []
        if not pasted.nodes:
            return []
        renamed, nodes, taken = {}, [], set(self.graph.nodes)
        for n in pasted:
            new_id = n.id
            if new_id in taken:
                new_id = fresh_id(n.type, taken)
            taken.add(new_id)
            renamed[n.id] = new_id
            x, y = n.position
            nodes.append(Node(new_id, n.type, n.params, (x + offset[0], y + offset[1]), n.weights))
        edges = [
            Edge(renamed[e.source], e.source_port, renamed[e.target], e.target_port)
            for e in pasted.edges
        ]
        text = f"Paste {len(nodes)} node{'s' if len(nodes) > 1 else ''}"
        self.undo_stack.push(AddNodes(self.graph, nodes, edges, text))
        return [n.id for n in nodes]
