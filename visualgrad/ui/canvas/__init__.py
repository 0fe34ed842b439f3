"""The canvas and what a person builds the graph with: the view (zoom, pan, drops, Tab
search, the overview), the scene that draws the document and turns gestures into edits,
its items (nodes, edges, playback badges), the palette of node types, and the inspector
of the selected node.

Imports graph/ and the top of ui/ (document, commands, theme).
Siblings it may import: none.
"""

from .inspector import Inspector
from .palette import Palette
from .scene import CanvasScene
from .view import CanvasView, dropped_file

__all__ = ["CanvasScene", "CanvasView", "Inspector", "Palette", "dropped_file"]
