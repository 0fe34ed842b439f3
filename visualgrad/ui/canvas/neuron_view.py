"""Which layers' units the window shows, and showing them: the selected layer's strip in
the inspector, the layers folded out on the canvas, the per-unit edges between them.

The grids come from graph.neurons: computed here from the document's weights when no
training runs (one small pass on the simple backend), and from the training process
while one does (``show_neurons``, at the rate of the decision boundary). ``watch`` is
told which nodes are shown, so training computes only theirs.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, QTimer

from ...graph.data import dataset_for
from ...graph.execute import Program
from ...graph.neurons import (
    Neurons,
    describe_unit,
    neurons,
    on_plane,
    plane_extent,
    plane_grid,
    unit_links,
    unit_nodes,
)
from ...graph.snapshots import load
from .inspector import Inspector
from .neuron_fold import FoldToggle, NeuronFold, UnitLinks
from .scene import CanvasScene

PIECE_MS = 16  # between two pieces of a redraw: a frame at 60 frames a second
Piece = tuple[object, Callable[[], None]]  # what it redraws, and how


class NeuronView(QObject):
    """The units shown, kept in step with the graph, the selection and training."""

    def __init__(
        self, scene: CanvasScene, inspector: Inspector, watch: Callable[[list[str]], None]
    ) -> None:
        super().__init__(scene)
        self.scene, self.inspector, self.watch = scene, inspector, watch
        self.layers: list[str] = []  # the graph's layers of units
        self.expanded: set[str] = set()
        self.training = False
        self.neurons = Neurons()  # the latest grids and weights of the layers shown
        self.weights = None  # a snapshot's tensors to show the units of (None: the document's)
        self.toggles: dict[str, FoldToggle] = {}
        self.folds: dict[str, NeuronFold] = {}
        self.links: dict[tuple[str, str], UnitLinks] = {}
        self._graph = None
        # Training's updates are drawn a piece (the strip, a fold, a link) per frame, so
        # that one repaint re-renders one of them: the window never stalls for them all.
        self._pieces: dict[object, Piece] = {}  # by what each redraws, in order
        self._piece_timer = QTimer(self, singleShot=True, interval=PIECE_MS)
        self._piece_timer.timeout.connect(self._draw_piece)
        scene.shapes_refreshed.connect(self._graph_changed)

    # ---- what is shown -------------------------------------------------------------------
    def shown(self) -> list[str]:
        """The layers folded out, and the one the inspector shows."""
        return [n for n in self.layers if n in self.expanded or n == self.inspector.node_id]

    def toggle(self, node_id: str) -> None:
        """Fold a layer's units out under its node, or back in."""
        if node_id in self.expanded:
            self.expanded.discard(node_id)
        elif node_id in self.layers:
            self.expanded.add(node_id)
        self.refresh()

    def show_selected(self) -> None:
        """The inspector shows another node: give it its units' strip if it is a layer."""
        self.refresh()

    def show_weights(self, weights) -> None:
        """Show the units of the model with a snapshot's tensors (None: the document's)."""
        self.weights = weights
        self.refresh()

    def set_training(self, training: bool) -> None:
        self.training = training
        if not training:  # the document has the learned weights: a frame later, so the
            # window's own work at the end of a run and this one are not one long stall
            QTimer.singleShot(PIECE_MS, self, lambda: self.refresh(piecewise=True))

    def show_neurons(self, found: Neurons) -> None:
        """Grids sent by the training process: draw them where they are shown."""
        self.neurons.take(found)
        self._start(self._draw(relayout=False))

    def _start(self, pieces: list[Piece]) -> None:
        """Draw ``pieces`` one per frame. A piece for something still waiting replaces
        the one waiting, in its place: each gets its turn however fast updates come."""
        for target, draw in pieces:
            self._pieces[id(target)] = (target, draw)
        if not self._piece_timer.isActive():
            self._piece_timer.start()

    def _draw_piece(self) -> None:
        if self.scene.graph is not self._graph:  # the window closed or opened another
            self._pieces = {}
        if self._pieces:
            target, draw = self._pieces.pop(next(iter(self._pieces)))
            if shiboken6.isValid(target):  # not gone with its node
                draw()
        if self._pieces:
            self._piece_timer.start()

    # ---- following the graph ---------------------------------------------------------------
    def _graph_changed(self) -> None:
        graph = self.scene.graph
        if graph is not self._graph:  # a new document: the scene dropped every item
            self._graph, self.expanded, self._pieces = graph, set(), {}
            self.toggles, self.folds, self.links = {}, {}, {}
        self.layers = unit_nodes(graph, self.scene.shapes) if self._plane() is not None else []
        self.expanded &= set(self.layers)
        for node_id in list(self.toggles):
            item = self.toggles[node_id]
            if node_id not in self.layers or node_id not in self.scene.node_items:
                _remove(item)
                del self.toggles[node_id]
        for node_id in self.layers:
            node_item = self.scene.node_items.get(node_id)
            if node_item is None:  # not drawn at the level shown (inside a closed group)
                continue
            toggle = self.toggles.get(node_id)
            if toggle is None or toggle.node_item is not node_item:
                self.toggles[node_id] = FoldToggle(node_item, self.toggle)
        self.refresh(piecewise=True)  # the shapes follow every edit and the end of a run

    def _plane(self):
        graph = self.scene.graph
        try:
            data = dataset_for(graph.training, graph.data)
        except ValueError:
            return None
        return plane_grid(*plane_extent(data.x)) if on_plane(data.x) else None

    def refresh(self, piecewise: bool = False) -> None:
        """Recompute the shown layers' units from the document (unless training sends them)
        and redraw the strip, the folds and their links (at once, or ``piecewise``)."""
        if self.scene.graph is None:  # the window is closing
            return
        shown = self.shown()
        self.watch(shown)
        if not self.training:
            self.neurons = Neurons()
            points = self._plane()
            if shown and points is not None:
                graph = self.scene.graph
                try:
                    program = Program(graph, "simple")
                    if self.weights is not None:
                        load(program, self.weights)
                    y = dataset_for(graph.training, graph.data).y
                    self.neurons = neurons(program, points, y, shown)
                except (ValueError, TypeError):
                    pass  # a graph that cannot compute shows no units; its badge says why
        pieces = self._draw(relayout=True)
        if piecewise or self.training:  # while training, the next units are on their way
            self._start(pieces)
            return
        self._pieces = {}
        for _, draw in pieces:
            draw()

    # ---- drawing -------------------------------------------------------------------------------
    def _tip(self, node_id: str, unit: int) -> str:
        weights = self.neurons.weights.get(node_id)
        return describe_unit(self.scene.graph, node_id, unit, weights)

    def _tips(self, node_id: str) -> list[str]:
        return [self._tip(node_id, u) for u in range(len(self.neurons.grids[node_id]))]

    def _draw(self, relayout: bool) -> list[Piece]:
        """Lay out the folds and links for the layers shown; the drawing of their values,
        and of the strip, is handed back as pieces to run."""
        grids = self.neurons.grids
        for node_id, toggle in self.toggles.items():
            toggle.set_open(node_id in self.expanded)
        selected = self.inspector.node_id if self.inspector.node_id in grids else None
        strip = self.inspector.neuron_strip
        pieces = []
        if selected is not None:
            pieces.append((strip, lambda: self._show_strip(strip, selected)))
        elif relayout:
            strip.show_units(None, None, [])
        return pieces + self._draw_folds()

    def _show_strip(self, strip, node_id: str) -> None:
        """The strip of ``node_id``'s units, unless the node went since this was queued."""
        grids = self.neurons.grids
        if node_id in grids:
            strip.show_units(node_id, grids[node_id], self._tips(node_id))

    def _draw_folds(self) -> list[Piece]:
        grids, items = self.neurons.grids, self.scene.node_items
        wanted = {n for n in self.expanded if n in grids and n in items}
        for node_id in list(self.folds):
            fold = self.folds[node_id]
            if node_id not in wanted or fold.node_item is not items.get(node_id):
                fold.links.clear()
                _remove(fold)
                del self.folds[node_id]
        pieces = []
        for node_id in wanted:
            if node_id not in self.folds:
                self.folds[node_id] = NeuronFold(
                    items[node_id], lambda u, n=node_id: self._tip(n, u)
                )
                self.folds[node_id].set_units(grids[node_id])
            else:
                fold, values = self.folds[node_id], grids[node_id]
                pieces.append((fold, lambda fold=fold, values=values: fold.set_units(values)))
        pairs = {
            (e.source, e.target)
            for e in self.scene.graph.edges
            if e.source in self.folds and e.target in self.folds
        }
        for pair, item in list(self.links.items()):
            folds = (self.folds.get(pair[0]), self.folds.get(pair[1]))
            if pair not in pairs or (item.source, item.target) != folds:
                del self.links[pair]
                if shiboken6.isValid(item):
                    item.detach()
        for pair in pairs:
            links = unit_links(self.scene.graph, *pair, self.neurons)
            if links is None:
                continue
            item = self.links.get(pair)
            if item is None:
                item = self.links[pair] = UnitLinks(self.folds[pair[0]], self.folds[pair[1]])
                self.scene.addItem(item)
                item.set_links(links)
            else:
                pieces.append((item, lambda item=item, links=links: item.set_links(links)))
        return pieces


def _remove(item) -> None:
    """Take an item off the scene, unless it went with its node already."""
    if shiboken6.isValid(item) and item.scene() is not None:
        item.scene().removeItem(item)
