"""Every optional section of a .vgraph, with each field set to an odd JSON value, loads or is
refused in one line (FileFormatError), never with another exception."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from visualgrad.graph import fileformat, hand_edits, runs
from visualgrad.graph.annotations import Frame, Note
from visualgrad.graph.graph import TrainingSettings
from visualgrad.graph.imported_data import ImportedData

SAMPLES = Path(__file__).resolve().parents[2] / "visualgrad" / "samples"
ODD = [None, True, 0, -1, 2.5, "", "x", [], {}, [1, 2], {"a": 1}]
SECTIONS = ("groups", "frames", "notes", "lesson", "data", "runs", "hand_edits")


def full_document() -> dict[str, Any]:
    """The xor sample with every optional section and a reroute point on an edge."""
    graph = fileformat.load(SAMPLES / "xor.vgraph")
    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    graph.set_data(ImportedData("pts", ("a", "b"), "c", "class", x, np.array([0.0, 1.0, 0.0])))
    graph.set_runs([runs.make_run("r", TrainingSettings(), [0.5, 0.25], [0.5, 1.0])])
    graph.groups.add("g", ["relu"])
    graph.annotations.put(Frame("f1", "title", "#123456", (0.0, 0.0, 100.0, 50.0)))
    graph.annotations.put(Note("n1", "a note", (10.0, 20.0)))
    weights, edit = hand_edits.edit(graph, "hidden", "weight", (0, 1), 2.0)
    for node_id, tensors in weights.items():
        graph.set_weights(node_id, tensors)
    graph.hand_edits.append(edit)
    graph.reroutes.set(graph.edges[0], [(1.0, 2.0)])
    document = json.loads(fileformat.to_json(graph))
    assert set(SECTIONS) <= set(document) and graph.lesson is not None
    return document


def paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """``path`` and the path of every field and list entry below it (a long list: its first)."""
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value[:2]):
            yield from paths(inner, (*path, index))


def replaced(document: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    place = changed
    for key in path[:-1]:
        place = place[key]
    place[path[-1]] = value
    return changed


def test_odd_values_in_every_optional_field_load_or_give_one_line():
    document = full_document()
    fileformat.from_json(json.dumps(document))  # the full document itself loads
    targets = [p for s in SECTIONS for p in paths(document[s], (s,))]
    targets += [("edges", 0, "via", *p) for p in paths(document["edges"][0]["via"])]
    targets.append(("training", "dtype"))
    crashes, refused = [], 0
    for path in targets:
        for value in ODD:
            text = json.dumps(replaced(document, path, value))
            try:
                fileformat.from_json(text, "f.vgraph")
            except fileformat.FileFormatError as error:
                message = str(error)
                refused += 1
                if "\n" in message or not message.startswith("f.vgraph: "):
                    crashes.append(f"{path}={value!r}: not one line: {message!r}")
            except Exception as error:  # noqa: BLE001 - any other exception is the bug
                crashes.append(f"{path}={value!r}: {type(error).__name__}: {error}")
    assert not crashes, "\n".join(crashes[:20])
    assert len(targets) > 60 and refused > len(targets)  # the walk reached the fields
