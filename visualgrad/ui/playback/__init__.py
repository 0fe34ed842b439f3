"""Stepping through a pass: the controls, the chain-rule panel, and what moves on the
canvas while it plays (pulses, badges, lit nodes, edges coloured by gradient magnitude);
predicting a step before it is revealed, and the lessons that follow the steps.
The steps themselves, and their text, are worked out in graph/steps.py.

Imports graph/ and the top of ui/ (document, commands, theme).
Siblings it may import: canvas.
"""

from .element import ElementInspector
from .lessons import LessonsPanel
from .panel import PlaybackPanel

__all__ = ["ElementInspector", "LessonsPanel", "PlaybackPanel"]
