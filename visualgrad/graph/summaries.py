"""What the window writes and draws of values, worked out without Qt: a scalar as a
number, a tensor as its shape and a digest (min / mean / max) or as a heatmap's grid, a
node's parameters as one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .graph import Node

PARAMS_LISTED = 4  # items of a list parameter a node's line shows before "..."


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


def params_line(node: Node) -> str:
    """A node's parameters on one line, as its card shows them: each value written as the
    inspector writes it, a list in brackets and cut after PARAMS_LISTED items."""
    parts = []
    for name, value in node.params.items():
        param = node.spec.param(name)
        if isinstance(value, list):
            more = ", ..." if len(value) > PARAMS_LISTED else ""
            shown = f"[{param.show(value[:PARAMS_LISTED])}{more}]"
        else:
            shown = param.show(value)
        parts.append(f"{name}={shown}")
    return "  ".join(parts)


def _sampled(shape: tuple[int, ...], rows: int, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Which rows and columns of a tensor of ``shape``, seen as a matrix (further dimensions
    folded into the rows), a heatmap of at most ``rows`` by ``columns`` cells shows."""
    shape = tuple(shape)
    height = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    width = shape[-1] if shape else 1
    rows_at = np.linspace(0, height - 1, min(rows, height)).astype(int)
    return rows_at, np.linspace(0, width - 1, min(columns, width)).astype(int)


def heat_grid(array: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """A tensor as the grid a heatmap draws: at most ``rows`` by ``columns`` values sampled
    evenly, scaled into [-1, 1] by the largest magnitude (NaN as 0). A matrix is drawn as
    it is, a vector as one row, and further dimensions are folded into the rows."""
    grid = np.asarray(array, dtype=float)
    rows_at, columns_at = _sampled(grid.shape, rows, columns)
    grid = grid.reshape(-1, grid.shape[-1]) if grid.ndim > 1 else grid.reshape(1, -1)
    grid = np.nan_to_num(grid[np.ix_(rows_at, columns_at)])
    return grid / (float(np.abs(grid).max()) or 1.0)


def heat_index(
    shape: tuple[int, ...], rows: int, columns: int, row: int, column: int
) -> tuple[int, ...]:
    """The element of a tensor of ``shape`` that cell (row, column) of its
    ``heat_grid(array, rows, columns)`` shows."""
    rows_at, columns_at = _sampled(shape, rows, columns)
    r, c = int(rows_at[row]), int(columns_at[column])
    if len(shape) == 1:
        return (c,)
    return (*(int(k) for k in np.unravel_index(r, tuple(shape)[:-1])), c)


def heat_cell(
    shape: tuple[int, ...], rows: int, columns: int, index: tuple[int, ...]
) -> tuple[int, int] | None:
    """The cell of a heatmap that shows element ``index`` (None: it is not sampled)."""
    rows_at, columns_at = _sampled(shape, rows, columns)
    shape, index = tuple(shape), tuple(index)
    r = int(np.ravel_multi_index(index[:-1], shape[:-1])) if len(shape) > 1 else 0
    row, column = np.flatnonzero(rows_at == r), np.flatnonzero(columns_at == index[-1])
    return (int(row[0]), int(column[0])) if len(row) and len(column) else None
