"""The canvas and what a person builds the graph with: the view (zoom, pan, drops, Tab
search, the overview), the scene that draws the document and turns gestures into edits,
its items (nodes, edges, playback and health badges, frames and notes), Edit > Arrange,
the palette of node types, and the inspector of the selected node.

Imports graph/ and the top of ui/ (document, commands, theme).
Siblings it may import: none.
"""

from .annotation_layer import AnnotationLayer
from .arrange import ArrangeActions
from .context_menus import ContextMenus
from .group_actions import GroupActions
from .health_badge import HealthBadges
from .inspector import Inspector
from .neuron_view import NeuronView
from .palette import Palette
from .scene import CanvasScene
from .view import CanvasView, dropped_file
from .wires import GESTURES

__all__ = [
    "GESTURES",
    "AnnotationLayer",
    "ArrangeActions",
    "CanvasScene",
    "CanvasView",
    "ContextMenus",
    "GroupActions",
    "HealthBadges",
    "Inspector",
    "NeuronView",
    "Palette",
    "dropped_file",
]
