"""Group, ungroup, rename and move a group: each one undo step that swaps the graph's group
table, checked first so that a refused edit says why and leaves nothing on the stack."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from ..graph.graph import Edge, Graph
from ..graph.group_place import place
from ..graph.groups import Group, GroupError, Table, check_closed

if TYPE_CHECKING:
    from .document import Document


class SetGroups(QUndoCommand):
    """The graph's groups from one table to another (group, ungroup, rename, move, trim)."""

    def __init__(self, graph: Graph, after: Iterable[Group], text: str) -> None:
        super().__init__(text)
        self.graph = graph
        self.before: Table = graph.groups.table()
        self.after = list(after)

    def redo(self) -> None:
        self.graph.groups.set_table(self.after)

    def undo(self) -> None:
        self.graph.groups.set_table(self.before)


def _push(document: Document, after: list[Group], text: str, made: str | None = None) -> bool:
    """Check ``after``, then push it; False (with the reason on the status bar) when refused."""
    if not document.editable():
        return False
    try:
        document.graph.groups.check(after, closed=[made] if made else [])
    except GroupError as error:
        document.status.emit(str(error))
        return False
    document.undo_stack.push(SetGroups(document.graph, after, text))
    return True


def check_edge(graph: Graph, edge: Edge) -> None:
    """GroupError when ``edge`` would open a group: a path out of it and back in."""
    check_edges(graph, [edge])


def check_edges(graph: Graph, edges: Sequence[Edge]) -> None:
    """GroupError when ``edges``, added together, would open a group an end of one is in."""
    ends = {n for e in edges for n in (e.source, e.target)}
    for name in dict.fromkeys(graph.groups.group_of(n) for n in ends):
        if name is not None:
            check_closed(graph, graph.groups[name].members, name, edges)


def fresh_name(graph: Graph, base: str = "group") -> str:
    """A group name not taken by a group or a node: ``group``, ``group_2``..."""
    name, n = base, 1
    while name in graph.groups or name in graph.nodes:
        n += 1
        name = f"{base}_{n}"
    return name


def group(document: Document, node_ids: list[str], name: str | None = None) -> str | None:
    """Make one group of ``node_ids`` (groups among them merge into it); its name, or None."""
    graph = document.graph
    if not node_ids:
        document.status.emit("Select the nodes to group first")
        return None
    chosen = set(node_ids)
    merged = {graph.groups.group_of(n) for n in node_ids} - {None}
    for name_of in merged:
        chosen.update(graph.groups[name_of].members)
    kept = [g for g in graph.groups if g.name not in merged]
    name = name or fresh_name(graph)
    made = Group(name, tuple(chosen), place(graph, list(chosen), kept))
    if not _push(document, [*kept, made], f"Group {len(chosen)} nodes as {name}", name):
        return None
    return name


def ungroup(document: Document, name: str) -> bool:
    """Put a group's members back on the canvas where the group was."""
    kept = [g for g in document.graph.groups if g.name != name]
    return _push(document, kept, f"Ungroup {name}")


def rename(document: Document, old: str, new: str) -> bool:
    if old == new:
        return True
    table = [
        Group(new, g.members, g.position) if g.name == old else g for g in document.graph.groups
    ]
    return _push(document, table, f"Rename group {old} to {new}")


def move(document: Document, name: str, position: tuple[float, float]) -> bool:
    table = [
        Group(g.name, g.members, position) if g.name == name else g for g in document.graph.groups
    ]
    return _push(document, table, f"Move {name}")


def push_removal(document: Document, command: QUndoCommand, node_ids: list[str]) -> None:
    """Push a removal of nodes; where some are grouped, one step with their groups trimmed,
    so that its undo puts them back in their groups too."""
    graph, doomed = document.graph, set(node_ids)
    trimmed, changed = [], False
    for g in graph.groups:
        rest = tuple(m for m in g.members if m not in doomed)
        changed |= rest != g.members
        if rest:
            trimmed.append(Group(g.name, rest, g.position))
    if not changed:
        document.undo_stack.push(command)
        return
    document.undo_stack.beginMacro(command.text())
    document.undo_stack.push(SetGroups(graph, trimmed, command.text()))
    document.undo_stack.push(command)
    document.undo_stack.endMacro()
