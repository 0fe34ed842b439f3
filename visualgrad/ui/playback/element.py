"""One element of a heatmap clicked in the inspector: its row of the Jacobian on the pass
being stepped through, worked out by graph.jacobian and shown by the inspector."""

from __future__ import annotations

from PySide6.QtCore import QObject

from ...graph.graph import GraphError
from ...graph.jacobian import jacobian_row
from ..canvas import Inspector
from .panel import PlaybackPanel


class ElementInspector(QObject):
    """Answers the inspector's element clicks from the playback's pass."""

    def __init__(self, playback: PlaybackPanel, inspector: Inspector) -> None:
        super().__init__(playback)
        self.playback, self.inspector = playback, inspector
        inspector.element_clicked.connect(self.show)

    def show(self, kind: str, index: tuple) -> None:
        """The row of d out[index] / d in (of dL/d out[index] when ``kind`` is "gradient")."""
        program, node_id = self.playback.program, self.inspector.node_id
        if program is None or node_id is None:
            return
        try:
            row = jacobian_row(program, self.playback.batch, node_id, index, kind)
        except (GraphError, ValueError, TypeError) as error:
            self.playback.status.emit(str(error))
            return
        self.inspector.show_element(row)
