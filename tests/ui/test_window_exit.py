"""How the window ends: cleanly, its training process and all it shared going with it; or
killed, its autosaved work offered back by the next window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from visualgrad.graph import fileformat

from .helpers import SAMPLES, open_window

SESSION = Path(__file__).with_name("window_session.py")


def ended(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie no one reaps has ended too)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


@pytest.mark.parametrize("ending", ["close", "sigterm"])
def test_a_window_that_trained_leaves_no_process_and_no_semaphore_behind(tmp_path, ending):
    home = {v: str(tmp_path / v) for v in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")}
    result = subprocess.run(
        [sys.executable, str(SESSION), ending],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **home},
    )
    assert result.returncode == (0 if ending == "close" else -signal.SIGTERM), result.stderr
    for trouble in ("leaked", "resource_tracker", "Traceback"):
        assert trouble not in result.stderr
    worker = int(result.stdout.split()[0])
    deadline = time.monotonic() + 10
    while not ended(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ended(worker)


def test_work_autosaved_before_a_kill_is_offered_back_by_the_next_window(qtbot, tmp_path):
    path = tmp_path / "work.vgraph"
    fileformat.save(fileformat.load(SAMPLES / "xor.vgraph"), path)
    killed = subprocess.run(
        [sys.executable, str(SESSION), "crash", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},  # the tests' XDG folders
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    offered = []
    window = open_window(qtbot)
    window.files.ask_recover = lambda when: offered.append(when) or True
    assert window.open_file(str(path))
    assert len(offered) == 1 and "tanh" in window.graph.nodes and window.isWindowModified()
    assert "tanh" not in fileformat.load(path).nodes  # the project itself is as it was saved
