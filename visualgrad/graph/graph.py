"""The document: nodes with typed ports, edges between them, and the training settings.

Every edit goes through a method that checks it first, so a graph is always
well formed: no cycle, at most one edge into an input port, no edge between
ports of incompatible kinds, ids that are readable names. Listeners hear each
change by name on ``graph.events`` (the window redraws from them); the graph
knows nothing of Qt.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from . import catalog
from .annotations import Annotations
from .events import GraphEvents
from .imported_data import IMPORTED, ImportedData
from .reroutes import Reroutes

if TYPE_CHECKING:
    from .lessons import Lesson
    from .runs import Run

ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


class GraphError(ValueError):
    """An edit or a document that would break the graph; the message says why."""


MAX_WEIGHTS = 20_000_000  # learnable values one node may hold (160 MB of float64)


def check_weights(
    spec: catalog.NodeType, node_id: str, params: dict[str, Any], weights: dict | None
) -> None:
    """GraphError unless the node's learnable tensors fit its parameters and the size limit."""
    where = f"{spec.name} {node_id!r}"
    if not spec.learnable:
        if weights:
            raise GraphError(f"{where} has no learnable values, but some were given")
        return
    shapes = spec.weight_shapes(params)
    total = sum(int(np.prod(s)) for s in shapes.values())
    if total > MAX_WEIGHTS:
        raise GraphError(
            f"{where}: {total:,} learnable values are more than the {MAX_WEIGHTS:,} "
            "one node may hold"
        )
    if weights is None:
        return
    if set(weights) != set(shapes):
        raise GraphError(
            f"{where}: learnable values {sorted(weights)} given, {sorted(shapes)} expected"
        )
    for name, shape in shapes.items():
        got = tuple(np.shape(weights[name]))
        if got != shape:
            raise GraphError(f"{where}: {name} has shape {got}, expected {shape}")


@dataclass(eq=False)
class Node:
    """One placed node: its id, its type's name, its parameters and where it sits."""

    id: str
    type: str
    params: dict[str, Any]
    position: tuple[float, float] = (0.0, 0.0)
    weights: dict[str, np.ndarray] | None = None  # learned values; None: drawn from the seed

    @property
    def spec(self) -> catalog.NodeType:
        return catalog.get(self.type)

    def describe(self) -> str:
        """How messages name a node: ``Linear 'hidden'``."""
        return f"{self.type} {self.id!r}"


@dataclass(frozen=True)
class Edge:
    source: str
    source_port: str
    target: str
    target_port: str

    def __str__(self) -> str:
        return f"{self.source}.{self.source_port} -> {self.target}.{self.target_port}"


@dataclass
class TrainingSettings:
    """How the graph is trained: the dataset and the optimizer."""

    dataset: str = "xor"
    dataset_size: int = 200
    dataset_seed: int = 0
    val_fraction: float = 0.2
    optimizer: str = "sgd"
    learning_rate: float = 0.1
    momentum: float = 0.0
    batch_size: int = 32
    epochs: int = 50
    seed: int = 0
    dtype: str = "float64"

    LIMITS = {
        "dataset_size": (1, 1_000_000),
        "dataset_seed": (0, 2**31 - 1),
        "val_fraction": (0.0, 0.9),
        "learning_rate": (0.0, 1e3),
        "momentum": (0.0, 0.999),
        "batch_size": (1, 100_000),
        "epochs": (1, 100_000),
        "seed": (0, 2**31 - 1),
    }
    OPTIMIZERS = ("sgd", "adam")
    DTYPES = ("float64", "float32")

    def check(self) -> None:
        """ValueError naming the first setting out of range or of the wrong type."""
        from ..engine import datasets

        known = self.dataset in datasets.DATASETS or self.dataset == IMPORTED
        if not isinstance(self.dataset, str) or not known:
            raise ValueError(f"training: unknown dataset {self.dataset!r}")
        if self.optimizer not in self.OPTIMIZERS:
            raise ValueError(f"training: optimizer must be sgd or adam, got {self.optimizer!r}")
        if self.dtype not in self.DTYPES:
            raise ValueError(f"training: dtype must be float64 or float32, got {self.dtype!r}")
        for name, (low, high) in self.LIMITS.items():
            value = getattr(self, name)
            integral = isinstance(low, int) and isinstance(high, int)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"training: {name} must be a number, got {value!r}")
            if integral and not float(value).is_integer():
                raise ValueError(f"training: {name} must be a whole number, got {value!r}")
            if not low <= value <= high:
                raise ValueError(
                    f"training: {name} must be between {low} and {high}, got {value!r}"
                )


