"""What the window keeps between runs: recent files, and the autosave of unsaved work.

An autosave is written every 30 s while a project has unsaved changes, beside
a note of the file it belongs to; it is removed when the project is saved or
closed on purpose, so one still there at start-up means the program ended
without asking, and its work is offered back.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

RECENT_LIMIT = 10


def settings() -> QSettings:
    return QSettings("visualgrad", "visualgrad")


def recent_files() -> list[str]:
    value = settings().value("recentFiles", [])
    if isinstance(value, str):
        value = [value]
    return [p for p in value or [] if os.path.exists(p)]


def remember(path: str) -> list[str]:
    """Put ``path`` first in the recent files; returns the new list."""
    path = os.path.abspath(path)
    files = [path] + [p for p in recent_files() if p != path]
    settings().setValue("recentFiles", files[:RECENT_LIMIT])
    return files[:RECENT_LIMIT]


def autosave_folder() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
    return Path(base or Path.home() / ".visualgrad") / "autosave"


@dataclass
class Autosave:
    """The autosave slot of one project (a file, or an untitled window)."""

    key: str
    folder: Path

    @classmethod
    def for_path(cls, path: str | None, folder: Path | None = None) -> Autosave:
        name = os.path.abspath(path) if path else "untitled"
        key = hashlib.sha1(name.encode()).hexdigest()[:16]
        return cls(key, folder or autosave_folder())

    @property
    def file(self) -> Path:
        return self.folder / f"{self.key}.vgraph"

    @property
    def note(self) -> Path:
        return self.folder / f"{self.key}.json"

    def write(self, text: str, path: str | None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.file.with_suffix(".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, self.file)
        self.note.write_text(json.dumps({"path": path, "time": time.time()}), encoding="utf-8")

    def pending(self, path: str | None) -> float | None:
        """When the autosave was written, if it holds work newer than ``path`` on disk."""
        if not self.file.exists() or not self.note.exists():
            return None
        try:
            written = float(json.loads(self.note.read_text(encoding="utf-8"))["time"])
        except (ValueError, KeyError, TypeError, OSError):
            return None
        if path and os.path.exists(path) and os.path.getmtime(path) >= written:
            return None
        return written

    def read(self) -> str:
        return self.file.read_text(encoding="utf-8")

    def remove(self) -> None:
        for p in (self.file, self.note):
            p.unlink(missing_ok=True)
