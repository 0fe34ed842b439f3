"""Groups and opening inside, used as a person does: select, Ctrl+G, double-click, the
breadcrumbs, Ctrl+Shift+G, undo; and a Linear opened as MatMul + Add, stepped back to the
bias's un-broadcast, its card read against torch."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from visualgrad.graph.data import pass_batch
from visualgrad.graph.execute import Program
from visualgrad.graph.graph import Edge
from visualgrad.ui.canvas.group_item import GroupItem
from visualgrad.ui.canvas.nodes import NODE_WIDTH

from .helpers import SAMPLES, drag, on_screen, open_window, snapshot

torch = pytest.importorskip("torch")


def _card_point(window, item):
    return on_screen(window, item.scenePos() + QPointF(NODE_WIDTH / 2, 12))


def _click(qtbot, window, item, modifier=Qt.NoModifier):
    qtbot.mouseClick(window.canvas.viewport(), Qt.LeftButton, modifier, _card_point(window, item))


def _key(window, key, modifier=Qt.ControlModifier):
    QTest.keyClick(window.canvas.viewport(), key, modifier)


def _grouped_xor(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.canvas.fit_to_view()
    _click(qtbot, window, window.scene.node_items["hidden"])
    _click(qtbot, window, window.scene.node_items["relu"], Qt.ControlModifier)
    _key(window, Qt.Key_G)
    return window


def test_group_open_and_ungroup_each_undoable(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    before = snapshot(window)
    window.canvas.fit_to_view()
    _click(qtbot, window, window.scene.node_items["hidden"])
    _click(qtbot, window, window.scene.node_items["relu"], Qt.ControlModifier)
    _key(window, Qt.Key_G)
    (group,) = window.graph.groups
    assert group.members == ("hidden", "relu")
    card = window.scene.scope.group_items[group.name]
    assert list(card.inputs) == ["hidden.x"] and list(card.outputs) == ["relu.y"]
    assert "hidden" not in window.scene.node_items and "x" in window.scene.node_items
    into = next(e for e in window.scene.edge_items if e.target == "hidden")
    assert window.scene.edge_items[into].target is card.inputs["hidden.x"]

    QTest.mouseDClick(
        window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, _card_point(window, card)
    )
    crumbs = window.group_actions.breadcrumbs
    assert window.scene.scope.path == ["Graph", group.name] and crumbs.isVisible()
    assert sorted(window.scene.node_items) == ["hidden", "relu"]
    qtbot.mouseClick(crumbs.buttons[0], Qt.LeftButton)
    assert window.scene.scope.path == ["Graph"] and not crumbs.isVisible()

    _click(qtbot, window, window.scene.scope.group_items[group.name])
    _key(window, Qt.Key_G, Qt.ControlModifier | Qt.ShiftModifier)
    assert len(window.graph.groups) == 0 and len(window.scene.node_items) == 8
    _key(window, Qt.Key_Z)
    assert [g.members for g in window.graph.groups] == [("hidden", "relu")]
    assert group.name in window.scene.scope.group_items
    _key(window, Qt.Key_Z)
    assert len(window.graph.groups) == 0 and snapshot(window) == before
    assert not window.scene.scope.group_items and len(window.scene.node_items) == 8


def test_rename_move_and_delete_inside_a_group_are_undone(qtbot):
    window = _grouped_xor(qtbot)
    name = next(iter(window.graph.groups)).name
    _click(qtbot, window, window.scene.scope.group_items[name])
    window.group_actions.rename_action.trigger()
    dialog = window.group_actions.rename_dialog
    dialog.setTextValue("features")
    dialog.accept()
    assert [g.name for g in window.graph.groups] == ["features"]
    card = window.scene.scope.group_items["features"]
    start = card.pos()
    drag(window, _card_point(window, card), _card_point(window, card) + QPointF(60, 40).toPoint())
    moved = window.graph.groups["features"].position
    assert moved != (start.x(), start.y())
    _key(window, Qt.Key_Z)
    assert window.graph.groups["features"].position == (start.x(), start.y())

    window.scene.scope.open_group("features")
    _click(qtbot, window, window.scene.node_items["relu"])
    QTest.keyClick(window.canvas.viewport(), Qt.Key_Delete)
    assert "relu" not in window.graph.nodes
    assert window.graph.groups["features"].members == ("hidden",)
    _key(window, Qt.Key_Z)
    assert window.graph.groups["features"].members == ("hidden", "relu")
    _key(window, Qt.Key_Z)  # the rename
    assert [g.name for g in window.graph.groups] == ["group"]


def test_a_closed_group_is_stepped_over_and_an_open_one_into(qtbot):
    window = _grouped_xor(qtbot)
    panel, forward = window.playback, window.playback.forward_button
    while True:
        was = panel.position
        qtbot.mouseClick(forward, Qt.LeftButton)
        if panel.steps[panel.position - 1].group == "group":
            break
    assert panel.position - was == 2  # hidden and relu in one press
    assert panel.steps[panel.position - 1].node == "relu"
    assert panel.chain.toPlainText().startswith("Forward over group group: computes hidden, relu")
    assert window.scene.scope.group_items["group"].state == "forward"
    qtbot.mouseClick(panel.reset_button, Qt.LeftButton)
    window.scene.scope.open_group("group")
    while True:
        was = panel.position
        qtbot.mouseClick(forward, Qt.LeftButton)
        if panel.steps[panel.position - 1].group == "group":
            break
    assert panel.position - was == 1 and panel.steps[panel.position - 1].node == "hidden"
    assert window.scene.node_items["hidden"].state == "forward"


def _torch_bias_gradient(graph):
    """xor's network in torch with the weights a pass starts from: dL/dhidden and dL/db."""
    program = Program(graph, "simple")
    batch = pass_batch(graph, "simple")
    w = {
        n: {k: torch.tensor(p.to_numpy()) for k, p in ws.items()}
        for n, ws in program.weights.items()
    }
    bias = w["hidden"]["bias"].requires_grad_()
    x = torch.tensor(batch["x"].to_numpy())
    hidden = x @ w["hidden"]["weight"].T + bias
    hidden.retain_grad()
    out = torch.relu(hidden) @ w["out"]["weight"].T + w["out"]["bias"]
    target = torch.tensor(batch["y"].to_numpy())
    torch.nn.functional.binary_cross_entropy(torch.sigmoid(out), target).backward()
    return hidden.grad.numpy(), bias.grad.numpy()


