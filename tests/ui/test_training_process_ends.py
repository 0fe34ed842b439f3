"""A training process that ends without a word gives a one-line error; one that died as it
started (a script that opens the window with no ``if __name__ == "__main__":``, re-imported
by the fresh interpreter the process runs in) says so, and how to fix it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from visualgrad.graph import fileformat
from visualgrad.ui.training.run import TrainingRun, Worker

from .helpers import SAMPLES

UNGUARDED = f"""
from visualgrad.graph import fileformat
from visualgrad.ui.training.run import TrainingRun, Worker

worker = Worker()  # at the top level: the training process runs it again, and dies
graph = fileformat.load({str(SAMPLES / "xor.vgraph")!r})
run = TrainingRun(worker, graph, lambda r: None, 0, None, None)
run.start()
run.join()
print(run.error[1])
worker.shut_down()
"""


def test_a_process_that_died_starting_up_says_to_guard_the_script(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("the training process ended unexpectedly (exit code 1); it died")
    assert 'if __name__ == "__main__":' in line


def test_a_process_killed_after_it_started_gives_the_exit_code_alone():
    worker = Worker()
    deadline = time.monotonic() + 60
    while not worker.ready.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert worker.ready.is_set()
    run = TrainingRun(
        worker, fileformat.load(SAMPLES / "xor.vgraph"), lambda r: None, 0, None, None
    )
    run.start()
    worker.pause.set()  # between two steps: the run cannot end of itself first
    worker.process.kill()
    run.join()
    worker.shut_down()
    assert run.error == ("", "the training process ended unexpectedly (exit code -9)")
