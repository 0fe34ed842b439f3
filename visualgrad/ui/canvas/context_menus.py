"""The right-click menus of the canvas: on empty canvas (add a node there, paste there, select
all, fit), on a node (rename, duplicate, delete, disconnect all, group, its help), on a
group's card (open it, rename it, ungroup), on a wire (delete, insert a node, add a reroute
point) and on a reroute point (remove it).

Every entry ends in one undoable edit, or in one of the window's own actions (handed in,
so their shortcuts show and they are disabled with the window's edit controls).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QLineEdit, QMenu, QMessageBox

from ...graph import fileformat
from ...graph.graph import Node
from .. import canvas_edits
from .edges import EdgeItem
from .group_item import GroupItem, GroupPortItem
from .nodes import HEADER, NODE_WIDTH, NodeItem, PortItem
from .palette import tooltip
from .reroute_point import ReroutePoint
from .view import CanvasView


def node_help(node: Node) -> str:
    """A node type's entry in the catalog, as the Help item of its menu shows it."""
    spec = node.spec
    rows = "".join(
        f"<li><b>{p.name}</b> ({p.type}, default {p.show(p.default)})"
        + (f": {p.doc}" if p.doc else "")
        + "</li>"
        for p in spec.params
    )
    params = f"<br><br><b>parameters</b><ul>{rows}</ul>" if rows else ""
    return tooltip(spec) + params


class NameEditor(QLineEdit):
    """A field over a node's header: Enter renames the node, Escape leaves it as it was."""

    def __init__(self, menus: ContextMenus) -> None:
        super().__init__(menus.view)
        self.menus = menus
        self.setObjectName("nodeName")
        self.node_id: str | None = None
        self.hide()
        self.returnPressed.connect(self._commit)

    def edit(self, node_id: str) -> None:
        view = self.menus.view
        item = view.scene().node_items[node_id]
        corner = view.mapFromScene(item.mapToScene(QPointF(4, 2)))
        self.node_id = node_id
        self.setFixedWidth(max(int(NODE_WIDTH * view.zoom()) - 8, 120))
        self.setFixedHeight(max(int(HEADER * view.zoom()) - 2, 22))
        self.move(corner)
        self.setText(node_id)
        self.selectAll()
        self.show()
        self.setFocus()

    def _commit(self) -> None:
        node_id, self.node_id = self.node_id, None
        self.hide()
        scene = self.menus.view.scene()
        if node_id is not None and canvas_edits.rename(scene.document, node_id, self.text()):
            scene.select_nodes([self.text().strip()])
        self.menus.view.setFocus()

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape:
            self.node_id = None
            self.hide()
            self.menus.view.setFocus()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        """A click elsewhere leaves the name as it was; a popup or another window does not."""
        super().focusOutEvent(event)
        if event.reason() not in (Qt.ActiveWindowFocusReason, Qt.PopupFocusReason):
            self.node_id = None
            self.hide()


