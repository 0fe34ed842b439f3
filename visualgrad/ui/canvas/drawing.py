"""What every canvas item draws with: the fonts, and the level of detail of a zoom."""

from __future__ import annotations

from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

_FONTS: dict[str, QFont] = {}


def font(kind: str = "body") -> QFont:
    """The canvas's fonts ("title", "body", "small", "large"), made once Qt has started."""
    if kind not in _FONTS:
        made = QFont()
        made.setPointSizeF({"title": 9.0, "body": 8.5, "small": 7.5, "large": 17.0}[kind])
        made.setBold(kind in ("title", "large"))
        _FONTS[kind] = made
    return _FONTS[kind]


DETAIL = 0.5  # below this zoom the small text is unreadable: a node shows its id, large
OVERVIEW = 0.15  # below this, not even that


def detail(painter: QPainter) -> float:
    """How many pixels one scene unit covers where ``painter`` draws."""
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
