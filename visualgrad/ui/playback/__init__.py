"""Stepping through a pass: the controls, the chain-rule panel, and what moves on the
canvas while it plays (pulses, badges, lit nodes, edges coloured by gradient magnitude).
The steps themselves, and their text, are worked out in graph/steps.py.

Imports graph/ and the top of ui/ (document, commands, theme).
Siblings it may import: canvas.
"""

from .panel import PlaybackPanel

__all__ = ["PlaybackPanel"]
