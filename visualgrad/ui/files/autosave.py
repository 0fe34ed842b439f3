"""The autosave of unsaved work.

An autosave is written every 30 s while a project has unsaved changes, with a
note of the file it belongs to, under $XDG_STATE_HOME/visualgrad/autosave
(~/.local/state/...), never beside the project; it is removed when the project
is saved or closed on purpose, so one still there at start-up means the program
ended without asking, and its work is offered back.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from ... import desktop
from ...graph import safe_files


def autosave_folder() -> Path:
    return desktop.state_home() / desktop.APP / "autosave"


@dataclass
class Autosave:
    """The autosave slot of one project (a file, or an untitled window)."""

    key: str
    folder: Path

    @classmethod
    def for_path(cls, path: str | None, folder: Path | None = None) -> Autosave:
        """The slot is named after the project's file and a digest of its whole path, so
        two projects of the same name in two folders keep two slots."""
        name = os.path.abspath(path) if path else "untitled"
        digest = hashlib.sha1(os.fsencode(name)).hexdigest()[:16]
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).stem)[:40] if path else name
        return cls(f"{stem}-{digest}", folder or autosave_folder())

    @property
    def file(self) -> Path:
        return self.folder / f"{self.key}.vgraph"

    @property
    def note(self) -> Path:
        return self.folder / f"{self.key}.json"

    def write(self, text: str, path: str | None) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        safe_files.write_atomically(str(self.file), text.encode("utf-8"))
        note = json.dumps({"path": path, "time": time.time()})
        safe_files.write_atomically(str(self.note), note.encode("utf-8"))

    def pending(self, path: str | None) -> float | None:
        """When the autosave was written, if it holds work newer than ``path`` on disk."""
        if not self.file.is_file() or not self.note.is_file():
            return None
        try:
            with safe_files.open_for_reading(str(self.note)) as note:
                written = float(json.loads(note.read())["time"])
        except (ValueError, KeyError, TypeError, OSError):
            return None
        if path and os.path.isfile(path) and os.path.getmtime(path) >= written:
            return None
        return written

    def read(self) -> bytes:
        with safe_files.open_for_reading(str(self.file)) as file:
            return file.read()

    def remove(self) -> None:
        for p in (self.file, self.note):
            p.unlink(missing_ok=True)
