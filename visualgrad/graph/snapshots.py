"""Snapshots of the learnable parameters taken while training, to go back to any of them.

``Snapshots`` keeps one snapshot every ``every`` steps with bounded memory: at most
``capacity`` snapshots, holding at most ``max_bytes`` of arrays together. When an added
snapshot would pass either bound, the store thins itself: ``every`` doubles and the
snapshots off the new grid are dropped (the first one, the weights training started
from, is always kept), so what remains stays evenly spread over all the steps. A single
snapshot larger than ``max_bytes`` is not kept at all (only the first is, whatever its size).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import engine as vg
from ..engine import nn
from .execute import Program

Weights = dict[str, dict[str, np.ndarray]]  # node id -> tensor name -> values

CAPACITY = 200  # snapshots kept at most
MAX_BYTES = 64 * 2**20  # of arrays kept at most, all snapshots together
EVERY = 5  # steps between two snapshots at first


@dataclass
class Snapshot:
    """The learnable tensors after ``step`` steps (0: before the first)."""

    step: int
    weights: Weights

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for tensors in self.weights.values() for a in tensors.values())


def program_weights(program: Program) -> Weights:
    """A copy of a Program's learnable tensors."""
    return {n: {k: p.to_numpy().copy() for k, p in ws.items()} for n, ws in program.weights.items()}


def load(program: Program, weights: Mapping[str, Mapping[str, np.ndarray]]) -> None:
    """Give ``program`` these tensors, for the nodes and names that it has and that fit."""
    for node_id, tensors in weights.items():
        own = program.weights.get(node_id)
        if own is None:
            continue
        for name, values in tensors.items():
            if name in own and own[name].shape == tuple(np.shape(values)):
                values = np.array(values, copy=True)
                tensor = vg.tensor(values, backend=program.backend, dtype=program.dtype)
                own[name] = nn.Parameter(tensor)


class Snapshots:
    """The snapshots of one plot's steps, thinned to stay within ``capacity`` and ``max_bytes``."""

    def __init__(
        self, every: int = EVERY, capacity: int = CAPACITY, max_bytes: int = MAX_BYTES
    ) -> None:
        if every < 1 or capacity < 2:
            raise ValueError(
                f"snapshots: every must be >= 1 and capacity >= 2, got {every}, {capacity}"
            )
        self.every, self.capacity, self.max_bytes = every, capacity, max_bytes
        self._kept: list[Snapshot] = []
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._kept)

    def __getitem__(self, index: int) -> Snapshot:
        return self._kept[index]

    def steps(self) -> list[int]:
        return [s.step for s in self._kept]

    def clear(self) -> None:
        self._kept, self.nbytes = [], 0

    def due(self, step: int) -> bool:
        """Whether a snapshot after ``step`` steps is on the grid (the first always is)."""
        return not self._kept or step % self.every == 0

    def add(self, snapshot: Snapshot) -> bool:
        """Keep ``snapshot`` if it is due and newer than the last; returns whether it was kept."""
        if not self.due(snapshot.step) or (self._kept and snapshot.step <= self._kept[-1].step):
            return False
        size = snapshot.nbytes
        if self._kept and size > self.max_bytes:
            return False
        self._kept.append(snapshot)
        self.nbytes += size
        while len(self._kept) > self.capacity or (
            len(self._kept) > 1 and self.nbytes > self.max_bytes
        ):
            self._thin()
        return bool(self._kept) and self._kept[-1] is snapshot

    def _thin(self) -> None:
        """Double the interval and drop the snapshots off the new grid (never the first)."""
        self.every *= 2
        first, rest = self._kept[0], self._kept[1:]
        kept = [first] + [s for s in rest if s.step % self.every == 0]
        if len(kept) == len(self._kept):  # none on the old grid to drop: halve by position
            kept = [first] + rest[1::2]
        self._kept = kept
        self.nbytes = sum(s.nbytes for s in kept)

    def nearest(self, step: int) -> Snapshot:
        """The snapshot closest to ``step`` (the earlier one on a tie)."""
        if not self._kept:
            raise IndexError("no snapshot has been taken")
        return min(self._kept, key=lambda s: (abs(s.step - step), s.step))
