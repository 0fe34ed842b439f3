"""The theme a person picks colours every part of the window, its error messages too."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit

from visualgrad.ui.files import settings
from visualgrad.ui.theme import DARK, LIGHT

from .helpers import SAMPLES, open_window


def shown_colour(label: QLabel) -> str:
    label.ensurePolished()
    return label.palette().color(label.foregroundRole()).name()


def errors_shown(window) -> tuple[str, str]:
    """The colours of the inspector's and the training panel's error messages, once each
    has one to show."""
    node_id = next(n.id for n in window.graph if n.type == "Power")
    window.scene.select_nodes([node_id])
    line = window.inspector.editors["exponent"]
    line.setText("two")
    line.editingFinished.emit()
    rate = window.training.findChild(QLineEdit, "learningRateEdit")
    rate.setText("fast")
    rate.editingFinished.emit()
    assert window.inspector.error.text() and window.training.error_label.text()
    return shown_colour(window.inspector.error), shown_colour(window.training.error_label)


@pytest.fixture
def light_afterwards():
    yield
    settings().setValue("theme", "light")  # the choice is kept: later windows start light


def test_errors_are_written_in_the_error_colour_of_the_theme_chosen(qtbot, light_afterwards):
    window = open_window(qtbot, SAMPLES / "polynomial_sin.vgraph")
    assert errors_shown(window) == (LIGHT.error.name(), LIGHT.error.name()) == ("#d83a3a",) * 2
    window.set_theme("dark")
    window.open_file(str(SAMPLES / "polynomial_sin.vgraph"))
    assert errors_shown(window) == (DARK.error.name(),) * 2 == ("#ff6b6b",) * 2
    again = open_window(qtbot, SAMPLES / "polynomial_sin.vgraph")  # opens in the dark theme
    assert errors_shown(again) == ("#ff6b6b",) * 2
