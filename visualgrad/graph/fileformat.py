"""The ``.vgraph`` file: a graph, its training settings and learned weights as UTF-8 JSON.

A file is plain data. Loading parses JSON and builds the graph through the
document's own checked edits (``Graph.add_node``, ``Graph.restore``, ``Graph.connect``,
``TrainingSettings.check``), so opening a file runs no code and cannot give a
graph the window could not have made. Every problem is a ``FileFormatError``
whose one-line message names the file and what is wrong. Older versions are
migrated on load (``MIGRATIONS``). Reading and saving go through ``safe_files``:
only a regular file is read or replaced, and a save is atomic, so a failed one
leaves the old file as it was.

Version 2, the keys of ``params`` and ``training`` sorted, ``description``, ``weights``
and an edge's ``via`` (the reroute points it bends through) optional::

    {
      "format": "visualgrad",
      "version": 2,
      "description": "A two-layer network on xor",
      "nodes": [
        {"id": "hidden", "type": "Linear", "params": {...}, "position": [120.0, 40.0],
         "weights": {"weight": {"shape": [1, 2], "values": [0.5, -0.25]}, "bias": {...}}}
      ],
      "edges": [{"from": "x.x", "to": "hidden.x", "via": [[60.0, 90.0]]}],
      "training": {"batch_size": 32, "dataset": "xor", ...every TrainingSettings field}
    }

The optional top-level sections (``"data"``, ``"runs"``, ``"groups"``, ``"lesson"``,
``"hand_edits"``, ``"frames"`` and ``"notes"``) are the table ``file_sections.SECTIONS``:
each is written only when the graph has something for it, and read in the table's order.

A graph's description is not part of ``Graph``: ``save`` takes it as an
argument and ``load_with_description`` returns it beside the graph.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from . import catalog, file_edges, file_sections, safe_files
from .file_checks import Problem as _Problem
from .file_checks import as_list as _list
from .file_checks import fields as _fields
from .file_checks import finite as _finite
from .file_checks import is_text as _is_text
from .file_checks import show as _show
from .graph import Graph, GraphError, TrainingSettings

FORMAT = "visualgrad"
VERSION = 2
MAX_FILE_BYTES = 200_000_000
MAX_NODES = 10_000
MAX_EDGES = 50_000
MAX_ELEMENTS = 100_000_000  # in one weight tensor
MAX_DIMS = 32
MAX_MESSAGE = 500

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _from_version_1(document: dict[str, Any]) -> dict[str, Any]:
    """Version 2 adds the training dtype; a version-1 file trained in float64."""
    training = document.get("training")
    if isinstance(training, dict):
        training.setdefault("dtype", "float64")
    return document


# MIGRATIONS[n] turns a parsed version-n document into a version-(n + 1) one; loading
# applies them in order up to VERSION. Each new part of version 2 has its default here.
MIGRATIONS: dict[int, Migration] = {1: _from_version_1}


class FileFormatError(ValueError):
    """A file that cannot be read or a graph that cannot be written; one line naming the file."""


# ---- writing -----------------------------------------------------------------------------
def to_json(graph: Graph, description: str | None = None) -> str:
    """The text of a ``.vgraph`` file: the same graph always gives the same text."""
    if description is not None and not _is_text(description):
        raise FileFormatError(f"the description must be text, got {_show(description)}")
    document: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if description is not None:
        document["description"] = description
    document["nodes"] = [_node_data(node) for node in graph]
    document["edges"] = [file_edges.edge_data(graph, e) for e in graph.edges]
    document["training"] = _training_data(graph.training)
    for section in file_sections.SECTIONS:
        document.update(section.write(graph))
    try:
        return _dump(document, 0) + "\n"
    except (TypeError, ValueError) as error:
        raise FileFormatError(f"cannot write the graph: {error}") from None


def save(graph: Graph, path: str | os.PathLike[str], description: str | None = None) -> None:
    """Write ``graph`` to ``path`` atomically: all of the new file, or the old one untouched.

    A graph that cannot be written raises FileFormatError; a target that cannot
    be (an empty path, a folder, a device, a pipe) or a failed write raises the
    OSError of ``safe_files.write_atomically``, before or without any change.
    """
    source = os.fspath(path)
    try:
        data = to_json(graph, description).encode("utf-8")
    except FileFormatError as error:
        raise FileFormatError(_one_line(f"{source}: {error}")) from None
    safe_files.write_atomically(source, data)


def _node_data(node: Any) -> dict[str, Any]:
    x, y = (float(v) for v in node.position)
    if not (math.isfinite(x) and math.isfinite(y)):
        raise FileFormatError(f"{node.describe()}: position {node.position} is not finite")
    data = {
        "id": node.id,
        "type": node.type,
        "params": dict(sorted(node.params.items())),
        "position": [x, y],
    }
    if node.weights and node.spec.learnable:  # other types never read weights
        data["weights"] = {name: _tensor_data(node, name, v) for name, v in node.weights.items()}
    return data


def _tensor_data(node: Any, name: str, value: Any) -> dict[str, Any]:
    array = np.asarray(value, dtype=np.float64)
    if not np.isfinite(array).all():
        raise FileFormatError(
            f"{node.describe()}: weight {name!r} holds NaN or infinity; a file keeps finite numbers"
        )
    return {"shape": list(array.shape), "values": array.ravel().tolist()}


def _training_data(settings: TrainingSettings) -> dict[str, Any]:
    data = {}
    for f in dataclasses.fields(TrainingSettings):
        value = getattr(settings, f.name)
        if isinstance(f.default, float) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(f.default, int) and isinstance(value, float) and value.is_integer():
            value = int(value)
        data[f.name] = value
    return dict(sorted(data.items()))


def _dump(value: Any, level: int) -> str:
    """JSON with objects indented by 2 and lists of numbers or strings kept on one line."""
    if isinstance(value, dict) and value:
        inner = "  " * (level + 1)
        items = (f"{inner}{_scalar(k)}: {_dump(v, level + 1)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        inner = "  " * (level + 1)
        items = (inner + _dump(v, level + 1) for v in value)
        return "[\n" + ",\n".join(items) + "\n" + "  " * level + "]"
    return _scalar(value)


def _scalar(value: Any) -> str:
    # json writes a float with repr, the shortest text that reads back as the same float
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


# ---- reading -----------------------------------------------------------------------------
def load(path: str | os.PathLike[str]) -> Graph:
    """The graph saved in ``path``; FileFormatError naming the file on any problem."""
    return load_with_description(path)[0]


def load_with_description(path: str | os.PathLike[str]) -> tuple[Graph, str | None]:
    """The graph saved in ``path`` and its description (None when it has none)."""
    source = os.fspath(path)
    try:
        with safe_files.open_for_reading(source) as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise _error(source, _too_large(size))
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise _error(source, f"cannot read the file: {reason}") from error
    return from_json_with_description(data, source)


def from_json(text: str | bytes, source: str = "<string>") -> Graph:
    """The graph in the text of a ``.vgraph`` file (bytes must be UTF-8)."""
    return from_json_with_description(text, source)[0]


def from_json_with_description(
    text: str | bytes, source: str = "<string>"
) -> tuple[Graph, str | None]:
    """The graph in the text of a ``.vgraph`` file and its description."""
    try:
        document = _migrate(_parse(text))
        return _build(document)
    except _Problem as problem:
        raise _error(source, str(problem)) from None


def _error(source: str, problem: str) -> FileFormatError:
    return FileFormatError(_one_line(f"{source}: {problem}"))


def _one_line(message: str) -> str:
    message = " ".join(message.splitlines())
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."


def _too_large(size: int) -> str:
    return f"the file is {size:,} bytes, more than the limit of {MAX_FILE_BYTES:,}"


def _parse(text: str | bytes) -> Any:
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_FILE_BYTES:
            raise _Problem(_too_large(len(text)))
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as error:
            byte = error.object[error.start]
            raise _Problem(f"not UTF-8 text (byte 0x{byte:02x} at offset {error.start})") from None
    elif len(text) > MAX_FILE_BYTES:
        raise _Problem(_too_large(len(text.encode("utf-8", "surrogatepass"))))
    try:
        return json.loads(
            text.removeprefix("\ufeff"), object_pairs_hook=_object, parse_int=_integer
        )
    except json.JSONDecodeError as error:
        raise _Problem(
            f"damaged JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise _Problem("damaged JSON: lists or objects nested too deeply") from None
    except ValueError as error:
        raise _Problem(f"damaged JSON: {error}") from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is refused, since either value could be meant."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Problem(f"damaged JSON: the key {key!r} appears twice in one object")
        result[key] = value
    return result


def _integer(text: str) -> int | float:
    # No setting needs more than 18 digits; longer ones are read as the float they
    # stand for, which the range checks then refuse, instead of a huge int.
    return int(text) if len(text) <= 18 else float(text)


def _migrate(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _Problem(f'not a visualgrad file (no "format": "{FORMAT}")')
    if "version" not in document:
        raise _Problem("missing 'version'")
    version = document["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise _Problem(f"version must be a whole number, got {_show(version)}")
    if version > VERSION:
        raise _Problem(
            f"written by a newer visualgrad (version {version}; this one reads up to {VERSION})"
        )
    while version < VERSION:
        migration = MIGRATIONS.get(version)
        if migration is None:
            raise _Problem(f"version {version} is too old: no migration to version {version + 1}")
        try:
            document = migration(document)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as error:
            raise _Problem(
                f"cannot migrate from version {version}: {type(error).__name__}: {error}"
            ) from None
        if not isinstance(document, dict):
            raise _Problem(f"the migration from version {version} did not give an object")
        version += 1
        document["version"] = version
    return document


def _build(document: dict[str, Any]) -> tuple[Graph, str | None]:
    required = ("format", "version", "nodes", "edges", "training")
    _fields(document, "", required, ("description", *file_sections.KEYS))
    description = document.get("description")
    if description is not None and not _is_text(description):
        raise _Problem(f"description must be text, got {_show(description)}")
    nodes = _list(document["nodes"], "nodes", MAX_NODES)
    edges = _list(document["edges"], "edges", MAX_EDGES)
    graph = Graph()
    for index, entry in enumerate(nodes):
        _add_node(graph, index, entry)
    file_edges.connect_all(graph, edges)
    file_edges.reroute_all(graph, edges)
    for section in file_sections.SECTIONS:
        found = {key: document[key] for key in section.keys if key in document}
        if found:
            try:
                section.read(graph, found)
            except section.errors as error:
                raise _Problem(str(error)) from None
    settings = _training(document["training"])
    try:
        graph.set_training(**settings)
    except ValueError as error:
        raise _Problem(str(error)) from None
    return graph, description


def _add_node(graph: Graph, index: int, entry: Any) -> None:
    where = f"nodes[{index}]"
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        where = f"node {entry['id']!r}"
    _fields(entry, where, ("id", "type", "params", "position"), ("weights",))
    node_id, type_name, params = entry["id"], entry["type"], entry["params"]
    if not isinstance(type_name, str):
        raise _Problem(f"{where}: type must be a string, got {_show(type_name)}")
    try:
        spec = catalog.get(type_name)
    except ValueError as error:
        raise _Problem(f"{where}: {error}") from None
    if not isinstance(params, dict):
        raise _Problem(f"{where}: params must be an object, got {_show(params)}")
    position = entry["position"]
    if not (isinstance(position, list) and len(position) == 2 and all(map(_finite, position))):
        raise _Problem(f"{where}: position must be [x, y], two numbers, got {_show(position)}")
    who = f"{type_name} {node_id!r}"
    weights = _weights(entry["weights"], spec, who) if "weights" in entry else None
    if isinstance(node_id, str) and node_id in graph.nodes:
        raise _Problem(f"{where}: the id is used by an earlier node too")
    try:
        graph.add_node(type_name, node_id, params, (position[0], position[1]), weights)
    except (GraphError, OverflowError) as error:  # its messages name the node
        raise _Problem(str(error)) from None


def _weights(value: Any, spec: catalog.NodeType, who: str) -> dict[str, np.ndarray]:
    if not spec.learnable:
        raise _Problem(f"{who}: a {spec.name} has no learned tensors, but the file gives weights")
    if not isinstance(value, dict) or not value:
        raise _Problem(f"{who}: weights must be an object of named tensors, got {_show(value)}")
    return {name: _tensor(tensor, f"{who}: weight {name!r}") for name, tensor in value.items()}


def _tensor(value: Any, where: str) -> np.ndarray:
    _fields(value, where, ("shape", "values"))
    shape, values = value["shape"], value["values"]
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_DIMS
        or not all(type(n) is int and n >= 0 for n in shape)
    ):
        raise _Problem(
            f"{where}: shape must be a list of at most {MAX_DIMS} sizes (whole numbers, 0 or more),"
            f" got {_show(shape)}"
        )
    if math.prod(max(n, 1) for n in shape) > MAX_ELEMENTS:
        raise _Problem(
            f"{where}: shape {tuple(shape)} is larger than the limit of {MAX_ELEMENTS:,} elements"
        )
    size = math.prod(shape)
    if not isinstance(values, list):
        raise _Problem(f"{where}: values must be a list of numbers, got {_show(values)}")
    if len(values) != size:
        raise _Problem(f"{where}: shape {tuple(shape)} needs {size:,} values, got {len(values):,}")
    if not set(map(type, values)) <= {int, float}:
        wrong = next(v for v in values if type(v) is not int and type(v) is not float)
        raise _Problem(f"{where}: values must be numbers, found {_show(wrong)}")
    array = np.array(values, dtype=np.float64).reshape(shape)
    if not np.isfinite(array).all():
        raise _Problem(f"{where}: holds NaN or infinity; weights must be finite numbers")
    return array


def _training(value: Any) -> dict[str, Any]:
    """The settings with their JSON types checked; their ranges are TrainingSettings.check's."""
    fields = dataclasses.fields(TrainingSettings)
    _fields(value, "training", tuple(f.name for f in fields))
    settings = {}
    for f in fields:
        setting, default = value[f.name], f.default
        if isinstance(default, str):
            if not isinstance(setting, str):
                raise _Problem(f"training: {f.name} must be a string, got {_show(setting)}")
        elif isinstance(setting, bool) or not isinstance(setting, (int, float)):
            raise _Problem(f"training: {f.name} must be a number, got {_show(setting)}")
        elif isinstance(default, float):
            setting = float(setting)
        elif isinstance(setting, float) and setting.is_integer():
            setting = int(setting)
        settings[f.name] = setting
    return settings
