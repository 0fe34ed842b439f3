"""The window's files: New, Open, Open Sample (the gallery), Save, recent files, export,
File > Import data, and what is kept between runs (settings, the autosave of unsaved work).

Imports graph/ and the top of ui/ (document, commands, theme).
Siblings it may import: canvas, training.
"""

from .actions import FileActions
from .import_data import import_dialog
from .store import settings

__all__ = ["FileActions", "import_dialog", "settings"]
