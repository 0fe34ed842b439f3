"""How numbers are written in the window: a scalar as a number, a tensor as its shape
and a digest (min / mean / max)."""

from __future__ import annotations

import numpy as np


def number(x: float) -> str:
    """A number in at most four significant digits, as the chain-rule panel writes it."""
    x = float(x)
    if x == 0:
        return "0"
    if not np.isfinite(x):
        return str(x)
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:.4g}"
    return f"{x:.3g}"


def short(array: np.ndarray) -> str:
    """A badge's text: the number of a one-element tensor, else the shape and the mean."""
    array = np.asarray(array)
    if array.size == 1:
        return number(array.reshape(()))
    return f"{tuple(array.shape)} μ={number(array.mean())}"


def describe_array(array: np.ndarray) -> str:
    """The inspector's line: a number, or the shape with min, max and mean."""
    array = np.asarray(array, dtype=float)
    if array.size == 1:
        return number(array.reshape(()))
    return (
        f"shape {tuple(array.shape)}: min {number(array.min())}, "
        f"max {number(array.max())}, mean {number(array.mean())}"
    )
