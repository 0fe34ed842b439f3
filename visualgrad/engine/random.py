"""The engine's one source of randomness, seeded by ``manual_seed``.

Initial weights, dropout masks and shuffles all draw from it, so the same seed
gives the same run. It starts from seed 0, so even an unseeded run repeats.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

_generator = np.random.default_rng(0)
_seeding = threading.RLock()


def manual_seed(seed: int) -> None:
    """Restart the engine's random numbers from ``seed``."""
    global _generator
    _generator = np.random.default_rng(int(seed))


def generator() -> np.random.Generator:
    return _generator


@contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Draw from a generator seeded with ``seed`` inside the block, then resume the old one."""
    global _generator
    with _seeding:  # blocks from two threads must not interleave their swaps
        saved = _generator
        _generator = np.random.default_rng(int(seed))
        try:
            yield
        finally:
            _generator = saved
