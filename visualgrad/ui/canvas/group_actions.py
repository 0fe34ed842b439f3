"""The window's group and open-inside actions: Group (Ctrl+G), Ungroup (Ctrl+Shift+G),
Rename Group, Open (Ctrl+Return: a group, or a layer's primitive ops) and Up a Level
(Alt+Up), with the breadcrumbs over the canvas and the playback panel following the
level the canvas shows."""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from ...graph.expansion import EXPANDABLE
from .. import group_edits
from ..document import Document
from .breadcrumbs import Breadcrumbs
from .scene import CanvasScene
from .view import CanvasView


class GroupActions:
    """Builds the actions on ``window`` and wires the scene's scope to the playback panel."""

    def __init__(
        self,
        document: Document,
        scene: CanvasScene,
        canvas: CanvasView,
        playback: Any,
        window: QWidget,
    ) -> None:
        """``playback`` is the window's PlaybackPanel (a sibling this part does not import):
        it opens a layer's expansion and resets when the level or the groups change."""
        self.document, self.scene, self.playback, self.window = document, scene, playback, window
        self.scope = scene.scope
        self.breadcrumbs = Breadcrumbs(self.scope, canvas)
        self.rename_dialog: QInputDialog | None = None
        self.group_action = self._action("&Group", self.group_selection, "Ctrl+G")
        self.ungroup_action = self._action("U&ngroup", self.ungroup_selection, "Ctrl+Shift+G")
        self.rename_action = self._action("&Rename Group...", self.rename_selection)
        self.open_action = self._action("&Open Inside", self.open_selection, "Ctrl+Return")
        self.up_action = self._action("&Up a Level", self.up, "Alt+Up")
        self.scope.expand_requested.connect(playback.open_inside)
        self.scope.left_expansion.connect(playback.reset)
        self.scope.groups_edited.connect(playback.reset)
        self.scope.path_changed.connect(lambda _path: self._update())
        scene.selectionChanged.connect(self._update)
        self._update()

    def _action(self, text: str, slot, shortcut: str | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    def actions(self) -> list[QAction]:
        return [
            self.group_action,
            self.ungroup_action,
            self.rename_action,
            self.open_action,
            self.up_action,
        ]

    def menu(self, parent: QMenu) -> QMenu:
        menu = QMenu("G&roups", parent)
        for action in self.actions():
            menu.addAction(action)
        return menu

    def _update(self) -> None:
        """Each action is on only where it can act on the selection and the level shown."""
        if not shiboken6.isValid(self.scene):  # the window is going: its scene went first
            return
        editable = not self.scope.read_only
        groups = self.scope.selected_groups()
        nodes = self.scene.selected_node_ids()
        self.group_action.setEnabled(editable and bool(nodes))
        self.ungroup_action.setEnabled(editable and (bool(groups) or self.scope.group is not None))
        self.rename_action.setEnabled(editable and len(groups) == 1)
        self.open_action.setEnabled(self._openable() is not None)
        self.up_action.setEnabled(len(self.scope.path) > 1)

    def _openable(self) -> tuple[str, str] | None:
        """("group", name) or ("layer", id) for the single selected card that opens."""
        groups = self.scope.selected_groups()
        if len(groups) == 1:
            return "group", groups[0]
        ids = [] if self.scope.read_only else self.scene.selected_node_ids()
        if len(ids) == 1 and self.document.graph.nodes[ids[0]].type in EXPANDABLE:
            return "layer", ids[0]
        return None

    # ---- the actions ---------------------------------------------------------------------------
    def group_selection(self) -> None:
        if self.scope.read_only:
            return
        name = group_edits.group(self.document, self.scene.selected_node_ids())
        if name is not None and name in self.scope.group_items:
            self.scope.group_items[name].setSelected(True)

    def ungroup_selection(self) -> None:
        """Ungroup the selected groups, or the open one (the canvas goes back up)."""
        names = self.scope.selected_groups() or ([self.scope.group] if self.scope.group else [])
        if len(names) > 1:
            self.document.undo_stack.beginMacro(f"Ungroup {len(names)} groups")
        for name in names:
            group_edits.ungroup(self.document, name)
        if len(names) > 1:
            self.document.undo_stack.endMacro()

    def rename_selection(self) -> None:
        """Ask for the selected group's new name (the dialog does not block the window)."""
        groups = self.scope.selected_groups()
        if len(groups) != 1:
            return
        dialog = self.rename_dialog = QInputDialog(self.window)
        dialog.setObjectName("renameGroupDialog")
        dialog.setWindowTitle("Rename group")
        dialog.setLabelText(f"New name for the group {groups[0]!r}:")
        dialog.setTextValue(groups[0])
        dialog.textValueSelected.connect(
            lambda text, old=groups[0]: group_edits.rename(self.document, old, text.strip())
        )
        dialog.open()

    def open_selection(self) -> None:
        found = self._openable()
        if found is None:
            return
        kind, name = found
        if kind == "group":
            self.scope.open_group(name)
        else:
            self.playback.open_inside(name)

    def up(self) -> None:
        self.scope.go_to(len(self.scope.path) - 2)
