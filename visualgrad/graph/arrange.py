"""Snap, align, distribute and frame: where selected nodes go when a person lines them up,
and the frame that fits round them.

Each function takes the selected nodes' cards as ``{id: (x, y, width, height)}`` (the
top-left corner and the size) and returns the new top-left corner of each card that moves.
"""

from __future__ import annotations

from collections.abc import Mapping

from .annotations import Frame
from .graph import Graph
from .layout import CARD_WIDTH, card_height

GRID = 20.0  # the snapping grid, in scene units (the canvas draws a line every 40)
Box = tuple[float, float, float, float]
ALIGNMENTS = ("left", "right", "top", "bottom", "column", "row")  # column: centres on one x
FRAME_PAD, FRAME_TITLE = 24.0, 30.0  # round a frame's nodes, and its title bar above them


def cards(graph: Graph, node_ids: list[str]) -> dict[str, Box]:
    """The cards of ``node_ids`` as the canvas draws them."""
    return {
        n: (*graph.nodes[n].position, CARD_WIDTH, card_height(graph.nodes[n])) for n in node_ids
    }


def snap(position: tuple[float, float], grid: float = GRID) -> tuple[float, float]:
    """``position`` moved to the nearest grid point."""
    return (round(position[0] / grid) * grid, round(position[1] / grid) * grid)


def align(boxes: Mapping[str, Box], how: str) -> dict[str, tuple[float, float]]:
    """Line the cards up on the selection's left, right, top or bottom edge, or with their
    centres on one vertical line ("column") or one horizontal line ("row")."""
    if how not in ALIGNMENTS:
        raise ValueError(f"align: expected one of {', '.join(ALIGNMENTS)}, got {how!r}")
    if len(boxes) < 2:
        return {}
    values = boxes.values()
    left = min(x for x, _, _, _ in values)
    right = max(x + w for x, _, w, _ in values)
    top = min(y for _, y, _, _ in values)
    bottom = max(y + h for _, y, _, h in values)
    place = {
        "left": lambda x, y, w, h: (left, y),
        "right": lambda x, y, w, h: (right - w, y),
        "top": lambda x, y, w, h: (x, top),
        "bottom": lambda x, y, w, h: (x, bottom - h),
        "column": lambda x, y, w, h: ((left + right) / 2 - w / 2, y),
        "row": lambda x, y, w, h: (x, (top + bottom) / 2 - h / 2),
    }[how]
    return _moved(boxes, {n: place(*box) for n, box in boxes.items()})


def distribute(boxes: Mapping[str, Box], axis: str) -> dict[str, tuple[float, float]]:
    """Equal gaps between the cards along ``axis`` ("horizontal" or "vertical"), the first
    and the last card staying where they are; the others keep their order."""
    if axis not in ("horizontal", "vertical"):
        raise ValueError(f"distribute: expected 'horizontal' or 'vertical', got {axis!r}")
    if len(boxes) < 3:
        return {}
    along = 0 if axis == "horizontal" else 1
    order = sorted(boxes, key=lambda n: (boxes[n][along] + boxes[n][along + 2] / 2, n))
    start = boxes[order[0]][along]
    end = boxes[order[-1]][along] + boxes[order[-1]][along + 2]
    gap = (end - start - sum(boxes[n][along + 2] for n in order)) / (len(order) - 1)
    targets, at = {}, start
    for n in order:
        x, y, w, h = boxes[n]
        targets[n] = (at, y) if along == 0 else (x, at)
        at += boxes[n][along + 2] + gap
    return _moved(boxes, targets)


def _moved(boxes: Mapping[str, Box], targets: dict[str, tuple[float, float]]):
    """The targets that differ from where the cards are."""
    return {n: xy for n, xy in targets.items() if xy != (boxes[n][0], boxes[n][1])}


def frame_rect(graph: Graph, node_ids: list[str]) -> tuple[float, float, float, float]:
    """The rectangle (x, y, width, height) of a frame round the cards of ``node_ids``."""
    boxes = cards(graph, node_ids).values()
    left = min(x for x, _, _, _ in boxes) - FRAME_PAD
    top = min(y for _, y, _, _ in boxes) - FRAME_PAD - FRAME_TITLE
    right = max(x + w for x, _, w, _ in boxes) + FRAME_PAD
    bottom = max(y + h for _, y, _, h in boxes) + FRAME_PAD
    return (left, top, right - left, bottom - top)


def frame_members(graph: Graph, frame: Frame) -> list[str]:
    """The nodes whose cards lie inside ``frame``: those that move with it."""
    return [n for n, box in cards(graph, list(graph.nodes)).items() if frame.contains(box)]
