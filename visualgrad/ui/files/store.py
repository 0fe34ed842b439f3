"""What the window keeps between runs: the theme, the window's layout and the recent
files, in $XDG_CONFIG_HOME/visualgrad/visualgrad.conf (~/.config/...)."""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

from ... import desktop

RECENT_LIMIT = 10


def settings() -> QSettings:
    """The program's settings, named as the application is (see ui/app.py)."""
    return QSettings(desktop.APP, desktop.APP)


def recent_files() -> list[str]:
    """The recent files that are still regular files (a stat: it never opens or waits)."""
    value = settings().value("recentFiles", [])
    if isinstance(value, str):
        value = [value]
    return [p for p in value or [] if isinstance(p, str) and os.path.isfile(p)]


def remember(path: str) -> list[str]:
    """Put ``path`` first in the recent files; returns the new list."""
    path = os.path.abspath(path)
    files = [path] + [p for p in recent_files() if p != path]
    settings().setValue("recentFiles", files[:RECENT_LIMIT])
    return files[:RECENT_LIMIT]