def test_a_linear_opens_read_only_and_steps_back_to_the_bias_un_broadcast(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    steps_on_stack = window.document.undo_stack.count()
    before = snapshot(window)
    window.canvas.fit_to_view()
    item = window.scene.node_items["hidden"]
    QTest.mouseDClick(
        window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, _card_point(window, item)
    )
    assert window.scene.scope.path == ["Graph", "hidden (primitive ops)"]
    assert {n.type for n in window.scene.graph} >= {"MatMul", "Add", "Transpose", "Parameter"}
    panel = window.playback
    for _ in range(30):
        qtbot.mouseClick(panel.backward_button, Qt.LeftButton)
        if panel.steps[panel.position - 1].kind == "unbroadcast":
            break
    text = panel.chain.toPlainText()
    dy, db = _torch_bias_gradient(window.graph)
    lines = [line for line in text.splitlines() if line.startswith("dL/db[")]
    assert len(lines) == 3
    for j, line in enumerate(lines):
        assert line.startswith(f"dL/db[{j}] = Σ_batch dL/dhidden[:, {j}] = ")
        total = float(line.rsplit("= ", 1)[1])
        assert total == pytest.approx(db[j], rel=1e-3, abs=1e-6)
    assert window.findChild(type(panel.example), "exampleChoice").isVisible()
    qtbot.mouseClick(panel.example.one, Qt.LeftButton)
    panel.example.example.setValue(2)
    one = panel.chain.toPlainText()
    shares = re.findall(r"dL/dhidden\[2\] = \[([^\]]*)\]", one)[0].split(", ")
    assert [float(v) for v in shares[:3]] == pytest.approx(dy[2, :3], rel=1e-3, abs=1e-6)
    qtbot.mouseClick(window.group_actions.breadcrumbs.buttons[0], Qt.LeftButton)
    assert window.scene.scope.path == ["Graph"] and "hidden" in window.scene.node_items
    assert window.document.undo_stack.count() == steps_on_stack and snapshot(window) == before
    assert not isinstance(window.scene.node_items["hidden"], GroupItem)


def test_softmax_cross_entropy_opens_and_writes_p_minus_y(qtbot):
    window = open_window(qtbot, SAMPLES / "softmax_classifier.vgraph")
    window.scene.select_nodes(["cross_entropy"])
    window.group_actions.open_action.trigger()
    assert window.scene.graph.nodes["max_z"].type == "Max"
    assert {"max_z", "shifted", "log_total"} <= set(window.scene.node_items)
    panel = window.playback
    for _ in range(len(panel.steps)):
        qtbot.mouseClick(panel.forward_button, Qt.LeftButton)
        if panel.steps[panel.position - 1].node == "shifted":
            break
    assert "softmax is unchanged by a shift" in panel.chain.toPlainText()
    while panel.position < len(panel.steps):
        qtbot.mouseClick(panel.backward_button, Qt.LeftButton)
    assert panel.steps[-1].kind == "softmax_ce"
    qtbot.mouseClick(panel.example.one, Qt.LeftButton)
    text = panel.chain.toPlainText()
    graph = window.graph
    program = Program(graph, "simple")
    batch = pass_batch(graph, "simple")
    x = torch.tensor(batch["x"].to_numpy())
    w = program.weights["scores"]
    z = x @ torch.tensor(w["weight"].to_numpy()).T + torch.tensor(w["bias"].to_numpy())
    p = torch.softmax(z, 1).numpy()[0]
    label = int(batch["y"].to_numpy()[0])
    n = x.shape[0]
    assert "dL/dscores = p − y" in text
    answer = re.findall(r"= \[([^\]]*)\]$", text.splitlines()[-1])[0].split(", ")
    expected = (p - np.eye(p.size)[label]) / n
    assert [float(v) for v in answer] == pytest.approx(expected, rel=1e-3, abs=1e-9)


def test_a_wire_that_would_open_a_group_is_refused_with_a_message(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    doc, said = window.document, []
    doc.status.connect(said.append)
    window.scene.select_nodes(["relu", "out"])
    window.group_actions.group_action.trigger()
    inside = next(e for e in window.graph.edges if e.source == "relu")
    doc.remove([], [inside])
    tanh = doc.add_node("Tanh", (0.0, 400.0))
    assert doc.add_edge(Edge("relu", "y", tanh, "x"))  # out of the group: fine
    steps = doc.undo_stack.count()
    assert not doc.add_edge(Edge(tanh, "y", "out", "x"))  # and back in: refused
    assert doc.undo_stack.count() == steps and "is not closed" in said[-1]


def test_a_layer_opened_inside_an_open_group_leads_back_to_the_group(qtbot):
    window = _grouped_xor(qtbot)
    scope = window.scene.scope
    card = scope.group_items["group"]
    QTest.mouseDClick(
        window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, _card_point(window, card)
    )
    item = window.scene.node_items["hidden"]
    QTest.mouseDClick(
        window.canvas.viewport(), Qt.LeftButton, Qt.NoModifier, _card_point(window, item)
    )
    assert scope.path == ["Graph", "group", "hidden (primitive ops)"] and scope.read_only
    assert window.scene.selected_node_ids() == []  # nothing there to delete or copy
    qtbot.mouseClick(window.group_actions.breadcrumbs.buttons[1], Qt.LeftButton)
    assert scope.path == ["Graph", "group"] and not scope.read_only
    assert sorted(window.scene.node_items) == ["hidden", "relu"]
    _key(window, Qt.Key_Up, Qt.AltModifier)
    assert scope.path == ["Graph"]
