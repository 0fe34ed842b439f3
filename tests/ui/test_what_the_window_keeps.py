"""Where the window keeps things: settings under the XDG config folder, autosaves under the
XDG state folder (never beside a project), and the program's name and icon."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSize
from PySide6.QtGui import QGuiApplication

from visualgrad.graph import fileformat
from visualgrad.ui import app
from visualgrad.ui.files import store
from visualgrad.ui.files.autosave import Autosave

from .helpers import SAMPLES, autosaved_edit, open_window


def test_settings_land_in_the_config_folder_under_the_programs_name(qtbot):
    window = open_window(qtbot, SAMPLES / "xor.vgraph")
    window.store.sync()
    conf = Path(os.environ["XDG_CONFIG_HOME"]) / "visualgrad" / "visualgrad.conf"
    assert window.store.fileName() == str(conf)
    assert str(SAMPLES / "xor.vgraph") in conf.read_text(encoding="utf-8")


def test_an_autosave_goes_to_the_state_folder_not_beside_the_project(qtbot, tmp_path):
    window, path, slot = autosaved_edit(qtbot, tmp_path)
    folder = Path(os.environ["XDG_STATE_HOME"]) / "visualgrad" / "autosave"
    assert slot.file.parent == folder and slot.file.name.startswith("work-")
    assert "tanh" in fileformat.from_json(slot.read()).nodes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work.vgraph"]
    window.save_file(str(path))
    assert not slot.file.exists() and not slot.note.exists()


def test_two_projects_of_one_name_in_two_folders_keep_two_autosaves(tmp_path):
    first = Autosave.for_path(str(tmp_path / "a" / "work.vgraph"))
    second = Autosave.for_path(str(tmp_path / "b" / "work.vgraph"))
    assert first.key != second.key
    assert first.key.startswith("work-") and second.key.startswith("work-")
    assert Autosave.for_path(None).key.startswith("untitled-")


def test_a_path_that_is_not_utf8_still_has_a_slot(tmp_path):
    name = os.fsdecode(b"caf\xe9.vgraph")  # a Latin-1 name on a UTF-8 system
    slot = Autosave.for_path(str(tmp_path / name))
    assert slot.key.startswith("caf_-")


def test_the_recent_files_list_only_regular_files(qtbot, tmp_path):
    kept = tmp_path / "kept.vgraph"
    fileformat.save(fileformat.load(SAMPLES / "split.vgraph"), kept)
    pipe = tmp_path / "pipe.vgraph"
    os.mkfifo(pipe)
    for path in (kept, pipe, tmp_path):
        store.remember(str(path))
    recent = store.recent_files()
    assert str(kept) in recent and str(pipe) not in recent and str(tmp_path) not in recent


def test_the_application_and_its_window_are_named_and_carry_the_icon(qtbot):
    names = (QCoreApplication.organizationName(), QCoreApplication.applicationName())
    desktop_name = QGuiApplication.desktopFileName()
    try:
        application = app.application()
        assert (application.organizationName(), application.applicationName()) == (
            "visualgrad",
            "visualgrad",
        )
        assert QGuiApplication.desktopFileName() == "visualgrad"
        sizes = {size.width() for size in application.windowIcon().availableSizes()}
        assert sizes == {48, 128, 256}
    finally:
        QCoreApplication.setOrganizationName(names[0])
        QCoreApplication.setApplicationName(names[1])
        QGuiApplication.setDesktopFileName(desktop_name)
    window = open_window(qtbot)
    assert QSize(48, 48) in window.windowIcon().availableSizes()
