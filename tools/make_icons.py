"""Write visualgrad/resources/icons/: the program's icon as an SVG and as PNGs to install.

The icon is a small computation graph: two inputs whose edges, drawn as arrows,
meet in an output node, on a rounded blue square. The SVG is written from the
geometry below, and each PNG is that SVG rendered by Qt at its size, so the two
never disagree. The same script always writes the same bytes::

    python tools/make_icons.py [OUT_DIR]    # default: visualgrad/resources/icons/
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

ICONS_DIR = Path(__file__).resolve().parents[1] / "visualgrad" / "resources" / "icons"
PNG_SIZES = (48, 128, 256)

INPUTS = ((66.0, 82.0), (66.0, 174.0))  # centres, in a 256 x 256 view box
INPUT_RADIUS = 25.0
OUTPUT, OUTPUT_RADIUS = (184.0, 128.0), 34.0
EDGE_WIDTH = 11.0
HEAD_LENGTH, HEAD_WIDTH = 30.0, 32.0  # of an arrowhead
GAP = 5.0  # between an arrowhead's tip and the node it points at


def _point(x: float, y: float) -> str:
    return f"{x:.1f},{y:.1f}"


def _arrow(start: tuple[float, float]) -> str:
    """A shaft and a head from the input at ``start`` to the output node's rim."""
    (x0, y0), (x1, y1) = start, OUTPUT
    length = math.hypot(x1 - x0, y1 - y0)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    tip = (x1 - ux * (OUTPUT_RADIUS + GAP), y1 - uy * (OUTPUT_RADIUS + GAP))
    base = (tip[0] - ux * HEAD_LENGTH, tip[1] - uy * HEAD_LENGTH)
    tail = (x0 + ux * INPUT_RADIUS, y0 + uy * INPUT_RADIUS)
    half = HEAD_WIDTH / 2
    left = (base[0] - uy * half, base[1] + ux * half)
    right = (base[0] + uy * half, base[1] - ux * half)
    # The shaft stops inside the head, so the round cap never shows past its corners.
    inner = (base[0] + ux * 4, base[1] + uy * 4)
    return (
        f'  <line x1="{tail[0]:.1f}" y1="{tail[1]:.1f}" x2="{inner[0]:.1f}" y2="{inner[1]:.1f}"'
        f' stroke="#ffffff" stroke-width="{EDGE_WIDTH}" stroke-linecap="round"/>\n'
        f'  <polygon points="{_point(*tip)} {_point(*left)} {_point(*right)}"'
        ' fill="#ffffff" stroke="#ffffff" stroke-width="3" stroke-linejoin="round"/>\n'
    )


def svg() -> str:
    """The icon as an SVG document (Tiny 1.2 features only, which Qt's renderer draws)."""
    nodes = "".join(
        f'  <circle cx="{x:.0f}" cy="{y:.0f}" r="{INPUT_RADIUS:.0f}" fill="#ffffff"/>\n'
        f'  <circle cx="{x:.0f}" cy="{y:.0f}" r="{INPUT_RADIUS - 11:.0f}" fill="#9cc3f5"/>\n'
        for x, y in INPUTS
    )
    ox, oy = OUTPUT
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny"'
        ' width="256" height="256" viewBox="0 0 256 256">\n'
        "  <title>visualgrad</title>\n"
        "  <defs>\n"
        '    <linearGradient id="back" x1="0" y1="0" x2="1" y2="1">\n'
        '      <stop offset="0" stop-color="#3d8bf0"/>\n'
        '      <stop offset="1" stop-color="#1c4fa8"/>\n'
        "    </linearGradient>\n"
        "  </defs>\n"
        '  <rect x="10" y="10" width="236" height="236" rx="52" ry="52" fill="url(#back)"/>\n'
        + "".join(_arrow(start) for start in INPUTS)
        + nodes
        + f'  <circle cx="{ox:.0f}" cy="{oy:.0f}" r="{OUTPUT_RADIUS:.0f}" fill="#ff922b"'
        ' stroke="#ffffff" stroke-width="8"/>\n'
        "</svg>\n"
    )


def render(text: str, size: int):
    """The SVG drawn on a transparent ``size`` x ``size`` image."""
    from PySide6.QtCore import QByteArray, QRectF
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(QByteArray(text.encode("utf-8")))
    if not renderer.isValid():
        raise ValueError("the icon's SVG did not parse")
    image = QImage(size, size, QImage.Format_ARGB32_Premultiplied)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=ICONS_DIR)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    args.out.mkdir(parents=True, exist_ok=True)
    text = svg()
    (args.out / "visualgrad.svg").write_text(text, encoding="utf-8")
    for size in PNG_SIZES:
        path = args.out / f"visualgrad-{size}.png"
        if not render(text, size).save(str(path), "PNG"):
            raise OSError(f"{path}: could not write the image")
        print(path)
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
