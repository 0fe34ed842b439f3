"""The window ends cleanly: its training process, and all it shared, go with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

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
