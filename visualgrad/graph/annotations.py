"""Frames and notes: what a person writes on the canvas beside the graph.

A frame is a titled, coloured backdrop; the nodes whose cards lie inside it move with it.
A note is a box of text. Both belong to the document (a file keeps them in its optional
``"frames"`` and ``"notes"`` sections) and change nothing a graph computes.
``Graph.annotations`` holds them by id; ``changed`` hears the id of each one that changed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .events import Signal

MAX_ANNOTATIONS = 500  # frames and notes, each
MAX_TITLE, MAX_TEXT = 200, 20_000  # characters
MAX_EXTENT = 1e6  # scene units: far beyond any canvas a person scrolls
COLOURS = ("#5b8def", "#43a36b", "#e0a43a", "#d9534f", "#8e6cc9", "#7f8c8d")  # to pick from
ID_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
COLOUR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
NOTE_WIDTH = 220.0


class AnnotationError(ValueError):
    """A frame or note that cannot be kept; the message names it and what is wrong."""


@dataclass(frozen=True)
class Frame:
    """A backdrop: its title, its colour (#rrggbb) and its rectangle (x, y, width, height)."""

    id: str
    title: str
    colour: str
    rect: tuple[float, float, float, float]

    def contains(self, box: tuple[float, float, float, float]) -> bool:
        """True when ``box`` (x, y, width, height) lies inside the frame."""
        x, y, w, h = self.rect
        bx, by, bw, bh = box
        return x <= bx and y <= by and bx + bw <= x + w and by + bh <= y + h

    def moved(self, dx: float, dy: float) -> Frame:
        x, y, w, h = self.rect
        return Frame(self.id, self.title, self.colour, (x + dx, y + dy, w, h))


@dataclass(frozen=True)
class Note:
    """A box of text at ``position`` (its top-left corner), ``width`` wide."""

    id: str
    text: str
    position: tuple[float, float]
    width: float = NOTE_WIDTH


Annotation = Frame | Note


def check(item: Any, where: str) -> Annotation:
    """``item`` if it is a frame or note that can be kept; AnnotationError naming ``where``."""
    if not isinstance(item, (Frame, Note)):
        raise AnnotationError(f"{where}: expected a frame or a note, got {type(item).__name__}")
    if not isinstance(item.id, str) or not ID_PATTERN.fullmatch(item.id):
        raise AnnotationError(f"{where}: id must be a name like frame_1, got {item.id!r}")
    if isinstance(item, Frame):
        _text(item.title, f"{where} ({item.id}) title", MAX_TITLE)
        if not isinstance(item.colour, str) or not COLOUR_PATTERN.fullmatch(item.colour):
            raise AnnotationError(
                f"{where} ({item.id}): colour must be #rrggbb, got {item.colour!r}"
            )
        _numbers(item.rect, 4, f"{where} ({item.id}) rect")
        if not (item.rect[2] > 0 and item.rect[3] > 0):
            raise AnnotationError(f"{where} ({item.id}): a frame's width and height must be > 0")
    else:
        _text(item.text, f"{where} ({item.id}) text", MAX_TEXT)
        _numbers(item.position, 2, f"{where} ({item.id}) position")
        _numbers((item.width,), 1, f"{where} ({item.id}) width")
        if item.width <= 0:
            raise AnnotationError(f"{where} ({item.id}): a note's width must be > 0")
    return item


def _text(value: Any, where: str, limit: int) -> None:
    if not isinstance(value, str):
        raise AnnotationError(f"{where} must be text, got {type(value).__name__}")
    if len(value) > limit:
        raise AnnotationError(f"{where} is longer than {limit} characters")


def _numbers(values: Any, count: int, where: str) -> None:
    ok = isinstance(values, tuple) and len(values) == count
    ok = ok and all(type(v) in (int, float) and math.isfinite(v) for v in values)
    if not ok or any(abs(v) > MAX_EXTENT for v in values):
        raise AnnotationError(f"{where} must be {count} finite numbers within ±{MAX_EXTENT:g}")


class Annotations:
    """The frames and notes of a graph, by id, in the order they were made."""

    def __init__(self, changed: Signal) -> None:
        self._items: dict[str, Annotation] = {}
        self.changed = changed

    def get(self, item_id: str) -> Annotation | None:
        return self._items.get(item_id)

    def put(self, item: Annotation) -> Annotation | None:
        """Add ``item``, or replace the one with its id; returns the one replaced."""
        check(item, "frame" if isinstance(item, Frame) else "note")
        old = self._items.get(item.id)
        if old is not None and type(old) is not type(item):
            raise AnnotationError(f"{item.id} is already a {type(old).__name__.lower()}")
        kind = [i for i in self._items.values() if type(i) is type(item)]
        if old is None and len(kind) >= MAX_ANNOTATIONS:
            raise AnnotationError(f"a project keeps at most {MAX_ANNOTATIONS} of each")
        self._items[item.id] = item
        if item != old:
            self.changed.emit(item.id)
        return old

    def take(self, item_id: str) -> Annotation:
        """Remove the frame or note ``item_id``; returns it."""
        if item_id not in self._items:
            raise AnnotationError(f"no frame or note called {item_id!r}")
        item = self._items.pop(item_id)
        self.changed.emit(item_id)
        return item

    def fresh_id(self, prefix: str) -> str:
        """``prefix_N`` for the smallest N not taken."""
        n = 1
        while f"{prefix}_{n}" in self._items:
            n += 1
        return f"{prefix}_{n}"

    @property
    def frames(self) -> tuple[Frame, ...]:
        return tuple(i for i in self._items.values() if isinstance(i, Frame))

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(i for i in self._items.values() if isinstance(i, Note))

    def __iter__(self) -> Iterator[Annotation]:
        return iter(list(self._items.values()))

    def __len__(self) -> int:
        return len(self._items)


# ---- in a file ------------------------------------------------------------------------------
def to_sections(annotations: Annotations) -> dict[str, list[dict[str, Any]]]:
    """The file's "frames" and "notes" sections; a kind with none is left out."""
    sections: dict[str, list[dict[str, Any]]] = {}
    frames = [
        {"id": f.id, "title": f.title, "colour": f.colour, "rect": [float(v) for v in f.rect]}
        for f in annotations.frames
    ]
    notes = [
        {
            "id": n.id,
            "text": n.text,
            "position": [float(v) for v in n.position],
            "width": float(n.width),
        }
        for n in annotations.notes
    ]
    if frames:
        sections["frames"] = frames
    if notes:
        sections["notes"] = notes
    return sections


def from_sections(frames: Any, notes: Any) -> list[Annotation]:
    """The frames and notes of a file's sections (None: absent); AnnotationError naming the
    entry otherwise."""
    items: list[Annotation] = []
    for section, entries, build in (("frames", frames, _frame), ("notes", notes, _note)):
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise AnnotationError(f"{section} must be a list, got {type(entries).__name__}")
        if len(entries) > MAX_ANNOTATIONS:
            raise AnnotationError(f"{section}: more than {MAX_ANNOTATIONS} entries")
        for index, entry in enumerate(entries):
            where = f"{section}[{index}]"
            if not isinstance(entry, dict):
                raise AnnotationError(f"{where} must be an object, got {type(entry).__name__}")
            items.append(check(build(entry, where), where))
    ids = [i.id for i in items]
    repeated = next((i for i in ids if ids.count(i) > 1), None)
    if repeated is not None:
        raise AnnotationError(f"two frames or notes are called {repeated!r}")
    return items


def _fields(entry: dict[str, Any], where: str, required: set[str], optional: set[str]) -> None:
    missing = sorted(required - set(entry))
    unknown = sorted(set(entry) - required - optional)
    if missing:
        raise AnnotationError(f"{where}: missing {', '.join(missing)}")
    if unknown:
        raise AnnotationError(f"{where}: unknown field {unknown[0]!r}")


def _pair(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _frame(entry: dict[str, Any], where: str) -> Frame:
    _fields(entry, where, {"id", "title", "colour", "rect"}, set())
    return Frame(entry["id"], entry["title"], entry["colour"], _pair(entry["rect"]))


def _note(entry: dict[str, Any], where: str) -> Note:
    _fields(entry, where, {"id", "text", "position"}, {"width"})
    return Note(
        entry["id"], entry["text"], _pair(entry["position"]), entry.get("width", NOTE_WIDTH)
    )


def restore(annotations: Annotations, items: Iterable[Annotation]) -> None:
    """Put every one of ``items`` into ``annotations`` (a file just read)."""
    for item in items:
        annotations.put(item)