def fresh_id(type_name: str, taken: Container[str]) -> str:
    """An id not in ``taken`` for a new node of ``type_name``: ``linear``, ``linear_2``..."""
    base = re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).lower()
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


class Graph:
    """Nodes by id (in the order they were added), edges, and the training settings.

    ``nodes`` and ``edges`` are read-only views; each change is a method here that
    checks it and then announces it on ``events``.
    """

    def __init__(self, training: TrainingSettings | None = None) -> None:
        self._nodes: dict[str, Node] = {}
        self._edges: list[Edge] = []
        self._nodes_view: Mapping[str, Node] = MappingProxyType(self._nodes)
        self.training = TrainingSettings() if training is None else training
        self.events = GraphEvents()
        self.data: ImportedData | None = None  # the user's own dataset, if imported
        self.runs: tuple[Run, ...] = ()  # training runs pinned to be saved with the graph
        self.lesson: Lesson | None = None  # the guided lesson the project carries, if any
        self.hand_edits: list = []  # weights changed by hand (graph.hand_edits.HandEdit)
        self._index: _EdgeIndex | None = None  # rebuilt on the first read after an edge edit
        from .groups import Groups  # groups.py builds on this module

        self.groups = Groups(self)  # named sets of nodes, drawn as one node each
        # where wires bend (the drawing only); an edge's points go with it
        self.reroutes = Reroutes(lambda: self._indexed().edge_set, self.events.reroutes_changed)
        self.annotations = Annotations(self.events.annotations_changed)  # frames and notes

    # ---- reading ----------------------------------------------------------------------
    @property
    def nodes(self) -> Mapping[str, Node]:
        """The nodes by id, in their order."""
        return self._nodes_view

    @property
    def edges(self) -> tuple[Edge, ...]:
        """The edges, in the order they were added."""
        return self._indexed().edges

    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise GraphError(f"no node {node_id!r}") from None

    def _indexed(self) -> _EdgeIndex:
        if self._index is None:
            self._index = _EdgeIndex(self._edges)
        return self._index

    def edges_into(self, node_id: str) -> dict[str, Edge]:
        """The edge into each connected input port of ``node_id``."""
        return dict(self._indexed().into.get(node_id, {}))

    def edges_from(self, node_id: str) -> list[Edge]:
        return list(self._indexed().out.get(node_id, []))

    def fresh_id(self, type_name: str) -> str:
        """An unused readable id for a new node of ``type_name``."""
        return fresh_id(type_name, self._nodes)

    def topological_order(self) -> list[str]:
        """Node ids so that every edge goes from an earlier to a later node (Kahn)."""
        indegree = {node_id: 0 for node_id in self.nodes}
        for e in self.edges:
            indegree[e.target] += 1
        ready = [node_id for node_id, d in indegree.items() if d == 0]
        order = []
        while ready:
            node_id = ready.pop(0)
            order.append(node_id)
            for e in self.edges_from(node_id):
                indegree[e.target] -= 1
                if indegree[e.target] == 0:
                    ready.append(e.target)
        if len(order) != len(self.nodes):
            raise GraphError("the graph has a cycle")
        return order

    def reaches(self, start: str, goal: str) -> bool:
        """Whether a path of edges leads from ``start`` to ``goal``."""
        stack, seen = [start], set()
        while stack:
            node_id = stack.pop()
            if node_id == goal:
                return True
            if node_id not in seen:
                seen.add(node_id)
                stack.extend(e.target for e in self.edges_from(node_id))
        return False

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    # ---- editing ------------------------------------------------------------------------
    def add_node(self, type_name: str, *args: Any, **kwargs: Any) -> Node:
        """Place a node last: ``insert_node``'s arguments after its index."""
        return self.insert_node(len(self._nodes), type_name, *args, **kwargs)

    def insert_node(
        self,
        index: int,
        type_name: str,
        node_id: str | None = None,
        params: dict | None = None,
        position: tuple[float, float] = (0.0, 0.0),
        weights: dict[str, np.ndarray] | None = None,
    ) -> Node:
        """Place a node at ``index`` in the order of ``nodes`` (the order a file keeps)."""
        node = self._placed(index, type_name, node_id, params, position, weights)
        self.events.node_added.emit(node)
        return node

    def _placed(
        self,
        index: int,
        type_name: str,
        node_id: str | None,
        params: dict | None,
        position: tuple[float, float],
        weights: dict[str, np.ndarray] | None,
    ) -> Node:
        """The checked node, put at ``index``, not yet announced."""
        spec = catalog.get(type_name)
        node_id = self.fresh_id(type_name) if node_id is None else node_id
        if not isinstance(node_id, str) or not ID_PATTERN.fullmatch(node_id):
            raise GraphError(f"node id {node_id!r} must be a name: letters, digits, _ (at most 64)")
        if node_id in self._nodes:
            raise GraphError(f"there is already a node {node_id!r}")
        if not 0 <= index <= len(self._nodes):
            raise GraphError(
                f"{type_name} {node_id!r}: place {index} is outside 0..{len(self._nodes)}"
            )
        try:
            checked = spec.check_params(params or {})
        except ValueError as error:
            raise GraphError(f"{type_name} {node_id!r}: {error}") from None
        check_weights(spec, node_id, checked, weights)
        node = Node(node_id, type_name, checked, (float(position[0]), float(position[1])), weights)
        if index == len(self._nodes):
            self._nodes[node_id] = node
        else:
            placed = list(self._nodes.items())
            placed.insert(index, (node_id, node))
            self._nodes.clear()
            self._nodes.update(placed)
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its edges; returns both, so an undo can put them back."""
        node = self.node(node_id)
        removed = [e for e in self._edges if node_id in (e.source, e.target)]
        for e in removed:
            self.disconnect(e)
        del self._nodes[node_id]
        self.events.node_removed.emit(node)
        self.groups.forget(node_id)
        return node, removed

    def restore(
        self, nodes: Iterable[tuple[int, Node]] = (), edges: Iterable[tuple[int, Edge]] = ()
    ) -> None:
        """Put nodes and edges in at the places given, in one batch: the undo of a delete,
        a file's edges, a copy. Each is checked as ``add_node`` and ``connect`` check it,
        cycles once for the whole batch; on an error nothing changes.
        """
        kept_nodes, kept_edges = list(self._nodes.items()), list(self._edges)
        placed: list[Node] = []
        inserted: list[Edge] = []
        try:
            for index, n in sorted(nodes, key=lambda pair: pair[0]):
                placed.append(
                    self._placed(index, n.type, n.id, dict(n.params), n.position, n.weights)
                )
            taken = {(e.target, e.target_port) for e in self._edges}
            for index, edge in sorted(edges, key=lambda pair: pair[0]):
                self._check_new(edge, (edge.target, edge.target_port) in taken)
                taken.add((edge.target, edge.target_port))
                if not 0 <= index <= len(self._edges):
                    raise GraphError(f"edge {edge}: place {index} is outside 0..{len(self._edges)}")
                self._edges.insert(index, edge)
                inserted.append(edge)
            self._index = None
            if inserted:
                self.topological_order()  # the cycle check, once for the batch
        except GraphError:
            self._nodes.clear()
            self._nodes.update(kept_nodes)
            self._edges[:] = kept_edges
            self._index = None
            raise
        for node in placed:
            self.events.node_added.emit(node)
        for edge in inserted:
            self.events.edge_added.emit(edge)

    def set_params(self, node_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """Change some parameters (checked); returns the previous values of those changed.

        The learned values are dropped (a layer's size may have changed): the node draws
        fresh ones, until ``set_weights`` gives it others.
        """
        node = self.node(node_id)
        try:
            checked = node.spec.check_params({**node.params, **params})
        except ValueError as error:
            raise GraphError(f"{node.describe()}: {error}") from None
        check_weights(node.spec, node_id, checked, None)
        previous = {k: node.params[k] for k in params}
        node.params = checked
        node.weights = None
        self.events.params_changed.emit(node)
        return previous

    def set_weights(self, node_id: str, weights: dict[str, np.ndarray] | None) -> None:
        """Give a node learned values (checked against its parameters); None: draw fresh."""
        node = self.node(node_id)
        check_weights(node.spec, node_id, node.params, weights)
        node.weights = weights
        self.events.weights_changed.emit(node)

    def move_node(self, node_id: str, position: tuple[float, float]) -> None:
        node = self.node(node_id)
        node.position = (float(position[0]), float(position[1]))
        self.events.node_moved.emit(node)

    def _check_new(self, edge: Edge, port_taken: bool) -> None:
        """GraphError unless both ends exist, the input port is free and the kinds fit."""
        source, target = self.node(edge.source), self.node(edge.target)
        out_port = source.spec.output(edge.source_port)
        in_port = target.spec.input(edge.target_port)
        if out_port is None:
            raise GraphError(f"{source.describe()} has no output port {edge.source_port!r}")
        if in_port is None:
            raise GraphError(f"{target.describe()} has no input port {edge.target_port!r}")
        if port_taken:
            raise GraphError(
                f"{target.describe()}: input {edge.target_port!r} is already connected"
            )
        if not in_port.accepts(out_port):
            raise GraphError(
                f"cannot connect {source.describe()}.{edge.source_port} ({out_port.kind}) to "
                f"{target.describe()}.{edge.target_port} ({in_port.kind})"
            )
        if edge.source == edge.target:
            raise GraphError(f"connecting {edge} would make a cycle")

    def check_edge(self, edge: Edge) -> None:
        """GraphError saying why ``edge`` cannot be added, or nothing when it can."""
        self._check_new(edge, edge.target_port in self.edges_into(edge.target))
        if self.reaches(edge.target, edge.source):
            raise GraphError(f"connecting {edge} would make a cycle")

    def connect(self, source: str, source_port: str, target: str, target_port: str) -> Edge:
        edge = Edge(source, source_port, target, target_port)
        self.check_edge(edge)
        self._edges.append(edge)
        self._index = None
        self.events.edge_added.emit(edge)
        return edge

    def disconnect(self, edge: Edge) -> None:
        if edge not in self._edges:
            raise GraphError(f"no edge {edge}")
        self._edges.remove(edge)
        self._index = None
        self.reroutes.forget(edge)
        self.events.edge_removed.emit(edge)

    def set_training(self, **settings: Any) -> dict[str, Any]:
        """Change training settings (checked); returns the previous values."""
        updated = TrainingSettings(**{**self.training.__dict__, **settings})
        updated.check()
        if updated.dataset == IMPORTED and self.data is None:
            raise ValueError("training: the dataset 'imported' needs data: File > Import data...")
        previous = {k: getattr(self.training, k) for k in settings}
        self.training = updated
        self.events.training_changed.emit(updated)
        return previous

    def set_runs(self, runs: Iterable[Run]) -> tuple[Run, ...]:
        """Replace the saved runs (at most ``runs.MAX_SAVED_RUNS``); returns the old ones."""
        from .runs import MAX_SAVED_RUNS

        runs = tuple(runs)
        if len(runs) > MAX_SAVED_RUNS:
            raise GraphError(f"a project keeps at most {MAX_SAVED_RUNS} runs, got {len(runs)}")
        previous, self.runs = self.runs, runs
        self.events.runs_changed.emit(runs)
        return previous

    def set_lesson(self, lesson: Lesson | None) -> Lesson | None:
        """Carry ``lesson`` (None: no lesson); returns the old one."""
        previous, self.lesson = self.lesson, lesson
        self.events.lesson_changed.emit(lesson)
        return previous

    def set_data(self, data: ImportedData | None) -> ImportedData | None:
        """Keep ``data`` as the graph's own dataset (None removes it); returns the old one."""
        if data is None and self.training.dataset == IMPORTED:
            raise GraphError("the training uses the imported data: choose another dataset first")
        previous, self.data = self.data, data
        self.events.data_changed.emit(data)
        return previous


class _EdgeIndex:
    """The edges as a tuple, by the node they enter and by the node they leave."""

    def __init__(self, edges: list[Edge]) -> None:
        self.edges = tuple(edges)
        self.edge_set = frozenset(edges)  # for membership tests
        self.into: dict[str, dict[str, Edge]] = {}
        self.out: dict[str, list[Edge]] = {}
        for e in edges:
            self.into.setdefault(e.target, {})[e.target_port] = e
            self.out.setdefault(e.source, []).append(e)
