"""Reroute points: the places a wire is made to bend through on its way to its input.

They belong to the document (a file keeps them as each edge's ``"via"``), but change
nothing a graph computes: ``Graph.reroutes`` maps an edge to its points, in order from
the source to the target, and forgets them when the edge goes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Container, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .events import Signal
    from .graph import Edge

Point = tuple[float, float]
MAX_POINTS = 64  # on one edge


class RerouteError(ValueError):
    """Points that cannot be kept: not finite, too many, or on an edge the graph lacks."""


def checked_points(points: Iterable[Any], where: str) -> tuple[Point, ...]:
    """``points`` as (x, y) pairs of finite floats; RerouteError naming ``where`` otherwise."""
    result = []
    for point in points:
        pair = tuple(point) if isinstance(point, (list, tuple)) else ()
        numbers = len(pair) == 2 and all(type(v) in (int, float) and math.isfinite(v) for v in pair)
        if not numbers:
            raise RerouteError(f"{where}: a reroute point must be [x, y], two finite numbers")
        result.append((float(pair[0]), float(pair[1])))
        if len(result) > MAX_POINTS:
            raise RerouteError(f"{where}: more than {MAX_POINTS} reroute points on one edge")
    return tuple(result)


class Reroutes:
    """The reroute points of a graph's edges; ``changed`` hears the edge whose points changed."""

    def __init__(self, edges: Callable[[], Container[Edge]], changed: Signal) -> None:
        self._edges = edges  # the graph's current edges
        self._points: dict[Edge, tuple[Point, ...]] = {}
        self.changed = changed

    def points(self, edge: Edge) -> tuple[Point, ...]:
        """The points ``edge`` bends through, source to target (none: a plain curve)."""
        return self._points.get(edge, ())

    def set(self, edge: Edge, points: Iterable[Any]) -> tuple[Point, ...]:
        """Make ``edge`` bend through ``points`` (empty: straight again); returns the old ones."""
        if edge not in self._edges():
            raise RerouteError(f"no edge {edge} to reroute")
        new = checked_points(points, str(edge))
        old = self.points(edge)
        if new:
            self._points[edge] = new
        else:
            self._points.pop(edge, None)
        if new != old:
            self.changed.emit(edge)
        return old

    def forget(self, edge: Edge) -> None:
        """The edge is gone, and its points with it."""
        self._points.pop(edge, None)

    def __iter__(self) -> Iterator[tuple[Edge, tuple[Point, ...]]]:
        return iter(list(self._points.items()))

    def __len__(self) -> int:
        return len(self._points)
