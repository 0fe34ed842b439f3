"""The gradient check: the engine's gradient of every Parameter beside a central
difference, (L(w + h) - L(w - h)) / 2h, element by element."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .. import engine as vg
from ..engine import Tensor
from .execute import Program

STEP = 1e-6
TOLERANCE = 1e-4
MAX_ELEMENTS = 24  # per learnable tensor: a spread-out sample of its elements


@dataclass
class Check:
    node: str
    weight: str
    elements: int  # how many elements were compared
    relative_error: float  # the largest over those elements

    @property
    def ok(self) -> bool:
        return self.relative_error <= TOLERANCE


def _loss(program: Program, batch: Mapping[str, Tensor]) -> float:
    with vg.no_grad():
        values, _ = program.forward(batch)
        return program.loss(values).item()


def gradient_check(program: Program, batch: Mapping[str, Tensor]) -> list[Check]:
    """Compare backprop with central differences for each learnable tensor of ``program``."""
    for p in program.parameters():
        p.zero_grad_()
    values, _ = program.forward(batch)
    program.loss(values).backward()
    checks = []
    for node_id, weights in program.weights.items():
        for name, parameter in weights.items():
            analytic = parameter.grad.to_numpy() if parameter.grad is not None else None
            original = parameter.to_numpy()
            count = original.size
            picks = np.unique(np.linspace(0, count - 1, min(count, MAX_ELEMENTS)).astype(int))
            worst = 0.0
            for flat in picks:
                estimate = _central_difference(program, batch, parameter, original, flat)
                exact = 0.0 if analytic is None else float(analytic.reshape(-1)[flat])
                scale = max(abs(exact), abs(estimate), 1e-3)
                worst = max(worst, abs(exact - estimate) / scale)
            parameter.data = vg.tensor(original, backend=program.backend).data
            checks.append(Check(node_id, name, len(picks), worst))
    return checks


def _central_difference(program, batch, parameter, original: np.ndarray, flat: int) -> float:
    shifted = original.copy().reshape(-1)
    results = []
    for sign in (1.0, -1.0):
        shifted[flat] = original.reshape(-1)[flat] + sign * STEP
        parameter.data = vg.tensor(shifted.reshape(original.shape), backend=program.backend).data
        results.append(_loss(program, batch))
    return (results[0] - results[1]) / (2 * STEP)
