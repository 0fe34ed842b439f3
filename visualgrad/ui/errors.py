"""The window's last line of defence: an exception that no handler caught (a bug) becomes
one sentence in a message box, and its traceback goes to a log file, not to the terminal.

app.run installs it as ``sys.excepthook``, which PySide6 calls for an exception that
escapes a slot or an event handler. Ctrl+C in the terminal still ends the program.
"""

from __future__ import annotations

import datetime
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from .. import desktop

MAX_REASON = 300  # characters of the error's own message shown in the box
MAX_LOG_BYTES = 1_000_000  # a longer log starts over
_showing = False  # a box is open: an error raised meanwhile is only logged


def log_path() -> Path:
    return desktop.state_home() / desktop.APP / "errors.log"


def report(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    """Log the traceback and say in one sentence that something went wrong, and where the
    details are; the window goes on."""
    global _showing
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    where = _log(kind, error, trace)
    if _showing:
        return
    reason = " ".join(str(error).split())
    if len(reason) > MAX_REASON:
        reason = reason[: MAX_REASON - 3] + "..."
    detail = f" ({kind.__name__}: {reason})" if reason else f" ({kind.__name__})"
    kept = f"; the details are in {where}" if where else ""
    _showing = True
    try:
        QMessageBox.critical(
            QApplication.activeWindow(),
            "Unexpected error",
            f"visualgrad hit an unexpected error{detail}{kept}.",
        )
    finally:
        _showing = False


def install() -> None:
    sys.excepthook = report


def _log(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> Path | None:
    """Append the traceback to the log; None when the log cannot be written (the terminal
    then gets it, as the only place left)."""
    text = "".join(traceback.format_exception(kind, error, trace))
    path = log_path()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        full = path.is_file() and path.stat().st_size > MAX_LOG_BYTES
        with open(path, "w" if full else "a", encoding="utf-8") as log:
            log.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')}\n{text}")
    except OSError:
        sys.stderr.write(text)
        return None
    return path
