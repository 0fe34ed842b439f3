"""Groups: a named set of a graph's nodes, drawn as one node whose ports are the edges
that cross its boundary.

A group organises nodes; it computes nothing of its own, so a grouped graph gives the
same numbers as the ungrouped one. Groups do not nest: a node belongs to at most one
group, and a group holds nodes only. A group is made *closed*: no path of edges leaves
it and comes back into it, so that it can be computed (and stepped over, and exported
as a PyTorch submodule) as one call between what feeds it and what reads it. An edit
of the edges may open it again later; it is then still kept and saved, it computes
the same, stepping goes through it in pieces, and the exporter says why it cannot.
``Graph.groups`` holds a graph's groups and announces each change on ``changed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from .events import Signal
from .graph import ID_PATTERN, Edge, GraphError

if TYPE_CHECKING:
    from .graph import Graph


class GroupError(GraphError):
    """A group that cannot be made, renamed or kept; the message says why."""


@dataclass(frozen=True)
class Group:
    """A named set of node ids (in the graph's order) and where its node sits when closed."""

    name: str
    members: tuple[str, ...]
    position: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True)
class GroupPorts:
    """The edges that cross a group's boundary: into it, and out of it."""

    inputs: tuple[Edge, ...]
    outputs: tuple[Edge, ...]

    def input_names(self) -> list[str]:
        """One port per member input fed from outside: ``member.port``."""
        return list(dict.fromkeys(f"{e.target}.{e.target_port}" for e in self.inputs))

    def output_names(self) -> list[str]:
        """One port per member output read outside: ``member.port``."""
        return list(dict.fromkeys(f"{e.source}.{e.source_port}" for e in self.outputs))


Table = Mapping[str, Group]


class Groups:
    """The groups of one graph by name; every change is checked, then announced."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._groups: dict[str, Group] = {}
        self._of: dict[str, str] = {}  # node id -> the name of its group
        self._renaming: str | None = None  # a node taken out to be put back under a new id
        self.changed = Signal("groups_changed")  # the new table

    def __iter__(self) -> Iterator[Group]:
        return iter(list(self._groups.values()))

    def __len__(self) -> int:
        return len(self._groups)

    def __contains__(self, name: object) -> bool:
        return name in self._groups

    def __getitem__(self, name: str) -> Group:
        try:
            return self._groups[name]
        except KeyError:
            raise GroupError(f"no group {name!r}") from None

    def group_of(self, node_id: str) -> str | None:
        """The name of the group ``node_id`` belongs to, or None."""
        return self._of.get(node_id)

    def table(self) -> Table:
        """The groups as they are now, a read-only snapshot (for undo)."""
        return MappingProxyType(dict(self._groups))

    def check(self, table: Table | Iterable[Group], closed: Iterable[str] = ()) -> dict[str, Group]:
        """``table`` checked, without changing anything; the groups named in ``closed``
        (the ones being made) must be closed too."""
        groups = list(table.values()) if isinstance(table, Mapping) else list(table)
        made = set(closed)
        checked: dict[str, Group] = {}
        for group in groups:
            checked[group.name] = self._checked(group, checked, group.name in made)
        return checked

    def set_table(self, table: Table | Iterable[Group]) -> None:
        """Replace every group at once (each checked, its closure not): undo, redo, a file."""
        checked = self.check(table)
        self._groups = checked
        self._of = {m: g.name for g in checked.values() for m in g.members}
        self.changed.emit(self.table())

    def add(
        self, name: str, members: Iterable[str], position: tuple[float, float] | None = None
    ) -> Group:
        """Make a group of ``members``; by default its node sits where its members are."""
        members = tuple(members)
        if position is None:
            position = centre(self._graph, members)
        group = Group(name, members, position)
        self.check([*self._groups.values(), group], closed=[name])
        self.set_table([*self._groups.values(), group])
        return self._groups[name]

    def remove(self, name: str) -> Group:
        """Ungroup: the members stay in the graph."""
        group = self[name]
        self.set_table([g for g in self._groups.values() if g.name != name])
        return group

    def rename(self, old: str, new: str) -> Group:
        group = self[old]
        renamed = Group(new, group.members, group.position)
        self.set_table([renamed if g.name == old else g for g in self._groups.values()])
        return renamed

    def move(self, name: str, position: tuple[float, float]) -> None:
        group = self[name]
        moved = Group(name, group.members, (float(position[0]), float(position[1])))
        self.set_table([moved if g.name == name else g for g in self._groups.values()])

    @contextmanager
    def renaming(self, old: str, new: str) -> Iterator[None]:
        """While node ``old`` is taken out and put back as ``new``, it stays in its group:
        ``new`` counts as a member from the start, and the group changes once, at the end."""
        name = self._of.get(old)
        if name is None:
            yield
            return
        self._renaming, self._of[new] = old, name
        try:
            yield
        except BaseException:
            self._renaming = None
            del self._of[new]
            self.forget(old)
            raise
        self._renaming = None
        group = self._groups[name]
        members = tuple(new if m == old else m for m in group.members)
        renamed = Group(name, members, group.position)
        self.set_table([renamed if g.name == name else g for g in self._groups.values()])

    def forget(self, node_id: str) -> None:
        """A member was removed from the graph: its group loses it (and goes when empty)."""
        name = self._of.get(node_id)
        if name is None or node_id == self._renaming:
            return
        group = self._groups[name]
        rest = tuple(m for m in group.members if m != node_id)
        kept = [g for g in self._groups.values() if g.name != name]
        if rest:
            kept.append(Group(name, rest, group.position))
        self.set_table(kept)

    def _checked(self, group: Group, earlier: Mapping[str, Group], closed: bool) -> Group:
        """``group`` with its members in the graph's order; GroupError saying what is wrong."""
        name, graph = group.name, self._graph
        if not isinstance(name, str) or not ID_PATTERN.fullmatch(name):
            raise GroupError(f"group name {name!r} must be a name: letters, digits, _ (at most 64)")
        if name in earlier:
            raise GroupError(f"there is already a group {name!r}")
        if not group.members:
            raise GroupError(f"group {name!r} needs at least one node")
        for member in group.members:
            if member not in graph.nodes:
                raise GroupError(f"group {name!r}: there is no node {member!r}")
            for other in earlier.values():
                if member in other.members:
                    raise GroupError(
                        f"group {name!r}: node {member!r} is in group {other.name!r} already"
                    )
        if closed:
            check_closed(graph, group.members, name)
        chosen = set(group.members)
        ordered = tuple(n for n in graph.nodes if n in chosen)
        x, y = group.position
        return Group(name, ordered, (float(x), float(y)))


