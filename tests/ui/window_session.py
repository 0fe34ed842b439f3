"""A window's whole life in a process of its own, for tests of how the program ends.

``python window_session.py close|sigterm``: opens the window offscreen on the xor sample,
trains until some steps are plotted, prints the training process's pid, then closes the
window (discarding the learned weights) or is ended by SIGTERM as a logout would end it.

``python window_session.py crash PROJECT``: opens PROJECT, adds a Tanh node, autosaves,
and is killed (SIGKILL) before anything else can happen.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "xor.vgraph"
STEPS = 50


def main(ending: str) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QSpinBox

    from visualgrad.ui import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow(str(SAMPLE))
    window.files.ask_unsaved = lambda: "discard"
    window.show()
    window.training.findChild(QSpinBox, "epochsBox").setValue(100_000)

    def end_when_trained() -> None:
        if window.training.loss_points() < STEPS:
            return
        timer.stop()
        print(window.training._process.process.pid, flush=True)
        if ending == "sigterm":
            os.kill(os.getpid(), signal.SIGTERM)
        else:
            window.close()

    timer = QTimer(interval=50, timeout=end_when_trained)
    QTimer.singleShot(0, window.training.train)
    timer.start()
    QTimer.singleShot(60_000, app.quit)  # never hang a test run
    return app.exec()


def crash(project: str) -> None:
    from PySide6.QtWidgets import QApplication

    from visualgrad.ui import MainWindow

    app = QApplication(sys.argv[:1])
    window = MainWindow(project)
    window.document.add_node("Tanh", (0, 300))
    window.files.autosave()
    del app
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":  # the training process imports this module again: it must not run
    if sys.argv[1] == "crash":
        crash(sys.argv[2])
    sys.exit(main(sys.argv[1]))
