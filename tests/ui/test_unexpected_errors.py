"""A bug that escapes every handler is one sentence in a box and a traceback in the log."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from visualgrad.ui import errors


@pytest.fixture
def boxes(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, _t, text, *_a: shown.append(text))
    return shown


def raised(error: BaseException):
    try:
        raise error
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_an_uncaught_error_is_one_sentence_and_its_traceback_is_logged(
    qapp, boxes, tmp_path, monkeypatch
):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    errors.report(*raised(ZeroDivisionError("float division\nby zero")))
    log = tmp_path / "visualgrad" / "errors.log"
    assert boxes == [
        "visualgrad hit an unexpected error (ZeroDivisionError: float division by zero); "
        f"the details are in {log}."
    ]
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in raised" in text


def test_a_log_that_cannot_be_written_still_gives_the_sentence(qapp, boxes, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    errors.report(*raised(RuntimeError("boom")))
    assert boxes == ["visualgrad hit an unexpected error (RuntimeError: boom)."]


def test_the_program_shows_no_traceback_for_an_error_in_a_slot(tmp_path):
    script = (
        "import sys\n"
        "from PySide6.QtCore import QTimer\n"
        "from PySide6.QtWidgets import QMessageBox\n"
        "from visualgrad.ui import app, errors\n"
        "QMessageBox.critical = lambda *a: print(a[2])\n"
        "application = app.application()\n"
        "errors.install()\n"
        "QTimer.singleShot(0, lambda: 1 / 0)\n"
        "QTimer.singleShot(50, application.quit)\n"
        "application.exec()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_STATE_HOME": str(tmp_path)},
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert result.stdout.startswith("visualgrad hit an unexpected error (ZeroDivisionError")
    assert "ZeroDivisionError" in Path(tmp_path, "visualgrad", "errors.log").read_text()
