"""What a training step depends on, kept on the device so steps can be taken again.

The trainer on a device backend reads the loss back only every few steps; when a read
shows a NaN or Inf, it goes back to the checkpoint taken after the last good read and
takes those steps again one by one, checking each, to name the step and the node.
"""

from __future__ import annotations

from .. import engine as vg
from ..engine import Tensor
from ..engine import random as engine_random
from ..engine.optim import Optimizer


def _copy(value):
    return value.detach().contiguous_copy() if isinstance(value, Tensor) else value


class Checkpoint:
    """Device copies of the parameters and the optimizer's state, and the random state."""

    def __init__(self, parameters: list[Tensor], optimizer: Optimizer) -> None:
        with vg.no_grad():
            self.values = [_copy(p) for p in parameters]
            self.state = {
                key: {name: _copy(v) for name, v in state.items()}
                for key, state in optimizer.state.items()
            }
        self.random = engine_random.generator().bit_generator.state

    def restore(self, parameters: list[Tensor], optimizer: Optimizer) -> None:
        """Put everything back as it was when this checkpoint was taken (usable once)."""
        for p, values in zip(parameters, self.values):
            p.data = values
        optimizer.state = self.state
        engine_random.generator().bit_generator.state = self.random
