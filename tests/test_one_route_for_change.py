"""The document is changed only through graph/: no module outside it assigns to, deletes from
or calls a mutating method on a graph's ``nodes``, ``edges`` or a node's ``weights``.

The scan reads the source (an alias such as ``nodes = graph.nodes`` escapes it). It skips
``self.nodes`` and the like, a class's own fields, and the canvas items' ``edges`` lists of
edge items: neither is a graph's.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "visualgrad"
FIELDS = {"nodes", "edges", "weights"}
MUTATORS = {
    "append",
    "extend",
    "insert",
    "remove",
    "pop",
    "popitem",
    "clear",
    "update",
    "setdefault",
    "sort",
    "reverse",
    "add",
    "discard",
}


def _graph_field(node: ast.expr) -> ast.Attribute | None:
    """The ``x.nodes``, ``x.edges`` or ``x.weights`` that ``node`` is or indexes into."""
    while isinstance(node, ast.Subscript):
        node = node.value
    if not isinstance(node, ast.Attribute) or node.attr not in FIELDS:
        return None
    owner = node.value
    if isinstance(owner, ast.Name) and owner.id == "self":
        return None
    owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
    if node.attr == "edges" and owner_name.endswith("item"):
        return None
    return node


class _Changes(ast.NodeVisitor):
    """Each change by hand in one module: (line, "where: what")."""

    def __init__(self) -> None:
        self.scope: list[str] = []
        self.found: list[tuple[int, str]] = []

    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def _record(self, node: ast.AST, what: str) -> None:
        self.found.append((node.lineno, f"{'.'.join(self.scope) or '<module>'}: {what}"))

    def _targets(self, statement: ast.stmt, targets: list[ast.expr], verb: str = "") -> None:
        for target in targets:
            parts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
            for part in parts:
                if _graph_field(part) is not None:
                    self._record(statement, verb + ast.unparse(part))
        self.generic_visit(statement)

    def visit_Assign(self, node: ast.Assign) -> None:
        self._targets(node, node.targets)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._targets(node, [node.target])

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._targets(node, [node.target])

    def visit_Delete(self, node: ast.Delete) -> None:
        self._targets(node, node.targets, "del ")

    def visit_Call(self, node: ast.Call) -> None:
        method = node.func
        if (
            isinstance(method, ast.Attribute)
            and method.attr in MUTATORS
            and _graph_field(method.value) is not None
        ):
            self._record(node, f"{ast.unparse(method)}()")
        self.generic_visit(node)


def changes_by_hand() -> list[tuple[str, str]]:
    """Every change by hand outside graph/: ("path:line", "where: what")."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "graph":
            continue
        scan = _Changes()
        scan.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found += [(f"{relative}:{line}", what) for line, what in scan.found]
    return found


def test_the_scan_finds_each_kind_of_change_and_skips_what_is_no_graphs():
    source = """
class View:
    def edit(self, graph, node, item):
        graph.nodes["a"] = node
        graph.edges[:] = []
        graph.edges += []
        del graph.nodes["a"]
        node.weights = None
        node.weights["w"] += 1
        graph.edges.sort()
        graph.nodes["a"].weights.update({})
        self.nodes = {}
        item.edges.append(None)
        graph.nodes.get("a")
"""
    scan = _Changes()
    scan.visit(ast.parse(source))
    assert [what for _, what in scan.found] == [
        "View.edit: graph.nodes['a']",
        "View.edit: graph.edges[:]",
        "View.edit: graph.edges",
        "View.edit: del graph.nodes['a']",
        "View.edit: node.weights",
        "View.edit: node.weights['w']",
        "View.edit: graph.edges.sort()",
        "View.edit: graph.nodes['a'].weights.update()",
    ]


def test_outside_graph_nothing_changes_a_graph_by_hand():
    found = changes_by_hand()
    assert found == [], "\n".join(f"{where}: {what}" for where, what in found)
