"""The model layers never know the screen: engine/ and graph/ import no Qt."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "visualgrad"
QT = ("PySide6", "shiboken6", "pyqtgraph")


def test_engine_and_graph_import_without_qt():
    code = (
        "import sys, pkgutil, importlib, visualgrad\n"
        "for layer in ('engine', 'graph'):\n"
        "    try:\n"
        "        package = importlib.import_module('visualgrad.' + layer)\n"
        "    except ModuleNotFoundError:\n"
        "        continue\n"
        "    for info in pkgutil.walk_packages(package.__path__, package.__name__ + '.'):\n"
        "        importlib.import_module(info.name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_no_source_file_below_the_ui_names_qt():
    for layer in ("engine", "graph"):
        for path in (PACKAGE / layer).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for name in QT:
                assert f"import {name}" not in text and f"from {name}" not in text, path
