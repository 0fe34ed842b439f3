"""The optional top-level sections of a ``.vgraph``, as one table that ``fileformat`` writes
and reads in order; a graph with nothing for a section leaves it out of the file.

``"data"`` holds the user's own dataset (``imported_data.to_data``: the column names and the
arrays as base64 float64), which ``"training": {"dataset": "imported"}`` trains on.
``"runs"`` holds the training runs pinned in the window or saved by ``visualgrad train
--save`` (``runs.to_data``: settings and thinned curves). ``"groups"`` holds the named groups
of nodes (``groups.to_data``: name, members, position of the group's node). ``"lesson"``
holds a guided lesson (``lessons.to_data``: its steps' texts, highlights and the actions
they wait for). ``"hand_edits"`` records the weights changed by hand (``hand_edits.to_data``:
node, tensor, index, the value before and after). ``"frames"`` and ``"notes"`` hold the
canvas's titled backdrops and text boxes (``annotations.to_sections``: id, title, colour and
rectangle; id, text, position), read together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import annotations, groups, hand_edits, imported_data, lessons, runs
from .file_checks import as_list
from .graph import Graph, GraphError


@dataclass(frozen=True)
class Section:
    """Top-level keys of a file, how a graph writes them and how they are read into one.

    ``write`` gives the keys the graph has something for; ``read`` gets the keys the file
    has (at least one) and raises one of ``errors``, whose message is the one-line problem.
    """

    keys: tuple[str, ...]
    write: Callable[[Graph], dict[str, Any]]
    read: Callable[[Graph, dict[str, Any]], None]
    errors: tuple[type[Exception], ...]


def _one(key: str, value: Any) -> dict[str, Any]:
    return {} if value is None else {key: value}


def _read_runs(graph: Graph, found: dict[str, Any]) -> None:
    saved = as_list(found["runs"], "runs", runs.MAX_SAVED_RUNS)
    graph.set_runs(runs.from_data(run, i) for i, run in enumerate(saved))


def _read_annotations(graph: Graph, found: dict[str, Any]) -> None:
    items = annotations.from_sections(found.get("frames"), found.get("notes"))
    annotations.restore(graph.annotations, items)


SECTIONS: tuple[Section, ...] = (
    Section(
        ("data",),
        lambda g: _one("data", None if g.data is None else imported_data.to_data(g.data)),
        lambda g, found: g.set_data(imported_data.from_data(found["data"])),
        (imported_data.DataError,),
    ),
    Section(
        ("runs",),
        lambda g: _one("runs", [runs.to_data(run) for run in g.runs] or None),
        _read_runs,
        (runs.RunError,),
    ),
    Section(
        ("groups",),
        lambda g: _one("groups", groups.to_data(g.groups) if len(g.groups) else None),
        lambda g, found: g.groups.set_table(groups.from_data(found["groups"])),
        (groups.GroupError,),
    ),
    Section(
        ("lesson",),
        lambda g: _one("lesson", None if g.lesson is None else lessons.to_data(g.lesson)),
        lambda g, found: g.set_lesson(lessons.from_data(found["lesson"])),
        (lessons.LessonError,),
    ),
    Section(
        ("hand_edits",),
        lambda g: _one("hand_edits", hand_edits.to_data(g.hand_edits) or None),
        lambda g, found: setattr(g, "hand_edits", hand_edits.from_data(found["hand_edits"])),
        (GraphError,),
    ),
    Section(
        ("frames", "notes"),
        lambda g: annotations.to_sections(g.annotations),
        _read_annotations,
        (annotations.AnnotationError,),
    ),
)
KEYS: tuple[str, ...] = tuple(key for section in SECTIONS for key in section.keys)
