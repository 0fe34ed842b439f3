"""Opens the installed program's window on its sample gallery, opens a sample, and closes.

Run by .ci/wheel with the wheel's interpreter, offscreen: it exits 0 only if the gallery
showed every bundled sample and the chosen one opened.
"""

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from visualgrad.graph import samples
from visualgrad.ui.main_window import MainWindow


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("visualgrad")
    app.setApplicationName("visualgrad")
    window = MainWindow(None, show_gallery=True)
    window.show()
    failures = []

    def choose() -> None:
        gallery = window.files.gallery
        if gallery is None:
            failures.append("the gallery did not open")
        else:
            shown = gallery.list.count()
            if shown != len(samples.names()) or shown < 10:
                failures.append(f"the gallery shows {shown} samples of {len(samples.names())}")
            gallery.list.setCurrentRow(0)
            gallery._open()
            if len(window.graph.nodes) == 0:
                failures.append("the chosen sample opened no nodes")
        window.close()
        app.quit()

    QTimer.singleShot(500, choose)
    QTimer.singleShot(60_000, lambda: (failures.append("timed out"), app.quit()))
    app.exec()
    if failures:
        print("; ".join(failures), file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":  # a worker process started from the window imports this again
    sys.exit(main())
