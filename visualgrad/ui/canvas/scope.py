"""What level of the graph the canvas shows: the top (each group closed, one card with its
crossing edges as ports), the members of one open group, or a layer opened read-only as
its primitive ops (graph/expansion.py). The breadcrumbs above the canvas follow ``path``.

The scene asks the scope which nodes it draws and where an edge's ends are; the scope
rebuilds the scene when the level or the groups change. An expansion is derived from a
pass, not the document: any edit closes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, Signal

from ...graph.events import Connections
from ...graph.expansion import EXPANDABLE, Expansion
from ...graph.graph import Edge, Graph
from ...graph.groups import ports
from ...graph.shapes import show
from .. import group_edits
from .group_item import GroupItem
from .nodes import NodeItem

if TYPE_CHECKING:
    from .scene import CanvasScene

TOP = "Graph"


class Scope(QObject):
    """The open group or expansion of one scene, and the group cards it draws."""

    path_changed = Signal(list)  # the breadcrumbs' labels, the top first
    expand_requested = Signal(str)  # a layer to open as its primitive ops
    left_expansion = Signal()
    groups_edited = Signal()

    def __init__(self, scene: CanvasScene) -> None:
        super().__init__(scene)
        self.scene = scene
        self.group: str | None = None  # the group open, None at the top
        self.expansion: Expansion | None = None
        self.group_items: dict[str, GroupItem] = {}
        self._connections = Connections()
        scene.document.graph_replaced.connect(self._replaced)  # before the scene redraws
        scene.document.undo_stack.indexChanged.connect(self._edited)

    # ---- what the scene draws ------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        """An expansion is shown: it can be looked at and stepped through, not edited."""
        return self.expansion is not None

    def shows(self, node_id: str) -> bool:
        """Whether the level shown draws ``node_id`` as a node of its own."""
        graph = self.scene.graph
        return self.read_only or graph.groups.group_of(node_id) == self.group

    def add_items(self, graph: Graph) -> None:
        """The scene was cleared and refilled with ``graph``'s nodes: add the group cards."""
        self._connections.disconnect_all()
        self.group_items = {}
        if self.read_only:
            return
        self._connections.connect(graph.groups.changed, self._groups_changed)
        if self.group is not None:
            return
        for group in graph.groups:
            item = GroupItem(group, ports(graph, group.members), self.scene.theme)
            self.group_items[group.name] = item
            self.scene.addItem(item)

    def ends(self, edge: Edge) -> tuple | None:
        """The port items an edge is drawn between, or None where the level hides it."""
        source = self._end(edge.source, edge.source_port, True)
        target = self._end(edge.target, edge.target_port, False)
        if source is None or target is None or source.node_item is target.node_item:
            return None
        return source, target

    def _end(self, node_id: str, port: str, output: bool):
        item = self.scene.node_items.get(node_id)
        if item is not None:
            return (item.outputs if output else item.inputs).get(port)
        group = self.group_items.get(self.scene.graph.groups.group_of(node_id) or "")
        if group is None:
            return None
        return (group.outputs if output else group.inputs).get(f"{node_id}.{port}")

    def item_of(self, node_id: str):
        """The card that stands for ``node_id``: its own, or its closed group's."""
        item = self.scene.node_items.get(node_id)
        if item is not None or self.read_only:
            return item
        return self.group_items.get(self.scene.graph.groups.group_of(node_id) or "")

    def lit_items(self) -> list:
        """Every card playback may light: the nodes' and the groups'."""
        return [*self.scene.node_items.values(), *self.group_items.values()]

    def steps_over(self, group: str | None) -> bool:
        """Whether a step in ``group`` is stepped over: the group is closed on the canvas."""
        return group is not None and group in self.group_items

    def selected_node_ids(self) -> list[str]:
        """The selected nodes, with the members of each selected group (none when read-only)."""
        if self.read_only:
            return []
        ids = []
        for item in self.scene.selectedItems():
            if isinstance(item, NodeItem):
                ids.append(item.node.id)
            elif isinstance(item, GroupItem):
                ids.extend(item.group.members)
        return list(dict.fromkeys(ids))

    def selected_groups(self) -> list[str]:
        return [i.name for i in self.scene.selectedItems() if isinstance(i, GroupItem)]

    # ---- going in and out ------------------------------------------------------------------------
    @property
    def path(self) -> list[str]:
        labels = [TOP]
        if self.group is not None:
            labels.append(self.group)
        if self.expansion is not None:
            labels.append(f"{self.expansion.layer} (primitive ops)")
        return labels

    def double_click(self, pos: QPointF) -> bool:
        """Open the group or the layer under ``pos``; whether there was one."""
        for item in self.scene.items(pos):
            if isinstance(item, GroupItem):
                self.open_group(item.name)
                return True
            if isinstance(item, NodeItem) and not self.read_only:
                if item.node.type in EXPANDABLE:
                    self.expand_requested.emit(item.node.id)
                    return True
                return False
        return False

    def open_group(self, name: str) -> None:
        if name not in self.scene.graph.groups:
            return
        self.group = name
        self._redraw()

    def go_to(self, level: int) -> None:
        """Back to the breadcrumb at ``level`` (0: the top)."""
        if level >= len(self.path) - 1:
            return
        if self.expansion is not None:
            self._close_expansion(redraw=False)
        if level == 0:
            self.group = None
        self._redraw()

    def show_expansion(self, expansion: Expansion) -> None:
        """Draw a layer's primitive ops, read-only, with the shapes its pass computed."""
        self.expansion = expansion
        self.scene.set_graph(expansion.graph)
        values = {e.node: e.value for e in expansion.trace.forward}
        for node_id, item in self.scene.node_items.items():
            item.setFlag(NodeItem.ItemIsMovable, False)
            item.set_shape(show(values[node_id].shape), None)
        for edge, item in self.scene.edge_items.items():
            item.set_shape(show(values[edge.source].shape))
        self._fit()
        self.path_changed.emit(self.path)

    def _close_expansion(self, redraw: bool = True) -> None:
        self.expansion = None
        self.left_expansion.emit()
        if redraw:
            self._redraw()

    def _redraw(self) -> None:
        self.scene.set_graph(self.scene.document.graph)
        self._fit()
        self.path_changed.emit(self.path)

    def _fit(self) -> None:
        for view in self.scene.views():
            if hasattr(view, "fit_to_view"):
                view.fit_to_view()

    # ---- following the document ------------------------------------------------------------------
    def _replaced(self, _graph: Graph) -> None:
        was = self.path
        self.group, self.expansion = None, None
        if was != self.path:
            self.left_expansion.emit()
            self.path_changed.emit(self.path)

    def _edited(self, _index: int) -> None:
        if self.expansion is not None:
            self._close_expansion()

    def _groups_changed(self, table) -> None:
        if self.group is not None and self.group not in table:
            self.group = None
        self.groups_edited.emit()
        self.scene.set_graph(self.scene.document.graph)
        self.path_changed.emit(self.path)

    def reveal(self, node_id: str) -> None:
        """A node was added where the open group does not show it: go to its level."""
        if not self.read_only and self.group is not None:
            self.group = self.scene.graph.groups.group_of(node_id)
            self._redraw()

    def move_group(self, name: str, position: tuple[float, float]) -> bool:
        return group_edits.move(self.scene.document, name, position)
