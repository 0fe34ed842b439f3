"""Named change events of a graph, napari-style: ``graph.events.node_added.connect(fn)``.

A ``Signal`` holds its listeners strongly, in the order they connected. Strong, not
weak: a listener is often a lambda or a closure that nothing else keeps, and a weak
reference would drop it at once. A view stops listening by disconnecting when it
stops showing the graph (the window does so when its graph is replaced).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Listener = Callable[..., None]


class Signal:
    """One kind of change; ``emit(payload)`` calls every connected listener with it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Listener] = []

    def connect(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def disconnect(self, listener: Listener) -> None:
        try:
            self._listeners.remove(listener)
        except ValueError:
            raise ValueError(f"{self.name}: {listener!r} is not connected") from None

    def emit(self, *payload: Any) -> None:
        for listener in list(self._listeners):
            listener(*payload)

    def __len__(self) -> int:
        """How many listeners are connected."""
        return len(self._listeners)


class GraphEvents:
    """The changes a graph announces, each after it is made, with what changed."""

    def __init__(self) -> None:
        self.node_added = Signal("node_added")  # the Node
        self.node_removed = Signal("node_removed")  # the Node
        self.node_moved = Signal("node_moved")  # the Node, at its new position
        self.params_changed = Signal("params_changed")  # the Node, with its new parameters
        self.weights_changed = Signal("weights_changed")  # the Node, with its learned values
        self.edge_added = Signal("edge_added")  # the Edge
        self.edge_removed = Signal("edge_removed")  # the Edge
        self.training_changed = Signal("training_changed")  # the new TrainingSettings
        self.data_changed = Signal("data_changed")  # the new ImportedData, or None
        self.reroutes_changed = Signal("reroutes_changed")  # the Edge whose points changed
        self.runs_changed = Signal("runs_changed")  # the saved runs, a tuple of Run
        self.lesson_changed = Signal("lesson_changed")  # the new Lesson, or None
        self.annotations_changed = Signal("annotations_changed")  # a frame's or note's id

    def __iter__(self) -> Iterator[Signal]:
        return iter(vars(self).values())

    def structural(self) -> tuple[Signal, ...]:
        """The changes after which a computed shape or pass may differ: all but a move of a
        node or of a wire's reroute points, the lesson's text, and the frames and notes."""
        drawing = (
            self.node_moved,
            self.reroutes_changed,
            self.lesson_changed,
            self.annotations_changed,
        )
        return tuple(s for s in self if s not in drawing)


class Connections:
    """The listeners a view connected, disconnected together when it stops following."""

    def __init__(self) -> None:
        self._made: list[tuple[Signal, Listener]] = []

    def connect(self, signal: Signal, listener: Listener) -> None:
        signal.connect(listener)
        self._made.append((signal, listener))

    def disconnect_all(self) -> None:
        made, self._made = self._made, []
        for signal, listener in made:
            signal.disconnect(listener)
