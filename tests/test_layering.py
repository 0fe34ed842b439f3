"""The model layers never know the screen: engine/ and graph/ import no Qt; and the parts of
the window use each other only through what each one makes public."""

from __future__ import annotations

import ast
import re
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


# ---- ui/ by part of the window ----------------------------------------------------------------
UI = PACKAGE / "ui"
PARTS = sorted(p.parent.name for p in UI.glob("*/__init__.py"))
ASSEMBLY = ("main_window", "app")  # they build the window from its parts: no part uses them
SIBLINGS = re.compile(r"^Siblings it may import: (.+)\.$", re.MULTILINE)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def public_names(part: str) -> set[str]:
    """The names ``ui/<part>/__init__.py`` lists in ``__all__``."""
    for statement in _tree(UI / part / "__init__.py").body:
        if isinstance(statement, ast.Assign) and statement.targets[0].id == "__all__":
            return set(ast.literal_eval(statement.value))
    raise AssertionError(f"ui/{part}/__init__.py: expected an __all__, found none")


def siblings_allowed(part: str) -> set[str]:
    """The siblings named on the "Siblings it may import: ..." line of the part's docstring."""
    doc = ast.get_docstring(_tree(UI / part / "__init__.py")) or ""
    found = SIBLINGS.search(doc)
    assert found, f"ui/{part}/__init__.py: expected a line 'Siblings it may import: ...'"
    named = {name.strip() for name in found.group(1).split(",")}
    return set() if named == {"none"} else named


def imports_of(path: Path) -> list[tuple[str, list[str]]]:
    """Each (module, names imported from it) of ``path``, relative imports made absolute."""
    module = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module[:-1]
    found = []
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            found.append((target, [alias.name for alias in node.names]))
    return found


def ui_files() -> list[tuple[str | None, Path]]:
    """Every module of ui/, with the part it belongs to (None: the top of ui/)."""
    return [
        (None if path.parent == UI else path.relative_to(UI).parts[0], path)
        for path in sorted(UI.rglob("*.py"))
    ]


def test_each_part_of_the_window_says_what_it_owns_and_which_siblings_it_may_import():
    assert PARTS == ["canvas", "files", "playback", "training"]
    for part in PARTS:
        assert siblings_allowed(part) <= set(PARTS) - {part}, part
        assert public_names(part), part
    # No part may reach, through others, back to itself.
    reach = {part: siblings_allowed(part) for part in PARTS}
    for _ in PARTS:
        reach = {p: r.union(*(reach[s] for s in r)) for p, r in reach.items()}
    assert [p for p, r in reach.items() if p in r] == []


def test_a_part_of_the_window_uses_a_sibling_only_through_its_public_names():
    problems = []
    for part, path in ui_files():
        for target, names in imports_of(path):
            pieces = target.split(".")
            if pieces[:2] != ["visualgrad", "ui"] or len(pieces) < 3 or pieces[2] == part:
                continue
            where = f"{path.relative_to(PACKAGE)}: {target}"
            if pieces[2] in ASSEMBLY and part is not None:
                problems.append(f"{where}: a part never uses the window that assembles it")
            elif pieces[2] not in PARTS:
                continue
            elif len(pieces) > 3:
                problems.append(f"{where}: expected the package, found one of its modules")
            elif not set(names) <= public_names(pieces[2]):
                hidden = sorted(set(names) - public_names(pieces[2]))
                problems.append(f"{where}: {hidden} not in its __all__")
            elif part is not None and pieces[2] not in siblings_allowed(part):
                problems.append(f"{where}: not a sibling ui/{part} may import")
    assert problems == []
