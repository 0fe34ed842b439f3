"""Training from the window: the panel (settings, Train, Pause, Stop, progress), the live
loss and accuracy plot, the decision boundary (where points can be drawn), the runs to
compare, and the run in the worker process, whose child side is graph/training_worker.py.

Imports graph/, engine/ and the top of ui/ (document, commands, theme).
Siblings it may import: none.
"""

from .panel import TrainingPanel
from .runs_panel import RunsPanel

__all__ = ["RunsPanel", "TrainingPanel"]