class ContextMenus(QObject):
    """Opens the menu of what is under the mouse when the canvas is right-clicked."""

    def __init__(self, view: CanvasView, actions: Mapping[str, QAction]) -> None:
        super().__init__(view)
        self.view, self.actions = view, dict(actions)
        self.menu: QMenu | None = None  # the menu shown last
        self.help_box: QMessageBox | None = None
        self.name_editor = NameEditor(self)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.ContextMenu:
            return super().eventFilter(watched, event)
        if not event.modifiers() & Qt.ControlModifier:  # Ctrl + right-drag is the cut
            self.open(event.pos(), event.globalPos())
        return True

    def open(self, at: QPoint, global_at: QPoint) -> QMenu:
        """The menu of what is at ``at`` (viewport coordinates), shown at ``global_at``."""
        scene = self.view.scene()
        pos = self.view.mapToScene(at)
        item = next(
            (
                i
                for i in scene.items(pos)
                if isinstance(
                    i, (ReroutePoint, PortItem, NodeItem, GroupPortItem, GroupItem, EdgeItem)
                )
            ),
            None,
        )
        if isinstance(item, (PortItem, GroupPortItem)):
            item = item.node_item
        menu = QMenu(self.view)
        menu.setObjectName("canvasMenu")
        if isinstance(item, ReroutePoint):
            self._point_menu(menu, item)
        elif isinstance(item, NodeItem):
            self._node_menu(menu, item)
        elif isinstance(item, GroupItem) and "ungroup" in self.actions:
            self._group_menu(menu, item)
        elif isinstance(item, EdgeItem):
            self._edge_menu(menu, item, pos)
        else:
            self._canvas_menu(menu, pos)
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = menu
        menu.popup(global_at)
        return menu

    def _entry(self, menu: QMenu, text: str, slot, edit: bool = True) -> QAction:
        action = menu.addAction(text)
        action.triggered.connect(slot)
        action.setEnabled(not (edit and self.view.scene().document.locked))
        return action

    # ---- the four menus ------------------------------------------------------------------
    def _canvas_menu(self, menu: QMenu, pos: QPointF) -> None:
        self._entry(menu, "Add node here...", lambda: self.view.open_search(pos))
        paste = self._entry(menu, "Paste here", lambda: self.paste_at(pos))
        paste.setEnabled(paste.isEnabled() and '"visualgrad"' in _clipboard())
        menu.addSeparator()
        menu.addAction(self.actions["select_all"])
        menu.addAction(self.actions["fit"])

    def _node_menu(self, menu: QMenu, item: NodeItem) -> None:
        scene, node = self.view.scene(), item.node
        if not item.isSelected():
            scene.select_nodes([node.id])
        # once the menu has gone and given the focus back, or the field would lose it at once
        rename = lambda: QTimer.singleShot(0, lambda: self.name_editor.edit(node.id))  # noqa: E731
        self._entry(menu, "Rename...", rename)
        menu.addAction(self.actions["duplicate"])
        menu.addAction(self.actions["delete"])
        graph = scene.document.graph
        wired = bool(graph.edges_into(node.id) or graph.edges_from(node.id))
        disconnect = self._entry(
            menu, "Disconnect all", lambda: canvas_edits.disconnect_all(scene.document, node.id)
        )
        disconnect.setEnabled(disconnect.isEnabled() and wired)
        if "group" in self.actions:
            menu.addAction(self.actions["group"])
        menu.addSeparator()
        self._entry(menu, f"Help: {node.type}", lambda: self.show_help(node), edit=False)

    def _group_menu(self, menu: QMenu, item: GroupItem) -> None:
        """The window's group actions, which act on the card, now the one selected."""
        if not item.isSelected():
            self.view.scene().clearSelection()
            item.setSelected(True)
        for key in ("open_group", "rename_group", "ungroup"):
            if key in self.actions:
                menu.addAction(self.actions[key])

    def _edge_menu(self, menu: QMenu, item: EdgeItem, pos: QPointF) -> None:
        scene, edge = self.view.scene(), item.edge
        self._entry(menu, "Delete wire", lambda: scene.document.remove([], [edge]))
        self._entry(menu, "Insert node...", lambda: scene.wires.splice_search(edge, pos))
        self._entry(menu, "Add reroute point", lambda: scene.wires.add_point(item, pos))

    def _point_menu(self, menu: QMenu, point: ReroutePoint) -> None:
        wires = self.view.scene().wires
        self._entry(menu, "Remove reroute point", lambda: wires.remove_point(point))

    # ---- what the entries do -------------------------------------------------------------
    def paste_at(self, pos: QPointF) -> list[str]:
        """The copied nodes, placed with their top-left corner at ``pos``."""
        scene, text = self.view.scene(), _clipboard()
        try:
            copied = fileformat.from_json(text, "the clipboard")
        except fileformat.FileFormatError as error:
            scene.document.status.emit(str(error))
            return []
        if not copied.nodes:
            return []
        left = min(n.position[0] for n in copied)
        top = min(n.position[1] for n in copied)
        ids = scene.document.paste(text, (pos.x() - left, pos.y() - top))
        scene.select_nodes(ids)
        return ids

    def show_help(self, node: Node) -> QMessageBox:
        if self.help_box is not None:
            self.help_box.deleteLater()
        box = self.help_box = QMessageBox(self.view)
        box.setObjectName("nodeHelp")
        box.setWindowTitle(f"{node.type}: help")
        box.setTextFormat(Qt.RichText)
        box.setText(node_help(node))
        box.setWindowModality(Qt.NonModal)
        box.show()
        return box


def _clipboard() -> str:
    return QGuiApplication.clipboard().text()
