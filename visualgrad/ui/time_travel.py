"""What the scrubber's snapshot reaches beyond the training panel: the step-through and the
units of the layers shown on the canvas and in the inspector, both computed with the
snapshot's tensors (the document's weights stay as they are)."""

from __future__ import annotations

from ..graph.snapshots import Snapshot
from .canvas import NeuronView
from .playback import PlaybackPanel
from .training import TrainingPanel


class TimeTravel:
    """Follows the training panel's scrubber: playback and the units show the model at the
    snapshot it shows."""

    def __init__(self, training: TrainingPanel, playback: PlaybackPanel, units: NeuronView) -> None:
        self.playback, self.units = playback, units
        training.scrubber.chosen.connect(self.show)

    def show(self, snapshot: Snapshot | None) -> None:
        """The model at ``snapshot`` (None: the document's own weights again)."""
        weights = None if snapshot is None else snapshot.weights
        self.playback.show_weights(weights)
        self.units.show_weights(weights)