def centre(graph: Graph, members: Iterable[str]) -> tuple[float, float]:
    """The mean position of ``members``: where a group's node is drawn."""
    points = [graph.nodes[m].position for m in members if m in graph.nodes]
    if not points:
        return (0.0, 0.0)
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def ports(graph: Graph, members: Iterable[str]) -> GroupPorts:
    """The edges that enter and leave the set ``members``, in the graph's edge order."""
    inside = set(members)
    edges = graph.edges
    into = tuple(e for e in edges if e.target in inside and e.source not in inside)
    out = tuple(e for e in edges if e.source in inside and e.target not in inside)
    return GroupPorts(into, out)


def check_closed(
    graph: Graph, members: Iterable[str], name: str = "the group", extra: Iterable[Edge] = ()
) -> None:
    """GroupError when a path leaves ``members`` and comes back in (with ``extra`` edges too)."""
    inside = set(members)
    following: dict[str, list[str]] = {}
    for e in (*graph.edges, *extra):
        following.setdefault(e.source, []).append(e.target)
    start = [t for m in inside for t in following.get(m, []) if t not in inside]
    stack, seen = list(start), set(start)
    while stack:
        node_id = stack.pop()
        for target in following.get(node_id, []):
            if target in inside:
                label = name if name == "the group" else f"group {name!r}"
                raise GroupError(
                    f"{label} is not closed: a path leaves it and comes back in through "
                    f"{node_id!r} -> {target!r}"
                )
            if target not in seen:
                seen.add(target)
                stack.append(target)


def topological_order(graph: Graph) -> list[str]:
    """A topological order of the graph in which each group's members come one after another.

    Each group is contracted to one unit, the units are ordered (Kahn, in the graph's
    order), and a group's members follow the graph's own order. It is a topological
    order of the ungrouped graph too, so the numbers do not change. Where an edit has
    made a group open again (the contracted graph has a cycle), the graph's own order.
    """
    base = graph.topological_order()
    if not len(graph.groups):
        return base
    unit = {n: graph.groups.group_of(n) or n for n in graph.nodes}
    members: dict[str, list[str]] = {}
    for node_id in base:
        members.setdefault(unit[node_id], []).append(node_id)
    following: dict[str, set[str]] = {u: set() for u in members}
    indegree = dict.fromkeys(members, 0)
    for e in graph.edges:
        a, b = unit[e.source], unit[e.target]
        if a != b and b not in following[a]:
            following[a].add(b)
            indegree[b] += 1
    rank = {u: i for i, u in enumerate(members)}  # a unit's first place in ``base``
    ready = sorted((u for u, d in indegree.items() if d == 0), key=rank.__getitem__)
    order: list[str] = []
    while ready:
        u = ready.pop(0)
        order.extend(members[u])
        for v in sorted(following[u], key=rank.__getitem__):
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
        ready.sort(key=rank.__getitem__)
    return order if len(order) == len(base) else base


# ---- in a .vgraph file: an optional "groups" list ---------------------------------------------
MAX_GROUPS = 10_000


def to_data(groups: Groups) -> list[dict]:
    """The groups as a file keeps them: ``{"name", "members", "position"}`` each."""
    return [
        {"name": g.name, "members": list(g.members), "position": [*map(float, g.position)]}
        for g in groups
    ]


def from_data(value: object) -> list[Group]:
    """The groups a file gives (not yet checked against the graph); GroupError on a bad one."""
    if not isinstance(value, list):
        raise GroupError("groups must be a list of objects")
    if len(value) > MAX_GROUPS:
        raise GroupError(f"{len(value):,} groups is more than the limit of {MAX_GROUPS:,}")
    found = []
    for index, entry in enumerate(value):
        where = f"groups[{index}]"
        if not isinstance(entry, dict) or set(entry) != {"name", "members", "position"}:
            raise GroupError(f"{where}: expected an object with name, members and position")
        name, members, position = entry["name"], entry["members"], entry["position"]
        if not isinstance(name, str):
            raise GroupError(f"{where}: name must be text, a name of letters, digits and _")
        where = f"group {name!r}"
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise GroupError(f"{where}: members must be a list of node ids")
        if len(set(members)) != len(members):
            raise GroupError(f"{where}: a node is named twice among its members")
        numbers = isinstance(position, list) and len(position) == 2
        if not numbers or not all(type(v) in (int, float) and abs(v) < 1e300 for v in position):
            raise GroupError(f"{where}: position must be [x, y], two numbers")
        found.append(Group(name, tuple(members), (float(position[0]), float(position[1]))))
    return found
